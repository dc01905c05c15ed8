/**
 * From one or more old releases and the new one, the appup of every application whose version
 * changed: an entry per old version, instructions in dependency order, and the way down as the
 * mirror of the way up. Pure: releases in, plan out.
 *
 * Passes, per old release: diff the applications; diff the modules; check them (findings); per
 * upgraded application, take the hand-written entry or make the instructions and the way down
 * (changes.ts, with the transform rules' process modules), then the protocols reload, the runtime
 * configuration and the endpoint poke. Then: an appup the new release ships is used as it is
 * unless a hand-written one replaces it, and the protocols findings are made once the appups are known.
 */
import { diffApps, type AppChange } from "../diff/apps.js";
import { diffModules, type ModuleChange } from "../diff/modules.js";
import { GenAppupError } from "../errors.js";
import type { Application, Release } from "../read/release.js";
import { parseOneTerm } from "../term/text.js";
import { GENERATED_MARKER, entryFor, exact, parseAppup, type Appup, type AppupEntry } from "./appup.js";
import { appInstructions, type InstructionOptions, type Instructed, type Scripts, type UnsafeCall } from "./changes.js";
import { childApplies, type SupervisorPlan } from "./supervisors.js";
import { termLine } from "../term/print.js";
import { checkRelease, type CheckOptions } from "./checks.js";
import { finding, type Finding } from "./findings.js";
import { instructionText, type Instruction } from "./instructions.js";
import { protocolChanges, protocolFinding, reloadProtocols } from "./protocols.js";
import { runtimeConfigApplies } from "./runtime-config.js";
import { LIVEVIEW_SAFE_FROM, STATIC_MANIFEST, hostsOf, isLiveView, phoenixRules, type TransformRule } from "./rules.js";
import { parseBeam } from "../read/beam.js";
import { atom, list, str, tuple, type Term } from "../term/term.js";

export interface PlanOptions extends InstructionOptions, CheckOptions {
  /** Process modules to update with the modules that match (see rules.ts), beside the built-in ones. */
  rules?: TransformRule[];
  /** The built-in Phoenix rules, when the release contains Phoenix (default true). */
  phoenix?: boolean;
  /** `Extra` of `{advanced, Extra}` is `[{from, FromVsn}, {to, ToVsn}]` (application versions), each way. */
  extraVersions?: boolean;
  /**
   * When an application's priv/static/cache_manifest.json changes, call its Phoenix endpoint's
   * config_change/2 last, both ways: Phoenix then reads the static manifest again.
   */
  endpointManifest?: boolean;
  /** Hand-written appups that win over generated entries, by `APP/FROM` (rel/appups/APP/FROM_to_TO.appup). */
  overrides?: ReadonlyMap<string, HandWritten>;
}

/** A hand-written appup file, parsed. */
export interface HandWritten {
  path: string;
  appup: Appup;
}

export interface AppupPlan {
  app: string;
  /** The new application version. */
  vsn: string;
  /** lib/APP-VSN/ebin/APP.appup, relative to the new release's root. */
  path: string;
  appup: Appup;
  /** The appup the new release ships (where it is, for messages), used as it is: nothing is written for it. */
  shipped?: string;
  /** Module counts per old version, for the summary. */
  counts: { vsn: string; added: number; changed: number; deleted: number }[];
}

export interface UpgradePlan {
  release: { name: string; vsn: string };
  from: { name: string; vsn: string }[];
  appups: AppupPlan[];
  findings: Finding[];
}

interface Slot {
  app: Application;
  up: AppupEntry[];
  down: AppupEntry[];
  counts: AppupPlan["counts"];
  /** The modules that changed, per old version. */
  changes: Map<string, Instructed[]>;
}

