/**
 * The lexer of Erlang term text: erl_scan's rules for the tokens a term file can hold, in one
 * pass (typescript-parsec's own lexer re-slices the input at every token: quadratic on large
 * `.script` and relup files). Tokens are linked in order and carry their decoded value.
 */
import type { Token, TokenPosition } from "typescript-parsec";
import { GenAppupError } from "../errors.js";
import { isAtomStart, isNameChar, isVarStart } from "./term.js";

export enum K {
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
  Hash,
  LParen,
  RParen,
  Arrow,
  BinOpen,
  BinClose,
  Slash,
  Colon,
  Minus,
  Plus,
}

/** A token with its decoded value (atom name, code points, integer or float). */
export class Tok implements Token<K> {
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

const PUNCT = new Map<string, K>([
  ["#", K.Hash],
  ["(", K.LParen],
  [")", K.RParen],
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
  (
    "after begin case try cond catch andalso orelse end if let of receive when " +
    "bnot not div rem band and bor bxor bsl bsr or xor"
  ).split(" "),
);

export function lex(text: string, file: string): Tok | undefined {
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
  // erl_scan refuses atoms of more than 255 characters: file:consult could not read what we would write.
  const atomName = (name: string, length: number, at: number) =>
    length > 255 ? fail(`atom of ${length} characters: Erlang's limit is 255`, at) : name;
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
      const end = nl < 0 ? text.length : nl;
      const nonChar = text.slice(pos, end).search(/[\uFFFE\uFFFF]/); // erl_scan refuses them in comments too
      if (nonChar >= 0) literal(text, pos + nonChar, fail);
      pos = end;
      continue;
    }
    if (isWhite(text.charCodeAt(pos))) {
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
      if (c === "'") emit(K.Atom, start, atomName(String.fromCodePoint(...chars), chars.length, start));
      else emit(K.Str, start, chars);
      continue;
    }
    if (c === "$") {
      if (pos + 1 >= text.length) fail("`$` at the end of input");
      let code: number;
      if (text[pos + 1] === "\\") [code, pos] = scanEscape(text, pos + 2, fail);
      else {
        code = literal(text, pos + 1, fail);
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
      if (m[3])
        emit(
          K.Float,
          start,
          float(digits + m[3].replaceAll("_", ""), () => fail(`bad float ${m[0]}`, start)),
        );
      else if (m[2])
        emit(
          K.Int,
          start,
          parseBased(m[2].replaceAll("_", ""), Number(digits), () => fail(`bad based integer ${m[0]}`, start)),
        );
      else emit(K.Int, start, BigInt(digits));
      continue;
    }
    if (c === "." && (pos + 1 >= text.length || text[pos + 1] === "%" || isWhite(text.charCodeAt(pos + 1)))) {
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
      else emit(K.Atom, start, atomName(name, name.length, start));
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

/** erl_scan's white space: the control characters, space, and Latin-1's C1 controls and no-break space. */
function isWhite(c: number): boolean {
  return c <= 32 || (c >= 0x80 && c <= 0xa0);
}

/** A float as list_to_float reads it: one too large for a double is an error, not infinity. */
function float(text: string, bad: () => never): number {
  const v = Number(text);
  return Number.isFinite(v) ? v : bad();
}

/** erl_scan's characters: Unicode code points that are neither surrogates nor U+FFFE and U+FFFF. */
function isChar(c: number): boolean {
  return c < 0xd800 || (c > 0xdfff && c < 0xfffe) || (c > 0xffff && c <= 0x10ffff);
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
      const code = literal(text, pos, fail);
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
      const digits = /[0-9a-fA-F]*/y;
      digits.lastIndex = pos + 2;
      const hex = digits.exec(text)![0];
      const end = pos + 2 + hex.length;
      if (!hex || text[end] !== "}" || !isChar(parseInt(hex, 16)))
        fail(`bad escape \\x{${hex.slice(0, 12)}${text[end] === "}" ? "}" : ""}`, pos);
      return [parseInt(hex, 16), end + 1];
    }
    const hex = text.slice(pos + 1, pos + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail("bad escape \\x: expected two hex digits", pos);
    return [parseInt(hex, 16), pos + 3];
  }
  if (c === "^") {
    if (pos + 1 >= text.length) return fail("bad escape \\^ at the end of input", pos);
    const code = text.codePointAt(pos + 1)!;
    return [code & 31, pos + (code > 0xffff ? 3 : 2)]; // erl_scan: any character at all, `band 31`
  }
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c]!, pos + 1];
  const code = literal(text, pos, fail);
  return [code, pos + (code > 0xffff ? 2 : 1)];
}

/** The character at `pos` as written in the file. */
function literal(text: string, pos: number, fail: Fail): number {
  const code = text.codePointAt(pos)!;
  return isChar(code) ? code : fail(`illegal character U+${code.toString(16).toUpperCase().padStart(4, "0")}`, pos);
}
