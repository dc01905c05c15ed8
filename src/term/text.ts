/**
 * Erlang term text, as `file:consult/1` reads it: `.app`, `.rel`, `.appup`, `relup`, `RELEASES`,
 * `.script`, `sys.config`. The grammar is typescript-parsec over our own lexer (lexer.ts) and
 * the few combinators written for speed (combinators.ts); literal binaries are built in bits.ts.
 */
import { createRequire } from "node:module";
import type { Parser, ParserOutput, TokenPosition } from "typescript-parsec";
import { GenAppupError } from "../errors.js";
import { buildBinary, type SegValue } from "./bits.js";
import { byKind, enclosed, leaf, many, nested, sepBy, value } from "./combinators.js";
import { K, lex, type Tok } from "./lexer.js";
import { bitSize, type Term } from "./term.js";

// Loaded with require: through `import`, Node's ESM loader first scans every CommonJS file of the
// package for its exports, which doubles its load time (about 10 ms of every run).
const { alt_sc, apply, expectEOF, expectSingleResult, kleft, kright, opt_sc, rule, seq, tok } = createRequire(
  import.meta.url,
)("typescript-parsec") as typeof import("typescript-parsec");

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
    // A byte order mark is kept: erl_scan refuses it as it refuses any stray character.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
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

const LEAF = rule<K, Term>();
const TERM = nested(LEAF);
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

const funTerm = apply(
  seq(kright(tok(K.Fun), atom), kright(tok(K.Colon), atom), kright(tok(K.Slash), value<bigint>(K.Int))),
  ([m, f, a]): Term => {
    if (a > 255n) throw new Error(`fun ${m}:${f}/${a}: an arity is at most 255`);
    return { t: "fun", m, f, a: Number(a) };
  },
);

const nestedBin = rule<K, Term>();
const segValue: Parser<K, SegValue> = alt_sc(
  apply(string, (v): SegValue => ({ kind: "str", v })),
  apply(nestedBin, (b): SegValue => {
    const bin = b as Term & { t: "bin" };
    return { kind: "bin", v: bin.v, bits: bitSize(bin) };
  }),
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
nestedBin.setPattern(binTerm);

const number = alt_sc(
  apply(float, (v): Term => ({ t: "float", v })),
  apply(int, (v): Term => ({ t: "int", v })),
);
LEAF.setPattern(
  byKind<Term>(
    {
      [K.Atom]: leaf(K.Atom, (t): Term => ({ t: "atom", v: t.value as string })),
      [K.Int]: leaf(K.Int, (t): Term => ({ t: "int", v: t.value as bigint })),
      [K.Char]: leaf(K.Char, (t): Term => ({ t: "int", v: BigInt(t.value as number) })),
      [K.Float]: leaf(K.Float, (t): Term => ({ t: "float", v: t.value as number })),
      [K.Minus]: number,
      [K.Plus]: number,
      [K.Str]: apply(string, (v): Term => ({ t: "list", v: v.map((c) => ({ t: "int", v: BigInt(c) })) })),
      [K.BinOpen]: binTerm,
      [K.Fun]: funTerm,
    },
    "a term",
  ),
);
