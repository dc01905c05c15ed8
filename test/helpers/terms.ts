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

/**
 * A text that two terms share exactly when Erlang's =:= holds for them, built without recursion
 * (terms thousands deep). Maps compare in the order given: both readers give a small map sorted.
 */
export function termKey(term: Term): string {
  const out: string[] = [];
  const stack: (Term | string)[] = [term];
  while (stack.length) {
    const t = stack.pop()!;
    if (typeof t === "string") {
      out.push(t);
      continue;
    }
    const push = (open: string, items: Term[], close: string) => {
      out.push(open);
      stack.push(close);
      for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]!, ",");
    };
    switch (t.t) {
      case "list":
        push("[", t.tail ? [...t.v, t.tail] : t.v, t.tail ? "|]" : "]");
        break;
      case "tuple":
        push("{", t.v, "}");
        break;
      case "map":
        push("#{", t.v.flat(), "}");
        break;
      case "float":
        out.push(`f${Object.is(t.v, -0) ? "-0" : t.v}`);
        break;
      case "int":
        out.push(`i${t.v}`);
        break;
      case "atom":
        out.push(`a${JSON.stringify(t.v)}`);
        break;
      case "bin":
        out.push(`b${t.bits ?? 8}:${Buffer.from(t.v).toString("hex")}`);
        break;
      case "fun":
        out.push(`fun ${t.m}:${t.f}/${t.a}`);
        break;
      default:
        out.push(`?${t.kind}`);
    }
  }
  return out.join("");
}
