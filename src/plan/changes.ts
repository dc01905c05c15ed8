/**
 * The instruction for each added, changed or deleted module of one application, with its
 * DepMods, in dependency order; and the way down, which undoes it in mirror order.
 */
import type { ModuleChange } from "../diff/modules.js";
import type { Beam } from "../read/beam.js";
import { list, type Term } from "../term/term.js";
import { classify, lingers } from "./classify.js";
import type { DependencyInstruction, Instruction, Purge } from "./instructions.js";
import { childApplies, supervisorPlan, type SupervisorPlan } from "./supervisors.js";
import { constrainedOrder, dependencyGroups } from "./order.js";

export interface PurgeModes {
  pre: Purge;
  post: Purge;
}

export interface InstructionOptions {
  /** `Extra` of `{advanced, Extra}` on the way down, when not `extra`. */
  downExtra?: Term;
  /**
   * PrePurge and PostPurge of load_module and update. Default: brutal_purge, as OTP, but
   * soft_purge for a module whose processes may wait in its old code (classify.ts's `lingers`).
   */
  purge?: PurgeModes;
  /** Purge modes of single modules, over `purge`. */
  modulePurge?: ReadonlyMap<string, PurgeModes>;
  /** `Extra` of `{advanced, Extra}` (default `[]`). */
  extra?: Term;
}

export type Instructed = Exclude<ModuleChange, { kind: "unchanged" }>;

export interface Scripts {
  up: Instruction[];
  down: Instruction[];
  /** Calls inside a dependency cycle that fail while the cycle is half loaded, whatever the order. */
  unsafe: UnsafeCall[];
  /** What each changed supervisor does about its children. */
  supervisors: { module: string; plan: SupervisorPlan }[];
}

export interface UnsafeCall {
  caller: string;
  callee: string;
  /** `f/N` */
  fun: string;
  /** Whether the new caller needs the callee's new code (up), or the old caller its old code (down). */
  way: "up" | "down";
}

/**
 * The instructions of one application's appup for one old release, in dependency order, and the
 * way down. `all` holds every module with an instruction in this upgrade, whatever its
 * application: DepMods may name them (systools orders across applications). `hosts` maps process
 * modules to update with the changed callback modules whose processes they run (transform rules).
 */
export function appInstructions(
  mine: Instructed[],
  all: Instructed[],
  releaseModules: ReadonlySet<string>,
  opts: InstructionOptions,
  hosts: ReadonlyMap<string, string[]> = new Map(),
): Scripts {
  const instructed = new Set([...all.map((m) => m.module), ...hosts.keys()]);
  const hostOf = new Map([...hosts].flatMap(([host, guests]) => guests.map((g) => [g, host] as const)));
  const byModule = new Map(mine.map((m) => [m.module, m]));
  const graph = new Map<string, string[]>([
    ...mine.map((m) => {
      const related = [hostOf.get(m.module), ...(hosts.get(m.module) ?? [])].filter((x) => x !== undefined);
      return [m.module, [...new Set([...dependenciesOf(m, all, instructed), ...related])].sort()] as const;
    }),
    ...[...hosts].filter(([host]) => !byModule.has(host)).map(([host, guests]) => [host, [...guests].sort()] as const),
  ]);
  const groups = dependencyGroups(graph).map((g) =>
    g.length > 1 && g.every((m) => byModule.has(m))
      ? cycleOrder(g.map((m) => byModule.get(m)!))
      : { order: g, unsafe: [] },
  );
  const supervisors: Scripts["supervisors"] = [];
  const blocks = groups.map((g) =>
    g.order.map((module) => {
      const m = byModule.get(module);
      if (!m) {
        const i = hostUpdate(module, graph.get(module)!, opts);
        return { up: [i], down: [downward(i, opts)] };
      }
      const i = instruction(m, graph.get(module)!, opts);
      if (m.kind !== "changed" || !("supervisor" in i)) return { up: [i], down: [downward(inverse(i), opts)] };
      const plan = supervisorPlan(m, releaseModules);
      supervisors.push({ module, plan });
      if (plan.kind !== "generated") return { up: [i], down: [i] };
      const up = childApplies(plan.name, plan.added, plan.dropped),
        down = childApplies(plan.name, plan.dropped, plan.added);
      return { up: [...up.before, i, ...up.after], down: [...down.before, i, ...down.after] };
    }),
  );
  return {
    up: blocks.flat().flatMap((b) => b.up),
    down: [...blocks].reverse().flatMap((g) => g.flatMap((b) => b.down)),
    unsafe: groups.flatMap((g) => g.unsafe),
    supervisors,
  };
}

/**
 * The order of a dependency cycle's modules in both lists. systools loads a cycle's modules in
 * the reverse of the listed order on the way up and in the listed order on the way down
 * (systools_rc:translate_dep_to_low), so the same list in both directions makes the way down the
 * mirror of the way up. The order comes from the beams: a module that gains a function another
 * module's new code calls loads first on the way up; one that loses a function another module's
 * old code calls loads first on the way down. Calls no order can serve are returned.
 */
