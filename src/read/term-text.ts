/**
 * Erlang term text, as `file:consult/1` reads it: `.app`, `.rel`, `.appup`, `relup`, `RELEASES`,
 * `.script`, `sys.config`.
 *
 * The grammar is typescript-parsec; the lexer is our own single pass, because the library's
 * lexer re-slices the input at every token (quadratic on large `.script` and relup files), and
 * so are the combinators term files spend their time in (many, sepBy, byKind, leaf, enclosed):
 * `rep_sc` copies the accumulated list at every element, and seq/alt_sc/kmid build candidate
 * lists and failures at every token (the `.app` files of 4,500 modules took ~50 ms, now ~20).
 */
import { createRequire } from "node:module";
import type { Parser, ParserOutput, Token, TokenPosition } from "typescript-parsec";
import { GenAppupError } from "../errors.js";
import { isAtomStart, isNameChar, isVarStart, mapPairs, type Term } from "./term.js";

// Loaded with require: through `import`, Node's ESM loader first scans every CommonJS file of the
// package for its exports, which doubles its load time (about 10 ms of every run).
const { alt_sc, apply, expectEOF, expectSingleResult, kleft, kright, opt_sc, rule, seq, tok } = createRequire(
  import.meta.url,
)("typescript-parsec") as typeof import("typescript-parsec");

enum K {
  Atom,
  Var,
  Str,
  Char,
  Int,
  Float,
  Fun,
  Dot,
  LBrace,
  RBrace,
  LBrack,
  RBrack,
  Bar,
  Comma,
  MapOpen,
  Arrow,
  BinOpen,
  BinClose,
  Slash,
  Colon,
  Minus,
  Plus,
}

/** A token with its decoded value (atom name, code points, integer or float). */
class Tok implements Token<K> {
  next: Tok | undefined = undefined;
  constructor(
    readonly kind: K,
    readonly text: string,
    readonly value: string | number[] | bigint | number,
    private readonly index: number,
    private readonly rowBegin: number,
    private readonly columnBegin: number,
    private readonly rowEnd: number,
    private readonly columnEnd: number,
  ) {}

  /** Built when asked: only errors need it. */
  get pos(): TokenPosition {
    return {
      index: this.index,
      rowBegin: this.rowBegin,
      columnBegin: this.columnBegin,
      rowEnd: this.rowEnd,
      columnEnd: this.columnEnd,
    };
  }
}

/** Parses every `Term.` form of a consult file. */
export function parseTerms(text: string, file: string): Term[] {
  const first = lex(text, file);
  let out: ParserOutput<K, Term[]>;
  try {
    out = expectEOF(FORMS.parse(first));
  } catch (e) {
    throw new GenAppupError(file, e instanceof Error ? e.message : String(e));
  }
  if (!out.successful)
    throw new GenAppupError(
      file,
      `${where(out.error.pos, text)}: ${describe(out.error.message, out.error.pos, first)}`,
    );
  return expectSingleResult(out);
}

/** Parses a file that must hold exactly one term (`.app`, `.rel`, `.appup`, `relup`). */
export function parseOneTerm(text: string, file: string): Term {
  const terms = parseTerms(text, file);
  if (terms.length !== 1) throw new GenAppupError(file, `expected one term, found ${terms.length}`);
  return terms[0]!;
}

/** Decodes a consult file's bytes: UTF-8 unless a `coding: latin-1` comment says otherwise. */
export function decodeConsultFile(bytes: Uint8Array, file: string): string {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 200)).split("\n").slice(0, 2).join("\n");
  if (/coding\s*[:=]\s*(latin-1|iso-8859-1)/i.test(head)) return new TextDecoder("latin1").decode(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new GenAppupError(file, "is not valid UTF-8 and declares no latin-1 coding");
  }
}

function where(pos: TokenPosition | undefined, text: string): string {
  return pos
    ? `line ${pos.rowBegin}, column ${pos.columnBegin}`
    : `line ${text.trimEnd().split("\n").length}, at the end`;
}

function describe(message: string, pos: TokenPosition | undefined, first: Tok | undefined): string {
  if (!pos) return first ? "unexpected end of input (missing `.` or a closing bracket?)" : message;
  for (let t = first; t; t = t.next) {
    if (t.pos.index === pos.index) {
      if (t.kind === K.Var) return `variable ${t.text} is not allowed in a term file`;
      return `syntax error before ${JSON.stringify(t.text)}`;
    }
  }
  return message;
}

// ---- grammar ------------------------------------------------------------------------------

