import { compareTerms, type Term } from "../../src/term/term.js";

/** Structural equality as Erlang's =:= sees it (maps compared as sets of pairs). */
export function sameTerm(a: Term, b: Term): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case "float":
      return Object.is(a.v, (b as typeof a).v) || a.v === (b as typeof a).v;
    case "map": {
      const bv = (b as typeof a).v;
      if (a.v.length !== bv.length) return false;
      const sort = (ps: [Term, Term][]) => [...ps].sort((x, y) => compareTerms(x[0], y[0]));
      const sa = sort(a.v),
        sb = sort(bv);
      return sa.every(([k, v], i) => sameTerm(k, sb[i]![0]) && sameTerm(v, sb[i]![1]));
    }
    case "list": {
      const bl = b as typeof a;
      if (a.v.length !== bl.v.length || !!a.tail !== !!bl.tail) return false;
      if (a.tail && !sameTerm(a.tail, bl.tail!)) return false;
      return a.v.every((x, i) => sameTerm(x, bl.v[i]!));
    }
    case "tuple":
      return a.v.length === (b as typeof a).v.length && a.v.every((x, i) => sameTerm(x, (b as typeof a).v[i]!));
    case "bin": {
      const bb = b as typeof a;
      return a.bits === bb.bits && a.v.length === bb.v.length && a.v.every((x, i) => x === bb.v[i]);
    }
    default:
      return compareTerms(a, b) === 0;
  }
}
