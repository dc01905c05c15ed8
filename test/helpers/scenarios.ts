/**
 * Random release upgrade scenarios for the relup differential test: one release root holding
 * 1-3 old versions and a new one, with fake kernel/stdlib/sasl and 1-5 user applications that
 * are upgraded, unchanged, added or removed, depend on each other, and whose appups hold every
 * kind of instruction, DepMods graphs with chains, fans and cycles, and regex version keys.
 * systools needs only .rel, .app and .appup files, so no beam is compiled.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatTerm } from "../../src/term/print.js";
import { atom, bin, int, list, str, tuple, type Term } from "../../src/term/term.js";

export interface Scenario {
  root: string;
  name: string;
  to: string;
  from: string[];
  restartEmulator: boolean;
}

type Rand = () => number;

function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;
const subset = <T>(r: Rand, xs: readonly T[], p: number) => xs.filter(() => chance(r, p));

interface AppVersion {
  vsn: string;
  modules: string[];
  uses: string[];
}

const OTP: [string, string, string[]][] = [
  ["kernel", "8.5.3", []],
  ["stdlib", "4.2", ["kernel"]],
  ["sasl", "4.2", ["kernel", "stdlib"]],
];

export function generate(seed: number, dir: string): Scenario {
  const r = prng(seed);
  const oldVsns = ["1.0.0", "1.1.0", "1.2.0"].slice(0, 1 + Math.floor(r() * 3));
  const to = "2.0.0";
  const allVsns = [...oldVsns, to];
  const userApps = Array.from({ length: 1 + Math.floor(r() * 5) }, (_, i) => `a${i}`);
  // Which release has which application, at which version.
  const has = new Map<string, Map<string, AppVersion>>();
  userApps.forEach((app, i) => {
    const inNew = chance(r, 0.85);
    const releases = allVsns.filter((v) => (v === to ? inNew : chance(r, 0.85)));
    const versions = new Map<string, AppVersion>();
    let current = mkAppVersion(r, app, `${i + 1}.0`, undefined);
    for (const v of allVsns) {
      if (chance(r, 0.6) || (v === to && chance(r, 0.5))) current = mkAppVersion(r, app, bump(current.vsn), current);
      if (releases.includes(v)) versions.set(v, current);
    }
    has.set(app, versions);
  });
  // Applications a later one uses (no cycles: only earlier applications are used).
  for (const [app, versions] of has) {
    const i = userApps.indexOf(app);
    for (const av of versions.values())
      av.uses = subset(r, userApps.slice(0, i), 0.3).filter((u) => [...has.get(u)!.keys()].length > 0);
  }
  const erts = (v: string) => (v === to && chance(r, 0.15) ? "99.0" : "13.1.5");
  const ertsFor = new Map(allVsns.map((v) => [v, erts(v)]));
  const root = join(dir, `s${seed}`);
  const write = (rel: string, t: Term, header = "") => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), `${header}${formatTerm(t)}.\n`);
  };
  for (const v of allVsns) {
    // A release must only use applications it contains.
    const apps = userApps.filter((a) => has.get(a)!.has(v));
    for (const a of apps)
      has.get(a)!.get(v)!.uses = has
        .get(a)!
        .get(v)!
        .uses.filter((u) => apps.includes(u));
    const entries: Term[] = OTP.map(([n, vsn]) => tuple(atom(n), str(vsn)));
    for (const a of apps) {
      const type = pick(r, ["permanent", "permanent", "temporary", "load", "none"]);
      entries.push(
        chance(r, 0.5) && type === "permanent"
          ? tuple(atom(a), str(has.get(a)!.get(v)!.vsn))
          : tuple(atom(a), str(has.get(a)!.get(v)!.vsn), atom(type)),
      );
    }
    write(
      `releases/${v}/rel.rel`,
      tuple(atom("release"), tuple(str("rel"), str(v)), tuple(atom("erts"), str(ertsFor.get(v)!)), list(entries)),
    );
  }
  for (const [n, vsn, uses] of OTP) write(`lib/${n}-${vsn}/ebin/${n}.app`, appFile(n, vsn, [], uses));
  for (const [a, versions] of has)
    for (const av of versions.values())
      write(`lib/${a}-${av.vsn}/ebin/${a}.app`, appFile(a, av.vsn, av.modules, ["kernel", "stdlib", ...av.uses]));
  // Appups of the applications the new release upgrades.
  for (const [a, versions] of has) {
    const next = versions.get(to);
    if (!next) continue;
    const olds = oldVsns.map((v) => versions.get(v)).filter((o): o is AppVersion => !!o && o.vsn !== next.vsn);
    const unique = [...new Map(olds.map((o) => [o.vsn, o])).values()];
    if (unique.length === 0) continue;
    const entries = (mode: "up" | "dn") =>
      list(
        unique.flatMap((o) => {
          const key = chance(r, 0.2) ? bin(`${o.vsn.replace(/\./g, "\\.").replace(/\d+$/, "")}[0-9]+`) : str(o.vsn);
          const decoy = chance(r, 0.2) ? [tuple(str("0.0.1"), list([]))] : [];
          return [
            ...decoy,
            tuple(
              key,
              list(
                script(
                  r,
                  mode,
                  a,
                  o,
                  next,
                  userApps.filter((u) => has.get(u)!.has(to) && oldVsns.some((v) => has.get(u)!.has(v))),
                ),
              ),
            ),
          ];
        }),
      );
    write(
      `lib/${a}-${next.vsn}/ebin/${a}.appup`,
      tuple(str(next.vsn), entries("up"), entries("dn")),
      "%% coding: utf-8\n",
    );
  }
  return { root, name: "rel", to, from: oldVsns, restartEmulator: chance(r, 0.1) };
}

function mkAppVersion(r: Rand, app: string, vsn: string, prev: AppVersion | undefined): AppVersion {
  const kept = prev ? subset(r, prev.modules, 0.8) : [];
  const fresh = Array.from(
    { length: Math.floor(r() * (prev ? 3 : 6)) + (prev ? 0 : 1) },
    () => `${app}_m${Math.floor(r() * 1e6)}`,
  );
  return { vsn, modules: [...new Set([...kept, ...fresh])], uses: prev?.uses ?? [] };
}

function bump(vsn: string): string {
  const parts = vsn.split(".");
  parts[parts.length - 1] = String(Number(parts.at(-1)) + 1);
  return parts.join(".");
}

function appFile(name: string, vsn: string, modules: string[], uses: string[]): Term {
  return tuple(
    atom("application"),
    atom(name),
    list([
      tuple(atom("description"), str(name)),
      tuple(atom("vsn"), str(vsn)),
      tuple(atom("modules"), list(modules.map(atom))),
      tuple(atom("registered"), list([])),
      tuple(atom("applications"), list(uses.map(atom))),
    ]),
  );
}

/** One appup script: dependency instructions on the app's modules with random DepMods, and the rest. */
function script(
  r: Rand,
  mode: "up" | "dn",
  app: string,
  old: AppVersion,
  next: AppVersion,
  restartable: string[],
): Term[] {
  if (chance(r, 0.05) && restartable.includes(app)) return [tuple(atom("restart_application"), atom(app))];
  // Modules that exist where the code is loaded to (up: the new version; dn: the old one).
  const [target, source] = mode === "up" ? [next, old] : [old, next];
  const loadable = subset(r, target.modules, 0.6);
  const gone = subset(
    r,
    source.modules.filter((m) => !target.modules.includes(m)),
    0.7,
  );
  const mods = [...loadable, ...gone].sort(() => r() - 0.5);
  const deps = (m: string) => subset(r, mods, 0.25).filter((d) => d !== m || chance(r, 0.2));
  const out: Term[] = mods.map((m) =>
    gone.includes(m) ? deleteModule(r, m, deps(m)) : loadInstruction(r, m, deps(m), !source.modules.includes(m)),
  );
  if (chance(r, 0.3))
    out.splice(
      Math.floor(r() * (out.length + 1)),
      0,
      tuple(atom("apply"), tuple(atom("io"), atom("format"), list([str("step~n")]))),
    );
  if (chance(r, 0.3)) {
    const before = chance(r, 0.5)
      ? [tuple(atom("apply"), tuple(atom("erlang"), atom("garbage_collect"), list([])))]
      : [];
    out.unshift(...before, atom("point_of_no_return"));
  }
  if (chance(r, 0.05)) out.push(atom("restart_emulator"));
  return out;
}

