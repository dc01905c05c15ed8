/**
 * One model for Erlang terms, shared by the ETF decoder, the term-text parser and the printer.
 *
 * Strings are what Erlang makes them: lists of integers (a charlist). `[]` and `""` are the
 * same term. Integers are always BigInt because beams carry 128-bit `vsn` values.
 */
export type Term =
  | { t: "atom"; v: string }
  | { t: "int"; v: bigint }
  | { t: "float"; v: number }
  /** A binary, or a bitstring when `bits` (1..7 used bits of the last byte) is set. */
  | { t: "bin"; v: Uint8Array; bits?: number }
  /** A list; `tail` is set only for an improper list (`[a|b]`). */
  | { t: "list"; v: Term[]; tail?: Term }
  | { t: "tuple"; v: Term[] }
  | { t: "map"; v: [Term, Term][] }
  /** An external fun, `fun M:F/A`. */
  | { t: "fun"; m: string; f: string; a: number }
  /** Pids, ports, references and closures: decoded so a caller can skip them, never printed. */
  | { t: "opaque"; kind: "pid" | "port" | "ref" | "closure" };

export const atom = (v: string): Term => ({ t: "atom", v });
export const int = (v: number | bigint): Term => ({ t: "int", v: BigInt(v) });
export const tuple = (...v: Term[]): Term => ({ t: "tuple", v });
export const list = (v: Term[]): Term => ({ t: "list", v });
export const NIL: Term = { t: "list", v: [] };

/** A charlist, as `"0.1.0"` is in `.app` and `.rel` files. */
export function str(s: string): Term {
  return { t: "list", v: Array.from(s, (c) => int(c.codePointAt(0)!)) };
}

export function bin(s: string | Uint8Array): Term {
  return { t: "bin", v: typeof s === "string" ? new TextEncoder().encode(s) : s };
}

export function isAtom(term: Term | undefined, name?: string): term is { t: "atom"; v: string } {
  return term?.t === "atom" && (name === undefined || term.v === name);
}

/** The text of a charlist or a UTF-8 binary, or undefined when the term is neither. */
export function textOf(term: Term | undefined): string | undefined {
  if (term?.t === "bin" && term.bits === undefined) return new TextDecoder("utf-8", { ignoreBOM: true }).decode(term.v);
  if (term?.t !== "list" || term.tail) return undefined;
  let s = "";
  for (const c of term.v) {
    if (c.t !== "int" || c.v < 0n || c.v > 0x10ffffn) return undefined;
    s += String.fromCodePoint(Number(c.v));
  }
  return s;
}

/** Elements of a proper list, or undefined. */
export function elementsOf(term: Term | undefined): Term[] | undefined {
  return term?.t === "list" && !term.tail ? term.v : undefined;
}

/** `[{Key, Value}]` proplist lookup, as `proplists:get_value/2` on 2-tuples. */
export function propOf(props: Term | undefined, key: string): Term | undefined {
  for (const p of elementsOf(props) ?? []) {
    if (p.t === "tuple" && p.v.length === 2 && isAtom(p.v[0], key)) return p.v[1];
  }
  return undefined;
}

/** Names of a list of atoms, or undefined when it is not one. */
export function atomsOf(term: Term | undefined): string[] | undefined {
  const items = elementsOf(term);
  if (!items || !items.every((x) => x.t === "atom")) return undefined;
  return items.map((x) => (x as { v: string }).v);
}

// Erlang's term order: number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring.
const RANK: Record<Term["t"], number> = {
  int: 0,
  float: 0,
  atom: 1,
  opaque: 2,
  fun: 3,
  tuple: 6,
  map: 7,
  list: 8,
  bin: 9,
};

/**
 * Compares two terms in Erlang's standard term order; `exact`, in map key order, where every
 * integer sorts before every float, at any depth (how Erlang orders a small map's keys).
 */
export function compareTerms(a: Term, b: Term, exact = false): number {
  if (a.t === "list" && b.t === "list") return compareLists(a, b, exact);
  const ra = a.t === "list" && a.v.length === 0 ? 7.5 : RANK[a.t];
  const rb = b.t === "list" && b.v.length === 0 ? 7.5 : RANK[b.t];
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (a.t) {
    case "int":
    case "float":
      if (exact && a.t !== b.t) return a.t === "int" ? -1 : 1;
      return compareNumbers(a.v, (b as typeof a).v);
    case "atom":
      return compareStrings(a.v, (b as typeof a).v);
    case "tuple": {
      const bv = (b as typeof a).v;
      if (a.v.length !== bv.length) return a.v.length < bv.length ? -1 : 1;
      return compareSeq(a.v, bv, exact);
    }
    case "map":
      return compareMaps(a.v, (b as typeof a).v, exact);
    case "bin":
      return compareBits(a, b as typeof a);
    case "fun": {
      const bf = b as typeof a;
      return compareStrings(a.m, bf.m) || compareStrings(a.f, bf.f) || a.a - bf.a;
    }
    default:
      return 0;
  }
}

