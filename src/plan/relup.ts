/**
 * The relup, with the semantics of `systools:make_relup/4` (systools_relup + systools_rc),
 * from the new release, the old ones and the appup of every upgraded application.
 *
 * Per old release and direction: collect the appup scripts of changed applications in
 * dependency order of applications; prepend `add_application` scripts, append
 * `remove_application` ones; put `restart_new_emulator` first when ERTS changes. Then translate:
 *   merge scripts at point_of_no_return -> check -> expand application instructions ->
 *   add_module as load_module -> dependency instructions to suspend/load/code_change/resume
 *   per weak component -> merge load_object_code per application -> place emulator restarts.
 *
 * Where systools' own order depends on its VM (incomparable components of one weak component,
 * ordered by ETS hashing of atom indexes), ours takes the component met first in script order.
 */
import { GenAppupError } from "../errors.js";
import type { Application, Release } from "../read/release.js";
import { atom, list } from "../term/term.js";
import { entryFor, type Appup } from "./appup.js";
import { finding, type Finding } from "./findings.js";
import {
  instructionText,
  isDependencyInstruction,
  type DependencyInstruction,
  type Instruction,
  type LowLevel,
} from "./instructions.js";
import { components } from "./order.js";

export interface RelupOptions {
  /** systools' `restart_emulator` option: end every script with a restart. */
  restartEmulator?: boolean;
  /** Where each application's appup is, for messages (by default lib/APP-VSN/ebin/APP.appup in the new release). */
  appupFiles?: ReadonlyMap<string, string>;
}

/** A relup (OTP's relup(4)): per old version, the low-level script up from it and down to it. */
export interface Relup {
  vsn: string;
  up: RelupScript[];
  down: RelupScript[];
}

/** `{Vsn, Descr, Instructions}`; systools writes an empty `Descr`. */
export interface RelupScript {
  vsn: string;
  instructions: Instruction[];
}

export interface RelupResult {
  relup: Relup;
  /** systools' warnings (erts_vsn_changed, bad_vsn, pre_R15_emulator_upgrade). */
  warnings: Finding[];
}

/** An application as systools sees it: from the `.rel` and the `.app`. */
interface RelApp {
  name: string;
  vsn: string;
  type: string;
  modules: string[];
  uses: string[];
  includes: string[];
  optional: string[];
}

type Mode = "up" | "down";
/** An instruction, the application whose appup it came from, and that file (for messages). */
interface Placed {
  i: Instruction;
  app?: string;
  file?: string;
}

/**
 * The relup of `to` for upgrades from, and downgrades to, each of `olds`. `appups` holds the
 * appup of every application whose version changed, by application name.
 */
export function makeRelup(
  olds: Release[],
  to: Release,
  appups: ReadonlyMap<string, Appup>,
  opts: RelupOptions = {},
): RelupResult {
  const warnings: Finding[] = [];
  const top = sortApps(relApps(to), to);
  const up: RelupScript[] = [];
  const down: RelupScript[] = [];
  for (const base of olds) {
    const baseApps = sortApps(relApps(base), base);
    for (const r of [to, base]) {
      if (!r.apps.some((a) => a.name === "sasl"))
        throw new GenAppupError(
          r.origin,
          `release ${r.name} ${r.vsn} has no sasl application, which release_handler needs (systools: missing_sasl)`,
        );
    }
    const upScript = fixR15Sasl(
      translate("up", scriptsFor("up", to, base, top, appups, warnings, opts), top, baseApps),
      base,
      warnings,
    );
    up.unshift({ vsn: base.vsn, instructions: upScript });
    const downScript = translate("down", scriptsFor("down", to, base, top, appups, warnings, opts), baseApps, top);
    down.unshift({ vsn: base.vsn, instructions: downScript });
  }
  return { relup: { vsn: to.vsn, up, down }, warnings };
}

function relApps(r: Release): RelApp[] {
  for (const a of r.apps) {
    if (a.spec.missing.length)
      throw new GenAppupError(
        r.source.describe(`${a.dir}/ebin/${a.name}.app`),
        `lacks ${a.spec.missing.join(", ")}, which systools requires (missing_param)`,
      );
  }
  return r.apps.map((a: Application) => ({
    name: a.name,
    vsn: a.vsn,
    type: a.type,
    modules: a.spec.modules,
    uses: a.spec.applications,
    includes: a.includedApps ?? a.spec.includedApplications,
    optional: a.spec.optionalApplications,
  }));
}

