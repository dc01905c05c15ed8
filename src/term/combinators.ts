/**
 * The parser combinators term files spend their time in, written for speed beside
 * typescript-parsec's: `rep_sc` copies the accumulated list at every element, and seq, alt_sc and
 * kmid build candidate lists and failures at every token (the `.app` files of 4,500 modules took
 * ~50 ms through them, ~20 ms through these).
 */
import type { Parser, ParserOutput, Token } from "typescript-parsec";
import { K, type Tok } from "./lexer.js";
import { mapPairs, type Term } from "./term.js";

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

/** A list, tuple, map or parenthesized term being read: its elements so far, and what comes next in it. */
interface Open {
  open: K.LBrack | K.LBrace | K.Hash | K.LParen;
  items: Term[];
  /** A map's key waiting for its value; a list after `|` waiting for its tail. */
  phase: "item" | "value" | "tail";
  pairs: [Term, Term][];
  /** Closing brackets still to come: `[a | [b | [c]]]` is read as one list, in linear time. */
  closes: number;
}

const CLOSE = { [K.LBrack]: K.RBrack, [K.LBrace]: K.RBrace, [K.Hash]: K.RBrace, [K.LParen]: K.RParen } as const;

/**
 * Terms with lists, tuples and maps around the terms `leaf` reads, the containers kept on an
 * explicit stack: file:consult (a yecc parser) reads terms nested thousands deep, which recursive
 * descent cannot.
 */
export function nested(leaf: Parser<K, Term>): Parser<K, Term> {
  return {
    parse(first) {
      const stack: Open[] = [];
      let at = first as Tok | undefined;
      for (;;) {
        let term: Term;
        const kind = at?.kind;
        const inTail = stack[stack.length - 1]?.phase === "tail";
        if (kind === K.LBrack && inTail && at!.next?.kind !== K.RBrack) {
          const top = stack[stack.length - 1]!;
          top.phase = "item";
          top.closes++;
          at = at!.next;
          continue;
        }
        if (kind === K.Hash && at!.next?.kind !== K.LBrace) return expecting(at!.next, "{");
        if (kind === K.LParen) {
          stack.push({ open: kind, items: [], phase: "item", pairs: [], closes: 1 });
          at = at!.next;
          continue;
        }
        if (kind === K.LBrack || kind === K.LBrace || kind === K.Hash) {
          const body = kind === K.Hash ? at!.next!.next : at!.next; // `#` and `{` are two tokens
          if (body?.kind !== CLOSE[kind]) {
            stack.push({ open: kind, items: [], phase: "item", pairs: [], closes: 1 });
            at = body;
            continue;
          }
          term =
            kind === K.LBrack ? { t: "list", v: [] } : kind === K.LBrace ? { t: "tuple", v: [] } : { t: "map", v: [] };
          at = body.next;
        } else {
          const out = leaf.parse(at);
          if (!out.successful || out.candidates.length === 0) return out;
          term = out.candidates[0]!.result;
          at = out.candidates[0]!.nextToken as Tok | undefined;
        }
        // Put the term in the containers it ends, innermost first, until one wants another term.
        for (;;) {
          const top = stack[stack.length - 1];
          if (!top)
            return {
              successful: true,
              candidates: [{ firstToken: first, nextToken: at, result: term }],
              error: undefined,
            };
          if (top.open === K.Hash && top.phase === "item") {
            if (at?.kind !== K.Arrow) return expecting(at, "=>");
            top.items.push(term);
            top.phase = "value";
            at = at.next;
            break;
          }
          if (top.phase === "value") {
            top.pairs.push([top.items.pop()!, term]);
            top.phase = "item";
          } else top.items.push(term);
          if (top.phase !== "tail" && top.open !== K.LParen && at?.kind === K.Comma) {
            at = at.next;
            break;
          }
          if (top.open === K.LBrack && top.phase === "item" && at?.kind === K.Bar) {
            top.phase = "tail";
            at = at.next;
            break;
          }
          for (let n = top.closes; n > 0; n--) {
            if (at?.kind !== CLOSE[top.open]) return expecting(at, K[CLOSE[top.open]]);
            at = at.next;
          }
          stack.pop();
          term = closed(top);
        }
      }
    },
  };
}

function closed(c: Open): Term {
  if (c.open === K.LParen) return c.items[0]!;
  if (c.open === K.LBrace) return { t: "tuple", v: c.items };
  if (c.open === K.Hash) return { t: "map", v: mapPairs(c.pairs) };
  if (c.phase !== "tail") return { t: "list", v: c.items };
  const tail = c.items.pop()!;
  const v = c.items;
  if (tail.t !== "list") return { t: "list", v, tail };
  // `[a | [b, c]]` is the list [a, b, c]: Erlang has no other.
  for (const x of tail.v) v.push(x);
  return tail.tail ? { t: "list", v, tail: tail.tail } : { t: "list", v };
}
