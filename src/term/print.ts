/**
 * Erlang term text exactly as `io_lib:format("~tp", [Term])` lays it out (io_lib_pretty with
 * no depth or character limit, 80 columns, default `+pc latin1`), so the files we write look
 * as if OTP wrote them.
 *
 * Two passes, as io_lib_pretty does: `measure` renders every atomic leaf and records lengths
 * (what the term is); `pp`/`cind` decide where lines break (how it is laid out). The layout
 * functions mirror io_lib_pretty's names (pp_tail, pp_tag_tuple, cind, ...) so each can be
 * checked against the Erlang source.
 *
 * One deliberate difference: `maybe` and `else` are always quoted. OTP 25's `~p` leaves them
 * bare, but OTP 27+ reserves them and `file:consult` would then fail on our files.
 */
import { GenAppupError } from "../errors.js";
import { bitSize, isAtomStart, isNameChar, termDepth, type Term } from "./term.js";

/** The `%% coding: utf-8` header line systools and release_handler write. */
export const CODING_HEADER = "%% coding: utf-8\n";

/**
 * The deepest term we write. The layout recurses, as io_lib_pretty does, and Node's stack holds
 * some 1,300 levels; no appup instruction comes near this.
 */
export const MAX_WRITTEN_DEPTH = 1000;

/** `io_lib:format("~tp", [T])` starting at column `col`. */
export function formatTerm(term: Term, col = 1, lineLength = 80): string {
  if (term.t === "atom") return writeAtom(term.v);
  writable(term, "");
  const m = measure(term);
  if (m.k === "str" && !isCompound(term)) return m.s;
  if (m.len < lineLength - col) return write(m);
  const ctx: Ctx = { ll: lineLength, m: m.len };
  let tind = 1;
  for (const candidate of [-1, 4]) {
    try {
      cind(ctx, m, col, candidate, 0, 0);
      tind = candidate;
      break;
    } catch (e) {
      if (e !== NO_GOOD) throw e;
    }
  }
  return pp(ctx, m, col, tind, " ".repeat(col - 1), 0, 0);
}

/** A term on one line, however long: for messages, JSON and summaries. */
export function termLine(term: Term): string {
  return formatTerm(term, 1, Number.MAX_SAFE_INTEGER);
}

/** A consultable file of one term: what systools writes for relup and mix for `.rel`. */
export function formatFile(term: Term): string {
  return `${CODING_HEADER}${formatTerm(term)}.\n`;
}

/** Refuses, naming `where`, a term nested deeper than we write. */
export function writable(term: Term, where: string): Term {
  const depth = termDepth(term);
  if (depth > MAX_WRITTEN_DEPTH)
    throw new GenAppupError(
      where,
      `a term nests ${depth} levels deep; gen-appup writes terms up to ${MAX_WRITTEN_DEPTH}`,
    );
  return term;
}

function isCompound(t: Term): boolean {
  return t.t === "list" || t.t === "tuple" || t.t === "map" || t.t === "bin";
}

// ---- measure: io_lib_pretty:print_length/6 -------------------------------------------------

type Measured =
  | { k: "str"; s: string; len: number }
  | { k: "list"; items: Measured[]; tail?: Measured; len: number }
  | { k: "tuple"; tagged: boolean; items: Measured[]; len: number }
  | { k: "map"; pairs: Pair[]; len: number }
  | { k: "bin"; s: string; pieces: string[]; len: number };
type Pair = { k: "pair"; key: Measured; val: Measured; len: number };

function leaf(s: string): Measured {
  return { k: "str", s, len: charsLength(s) };
}

function measure(t: Term): Measured {
  switch (t.t) {
    case "atom":
      return leaf(writeAtom(t.v));
    case "int":
      return leaf(t.v.toString());
    case "float":
      return leaf(writeFloat(t.v));
    case "fun":
      return leaf(`fun ${writeAtom(t.m)}:${writeAtom(t.f)}/${t.a}`);
    case "list":
      return measureList(t);
    case "tuple": {
      if (t.v.length === 0) return leaf("{}");
      const items = t.v.map(measure);
      return { k: "tuple", tagged: t.v[0]!.t === "atom" && t.v.length > 1, items, len: seqLength(items, 2) };
    }
    case "map": {
      if (t.v.length === 0) return leaf("#{}");
      // Pairs are kept in the map's own iteration order (see mapPairs in term.ts).
      const pairs = t.v.map(([k, v]): Pair => {
        const key = measure(k),
          val = measure(v);
        return { k: "pair", key, val, len: key.len + 4 + val.len };
      });
      return { k: "map", pairs, len: seqLength(pairs, 3) };
    }
    case "bin":
      return measureBinary(t);
    case "opaque":
      throw new GenAppupError("", `a ${t.kind} cannot be written as Erlang term text`);
  }
}

