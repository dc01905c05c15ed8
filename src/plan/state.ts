/**
 * Process state the new code may not be able to read, as the beams show it:
 *  - an Erlang record whose fields change while code_change/3 returns the state as it is (the
 *    abstract code of both versions, in `Dbgi`, holds the record definitions and the clause);
 *  - an Elixir struct of the module's own whose fields change (its `__struct__` literal);
 *  - state the new init/1 sets up elsewhere (persistent_term, a named ETS table) that
 *    code_change/3 does not: it only exists for processes started after the upgrade.
 */
import type { Beam } from "../read/beam.js";
import { elementsOf, isAtom, subterms, type Term } from "../term/term.js";

/** Record definitions: name to field names, from `{attribute, _, record, {Name, Fields}}` forms. */
export function records(forms: Term[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of forms) {
    if (f.t !== "tuple" || !isAtom(f.v[0], "attribute") || !isAtom(f.v[2], "record")) continue;
    const def = f.v[3];
    if (def?.t !== "tuple" || def.v[0]?.t !== "atom") continue;
    out.set(def.v[0].v, (elementsOf(def.v[1]) ?? []).map(fieldName));
  }
  return out;
}

function fieldName(field: Term): string {
  // {record_field, A, {atom, A, Name}[, Default]} or {typed_record_field, RecordField, Type}
  const f = field.t === "tuple" && isAtom(field.v[0], "typed_record_field") ? field.v[1]! : field;
  const name = f.t === "tuple" ? f.v[2] : undefined;
  return name?.t === "tuple" && name.v[2]?.t === "atom" ? name.v[2].v : "?";
}

/** The clauses of `Name/Arity`, or undefined when the module does not define it. */
function clauses(forms: Term[], name: string, arity: number): Term[] | undefined {
  for (const f of forms) {
    if (f.t !== "tuple" || !isAtom(f.v[0], "function") || !isAtom(f.v[2], name)) continue;
    if (f.v[3]?.t === "int" && Number(f.v[3].v) === arity) return elementsOf(f.v[4]) ?? [];
  }
  return undefined;
}

/**
 * Whether code_change/3 hands the state over as it is: every clause's body is `{ok, State}` with
 * State its second argument's variable (an absent code_change/3 does the same).
 */
export function identityCodeChange(forms: Term[]): boolean {
  const cs = clauses(forms, "code_change", 3);
  if (!cs) return true;
  return cs.every((c) => {
    const [, , args, , body] = c.t === "tuple" ? c.v : [];
    const state = inside(elementsOf(args)?.[1], "var");
    const result = elementsOf(inside(elementsOf(body)?.at(-1), "tuple"));
    if (state?.t !== "atom" || result?.length !== 2) return false;
    return isAtom(inside(result[0], "atom"), "ok") && isAtom(inside(result[1], "var"), state.v);
  });
}

/** X of the abstract form `{Tag, Anno, X}`, or undefined when `t` is no such form. */
function inside(t: Term | undefined, tag: string): Term | undefined {
  return t?.t === "tuple" && t.v.length === 3 && isAtom(t.v[0], tag) ? t.v[2] : undefined;
}

/** Remote calls `M:F/A` made inside `Name/Arity`, as written. */
export function callsIn(forms: Term[], name: string, arity: number): Set<string> {
  const out = new Set<string>();
  for (const clause of clauses(forms, name, arity) ?? []) {
    for (const t of subterms(clause)) {
      if (t.t !== "tuple") continue;
      const [tag, , fun, args] = t.v;
      if (isAtom(tag, "call") && fun?.t === "tuple" && isAtom(fun.v[0], "remote")) {
        const [m, f] = [fun.v[2], fun.v[3]];
        const [mv, fv] = [m?.t === "tuple" ? m.v[2] : undefined, f?.t === "tuple" ? f.v[2] : undefined];
        if (mv?.t === "atom" && fv?.t === "atom") out.add(`${mv.v}:${fv.v}/${elementsOf(args)?.length ?? 0}`);
      }
    }
  }
  return out;
}

/** The fields of the module's own struct (`__struct__/0`'s literal map), sorted; undefined when none. */
export function structFields(beam: Beam): string[] | undefined {
  for (const lit of beam.literals) {
    if (lit.t !== "map") continue;
    const own = lit.v.some(([k, v]) => isAtom(k, "__struct__") && isAtom(v, beam.module));
    if (own) return lit.v.flatMap(([k]) => (k.t === "atom" && k.v !== "__struct__" ? [k.v] : [])).sort();
  }
  return undefined;
}

/** Calls that put state outside the process: what init/1 may set up and code_change/3 must too. */
export const OUTSIDE_STATE = ["persistent_term:put/2", "ets:new/2"];