/** systools_make:sort_appls: `.rel` order, each application moved after those it uses or includes. */
function sortApps(apps: RelApp[], r: Release): RelApp[] {
  const out: RelApp[] = [];
  const visited = new Set<string>();
  const missing: string[] = [];
  const circular = new Set<string>();
  let todo = [...apps];
  while (todo.length) {
    const [a, ...rest] = todo as [RelApp, ...RelApp[]];
    let remaining = rest;
    const found: RelApp[] = [];
    const findAll = (names: string[]): string[] => {
      const notFound: string[] = [];
      for (const name of names) {
        const app = remaining.find((x) => x.name === name);
        // "X includes Y, Y uses X" is allowed: X is not pulled in front of Y.
        if (app && !app.includes.includes(a.name)) {
          remaining = remaining.filter((x) => x !== app);
          found.push(app);
        } else if (!visited.has(name)) notFound.push(name);
      }
      return notFound;
    };
    missing.push(...findAll(a.uses).filter((n) => !a.optional.includes(n)), ...findAll(a.includes));
    visited.add(a.name);
    if (found.length === 0) {
      out.push(a);
      todo = rest;
      continue;
    }
    const again = new Set(found.filter((f) => visited.has(f.name)).map((f) => f.name));
    if (again.size) [a.name, ...again].forEach((n) => circular.add(n));
    todo = [...found.filter((f) => !again.has(f.name)), a, ...remaining];
  }
  if (missing.length)
    throw new GenAppupError(
      r.origin,
      `release ${r.name} ${r.vsn} uses applications it does not contain: ${[...new Set(missing)].join(", ")}`,
    );
  if (circular.size)
    throw new GenAppupError(
      r.origin,
      `release ${r.name} ${r.vsn} has circular application dependencies: ${[...circular].join(", ")}`,
    );
  return out;
}

/** The scripts (RUs) for one old release in one direction, in systools' order. */
function scriptsFor(
  mode: Mode,
  to: Release,
  base: Release,
  top: RelApp[],
  appups: ReadonlyMap<string, Appup>,
  warnings: Finding[],
  opts: RelupOptions,
): Placed[][] {
  const baseVsn = new Map(base.apps.map((a) => [a.name, a.vsn]));
  const scripts: Placed[][] = [];
  for (const app of top) {
    const old = baseVsn.get(app.name);
    if (old === undefined || old === app.vsn) continue;
    const file =
      opts.appupFiles?.get(app.name) ?? to.source.describe(`lib/${app.name}-${app.vsn}/ebin/${app.name}.appup`);
    const script = appupScript(mode, app, old, appups.get(app.name), file, warnings);
    scripts.push(script.map((i) => ({ i, app: app.name, file })));
  }
  const rel = to.source.describe(to.relPath);
  const [from, into] = mode === "up" ? [base, to] : [to, base];
  const fromNames = new Set(from.apps.map((a) => a.name));
  const intoNames = new Set(into.apps.map((a) => a.name));
  const added = into.apps
    .filter((a) => !fromNames.has(a.name))
    .map((a): Placed[] => [{ i: { op: "add_application", app: a.name, type: a.type }, app: a.name, file: rel }]);
  const removed = from.apps
    .filter((a) => !intoNames.has(a.name))
    .map((a): Placed[] => [{ i: { op: "remove_application", app: a.name }, app: a.name, file: rel }]);
  const all = [...added, ...scripts, ...removed];
  if (to.erts !== base.erts) {
    all.unshift([{ i: { op: "restart_new_emulator" } }]);
    const message =
      `ERTS changes between ${to.name} ${to.vsn} (${to.erts}) and ${base.name} ${base.vsn} (${base.erts}): ` +
      `the relup restarts the emulator (erts_vsn_changed)`;
    warnings.push(finding("erts_changed", message));
  }
  if (opts.restartEmulator) all.push([{ i: { op: "restart_emulator" } }]);
  return all;
}