/** Like rep_sc, but linear: appends to one array and keeps the first candidate. */
function many<T>(p: Parser<K, T>): Parser<K, T[]> {
  return {
    parse(token) {
      const items: T[] = [];
      let next = token;
      let error;
      for (;;) {
        const out = p.parse(next);
        if (!out.successful || out.candidates.length === 0) {
          error = out.error;
          break;
        }
        items.push(out.candidates[0]!.result);
        next = out.candidates[0]!.nextToken;
      }
      return { successful: true, candidates: [{ firstToken: token, nextToken: next, result: items }], error };
    },
  };
}

/** `p (sep p)*` in one loop, without seq/kright's candidate lists per element. */
function sepBy<T>(p: Parser<K, T>, sep: K): Parser<K, T[]> {
  return {
    parse(token) {
      const first = p.parse(token);
      if (!first.successful || first.candidates.length === 0) return first as ParserOutput<K, never>;
      const items = [first.candidates[0]!.result];
      let next = first.candidates[0]!.nextToken as Tok | undefined;
      let error = first.error;
      while (next?.kind === sep) {
        const out = p.parse(next.next);
        if (!out.successful || out.candidates.length === 0) return out as ParserOutput<K, never>;
        items.push(out.candidates[0]!.result);
        next = out.candidates[0]!.nextToken as Tok | undefined;
        error = out.error;
      }
      return { successful: true, candidates: [{ firstToken: token, nextToken: next, result: items }], error };
    },
  };
}

/** The failure of a parser that wanted `what` at `token` (only its position reaches the user). */
function expecting(token: Token<K> | undefined, what: string): ParserOutput<K, never> {
  return { successful: false, error: { kind: "Error", pos: token?.pos, message: `expected ${what}` } };
}

/**
 * Picks the one parser the next token's kind can start, instead of trying each alternative in
 * turn: every failed alternative builds an error, and term files are mostly long lists.
 */
function byKind<T>(table: Partial<Record<K, Parser<K, T>>>, expected: string): Parser<K, T> {
  return {
    parse(token) {
      const p = token && table[(token as Tok).kind];
      if (p) return p.parse(token);
      return expecting(token, expected);
    },
  };
}

/** One token of `kind`, made into a value: tok + apply in one step, for the tokens most terms are made of. */
function leaf<T>(kind: K, make: (t: Tok) => T): Parser<K, T> {
  return {
    parse(token) {
      if (token?.kind !== kind) return expecting(token, K[kind]);
      return {
        successful: true,
        candidates: [{ firstToken: token, nextToken: token.next, result: make(token as Tok) }],
        error: undefined,
      };
    },
  };
}

/** `open inner? close`: kmid(tok(open), opt_sc(inner), tok(close)) without its candidate lists. */
function enclosed<T>(open: K, inner: Parser<K, T>, close: K): Parser<K, T | undefined> {
  const closing = (
    from: Token<K>,
    token: Token<K> | undefined,
    result: T | undefined,
  ): ParserOutput<K, T | undefined> =>
    token?.kind === close
      ? { successful: true, candidates: [{ firstToken: from, nextToken: token.next, result }], error: undefined }
      : expecting(token, K[close]);
  return {
    parse(token) {
      if (token?.kind !== open) return expecting(token, K[open]);
      const first = token.next;
      if (first?.kind === close) return closing(token, first, undefined);
      const out = inner.parse(first);
      if (!out.successful || out.candidates.length === 0) return out as ParserOutput<K, never>;
      return closing(token, out.candidates[0]!.nextToken, out.candidates[0]!.result);
    },
  };
}

const value = <V>(kind: K) => leaf(kind, (t) => t.value as V);

const TERM = rule<K, Term>();
const FORMS = many(kleft(TERM, tok(K.Dot)));

const int: Parser<K, bigint> = apply(
  seq(opt_sc(alt_sc(tok(K.Minus), tok(K.Plus))), alt_sc(value<bigint>(K.Int), apply(value<number>(K.Char), BigInt))),
  ([sign, v]) => (sign?.kind === K.Minus ? -v : v),
);
const float: Parser<K, number> = apply(
  seq(opt_sc(alt_sc(tok(K.Minus), tok(K.Plus))), value<number>(K.Float)),
  ([sign, v]) => (sign?.kind === K.Minus ? -v : v),
);
const string = apply(seq(value<number[]>(K.Str), many(value<number[]>(K.Str))), ([h, t]) => h.concat(...t));
const atom = value<string>(K.Atom);