export function planUpgrade(olds: Release[], to: Release, opts: PlanOptions = {}): UpgradePlan {
  const findings: Finding[] = [];
  const slots = new Map<string, Slot>();
  const protocols: { from: Release; carrier?: string; up: string[] }[] = [];
  const shipped = shippedAppups(to);
  const phoenix = opts.phoenix === false ? { rules: [] } : phoenixRules(to);
  const rules = [...(opts.rules ?? []), ...phoenix.rules];
  const toModules = new Set(to.apps.flatMap((a) => a.spec.modules));
  // Modules whose unsuspended processes a rule takes care of, or a finding of its own speaks of.
  const covered = new Set<string>();
  for (const from of olds) {
    const apps = diffApps(from, to);
    const modules = diffModules(from, to);
    findings.push(...checkRelease(from, to, apps, modules, opts));
    const upgraded = apps.filter((a) => a.kind === "upgraded");
    const changed = protocolChanges(from, to);
    const carrier = (upgraded.find((a) => a.name === to.name) ?? upgraded.at(-1))?.name;
    const byApp = changesByApp(modules);
    // Every module with a generated instruction in this upgrade: DepMods may name them across applications.
    const generated = upgraded.filter((a) => !shipped(a.new) && !opts.overrides?.has(`${a.name}/${a.old.vsn}`));
    const all = generated.flatMap((a) => byApp.get(a.name) ?? []);
    const releaseModules = new Set(modules.map((m) => m.module));
    for (const change of upgraded) {
      const slot: Slot = slots.get(change.name) ?? {
        app: change.new,
        up: [],
        down: [],
        counts: [],
        changes: new Map(),
      };
      slots.set(change.name, slot);
      if (slot.up.some((e) => selectsExactly(e, change.old.vsn))) continue;
      const mine = byApp.get(change.name) ?? [];
      const carries = change.name === carrier;
      const reload = carries ? changed : { up: [], down: [] };
      const hosts = hostsOf(mine, rules);
      for (const host of hosts.keys()) {
        if (!toModules.has(host))
          throw new GenAppupError(
            to.origin,
            `a transform rule updates ${host}, which no application of ${to.name} ${to.vsn} lists`,
          );
      }
      const versioned = opts.extraVersions ? versionsExtra(change.old.vsn, change.new.vsn) : {};
      const made = entries(change, { mine, all, releaseModules, hosts }, { reload, carries }, from, to, {
        ...opts,
        ...versioned,
      });
      findings.push(...hostFindings(hosts, mine, phoenix.unsafeLiveView, change.name));
      for (const guest of [...hosts.values()].flat()) covered.add(guest);
      if (phoenix.unsafeLiveView) mine.filter(isLiveView).forEach((m) => covered.add(m.module));
      slot.up.push(made.up);
      slot.down.push(made.down);
      slot.counts.push(counts(change.old.vsn, mine));
      slot.changes.set(change.old.vsn, mine);
      if (made.up.handWritten) findings.push(...uncovered(made.up, mine, change.name, made.up.handWritten));
      findings.push(...made.unsafe.map((u) => unsafeFinding(u, change.name)));
      findings.push(...made.supervisors.flatMap((s) => supervisorFinding(s.module, s.plan, change.name)));
    }
    if (changed.up.length || changed.down.length)
      protocols.push({ from, ...(carrier ? { carrier } : {}), up: changed.up });
  }
  const appups = [...slots.values()].map((slot) => appupPlan(slot, shipped(slot.app), findings));
  for (const p of protocols) {
    findings.push(
      protocolFinding(
        p.from,
        to,
        appups.find((a) => a.app === p.carrier),
        p.up,
      ),
    );
  }
  return {
    release: { name: to.name, vsn: to.vsn },
    from: olds.map((r) => ({ name: r.name, vsn: r.vsn })),
    appups,
    findings: findings.filter((f) => !(f.code === "unsuspended_processes" && covered.has(f.module!))),
  };
}

function changesByApp(modules: ModuleChange[]): Map<string, Instructed[]> {
  const byApp = new Map<string, Instructed[]>();
  for (const m of modules) {
    if (m.kind === "unchanged") continue;
    const list = byApp.get(m.app) ?? [];
    byApp.set(m.app, list);
    list.push(m);
  }
  return byApp;
}