function appupScript(
  mode: Mode,
  app: RelApp,
  baseVsn: string,
  appup: Appup | undefined,
  file: string,
  warnings: Finding[],
): Instruction[] {
  if (!appup)
    throw new GenAppupError(
      file,
      `is missing: ${app.name} changes from ${baseVsn} to ${app.vsn}, so systools needs its appup (no_relup)`,
    );
  if (appup.vsn !== app.vsn) {
    const message = `${file} names version ${appup.vsn}, but ${app.name} is ${app.vsn} (bad_vsn)`;
    warnings.push(finding("bad_vsn", message, { app: app.name }));
  }
  const entry = entryFor(mode === "up" ? appup.up : appup.down, baseVsn);
  if (entry) return entry.instructions;
  throw new GenAppupError(file, `has no ${mode === "up" ? "up" : "down"} entry for ${app.name} ${baseVsn} (no_relup)`);
}

// ---- systools_rc:translate_scripts --------------------------------------------------------

function translate(mode: Mode, scripts: Placed[][], appls: RelApp[], preAppls: RelApp[]): Instruction[] {
  const merged = mergeScripts(scripts);
  const [before, after] = splitScript(merged);
  checkScript(before, after);
  const after1 = translateApplicationInstrs(after, appls, preAppls).map(addModuleAsLoad);
  const [before2, after2] = translateDependentInstrs(mode, before, after1, appls);
  const before3 = mergeLoadObjectCode(before2);
  const [before4, after4] = sortEmulatorRestart(mode, before3, after2);
  return [...before4, { op: "point_of_no_return" }, ...after4];
}

function mergeScripts(scripts: Placed[][]): Placed[] {
  const before: Placed[] = [],
    after: Placed[] = [];
  for (const s of scripts) {
    const [b, a] = splitScript(s);
    before.push(...b);
    after.push(...a);
  }
  return [...before, { i: { op: "point_of_no_return" } }, ...after];
}

/**
 * Splits at point_of_no_return; only load_object_code and apply may come before it, and
 * load_object_code is moved there.
 */
function splitScript(script: Placed[]): [Placed[], Placed[]] {
  const at = script.findIndex((p) => p.i.op === "point_of_no_return");
  if (at >= 0 && script.slice(at + 1).some((p) => p.i.op === "point_of_no_return")) {
    throw new GenAppupError(appupOf(script[at]!), "has more than one point_of_no_return (too_many_point_of_no_return)");
  }
  const before = at >= 0 ? script.slice(0, at) : [];
  const after = at >= 0 ? script.slice(at + 1) : script;
  for (const p of before) {
    if (p.i.op !== "load_object_code" && p.i.op !== "apply") {
      throw new GenAppupError(
        appupOf(p),
        `${instructionText(p.i)} comes before point_of_no_return, ` +
          `where only load_object_code and apply may (bad_op_before_point_of_no_return)`,
      );
    }
  }
  const loc = after.filter((p) => p.i.op === "load_object_code");
  return [[...before, ...loc], after.filter((p) => p.i.op !== "load_object_code")];
}

function checkScript(before: Placed[], after: Placed[]): void {
  for (const p of after) {
    if (
      p.i.op === "load" &&
      !before.some((b) => b.i.op === "load_object_code" && b.i.modules.includes((p.i as { module: string }).module))
    ) {
      throw new GenAppupError(appupOf(p), `loads ${p.i.module} without a load_object_code for it (no_object_code)`);
    }
  }
  const names = (op: string) =>
    after.flatMap((p) =>
      p.i.op === op
        ? (p.i as { modules: (string | { module: string })[] }).modules.map((m): [string, Placed] => [
            typeof m === "string" ? m : m.module,
            p,
          ])
        : [],
    );
  const unbalanced = (a: [string, Placed][], b: [string, Placed][], what: string) => {
    const extra = a.filter(([m]) => !b.some(([n]) => n === m));
    if (extra.length) throw new GenAppupError(appupOf(extra[0]![1]), `${what}: ${extra.map(([m]) => m).join(", ")}`);
  };
  unbalanced(names("suspend"), names("resume"), "suspended but never resumed (suspended_not_resumed)");
  unbalanced(names("resume"), names("suspend"), "resumed but never suspended (resumed_not_suspended)");
  unbalanced(names("start"), names("stop"), "started but never stopped (start_not_stop)");
  unbalanced(names("stop"), names("start"), "stopped but never started (stop_not_start)");
}