const listTerm = apply(
  enclosed(K.LBrack, seq(sepBy(TERM, K.Comma), opt_sc(kright(tok(K.Bar), TERM))), K.RBrack),
  (body): Term => {
    if (!body) return { t: "list", v: [] };
    const [v, tail] = body;
    if (!tail || (tail.t === "list" && tail.v.length === 0)) return { t: "list", v };
    if (tail.t === "list")
      return tail.tail ? { t: "list", v: v.concat(tail.v), tail: tail.tail } : { t: "list", v: v.concat(tail.v) };
    return { t: "list", v, tail };
  },
);
const tupleTerm = apply(enclosed(K.LBrace, sepBy(TERM, K.Comma), K.RBrace), (v): Term => ({ t: "tuple", v: v ?? [] }));
const pair = seq(TERM, kright(tok(K.Arrow), TERM));
const mapTerm = apply(enclosed(K.MapOpen, sepBy(pair, K.Comma), K.RBrace), (v): Term => ({
  t: "map",
  v: mapPairs(v ?? []),
}));
const funTerm = apply(
  seq(kright(tok(K.Fun), atom), kright(tok(K.Colon), atom), kright(tok(K.Slash), value<bigint>(K.Int))),
  ([m, f, a]): Term => ({ t: "fun", m, f, a: Number(a) }),
);

type SegValue = { kind: "int"; v: bigint } | { kind: "float"; v: number } | { kind: "str"; v: number[] };
const segValue: Parser<K, SegValue> = alt_sc(
  apply(string, (v): SegValue => ({ kind: "str", v })),
  apply(float, (v): SegValue => ({ kind: "float", v })),
  apply(int, (v): SegValue => ({ kind: "int", v })),
);
const typeSpec = apply(seq(atom, opt_sc(kright(tok(K.Colon), value<bigint>(K.Int)))), ([name, n]) =>
  n === undefined ? name : `${name}:${n}`,
);
const segment = seq(
  segValue,
  opt_sc(kright(tok(K.Colon), value<bigint>(K.Int))),
  opt_sc(kright(tok(K.Slash), sepBy(typeSpec, K.Minus))),
);
const binTerm = apply(enclosed(K.BinOpen, sepBy(segment, K.Comma), K.BinClose), (segs) => buildBinary(segs ?? []));

const number = alt_sc(
  apply(float, (v): Term => ({ t: "float", v })),
  apply(int, (v): Term => ({ t: "int", v })),
);
TERM.setPattern(
  byKind<Term>(
    {
      [K.Atom]: leaf(K.Atom, (t): Term => ({ t: "atom", v: t.value as string })),
      [K.Int]: leaf(K.Int, (t): Term => ({ t: "int", v: t.value as bigint })),
      [K.Char]: leaf(K.Char, (t): Term => ({ t: "int", v: BigInt(t.value as number) })),
      [K.Float]: leaf(K.Float, (t): Term => ({ t: "float", v: t.value as number })),
      [K.Minus]: number,
      [K.Plus]: number,
      [K.Str]: apply(string, (v): Term => ({ t: "list", v: v.map((c) => ({ t: "int", v: BigInt(c) })) })),
      [K.LBrack]: listTerm,
      [K.LBrace]: tupleTerm,
      [K.MapOpen]: mapTerm,
      [K.BinOpen]: binTerm,
      [K.Fun]: funTerm,
    },
    "a term",
  ),
);

// ---- bit syntax: the subset `erl_parse:normalise` evaluates for literal segments -----------

function buildBinary(segs: [SegValue, bigint | undefined, string[] | undefined][]): Term {
  const bits: number[] = [];
  const push = (v: bigint, size: number, little: boolean) => {
    const bytesLE = little && size % 8 === 0;
    if (bytesLE) {
      for (let i = 0; i < size / 8; i++) pushBits(bits, (v >> BigInt(8 * i)) & 0xffn, 8);
    } else pushBits(bits, v, size);
  };
  for (const [val, size, specs = []] of segs) {
    const little = specs.includes("little");
    const type =
      specs.find((s) =>
        ["integer", "float", "utf8", "utf16", "utf32", "binary", "bytes", "bitstring", "bits"].includes(s),
      ) ?? (val.kind === "float" ? "float" : "integer");
    const unit = Number(specs.find((s) => s.startsWith("unit:"))?.slice(5) ?? 1);
    const codes = val.kind === "str" ? val.v.map(BigInt) : val.kind === "int" ? [val.v] : [];
    if (type.startsWith("utf")) {
      for (const c of codes) for (const b of encodeUtf(Number(c), type, little)) pushBits(bits, BigInt(b), 8);
    } else if (type === "float") {
      const n = Number(size ?? 64n) * unit;
      if (n !== 64 && n !== 32) throw new Error(`float segment of ${n} bits`);
      const buf = new DataView(new ArrayBuffer(n / 8));
      const f = val.kind === "float" ? val.v : Number(val.kind === "int" ? val.v : 0n);
      if (n === 64) buf.setFloat64(0, f, little);
      else buf.setFloat32(0, f, little);
      for (let i = 0; i < n / 8; i++) pushBits(bits, BigInt(buf.getUint8(i)), 8);
    } else if (type === "integer") {
      const n = Number(size ?? 8n) * unit;
      for (const c of codes) push(BigInt.asUintN(n, c), n, little);
    } else {
      throw new Error(`binary segment type ${type} is not a literal`);
    }
  }
  const v = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => (v[i >> 3]! |= b << (7 - (i & 7))));
  const rem = bits.length % 8;
  return rem === 0 ? { t: "bin", v } : { t: "bin", v, bits: rem };
}