function deleteModule(r: Rand, m: string, deps: string[]): Term {
  return chance(r, 0.5) && deps.length === 0
    ? tuple(atom("delete_module"), atom(m))
    : tuple(atom("delete_module"), atom(m), list(deps.map(atom)));
}

function loadInstruction(r: Rand, m: string, deps: string[], isNew: boolean): Term {
  const M = atom(m),
    D = list(deps.map(atom));
  const purge = () => atom(pick(r, ["brutal_purge", "soft_purge"]));
  const extra = () => pick(r, [list([]), tuple(atom("from"), int(1)), str("text")]);
  const timeout = () => pick(r, [atom("default"), atom("infinity"), int(5000)]);
  const change = () => (chance(r, 0.3) ? atom("soft") : tuple(atom("advanced"), extra()));
  if (isNew && chance(r, 0.6))
    return deps.length || chance(r, 0.5) ? tuple(atom("add_module"), M, D) : tuple(atom("add_module"), M);
  switch (Math.floor(r() * 11)) {
    case 0:
      return deps.length ? tuple(atom("load_module"), M, D) : tuple(atom("load_module"), M);
    case 1:
      return tuple(atom("load_module"), M, purge(), purge(), D);
    case 2:
      return deps.length ? tuple(atom("update"), M, D) : tuple(atom("update"), M);
    case 3:
      return tuple(atom("update"), M, atom("supervisor"));
    case 4:
      return tuple(atom("update"), M, change());
    case 5:
      return tuple(atom("update"), M, change(), D);
    case 6:
      return tuple(atom("update"), M, change(), purge(), purge(), D);
    case 7:
      return tuple(atom("update"), M, timeout(), change(), purge(), purge(), D);
    case 8:
      return tuple(atom("update"), M, atom(pick(r, ["static", "dynamic"])), timeout(), change(), purge(), purge(), D);
    default:
      return tuple(atom("load_module"), M, D);
  }
}
