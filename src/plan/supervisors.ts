/**
 * Supervisor children across an upgrade. `{update, Sup, supervisor}` gives a running supervisor
 * its new child specs and flags, but starts no child it adds and stops none it drops (which then
 * keeps running, maybe on deleted code). When the beams state the children and the registered
 * name, the appup says it: up, terminate_child and delete_child of each dropped id before the
 * update and restart_child of each added id after it; down, the mirror.
 *
 * The beams state them when:
 *  - an Erlang supervisor's init/1 returns a constant: `{ok, {Flags, Specs}}` is one literal,
 *    child specs as maps (`id`) or tuples (first element);
 *  - an Elixir supervisor calls Supervisor.init/2 with a constant list of modules, `{Module, Arg}`
 *    tuples or child spec maps (ids default to the module);
 *  - the name is a literal: `{local, Name}` (Erlang) or `name: Name` (Elixir's start_link).
 */
import type { Beam } from "../read/beam.js";
import { termLine } from "../term/print.js";
import { atom, elementsOf, isAtom, list, type Term } from "../term/term.js";
import type { Instruction } from "./instructions.js";

export interface Children {
  /** The registered name, when the beam states it. */
  name?: string;
  /** Child ids, when the beam states them. */
  ids?: Term[];
}

/** What a supervisor's beam says of its children and name (each undefined when it does not say). */
export function childrenOf(beam: Beam, releaseModules: ReadonlySet<string>): Children {
  const name = registeredName(beam);
  const ids = childIds(beam, releaseModules);
  return { ...(name ? { name } : {}), ...(ids ? { ids } : {}) };
}

/** The ids added and dropped between the old and the new children, by their text. */
function childChanges(before: Term[], after: Term[]): { added: Term[]; dropped: Term[] } {
  const text = (ids: Term[]) => new Set(ids.map(termLine));
  const had = text(before),
    has = text(after);
  return {
    added: after.filter((id) => !had.has(termLine(id))),
    dropped: before.filter((id) => !has.has(termLine(id))),
  };
}

/** The applies around `{update, Sup, supervisor}` that start `added` and stop `dropped`. */
export function childApplies(
  name: string,
  added: Term[],
  dropped: Term[],
): { before: Instruction[]; after: Instruction[] } {
  const call = (fun: string, id: Term): Instruction => ({
    op: "apply",
    mfa: { module: "supervisor", fun, args: list([atom(name), id]) },
  });
  return {
    before: dropped.flatMap((id) => [call("terminate_child", id), call("delete_child", id)]),
    after: added.map((id) => call("restart_child", id)),
  };
}

function registeredName(beam: Beam): string | undefined {
  const names = new Set<string>();
  const elixir = beam.imports.some(([m, f]) => m === "Elixir.Supervisor" && f === "start_link");
  for (const lit of beam.literals) {
    // supervisor:start_link({local, Name}, Module, Args)
    if (lit.t === "tuple" && lit.v.length === 2 && isAtom(lit.v[0], "local") && lit.v[1]?.t === "atom") {
      names.add(lit.v[1].v);
    }
    // Supervisor.start_link(Module, Arg, name: Name)
    if (elixir) {
      for (const opt of elementsOf(lit) ?? []) {
        if (opt.t === "tuple" && opt.v.length === 2 && isAtom(opt.v[0], "name") && opt.v[1]?.t === "atom") {
          names.add(opt.v[1].v);
        }
      }
    }
  }
  return names.size === 1 ? [...names][0] : undefined;
}

function childIds(beam: Beam, releaseModules: ReadonlySet<string>): Term[] | undefined {
  const found: Term[][] = [];
  const elixir = beam.imports.some(([m, f, a]) => m === "Elixir.Supervisor" && f === "init" && a === 2);
  for (const lit of beam.literals) {
    const erlang = initResult(lit);
    if (erlang) found.push(erlang);
    else if (elixir) {
      const ids = elixirChildren(lit, releaseModules);
      if (ids) found.push(ids);
    }
  }
  return found.length === 1 ? found[0] : undefined;
}

/** `{ok, {Flags, [ChildSpec]}}`: the ids of its child specs. */
function initResult(t: Term): Term[] | undefined {
  if (t.t !== "tuple" || t.v.length !== 2 || !isAtom(t.v[0], "ok")) return undefined;
  const body = t.v[1]!;
  if (body.t !== "tuple" || body.v.length !== 2) return undefined;
  const specs = elementsOf(body.v[1]);
  const ids = specs?.map(specId);
  return ids?.every((id) => id !== undefined) ? (ids as Term[]) : undefined;
}

function specId(spec: Term): Term | undefined {
  if (spec.t === "map") return spec.v.find(([k]) => isAtom(k, "id"))?.[1];
  if (spec.t === "tuple" && spec.v.length === 6) return spec.v[0];
  return undefined;
}

/** A constant children list of Supervisor.init/2: modules, `{Module, Arg}` and child spec maps. */
function elixirChildren(t: Term, releaseModules: ReadonlySet<string>): Term[] | undefined {
  const items = elementsOf(t);
  if (!items?.length) return undefined;
  const ids = items.map((c): Term | undefined => {
    if (c.t === "atom") return releaseModules.has(c.v) ? c : undefined;
    if (c.t === "tuple" && c.v.length === 2 && c.v[0]?.t === "atom" && releaseModules.has(c.v[0].v)) return c.v[0];
    if (c.t === "map") return specId(c);
    return undefined;
  });
  return ids.every((id) => id !== undefined) ? (ids as Term[]) : undefined;
}

type Changed = { module: string; beam: Beam; oldBeam: Beam };

export type SupervisorPlan =
  /** No child added or dropped, as far as the beams show. */
  | { kind: "same" }
  /** The appup starts and stops them. */
  | { kind: "generated"; name: string; added: Term[]; dropped: Term[] }
  /** The beams name other modules, but do not state the children or the name: the user must. */
  | { kind: "unknown"; added: string[]; dropped: string[]; name?: string };

/** What a changed supervisor's upgrade must do about its children. */
export function supervisorPlan(m: Changed, releaseModules: ReadonlySet<string>): SupervisorPlan {
  const before = childrenOf(m.oldBeam, releaseModules),
    after = childrenOf(m.beam, releaseModules);
  if (before.ids && after.ids && after.name && before.name === after.name) {
    const { added, dropped } = childChanges(before.ids, after.ids);
    return added.length || dropped.length ? { kind: "generated", name: after.name, added, dropped } : { kind: "same" };
  }
  const { added, dropped } = namedChanges(m.oldBeam, m.beam, releaseModules);
  if (!added.length && !dropped.length) return { kind: "same" };
  const name = after.name ?? before.name;
  return { kind: "unknown", added, dropped, ...(name ? { name } : {}) };
}

/** The release's modules the new beam names as data and the old did not (added), and the other way (dropped). */
export function namedChanges(old: Beam, now: Beam, releaseModules: ReadonlySet<string>) {
  const had = namedModules(old, releaseModules),
    has = namedModules(now, releaseModules);
  return { added: [...has].filter((x) => !had.has(x)).sort(), dropped: [...had].filter((x) => !has.has(x)).sort() };
}

/** The release's modules a beam names as data (in its atom table or literals), not the modules it calls nor itself. */
function namedModules(beam: Beam, releaseModules: ReadonlySet<string>): Set<string> {
  const called = new Set(beam.imports.map(([m]) => m));
  return new Set([...beam.namedAtoms].filter((a) => releaseModules.has(a) && !called.has(a) && a !== beam.module));
}