function translateApplicationInstrs(script: Placed[], appls: RelApp[], preAppls: RelApp[]): Placed[] {
  const find = (apps: RelApp[], name: string, p: Placed) => apps.find((a) => a.name === name) ?? noSuchApp(name, p);
  const startApply = (app: RelApp): Instruction[] =>
    app.type === "none"
      ? []
      : app.type === "load"
        ? [{ op: "apply", mfa: { module: "application", fun: "load", args: list([atom(app.name)]) } }]
        : [{ op: "apply", mfa: { module: "application", fun: "start", args: list([atom(app.name), atom(app.type)]) } }];
  const stopRemove = (app: RelApp): Instruction[] => [
    { op: "apply", mfa: { module: "application", fun: "stop", args: list([atom(app.name)]) } },
    ...app.modules.map((m): Instruction => ({
      op: "remove",
      module: m,
      prePurge: "brutal_purge",
      postPurge: "brutal_purge",
    })),
    { op: "purge", modules: app.modules },
  ];
  return script.flatMap((p): Placed[] => {
    const i = p.i;
    const placed = (is: Instruction[]) => is.map((x) => ({ i: x, app: p.app, file: p.file }));
    switch (i.op) {
      case "add_application": {
        const app = find(appls, i.app, p);
        const type = i.type;
        return placed([
          ...app.modules.map((m): Instruction => ({ op: "add_module", module: m, depMods: [] })),
          ...startApply({ ...app, type }),
        ]);
      }
      case "remove_application": {
        if (appls.some((a) => a.name === i.app))
          throw new GenAppupError(
            appupOf(p),
            `removes application ${i.app}, which the release it goes to still has (removed_application_present)`,
          );
        const app = find(preAppls, i.app, p);
        return placed([
          ...stopRemove(app),
          { op: "apply", mfa: { module: "application", fun: "unload", args: list([atom(i.app)]) } },
        ]);
      }
      case "restart_application": {
        const pre = find(preAppls, i.app, p);
        const post = find(appls, i.app, p);
        return placed([
          ...stopRemove(pre),
          ...post.modules.map((m): Instruction => ({ op: "add_module", module: m, depMods: [] })),
          ...startApply(post),
        ]);
      }
      default:
        return [p];
    }
  });
}

function noSuchApp(name: string, p: Placed): never {
  throw new GenAppupError(appupOf(p), `names application ${name}, which is not in the release (no_such_application)`);
}

function addModuleAsLoad(p: Placed): Placed {
  if (p.i.op !== "add_module") return p;
  return {
    ...p,
    i: {
      op: "load_module",
      module: p.i.module,
      prePurge: "brutal_purge",
      postPurge: "brutal_purge",
      depMods: p.i.depMods,
    },
  };
}

// ---- dependency instructions --------------------------------------------------------------

interface Vertex {
  n: number;
  p: Placed;
  deps: string[];
}

function translateDependentInstrs(
  mode: Mode,
  before: Placed[],
  after: Placed[],
  appls: RelApp[],
): [Placed[], Placed[]] {
  const graph = new Map<string, Vertex>();
  let n = 0;
  for (const p of after) {
    if (!isDependencyInstruction(p.i)) continue;
    const m = p.i.module;
    if (graph.has(m)) {
      const other = graph.get(m)!.p;
      const where = other.file === p.file ? "" : ` (also in ${appName(other)})`;
      throw new GenAppupError(appupOf(p), `has more than one instruction for module ${m}${where}: muldef_module`);
    }
    graph.set(m, { n: ++n, p, deps: p.i.depMods });
  }
  for (const v of graph.values()) {
    for (const d of v.deps) {
      if (!graph.has(d))
        throw new GenAppupError(
          appupOf(v.p),
          `module ${(v.p.i as DependencyInstruction).module} lists ${d} in its DepMods, ` +
            `but ${d} has no instruction in this upgrade (undef_module)`,
        );
    }
  }
  const component = weakComponents(graph);
  // The application a loaded module comes from: the first one whose .app lists it, as systools searches.
  const appOf = new Map<string, RelApp>();
  for (const a of appls) for (const m of a.modules) if (!appOf.has(m)) appOf.set(m, a);
  const newBefore: Placed[] = [],
    newAfter: Placed[] = [];
  const done = new Set<Placed>();
  for (const p of after) {
    if (done.has(p)) continue;
    if (!isDependencyInstruction(p.i)) {
      newAfter.push(p);
      continue;
    }
    const group = orderComponent(component.get(p.i.module)!, graph);
    group.forEach((v) => done.add(v.p));
    const [b, a] = depToLow(
      mode,
      group.map((v) => v.p),
      appOf,
    );
    newBefore.push(...b);
    newAfter.push(...a);
  }
  return [[...before, ...newBefore], newAfter];
}

