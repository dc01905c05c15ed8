/**
 * The parser combinators term files spend their time in, written for speed beside
 * typescript-parsec's: `rep_sc` copies the accumulated list at every element, and seq, alt_sc and
 * kmid build candidate lists and failures at every token (the `.app` files of 4,500 modules took
 * ~50 ms through them, ~20 ms through these).
 */
import type { Parser, ParserOutput, Token } from "typescript-parsec";
import { K, type Tok } from "./lexer.js";

/** Like rep_sc, but linear: appends to one array and keeps the first candidate. */
export function many<T>(p: Parser<K, T>): Parser<K, T[]> {
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
export function sepBy<T>(p: Parser<K, T>, sep: K): Parser<K, T[]> {
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
export function byKind<T>(table: Partial<Record<K, Parser<K, T>>>, expected: string): Parser<K, T> {
  return {
    parse(token) {
      const p = token && table[(token as Tok).kind];
      if (p) return p.parse(token);
      return expecting(token, expected);
    },
  };
}

/** One token of `kind`, made into a value: tok + apply in one step, for the tokens most terms are made of. */
export function leaf<T>(kind: K, make: (t: Tok) => T): Parser<K, T> {
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
export function enclosed<T>(open: K, inner: Parser<K, T>, close: K): Parser<K, T | undefined> {
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

export const value = <V>(kind: K) => leaf(kind, (t) => t.value as V);