function selectsExactly(e: AppupEntry, vsn: string): boolean {
  return e.from.kind === "exact" && e.from.vsn === vsn;
}

/** The up and down entries of one upgraded application for one old release: hand-written, or made. */
function entries(
  change: Extract<AppChange, { kind: "upgraded" }>,
  {
    mine,
    all,
    releaseModules,
    hosts,
  }: { mine: Instructed[]; all: Instructed[]; releaseModules: ReadonlySet<string>; hosts: Map<string, string[]> },
  { reload: protocols, carries }: { reload: { up: string[]; down: string[] }; carries: boolean },
  from: Release,
  to: Release,
  opts: PlanOptions,
): { up: AppupEntry; down: AppupEntry } & Pick<Scripts, "unsafe" | "supervisors"> {
  const oldVsn = change.old.vsn;
  const override = opts.overrides?.get(`${change.name}/${oldVsn}`);
  if (override) {
    const up = overrideEntry(override, "up", oldVsn, change.new);
    return { up, down: overrideEntry(override, "down", oldVsn, change.new), unsafe: [], supervisors: [] };
  }
  const made = appInstructions(mine, all, releaseModules, opts, hosts);
  const up: Instruction[] = [...made.up];
  const down: Instruction[] = [...made.down];
  // Consolidated protocols are reloaded once the code they dispatch to is in place: last on the way
  // up, and first on the way down (its mirror), before the old code comes back.
  if (protocols.up.length) up.push(reloadProtocols(from.vsn, to.vsn, protocols.up));
  if (protocols.down.length) down.unshift(reloadProtocols(to.vsn, from.vsn, protocols.down));
  // Runtime configuration last both ways: install_release resets the env before the relup runs.
  if (carries && opts.runtimeConfig !== false) {
    up.push(...(runtimeConfigApplies(to) ?? []));
    down.push(...(runtimeConfigApplies(from) ?? []));
  }
  // The endpoint reads its static manifest again once the new configuration is in place.
  const poke = opts.endpointManifest ? endpointPoke(change, from, to) : [];
  up.push(...poke);
  down.push(...poke);
  return {
    up: { from: exact(oldVsn), instructions: up },
    down: { from: exact(oldVsn), instructions: down },
    unsafe: made.unsafe,
    supervisors: made.supervisors,
  };
}

/** `{apply, {Endpoint, config_change, [[], []]}}` when the application's static manifest changed. */
function endpointPoke(change: Extract<AppChange, { kind: "upgraded" }>, from: Release, to: Release): Instruction[] {
  const manifest = (r: Release, dir: string) => {
    const path = `${dir}/${STATIC_MANIFEST}`;
    return r.source.exists(path)
      ? new TextDecoder("utf-8", { ignoreBOM: true }).decode(r.source.read(path))
      : undefined;
  };
  const now = manifest(to, change.new.dir);
  if (now === undefined || now === manifest(from, change.old.dir)) return [];
  const endpoints = change.new.beams
    .filter((b) => parseBeam(b.read(), to.source.describe(b.path)).behaviours.includes("Elixir.Phoenix.Endpoint"))
    .map((b) => b.module);
  return endpoints.map((module) => ({
    op: "apply",
    mfa: { module, fun: "config_change", args: list([list([]), list([])]) },
  }));
}

function versionsExtra(from: string, to: string): { extra: Term; downExtra: Term } {
  const pair = (a: string, b: string) => list([tuple(atom("from"), str(a)), tuple(atom("to"), str(b))]);
  return { extra: pair(from, to), downExtra: pair(to, from) };
}

