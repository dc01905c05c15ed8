/**
 * What kind of upgrade a changed module needs, from its new beam.
 *
 *  - supervisor: `supervisor`, `Elixir.Supervisor`, and `Elixir.DynamicSupervisor`. A
 *    DynamicSupervisor's code_change re-runs the module's init/1 like a supervisor's does, and it
 *    must run after the new code is loaded: so it gets `{update, M, supervisor}` (static), not the
 *    dynamic `{advanced, Extra}`.
 *  - process: the callback module of a process: exports code_change/3 (gen_server, gen_event,
 *    `use GenServer`), code_change/4 (gen_statem) or system_code_change/4 (proc_lib special
 *    processes). It is suspended, loaded and code_changed: `{update, M, {advanced, Extra}}`.
 *  - plain: everything else is just loaded: `{load_module, M}`.
 */
import type { Beam } from "../read/beam.js";

export type ModuleKind = "supervisor" | "process" | "plain";

const SUPERVISORS = new Set(["supervisor", "Elixir.Supervisor", "Elixir.DynamicSupervisor"]);
const CODE_CHANGE = new Set(["code_change/3", "code_change/4", "system_code_change/4"]);

export function classify(beam: Beam): ModuleKind {
  if (beam.behaviours.some((b) => SUPERVISORS.has(b))) return "supervisor";
  if (beam.exports.some(([f, a]) => CODE_CHANGE.has(`${f}/${a}`))) return "process";
  return "plain";
}

/**
 * Why processes may still run a plain module's old code when it is purged, if they may: it loops
 * through a call to itself by module name (an acceptor blocked in accept, a receive loop: they
 * move to the new code only at their next iteration), or it calls funs its callers pass in (a pool
 * running the caller's fun inside its checkout). brutal_purge would kill those processes.
 */
export function lingers(beam: Beam): string | undefined {
  if (classify(beam) !== "plain") return undefined;
  if (beam.callsItself) return "it calls itself by module name (a loop whose processes wait in its code)";
  if (beam.callsFuns) return "it calls funs its callers pass in (callers run inside its code)";
  return undefined;
}