function pushBits(out: number[], v: bigint, size: number): void {
  for (let i = size - 1; i >= 0; i--) out.push(Number((v >> BigInt(i)) & 1n));
}

function encodeUtf(c: number, type: string, little: boolean): number[] {
  if (type === "utf8") return Array.from(new TextEncoder().encode(String.fromCodePoint(c)));
  if (type === "utf32") {
    const b = [(c >>> 24) & 255, (c >>> 16) & 255, (c >>> 8) & 255, c & 255];
    return little ? b.reverse() : b;
  }
  const s = String.fromCodePoint(c);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    out.push(...(little ? [u & 255, u >> 8] : [u >> 8, u & 255]));
  }
  return out;
}

// ---- lexer (erl_scan's rules for the tokens a term file can hold) --------------------------

const PUNCT = new Map<string, K>([
  ["#{", K.MapOpen],
  ["=>", K.Arrow],
  ["<<", K.BinOpen],
  [">>", K.BinClose],
  ["{", K.LBrace],
  ["}", K.RBrace],
  ["[", K.LBrack],
  ["]", K.RBrack],
  ["|", K.Bar],
  [",", K.Comma],
  ["/", K.Slash],
  [":", K.Colon],
  ["-", K.Minus],
  ["+", K.Plus],
]);
const NUMBER = /(\d(?:_?\d)*)(?:#([0-9a-zA-Z](?:_?[0-9a-zA-Z])*)|(\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?))?/y;
const SIMPLE_ESCAPES: Record<string, number> = { b: 8, d: 127, e: 27, f: 12, n: 10, r: 13, s: 32, t: 9, v: 11 };
// `maybe` and `else` are absent: OTP 25 and 26 read them as plain atoms, and older tools wrote them bare.
const RESERVED = new Set(
  "after begin case try cond catch andalso orelse end if let of receive when bnot not div rem band and bor bxor bsl bsr or xor".split(
    " ",
  ),
);

function lex(text: string, file: string): Tok | undefined {
  let head: Tok | undefined;
  let last: Tok | undefined;
  let pos = 0,
    row = 1,
    lineStart = 0;
  const fail = (msg: string, at = pos): never => {
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    throw new GenAppupError(file, `line ${line}, column ${at - before.lastIndexOf("\n")}: ${msg}`);
  };
  let startRow = 1,
    startCol = 1;
  const emit = (kind: K, start: number, value: Tok["value"]) => {
    const t = new Tok(kind, text.slice(start, pos), value, start, startRow, startCol, row, pos - lineStart + 1);
    if (last) last.next = t;
    else head = t;
    last = t;
  };
  const nameEnd = (from: number) => {
    let i = from;
    while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
    return i;
  };
  const newlines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      if (text.charCodeAt(i) === 10) {
        row++;
        lineStart = i + 1;
      }
    }
  };

  while (pos < text.length) {
    const c = text[pos]!;
    if (c === "%") {
      const nl = text.indexOf("\n", pos);
      pos = nl < 0 ? text.length : nl;
      continue;
    }
    if (c <= " " || /\s/.test(c)) {
      newlines(pos, pos + 1);
      pos++;
      continue;
    }
    const start = pos;
    startRow = row;
    startCol = pos - lineStart + 1;
    if (c === "'" || c === '"') {
      const [chars, end] = scanQuoted(text, pos + 1, c, fail);
      newlines(pos, end);
      pos = end;
      if (c === "'") emit(K.Atom, start, String.fromCodePoint(...chars));
      else emit(K.Str, start, chars);
      continue;
    }
    if (c === "$") {
      if (pos + 1 >= text.length) fail("`$` at the end of input");
      let code: number;
      if (text[pos + 1] === "\\") [code, pos] = scanEscape(text, pos + 2, fail);
      else {
        code = text.codePointAt(pos + 1)!;
        pos += code > 0xffff ? 3 : 2;
      }
      emit(K.Char, start, code);
      continue;
    }
    if (c >= "0" && c <= "9") {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text)!;
      pos = NUMBER.lastIndex;
      const digits = m[1]!.replaceAll("_", "");
      if (m[3]) emit(K.Float, start, Number(digits + m[3].replaceAll("_", "")));
      else if (m[2])
        emit(
          K.Int,
          start,
          parseBased(m[2].replaceAll("_", ""), Number(digits), () => fail(`bad based integer ${m[0]}`, start)),
        );
      else emit(K.Int, start, BigInt(digits));
      continue;
    }
    if (c === "." && (pos + 1 >= text.length || /[\s%]/.test(text[pos + 1]!))) {
      pos++;
      emit(K.Dot, start, ".");
      continue;
    }
    const lower = isAtomStart(text.charCodeAt(pos));
    if (lower || isVarStart(text.charCodeAt(pos))) {
      pos = nameEnd(pos + 1);
      const name = text.slice(start, pos);
      if (!lower) emit(K.Var, start, name);
      else if (name === "fun") emit(K.Fun, start, name);
      else if (RESERVED.has(name)) fail(`reserved word ${name} cannot be an unquoted atom`, start);
      else emit(K.Atom, start, name);
      continue;
    }
    const two = text.slice(pos, pos + 2);
    const p = PUNCT.has(two) ? two : c;
    const kind = PUNCT.get(p) ?? fail(`unexpected character ${JSON.stringify(c)}`);
    pos += p.length;
    emit(kind, start, p);
  }
  return head;
}