function compareNumbers(x: bigint | number, y: bigint | number): number {
  if (typeof x === "bigint" && typeof y === "bigint") return x < y ? -1 : x > y ? 1 : 0;
  const nx = Number(x),
    ny = Number(y);
  return nx < ny ? -1 : nx > ny ? 1 : 0;
}

function compareStrings(x: string, y: string): number {
  const cx = Array.from(x, (c) => c.codePointAt(0)!),
    cy = Array.from(y, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(cx.length, cy.length); i++) {
    if (cx[i] !== cy[i]) return cx[i]! < cy[i]! ? -1 : 1;
  }
  return cx.length - cy.length;
}

function compareSeq(a: Term[], b: Term[], exact: boolean): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareTerms(a[i]!, b[i]!, exact);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareLists(a: Term & { t: "list" }, b: Term & { t: "list" }, exact: boolean): number {
  if (a.v.length === 0 || b.v.length === 0) return Math.sign(a.v.length) - Math.sign(b.v.length);
  const n = Math.min(a.v.length, b.v.length);
  for (let i = 0; i < n; i++) {
    const c = compareTerms(a.v[i]!, b.v[i]!, exact);
    if (c !== 0) return c;
  }
  // Compare what is left of each, cons cell by cons cell: a rest list or the tail.
  const rest = (l: Term & { t: "list" }): Term =>
    l.v.length > n ? { t: "list", v: l.v.slice(n), tail: l.tail } : (l.tail ?? NIL);
  return compareTerms(rest(a), rest(b), exact);
}

function compareMaps(a: [Term, Term][], b: [Term, Term][], exact: boolean): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  const sa = mapPairs(a),
    sb = mapPairs(b);
  return (
    compareSeq(
      sa.map((p) => p[0]),
      sb.map((p) => p[0]),
      exact,
    ) ||
    compareSeq(
      sa.map((p) => p[1]),
      sb.map((p) => p[1]),
      exact,
    )
  );
}

function compareBits(a: { v: Uint8Array; bits?: number }, b: { v: Uint8Array; bits?: number }): number {
  const n = Math.min(a.v.length, b.v.length);
  for (let i = 0; i < n; i++) if (a.v[i] !== b.v[i]) return a.v[i]! < b.v[i]! ? -1 : 1;
  const la = bitSize(a),
    lb = bitSize(b);
  return la < lb ? -1 : la > lb ? 1 : 0;
}

export function bitSize(b: { v: Uint8Array; bits?: number }): number {
  return b.bits === undefined ? b.v.length * 8 : (b.v.length - 1) * 8 + b.bits;
}

/**
 * A map's pairs in the order Erlang iterates a small map (at most 32 keys): sorted by key, with
 * every integer before every float (map key order). Later duplicates win, as in `#{a => 1, a => 2}`.
 * Larger maps iterate in hash order, which we cannot reproduce: their pairs keep the order given.
 */
export function mapPairs(pairs: [Term, Term][]): [Term, Term][] {
  const unique: [Term, Term][] = [];
  for (const p of pairs) {
    const at = unique.findIndex((u) => compareTerms(u[0], p[0], true) === 0);
    if (at >= 0) unique[at] = p;
    else unique.push(p);
  }
  return unique.length <= 32 ? unique.sort((x, y) => compareTerms(x[0], y[0], true)) : unique;
}

/** erl_scan's first character of an unquoted atom: a lowercase Latin-1 letter. */
export function isAtomStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 0xdf && c <= 0xff && c !== 0xf7);
}

/** erl_scan's first character of a variable: an uppercase Latin-1 letter or `_`. */
export function isVarStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde && c !== 0xd7) || c === 95;
}

/** erl_scan's characters after the first of an unquoted atom or a variable. */
export function isNameChar(c: number): boolean {
  return isAtomStart(c) || isVarStart(c) || (c >= 48 && c <= 57) || c === 64;
}

/** How many lists, tuples and maps deep a term nests (an atom is 0), counted without recursion. */
export function termDepth(term: Term): number {
  let deepest = 0;
  const stack: [Term, number][] = [[term, 0]];
  while (stack.length) {
    const [t, d] = stack.pop()!;
    if (d > deepest) deepest = d;
    if (t.t === "tuple") for (const x of t.v) stack.push([x, d + 1]);
    else if (t.t === "list") {
      for (const x of t.v) stack.push([x, d + 1]);
      if (t.tail) stack.push([t.tail, d + 1]);
    } else if (t.t === "map") for (const [k, v] of t.v) stack.push([k, d + 1], [v, d + 1]);
  }
  return deepest;
}

/** Every subterm of a term, itself first, visited without recursion (terms can nest thousands deep). */
export function* subterms(term: Term): Generator<Term> {
  const stack: Term[] = [term];
  while (stack.length) {
    const t = stack.pop()!;
    yield t;
    if (t.t === "tuple") for (let i = t.v.length - 1; i >= 0; i--) stack.push(t.v[i]!);
    else if (t.t === "list") {
      if (t.tail) stack.push(t.tail);
      for (let i = t.v.length - 1; i >= 0; i--) stack.push(t.v[i]!);
    } else if (t.t === "map") for (let i = t.v.length - 1; i >= 0; i--) stack.push(t.v[i]![1], t.v[i]![0]);
  }
}