function weakComponents(graph: Map<string, Vertex>): Map<string, string[]> {
  const links = new Map<string, Set<string>>([...graph.keys()].map((m) => [m, new Set<string>()]));
  for (const [m, v] of graph) {
    for (const d of v.deps) {
      links.get(m)!.add(d);
      links.get(d)!.add(m);
    }
  }
  const of = new Map<string, string[]>();
  for (const start of graph.keys()) {
    if (of.has(start)) continue;
    const members: string[] = [];
    const todo = [start];
    of.set(start, members);
    while (todo.length) {
      const m = todo.pop()!;
      members.push(m);
      for (const x of links.get(m)!) {
        if (of.has(x)) continue;
        of.set(x, members);
        todo.push(x);
      }
    }
  }
  return of;
}

/**
 * One weak component in systools' order: its strongly connected components topologically
 * sorted, dependents first; inside a component, script order. Among components neither of
 * which depends on the other, the one whose first instruction comes first in the script.
 */
function orderComponent(members: string[], graph: Map<string, Vertex>): Vertex[] {
  const sccs = components(new Map(members.map((m) => [m, graph.get(m)!.deps]))).map((c) =>
    c.map((m) => graph.get(m)!).sort((a, b) => a.n - b.n),
  );
  const sccOf = new Map<string, number>();
  sccs.forEach((c, i) => c.forEach((v) => sccOf.set((v.p.i as DependencyInstruction).module, i)));
  const dependents = sccs.map(() => new Set<number>());
  for (const m of members)
    for (const d of graph.get(m)!.deps)
      if (sccOf.get(m) !== sccOf.get(d)) dependents[sccOf.get(d)!]!.add(sccOf.get(m)!);
  // Reachability makes the condensation transitive, as systools builds it; Kahn's order is then a topsort of it.
  const blockers = sccs.map(() => new Set<number>());
  sccs.forEach((_, i) => {
    const stack = [...dependents[i]!];
    while (stack.length) {
      const j = stack.pop()!;
      if (blockers[i]!.has(j)) continue;
      blockers[i]!.add(j);
      stack.push(...dependents[j]!);
    }
  });
  const order: Vertex[] = [];
  const placed = new Set<number>();
  while (placed.size < sccs.length) {
    const ready = sccs
      .map((_, i) => i)
      .filter((i) => !placed.has(i) && [...blockers[i]!].every((j) => placed.has(j) || j === i));
    const next = ready.sort((a, b) => sccs[a]![0]!.n - sccs[b]![0]!.n)[0]!;
    placed.add(next);
    order.push(...sccs[next]!);
  }
  return order;
}

/** systools_rc:translate_dep_to_low/3. */
function depToLow(mode: Mode, group: Placed[], appOf: Map<string, RelApp>): [Placed[], Placed[]] {
  const is = group.map((p) => p.i as DependencyInstruction);
  const updates = is.filter((i): i is Extract<DependencyInstruction, { op: "update" }> => i.op === "update");
  const low = (i: LowLevel, from?: Placed): Placed => ({ i, app: from?.app, file: from?.file });
  const suspend = updates.length
    ? [low({ op: "suspend", modules: updates.map((u) => ({ module: u.module, timeout: u.timeout })) })]
    : [];
  const resume = updates.length ? [low({ op: "resume", modules: updates.map((u) => u.module).reverse() })] : [];
  const loadRemove: Placed[][] = group.map((p) => {
    const i = p.i as DependencyInstruction;
    if (i.op === "delete_module")
      return [
        low({ op: "remove", module: i.module, prePurge: "brutal_purge", postPurge: "brutal_purge" }, p),
        low({ op: "purge", modules: [i.module] }, p),
      ];
    const { prePurge, postPurge } = i as Extract<DependencyInstruction, { op: "load_module" | "update" }>;
    return [low({ op: "load", module: i.module, prePurge, postPurge }, p)];
  });
  const loadObjectCode = loadRemove.flat().flatMap((p) => {
    if (p.i.op !== "load") return [];
    const m = p.i.module;
    const app = appOf.get(m);
    if (!app)
      throw new GenAppupError(appupOf(p), `loads module ${m}, which no application's .app lists (no_such_module)`);
    return [low({ op: "load_object_code", app: app.name, vsn: app.vsn, modules: [m] }, p)];
  });
  const codeChange = (mods: typeof updates, m: "up" | "down") => {
    const advanced = mods.flatMap((u) =>
      u.change.kind === "advanced" ? [{ module: u.module, extra: u.change.extra }] : [],
    );
    return advanced.length ? [low({ op: "code_change", mode: m, modules: advanced })] : [];
  };
  if (mode === "up") {
    return [loadObjectCode, [...suspend, ...[...loadRemove].reverse().flat(), ...codeChange(updates, "up"), ...resume]];
  }
  const dynamic = updates.filter((u) => u.modType === "dynamic"),
    static_ = updates.filter((u) => u.modType === "static");
  return [
    loadObjectCode,
    [...suspend, ...codeChange(dynamic, "down"), ...loadRemove.flat(), ...codeChange(static_, "down"), ...resume],
  ];
}