function measureList(t: Term & { t: "list" }): Measured {
  if (t.v.length === 0) return leaf("[]");
  if (!t.tail) {
    const chars = printableLatin1(t.v);
    if (chars) return leaf(writeString(chars, '"'));
  }
  const items = t.v.map(measure);
  const tail = t.tail ? measure(t.tail) : undefined;
  const len = seqLength(tail ? [...items, tail] : items, 2);
  return tail ? { k: "list", items, tail, len } : { k: "list", items, len };
}

function seqLength(items: { len: number }[], acc: number): number {
  return items.reduce((sum, e, i) => sum + e.len + (i > 0 ? 1 : 0), acc);
}

/** io_lib:printable_latin1_list/1: the code points when every element is printable. */
function printableLatin1(items: Term[]): number[] | undefined {
  const out: number[] = [];
  for (const e of items) {
    if (e.t !== "int") return undefined;
    const c = Number(e.v);
    if (!isPrintableLatin1(c) || e.v > 255n) return undefined;
    out.push(c);
  }
  return out;
}

function isPrintableLatin1(c: number): boolean {
  return (c >= 32 && c <= 126) || (c >= 160 && c <= 255) || (c >= 8 && c <= 13) || c === 27;
}

function measureBinary(t: Term & { t: "bin" }): Measured {
  if (bitSize(t) === 0) return leaf("<<>>");
  if (t.bits === undefined) {
    const text = printableBinary(t.v);
    if (text) return leaf(text);
  }
  const pieces = Array.from(t.bits === undefined ? t.v : t.v.subarray(0, -1), (b) => String(b));
  if (t.bits !== undefined) pieces.push(`${t.v[t.v.length - 1]! >> (8 - t.bits)}:${t.bits}`);
  const s = `<<${pieces.join(",")}>>`;
  return { k: "bin", s, pieces, len: s.length };
}

/** `<<"text">>` or `<<"text"/utf8>>` when io_lib_pretty would print the binary as a string. */
function printableBinary(bytes: Uint8Array): string | undefined {
  let chars: number[];
  try {
    chars = Array.from(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes), (c) =>
      c.codePointAt(0)!,
    );
  } catch {
    // Not UTF-8: printable when every byte is a printable Latin-1 character.
    return Array.from(bytes).every(isPrintableLatin1) ? `<<${writeString(Array.from(bytes), '"')}>>` : undefined;
  }
  if (!chars.every(isPrintableLatin1)) return undefined;
  const body = writeString(chars, '"');
  return chars.length === bytes.length ? `<<${body}>>` : `<<${body}/utf8>>`;
}

// ---- leaves: io_lib:write_atom/1, write_string/2 and float_to_list(F, [short]) --------------

const RESERVED = new Set(
  (
    "after begin case try cond catch andalso orelse end fun if let of receive when bnot not div rem band and " +
    "bor bxor bsl bsr or xor maybe else"
  ).split(" "),
);

export function writeAtom(name: string): string {
  return atomNeedsQuotes(name)
    ? writeString(
        Array.from(name, (c) => c.codePointAt(0)!),
        "'",
      )
    : name;
}