/** What the transform rules did for one application, and what Phoenix rules could not do. */
function hostFindings(
  hosts: Map<string, string[]>,
  mine: Instructed[],
  unsafeLiveView: string | undefined,
  app: string,
): Finding[] {
  const updated = [...hosts].map(([host, guests]) =>
    finding(
      "processes_updated",
      `${guests.join(", ")} changed: their processes run ${host}, which the appup updates with them ` +
        `(suspended, code_changed, naming each other in DepMods), so their code_change/3 runs`,
      { app, module: host },
    ),
  );
  const views = unsafeLiveView ? mine.filter(isLiveView) : [];
  const unsafe = views.map((m) =>
    finding(
      "liveview_not_updated",
      `${m.module} changed, but phoenix_live_view ${unsafeLiveView} is older than ${LIVEVIEW_SAFE_FROM}, whose ` +
        `channel's code_change/3 crashes a view that defines code_change/3: Phoenix.LiveView.Channel is not ` +
        `updated, so the view switches code at its next event, with its old assigns`,
      { app, module: m.module },
    ),
  );
  return [...updated, ...unsafe];
}

function supervisorFinding(sup: string, plan: SupervisorPlan, app: string): Finding[] {
  const about = { app, module: sup };
  if (plan.kind === "generated") {
    const ids = (ts: typeof plan.added) => ts.map(termLine).join(", ");
    const said = [
      plan.added.length ? `restarts ${ids(plan.added)} after the update` : "",
      plan.dropped.length ? `terminates and deletes ${ids(plan.dropped)} before it` : "",
    ].filter(Boolean);
    return [
      finding(
        "supervisor_children",
        `supervisor ${sup} (${plan.name}) changes its children: the appup ${said.join(", and ")}, ` +
          `and the way down the mirror`,
        about,
      ),
    ];
  }
  if (plan.kind === "same") return [];
  // Unless the beam says otherwise, a supervisor is registered under its module's name.
  const name = plan.name ?? sup;
  const update = `{update,${termLine(atom(sup))},supervisor}`;
  const listed = (applies: { before: Instruction[]; after: Instruction[] }) =>
    [...applies.before.map(instructionText), update, ...applies.after.map(instructionText)].join(", ");
  const [added, dropped] = [plan.added.map(atom), plan.dropped.map(atom)];
  const named = [
    plan.added.length ? `now names ${plan.added.join(", ")}` : "",
    plan.dropped.length ? `no longer names ${plan.dropped.join(", ")}` : "",
  ].filter(Boolean);
  return [
    finding(
      "supervisor_children_unknown",
      `supervisor ${sup} changed and ${named.join(" and ")}, but its beam does not state its children` +
        `${plan.name ? "" : " nor its registered name"}: a child it adds would not start, one it drops would keep ` +
        `running. Write a hand-written appup (--appups DIR) with, up: ${listed(childApplies(name, added, dropped))}; ` +
        `down: ${listed(childApplies(name, dropped, added))} (child ids are assumed to be the module names` +
        `${plan.name ? "" : ", and its registered name its own"})`,
      about,
    ),
  ];
}

function unsafeFinding(u: UnsafeCall, app: string): Finding {
  const when =
    u.way === "up"
      ? `the new ${u.caller} calls ${u.callee}:${u.fun}, which only the new ${u.callee} exports`
      : `the old ${u.caller} calls ${u.callee}:${u.fun}, which the new ${u.callee} no longer exports`;
  return finding(
    "cycle_api_change",
    `${u.caller} and ${u.callee} call each other and no load order keeps every call working: ${when}, ` +
      `so such calls fail with undef while the ${u.way === "up" ? "upgrade" : "downgrade"} loads them`,
    { app, module: u.caller },
  );
}

function counts(vsn: string, mine: Instructed[]): AppupPlan["counts"][number] {
  const count = (k: ModuleChange["kind"]) => mine.filter((m) => m.kind === k).length;
  return { vsn, added: count("added"), changed: count("changed"), deleted: count("deleted") };
}