/** systools_rc:merge_load_object_code/1: one load_object_code per application, first. */
function mergeLoadObjectCode(before: Placed[]): Placed[] {
  const locs = before
    .filter((p) => p.i.op === "load_object_code")
    .map((p) => p.i as Extract<LowLevel, { op: "load_object_code" }>);
  const rest = before.filter((p) => p.i.op !== "load_object_code");
  const merged: Placed[] = [];
  let todo = locs;
  while (todo.length) {
    const [first, ...others] = todo as [
      Extract<LowLevel, { op: "load_object_code" }>,
      ...Extract<LowLevel, { op: "load_object_code" }>[],
    ];
    const same = others.filter((o) => o.app === first.app);
    const conflict = same.find((o) => o.vsn !== first.vsn);
    if (conflict)
      throw new GenAppupError(
        "",
        `application ${first.app} is loaded at two versions, ${first.vsn} and ${conflict.vsn} (conflicting_versions)`,
      );
    // systools' union keeps each module at its last occurrence.
    const mods = [first.modules, ...same.map((s) => s.modules)].flat();
    const unique = mods.filter((m, i) => mods.indexOf(m, i + 1) === -1);
    merged.push({ i: { op: "load_object_code", app: first.app, vsn: first.vsn, modules: unique } });
    todo = others.filter((o) => o.app !== first.app);
  }
  return [...merged, ...rest];
}

function sortEmulatorRestart(mode: Mode, before: Placed[], after: Placed[]): [Instruction[], Instruction[]] {
  let b = before.map((p) => p.i),
    a = after.map((p) => p.i);
  if (a.some((i) => i.op === "restart_new_emulator")) {
    a = a.filter((i) => i.op !== "restart_new_emulator");
    if (mode === "up") b = [{ op: "restart_new_emulator" }, ...b];
    else a = [...a, { op: "restart_emulator" }];
  }
  if (a.some((i) => i.op === "restart_emulator"))
    a = [...a.filter((i) => i.op !== "restart_emulator"), { op: "restart_emulator" }];
  return [b, a];
}

/** systools_relup:fix_r15_sasl_upgrade: a base sasl before 2.2 cannot restart into the new emulator first. */
function fixR15Sasl(script: Instruction[], base: Release, warnings: Finding[]): Instruction[] {
  const sasl = base.apps.find((a) => a.name === "sasl")?.vsn;
  if (script[0]?.op !== "restart_new_emulator" || !sasl || !(sasl < "2.2")) return script;
  const message =
    `the old release's sasl ${sasl} predates R15: ` +
    `the emulator restart moves to the end (pre_R15_emulator_upgrade)`;
  warnings.push(finding("pre_r15_emulator_upgrade", message));
  const rest = script.slice(1);
  const at = rest.findIndex((i) => i.op === "restart_emulator");
  return [...(at >= 0 ? [...rest.slice(0, at), ...rest.slice(at + 1)] : rest), { op: "restart_new_emulator" }];
}

const appName = (p: Placed) => p.file ?? "the relup";
const appupOf = (p: Placed) => p.file ?? "";