function atomNeedsQuotes(name: string): boolean {
  if (name.length === 0 || RESERVED.has(name)) return true;
  // UTF-16 units are enough: a code point above U+FFFF is never a name character, nor is either
  // half of its surrogate pair.
  if (!isAtomStart(name.charCodeAt(0))) return true;
  for (let i = 1; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return true;
  return false;
}

const ESCAPES: Record<number, string> = {
  10: "\\n",
  13: "\\r",
  9: "\\t",
  11: "\\v",
  8: "\\b",
  12: "\\f",
  27: "\\e",
  127: "\\d",
};

export function writeString(chars: number[], quote: '"' | "'"): string {
  let s = quote;
  for (const c of chars) {
    if (c === quote.charCodeAt(0) || c === 92) s += "\\" + String.fromCharCode(c);
    else if ((c >= 32 && c <= 126) || c >= 160) s += String.fromCodePoint(c);
    else s += ESCAPES[c] ?? "\\" + c.toString(8).padStart(3, "0");
  }
  return s + quote;
}

/** `float_to_list(F, [short])`: the shorter of fixed and scientific (fixed on a tie, and only below 2^53). */
export function writeFloat(v: number): string {
  if (!Number.isFinite(v)) throw new GenAppupError("", `${v} is not an Erlang float`);
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = Math.abs(v).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  const sign = v < 0 ? "-" : "";
  const sci = `${digits[0]}.${digits.slice(1) || "0"}e${exp}`;
  let fixed: string;
  if (exp < 0) fixed = `0.${"0".repeat(-exp - 1)}${digits}`;
  else if (exp >= digits.length - 1) fixed = `${digits}${"0".repeat(exp - digits.length + 1)}.0`;
  else fixed = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  const useFixed = Math.abs(v) < 2 ** 53 && fixed.length <= sci.length;
  return sign + (useFixed ? fixed : sci);
}

function charsLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) if ((s.charCodeAt(i) & 0xfc00) === 0xd800) n--;
  return n;
}

// ---- layout: io_lib_pretty:pp/8, cind/7 and friends ----------------------------------------

interface Ctx {
  /** Line length. */
  ll: number;
  /** io_lib_pretty's M: the length of the whole term (no line_max_chars given). */
  m: number;
}

const NO_GOOD = Symbol("no_good");
type Item = Measured | Pair;
const isAtomic = (e: Item): boolean => e.k === "str";
const isAtomicPair = (p: Pair): boolean => isAtomic(p.key) && isAtomic(p.val);

function write(e: Item): string {
  switch (e.k) {
    case "str":
    case "bin":
      return e.s;
    case "tuple":
      return `{${e.items.map(write).join(",")}}`;
    case "list":
      return `[${e.items.map(write).join(",")}${e.tail ? "|" + write(e.tail) : ""}]`;
    case "map":
      return `#{${e.pairs.map(write).join(",")}}`;
    case "pair":
      return `${write(e.key)} => ${write(e.val)}`;
  }
}

const indent = (n: number, ind: string) => " ".repeat(n) + ind;
const lastDepth = (more: boolean, ld: number) => (more ? 0 : ld + 1);
const fits = (c: Ctx, len: number, col: number, ld: number, w: number) => len < c.ll - col - ld && len + w + ld <= c.m;
/** Whether `,Elem` (elen = 1 + its length) stays on the current line: pp_tail's and cind_tail's test. */
const fitsAfter = (c: Ctx, elen: number, col: number, w: number, ld: number) =>
  ld === 0 ? elen + 1 < c.ll - col && w + elen + 1 <= c.m : elen < c.ll - col - ld && w + elen + ld <= c.m;

function pp(c: Ctx, e: Measured, col: number, tind: number, ind: string, ld: number, w: number): string {
  if (fits(c, e.len, col, ld, w)) return write(e);
  switch (e.k) {
    case "list":
      return `[${ppList(c, e.items, e.tail, col + 1, tind, indent(1, ind), ld, "|", w + 1)}]`;
    case "tuple":
      return e.tagged
        ? `{${ppTagTuple(c, e.items, col, tind, ind, ld, w + 1)}}`
        : `{${ppList(c, e.items, undefined, col + 1, tind, indent(1, ind), ld, ",", w + 1)}}`;
    case "map":
      return `#{${ppMap(c, e.pairs, col + 2, tind, indent(2, ind), ld, w + 1)}}`;
    case "bin":
      return ppBinary(c, e.pieces, col + 2, indent(2, ind), ld, w);
    case "str":
      return e.s;
  }
}

function ppTagTuple(c: Ctx, items: Measured[], col: number, tind: number, ind: string, ld: number, w: number): string {
  const [tag, ...rest] = items as [Measured, ...Measured[]];
  const tagInd = tag.len + 2;
  const tcol = col + tagInd;
  if (tind > 0 && tagInd > tind) {
    return write(tag) + ppTail(c, rest, undefined, col + tind, tcol, tind, indent(tind, ind), ld, ",", w + tag.len);
  }
  return write(tag) + "," + ppList(c, rest, undefined, tcol, tind, indent(tagInd, ind), ld, ",", w + tag.len + 1);
}

