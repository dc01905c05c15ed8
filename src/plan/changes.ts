/**
 * The instruction for each added, changed or deleted module of one application, with its
 * DepMods, in dependency order; and the way down, which undoes it.
 */
import type { ModuleChange } from "../diff/modules.js";
import { list, type Term } from "../term/term.js";
import { classify } from "./classify.js";
import type { DependencyInstruction, Purge } from "./instructions.js";
import { dependencyOrder } from "./order.js";

export interface InstructionOptions {
  /** PrePurge and PostPurge of load_module and update (default brutal_purge, as OTP). */
  purge?: { pre: Purge; post: Purge };
  /** `Extra` of `{advanced, Extra}` (default `[]`). */
  extra?: Term;
}

type Instructed = Exclude<ModuleChange, { kind: "unchanged" }>;

/** The instructions of one application's appup for one old release, in dependency order. */
export function appInstructions(mine: Instructed[], opts: InstructionOptions): DependencyInstruction[] {
  const instructed = new Set(mine.map((m) => m.module));
  const graph = new Map(mine.map((m) => [m.module, dependenciesOf(m, mine, instructed)] as const));
  const byModule = new Map(mine.map((m) => [m.module, instruction(m, graph.get(m.module)!, opts)] as const));
  return dependencyOrder(graph).map((m) => byModule.get(m)!);
}

/**
 * DepMods, restricted to modules with an instruction in the same appup (systools rejects others
 * with undef_module). A loaded module depends on the modules its new code names: those it calls,
 * and those it names as data (a GenServer it calls by its module name, a struct, a child spec).
 * A deleted module "depends on" the modules whose old code named it, so that they are updated
 * before it is removed.
 */
function dependenciesOf(m: Instructed, mine: Instructed[], instructed: Set<string>): string[] {
  if (m.kind === "deleted") {
    const named = (c: Instructed) => c.kind !== "added" && c.module !== m.module && c.oldBeam.namedAtoms.has(m.module);
    return mine
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
  const prePurge = opts.purge?.pre ?? "brutal_purge";
  const postPurge = opts.purge?.post ?? "brutal_purge";
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
      return {
        op: "update",
        module,
        modType: "dynamic",
        timeout: "default",
        change: { kind: "advanced", extra: opts.extra ?? list([]) },
        prePurge,
        postPurge,
        depMods,
      };
    case "plain":
      return { op: "load_module", module, prePurge, postPurge, depMods };
  }
}

/** The way down: the up instructions in exact reverse, each added module deleted and each deleted one added back. */
export function invert(up: DependencyInstruction[]): DependencyInstruction[] {
  return [...up].reverse().map((i): DependencyInstruction => {
    if (i.op === "add_module") return { op: "delete_module", module: i.module, depMods: i.depMods };
    if (i.op === "delete_module") return { op: "add_module", module: i.module, depMods: i.depMods };
    return i;
  });
}