function parseBased(digits: string, base: number, bad: () => never): bigint {
  if (base < 2 || base > 36) bad();
  let v = 0n;
  for (const d of digits.toLowerCase()) {
    const n = parseInt(d, 36);
    if (n >= base) bad();
    v = v * BigInt(base) + BigInt(n);
  }
  return v;
}

type Fail = (msg: string, at?: number) => never;

function scanQuoted(text: string, pos: number, quote: string, fail: Fail): [number[], number] {
  const chars: number[] = [];
  const start = pos - 1;
  while (pos < text.length) {
    const ch = text[pos]!;
    if (ch === quote) return [chars, pos + 1];
    if (ch === "\\") {
      let code: number;
      [code, pos] = scanEscape(text, pos + 1, fail);
      chars.push(code);
    } else {
      const code = text.codePointAt(pos)!;
      chars.push(code);
      pos += code > 0xffff ? 2 : 1;
    }
  }
  return fail(`unterminated ${quote === "'" ? "quoted atom" : "string"}`, start);
}

/** One escape sequence after a backslash: returns the code point and the position after it. */
function scanEscape(text: string, pos: number, fail: Fail): [number, number] {
  const c = text[pos];
  if (c === undefined) return fail("backslash at the end of input");
  if (/[0-7]/.test(c)) {
    const m = /[0-7]{1,3}/y;
    m.lastIndex = pos;
    const oct = m.exec(text)![0];
    return [parseInt(oct, 8), pos + oct.length];
  }
  if (c === "x") {
    if (text[pos + 1] === "{") {
      const end = text.indexOf("}", pos + 2);
      const hex = end < 0 ? "" : text.slice(pos + 2, end);
      if (!/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) fail(`bad escape \\x{${hex}}`, pos);
      return [parseInt(hex, 16), end + 1];
    }
    const hex = text.slice(pos + 1, pos + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail("bad escape \\x: expected two hex digits", pos);
    return [parseInt(hex, 16), pos + 3];
  }
  if (c === "^") {
    const ctl = text[pos + 1];
    if (ctl === undefined) return fail("bad escape \\^ at the end of input", pos);
    if (ctl === "?") return [127, pos + 2];
    const code = ctl.charCodeAt(0);
    if ((code >= 64 && code <= 95) || (code >= 97 && code <= 122)) return [code & 31, pos + 2];
    return fail(`bad control escape \\^${ctl}`, pos);
  }
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c]!, pos + 1];
  const code = text.codePointAt(pos)!;
  return [code, pos + (code > 0xffff ? 2 : 1)];
}