function ppList(
  c: Ctx,
  items: Measured[],
  tail: Measured | undefined,
  col0: number,
  tind: number,
  ind: string,
  ld: number,
  sep: string,
  w: number,
): string {
  const [first, ...rest] = items as [Measured, ...Measured[]];
  const [es, we] = ppElement(c, first, col0, tind, ind, lastDepth(rest.length > 0, ld), w);
  return es + ppTail(c, rest, tail, col0, col0 + we, tind, ind, ld, sep, w + we);
}

function ppTail(
  c: Ctx,
  items: Measured[],
  tail: Measured | undefined,
  col0: number,
  col: number,
  tind: number,
  ind: string,
  ld: number,
  sep: string,
  w: number,
): string {
  let out = "";
  for (let i = 0; i < items.length; i++) {
    const e = items[i]!;
    const ld1 = lastDepth(i + 1 < items.length, ld);
    const elen = 1 + e.len;
    if (fitsAfter(c, elen, col, w, ld1) && isAtomic(e)) {
      out += "," + write(e);
      col += elen;
      w += elen;
    } else {
      const [es, we] = ppElement(c, e, col0, tind, ind, ld1, 0);
      out += ",\n" + ind + es;
      col = col0 + we;
      w = we;
    }
  }
  if (!tail) return out;
  if (tail.len + 1 < c.ll - col - (ld + 1) && tail.len + 1 + w + (ld + 1) <= c.m && isAtomic(tail)) {
    return out + sep + write(tail);
  }
  return out + sep + "\n" + ind + pp(c, tail, col0, tind, ind, ld + 1, 0);
}

function ppElement(
  c: Ctx,
  e: Measured,
  col: number,
  tind: number,
  ind: string,
  ld: number,
  w: number,
): [string, number] {
  if (fits(c, e.len, col, ld, w) && isAtomic(e)) return [write(e), e.len];
  return [pp(c, e, col, tind, ind, ld, w), c.ll]; // force a new line after it
}

function ppMap(c: Ctx, pairs: Pair[], col: number, tind: number, ind: string, ld: number, w: number): string {
  const [first, ...rest] = pairs as [Pair, ...Pair[]];
  const [firstText, pw] = ppPair(c, first, col, tind, ind, lastDepth(rest.length > 0, ld), w);
  let out = firstText;
  let curCol = col + pw;
  let curW = pw;
  for (let i = 0; i < rest.length; i++) {
    const p = rest[i]!;
    const ld1 = lastDepth(i + 1 < rest.length, ld);
    const elen = 1 + p.len;
    if (fitsAfter(c, elen, curCol, curW, ld1) && isAtomicPair(p)) {
      out += "," + write(p);
      curCol += elen;
      curW += elen;
    } else {
      const [ps, w2] = ppPair(c, p, col, tind, ind, ld1, 0);
      out += ",\n" + ind + ps;
      curCol = col + w2;
      curW = w2;
    }
  }
  return out;
}

function ppPair(c: Ctx, p: Pair, col: number, tind: number, ind: string, ld: number, w: number): [string, number] {
  if (fits(c, p.len, col, ld, w)) return [write(p), isAtomicPair(p) ? p.len : c.ll];
  const i = tind > 0 ? tind : 4;
  const vind = indent(i, ind);
  return [`${pp(c, p.key, col, tind, ind, ld, w)} =>\n${vind}${pp(c, p.val, col + i, tind, vind, ld, 0)}`, c.ll];
}

function ppBinary(c: Ctx, pieces: string[], col: number, ind: string, ld: number, w: number): string {
  const n0 = Math.max(8, Math.min(c.ll - col, c.m - 4 - w) - ld);
  let n = n0;
  let out = "<<";
  for (let i = 0; i < pieces.length; i++) {
    const bs = pieces[i]!;
    if (i + 1 < pieces.length) {
      const len = bs.length + 1;
      if (n - len < 0) {
        out += "\n" + ind + bs + ",";
        n = n0 - len;
      } else {
        out += bs + ",";
        n -= len;
      }
    } else {
      out += (bs.length > n ? "\n" + ind : "") + bs;
    }
  }
  return out + ">>";
}