function cycleOrder(group: Instructed[]): { order: string[]; unsafe: UnsafeCall[] } {
  const edges: [string, string][] = [];
  const calls: UnsafeCall[] = [];
  for (const callee of group) {
    const before = exportsOf(callee, "old"),
      after = exportsOf(callee, "new");
    for (const caller of group) {
      if (caller === callee) continue;
      for (const fun of callsTo(caller, "new", callee.module)) {
        if (after.has(fun) && !before.has(fun)) {
          edges.push([caller.module, callee.module]); // listed first, so loaded last on the way up
          calls.push({ caller: caller.module, callee: callee.module, fun, way: "up" });
        }
      }
      for (const fun of callsTo(caller, "old", callee.module)) {
        if (before.has(fun) && !after.has(fun)) {
          edges.push([callee.module, caller.module]); // listed first, so loaded first on the way down
          calls.push({ caller: caller.module, callee: callee.module, fun, way: "down" });
        }
      }
    }
  }
  const { order, broken } = constrainedOrder(
    group.map((m) => m.module),
    edges,
  );
  const unsafe = calls.filter((_, i) => broken.includes(edges[i]!));
  return { order, unsafe };
}

function beamOf(m: Instructed, side: "old" | "new"): Beam | undefined {
  if (side === "new") return m.kind === "deleted" ? undefined : m.beam;
  return m.kind === "added" ? undefined : m.oldBeam;
}

function exportsOf(m: Instructed, side: "old" | "new"): Set<string> {
  return new Set((beamOf(m, side)?.exports ?? []).map(([f, a]) => `${f}/${a}`));
}

function callsTo(m: Instructed, side: "old" | "new", callee: string): string[] {
  return (beamOf(m, side)?.imports ?? []).filter(([mod]) => mod === callee).map(([, f, a]) => `${f}/${a}`);
}

/**
 * DepMods, restricted to modules with an instruction in this upgrade (systools rejects others
 * with undef_module). A loaded module depends on the modules its new code names: those it calls,
 * and those it names as data (a GenServer it calls by its module name, a struct, a child spec).
 * A deleted module "depends on" the modules whose old code named it, so that they are updated
 * before it is removed.
 */
function dependenciesOf(m: Instructed, all: Instructed[], instructed: Set<string>): string[] {
  if (m.kind === "deleted") {
    const named = (c: Instructed) => c.kind !== "added" && c.module !== m.module && c.oldBeam.namedAtoms.has(m.module);
    return all
      .filter(named)
      .map((c) => c.module)
      .sort();
  }
  return [...m.beam.namedAtoms].filter((c) => c !== m.module && instructed.has(c)).sort();
}

function instruction(m: Instructed, depMods: string[], opts: InstructionOptions): DependencyInstruction {
  const module = m.module;
  if (m.kind === "added") return { op: "add_module", module, depMods };
  if (m.kind === "deleted") return { op: "delete_module", module, depMods };
  const { pre: prePurge, post: postPurge } = purgeModes(m.module, m.beam, opts);
  switch (classify(m.beam)) {
    case "supervisor":
      // Never {update, M, supervisor, DepMods}: systools rejects that form.
      return {
        op: "update",
        module,
        modType: "static",
        timeout: "default",
        change: { kind: "advanced", extra: list([]) },
        prePurge: "brutal_purge",
        postPurge: "brutal_purge",
        depMods: [],
        supervisor: true,
      };
    case "process":
      return processUpdate(module, { pre: prePurge, post: postPurge }, depMods, opts);
    case "plain":
      return { op: "load_module", module, prePurge, postPurge, depMods };
  }
}

/**
 * The update of a process module whose processes run changed callback modules (a LiveView's
 * channel, say): it is suspended and code_changed with them, and they name each other in DepMods
 * so that one suspend covers all their loads.
 */
function hostUpdate(module: string, guests: string[], opts: InstructionOptions): DependencyInstruction {
  return processUpdate(module, opts.modulePurge?.get(module) ?? opts.purge ?? BRUTAL, guests, opts);
}

/** `{update, M, {advanced, Extra}, PrePurge, PostPurge, DepMods}`: suspended, loaded, code_changed. */
function processUpdate(
  module: string,
  purge: PurgeModes,
  depMods: string[],
  opts: InstructionOptions,
): DependencyInstruction {
  return {
    op: "update",
    module,
    modType: "dynamic",
    timeout: "default",
    change: { kind: "advanced", extra: opts.extra ?? list([]) },
    prePurge: purge.pre,
    postPurge: purge.post,
    depMods,
  };
}

const BRUTAL: PurgeModes = { pre: "brutal_purge", post: "brutal_purge" };
const SOFT: PurgeModes = { pre: "soft_purge", post: "soft_purge" };

/** A module's purge modes: given for it, given for all, or from the evidence of its beam. */
export function purgeModes(module: string, beam: Beam, opts: InstructionOptions): PurgeModes {
  return opts.modulePurge?.get(module) ?? opts.purge ?? (lingers(beam) ? SOFT : BRUTAL);
}

/** An update on the way down carries `downExtra`, when given. */
function downward(i: DependencyInstruction, opts: InstructionOptions): DependencyInstruction {
  if (i.op !== "update" || i.change.kind !== "advanced" || i.supervisor || !opts.downExtra) return i;
  return { ...i, change: { kind: "advanced", extra: opts.downExtra } };
}

/** An instruction on the way down: each added module deleted, each deleted one added back. */
function inverse(i: DependencyInstruction): DependencyInstruction {
  if (i.op === "add_module") return { op: "delete_module", module: i.module, depMods: i.depMods };
  if (i.op === "delete_module") return { op: "add_module", module: i.module, depMods: i.depMods };
  return i;
}
