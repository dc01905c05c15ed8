/** Term text limits Erlang itself has: what we read must be what file:consult reads. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GenAppupError } from "../../src/errors.js";
import { parseAppup } from "../../src/plan/appup.js";
import { atom, int, str, tuple, type Term } from "../../src/term/term.js";
import { decodeConsultFile, parseOneTerm, parseTerms } from "../../src/term/text.js";

test("an atom of more than 255 characters is refused, as erl_scan refuses it; 255 is fine", () => {
  assert.equal(parseOneTerm(`'${"a".repeat(255)}'.`, "t").t, "atom");
  for (const text of [`'${"é".repeat(256)}'.`, `${"a".repeat(256)}.`]) {
    assert.throws(
      () => parseOneTerm(text, "x.appup"),
      (e: unknown) => e instanceof GenAppupError && /line 1, column 1: atom of 256 characters/.test(e.message),
    );
  }
});

test("characters as erl_scan reads them: C1 controls are white space; a BOM, U+2028, U+FFFE are not", () => {
  const terms = (text: string) => parseTerms(decodeConsultFile(new TextEncoder().encode(text), "t.config"), "t");
  assert.deepEqual(terms("{a,\u00851}.\u00a0"), [tuple(atom("a"), int(1))]);
  assert.deepEqual(terms('"a\u2028b".'), [str("a\u2028b")], "inside a string any character is fine");
  for (const [text, why] of [
    ["\ufeff{a,1}.", /illegal character U\+FEFF|unexpected character/],
    ["{a,\ufeff1}.", /unexpected character/],
    ["{a,\u20281}.", /unexpected character/],
    ['"\\x{D800}".', /bad escape \\x\{D800\}/],
    ["'\\x{DFFF}'.", /bad escape/],
    ['"\ufffe".', /illegal character U\+FFFE/],
    ["a. % \uffff\n", /illegal character U\+FFFF/],
    ["1.0e400.", /bad float 1\.0e400/],
    ["fun a:b/256.", /arity is at most 255/],
  ] as const) {
    assert.throws(
      () => terms(text),
      (e: unknown) => e instanceof GenAppupError && why.test(e.message) && !e.message.includes("\n"),
      text,
    );
  }
  assert.deepEqual(terms("1.0e-400."), [{ t: "float", v: 0 }], "underflow is zero, as list_to_float reads it");
  assert.deepEqual(terms("# {a => 1}."), [{ t: "map", v: [[atom("a"), int(1)]] }], "# and { are two tokens");
  assert.deepEqual(terms("{(a)}."), [tuple(atom("a"))]);
});

test("terms nest as deep as file:consult reads them; what we write stops at 1,000 levels, naming the file", () => {
  const deep = (n: number) => "[".repeat(n) + "]".repeat(n) + ".";
  let t = parseOneTerm(deep(50_000), "deep.config");
  for (let i = 0; i < 49_999; i++) t = (t as { v: Term[] }).v[0]!;
  assert.deepEqual(t, { t: "list", v: [] });
  const appup = `{"0.2.0", [{"0.1.0", [{apply, {m, f, [${deep(2000).slice(0, -1)}]}}]}], []}.`;
  assert.throws(
    () => parseAppup(parseOneTerm(appup, "shop.appup"), "rel/appups/shop/0.1.0_to_0.2.0.appup"),
    (e: unknown) =>
      e instanceof GenAppupError &&
      e.message ===
        "rel/appups/shop/0.1.0_to_0.2.0.appup: a term nests 2006 levels deep; gen-appup writes terms up to 1000",
  );
});

test("messages stay on one line and short: control characters escaped, long values cut", () => {
  const e = new GenAppupError("/tmp/a\nb", `bad value ${"x".repeat(5000)}`);
  assert.ok(!e.message.includes("\n"));
  assert.ok(e.message.startsWith("/tmp/a\\nb: bad value xxx"));
  assert.ok(e.message.length < 700 && e.message.endsWith("more characters)"), e.message.slice(-40));
});