/** io_lib_pretty:cind/7: throws NO_GOOD when the tagged-tuple indent `ind` cannot lay the term out. */
function cind(c: Ctx, e: Measured, col: number, ind: number, ld: number, w: number): void {
  if (fits(c, e.len, col, ld, w)) return;
  switch (e.k) {
    case "list":
      return cindList(c, e.items, e.tail, col + 1, ind, ld, w + 1);
    case "tuple":
      return e.tagged
        ? cindTagTuple(c, e.items, col, ind, ld, w + 1)
        : cindList(c, e.items, undefined, col + 1, ind, ld, w + 1);
    case "map":
      return cindMap(c, e.pairs, col + 2, ind, ld, w + 2);
    default:
      return;
  }
}

function cindTagTuple(c: Ctx, items: Measured[], col: number, ind: number, ld: number, w: number): void {
  const [tag, ...rest] = items as [Measured, ...Measured[]];
  const tagInd = tag.len + 2;
  const tcol = col + tagInd;
  if (ind > 0 && tagInd > ind) {
    const col1 = col + ind;
    if (c.m + col1 <= c.ll || col1 <= Math.floor(c.ll / 2))
      return cindTail(c, rest, undefined, col1, tcol, ind, ld, w + tag.len);
    throw NO_GOOD;
  }
  if (c.m + tcol < c.ll || tcol < Math.floor(c.ll / 2))
    return cindList(c, rest, undefined, tcol, ind, ld, w + tag.len + 1);
  throw NO_GOOD;
}

function cindList(
  c: Ctx,
  items: Measured[],
  tail: Measured | undefined,
  col0: number,
  ind: number,
  ld: number,
  w: number,
): void {
  const [first, ...rest] = items as [Measured, ...Measured[]];
  const we = cindElement(c, first, col0, ind, lastDepth(rest.length > 0, ld), w);
  cindTail(c, rest, tail, col0, col0 + we, ind, ld, w + we);
}

function cindTail(
  c: Ctx,
  items: Measured[],
  tail: Measured | undefined,
  col0: number,
  col: number,
  ind: number,
  ld: number,
  w: number,
): void {
  for (let i = 0; i < items.length; i++) {
    const e = items[i]!;
    const ld1 = lastDepth(i + 1 < items.length, ld);
    const elen = 1 + e.len;
    if (fitsAfter(c, elen, col, w, ld1) && isAtomic(e)) {
      col += elen;
      w += elen;
    } else {
      const we = cindElement(c, e, col0, ind, ld1, 0);
      col = col0 + we;
      w = we;
    }
  }
  if (!tail) return;
  if (tail.len + 1 < c.ll - col - (ld + 1) && tail.len + 1 + w + (ld + 1) <= c.m && isAtomic(tail)) return;
  cind(c, tail, col, ind, ld + 1, 0);
}

function cindElement(c: Ctx, e: Measured, col: number, ind: number, ld: number, w: number): number {
  if (fits(c, e.len, col, ld, w) && isAtomic(e)) return e.len;
  cind(c, e, col, ind, ld, w);
  return c.ll;
}

function cindMap(c: Ctx, pairs: Pair[], col: number, ind: number, ld: number, w: number): void {
  const [first, ...rest] = pairs as [Pair, ...Pair[]];
  const pw = cindPair(c, first, col, ind, lastDepth(rest.length > 0, ld), w);
  let curCol = col + pw;
  let curW = w + pw;
  for (let i = 0; i < rest.length; i++) {
    const p = rest[i]!;
    const ld1 = lastDepth(i + 1 < rest.length, ld);
    const elen = 1 + p.len;
    if (fitsAfter(c, elen, curCol, curW, ld1) && isAtomicPair(p)) {
      curCol += elen;
      curW += elen;
    } else {
      const w2 = cindPair(c, p, col, ind, ld1, 0);
      curCol = col + w2;
      curW = w2;
    }
  }
}

function cindPair(c: Ctx, p: Pair, col: number, ind: number, ld: number, w: number): number {
  if (fits(c, p.len, col, ld, w)) return isAtomicPair(p) ? p.len : c.ll;
  cind(c, p.key, col, ind, ld, w);
  cind(c, p.val, col + (ind > 0 ? ind : 4), ind, ld, 0);
  return c.ll;
}