/** The entry for `vsn` of a hand-written appup, for the way `side`. */
function overrideEntry({ path, appup }: HandWritten, side: "up" | "down", vsn: string, app: Application): AppupEntry {
  if (appup.vsn !== app.vsn)
    throw new GenAppupError(path, `is for ${app.name} ${appup.vsn}, but the release has ${app.name} ${app.vsn}`);
  const entry = entryFor(side === "up" ? appup.up : appup.down, vsn);
  if (!entry) throw new GenAppupError(path, `has no ${side} entry for ${app.name} ${vsn}`);
  return { from: exact(vsn), instructions: entry.instructions, handWritten: path };
}

/** The plan of one application: the appup it ships when it is not ours, else the entries made. */
function appupPlan(slot: Slot, shipped: HandWritten | undefined, findings: Finding[]): AppupPlan {
  const { app, up, down, counts } = slot;
  const path = `${app.dir}/ebin/${app.name}.appup`;
  if (!shipped) return { app: app.name, vsn: app.vsn, path, appup: { vsn: app.vsn, up, down }, counts };
  // A hand-written appup given with --appups wins over the one the release ships, as the README says.
  if (up.some((e) => e.handWritten)) {
    const message = `${app.name} ships its own appup (${shipped.path}); the hand-written --appups file replaces it`;
    findings.push(finding("existing_appup", message, { app: app.name }));
    return { app: app.name, vsn: app.vsn, path, appup: { vsn: app.vsn, up, down }, counts };
  }
  findings.push(
    finding("existing_appup", `${app.name} ships its own appup (${shipped.path}); it is used as it is`, {
      app: app.name,
    }),
  );
  for (const { vsn } of counts) {
    const entry = entryFor(shipped.appup.up, vsn);
    if (entry) findings.push(...uncovered(entry, slot.changes.get(vsn) ?? [], app.name, shipped.path));
    else {
      findings.push(
        finding("appup_missing_version", `${shipped.path} has no up entry for ${app.name} ${vsn}`, { app: app.name }),
      );
    }
  }
  return { app: app.name, vsn: app.vsn, path, appup: shipped.appup, shipped: shipped.path, counts };
}

/**
 * Modules that changed but that an appup entry we did not write leaves alone: release_handler
 * would keep running their old code. An entry that restarts the application or the emulator
 * covers them all.
 */
function uncovered(entry: AppupEntry, mine: Instructed[], app: string, path: string): Finding[] {
  const named = new Set<string>();
  for (const i of entry.instructions) {
    if (i.op === "restart_new_emulator" || i.op === "restart_emulator") return [];
    if ((i.op === "restart_application" || i.op === "remove_application") && i.app === app) return [];
    if ("module" in i) named.add(i.module);
    if (i.op === "load_object_code" || i.op === "purge") i.modules.forEach((m) => named.add(m));
  }
  return mine
    .filter((m) => !named.has(m.module))
    .map((m) =>
      finding(
        "appup_missing_module",
        `${path} has no instruction for module ${m.module}, which was ${m.kind} since the old version: ` +
          `release_handler would ${m.kind === "added" ? "not load it" : "keep its old code"}`,
        { app, module: m.module },
      ),
    );
}

/** The appups the new release ships and that we did not generate, parsed when first asked for. */
function shippedAppups(to: Release): (app: Application) => HandWritten | undefined {
  const parsed = new Map<string, HandWritten | undefined>();
  return (app) => {
    if (!parsed.has(app.name)) parsed.set(app.name, shippedAppup(app, to));
    return parsed.get(app.name);
  };
}

function shippedAppup(app: Application, to: Release): HandWritten | undefined {
  if (!app.appup || app.appup.text.includes(GENERATED_MARKER)) return undefined;
  const where = to.source.describe(app.appup.path);
  const appup = parseAppup(parseOneTerm(app.appup.text, where), where);
  if (!appup.up.length) throw new GenAppupError(where, "is not an appup: it has no up entry");
  return { path: where, appup };
}
