/** Term text limits Erlang itself has: what we read must be what file:consult reads. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GenAppupError } from "../../src/errors.js";
import { parseOneTerm } from "../../src/term/text.js";

test("an atom of more than 255 characters is refused, as erl_scan refuses it; 255 is fine", () => {
  assert.equal(parseOneTerm(`'${"a".repeat(255)}'.`, "t").t, "atom");
  for (const text of [`'${"é".repeat(256)}'.`, `${"a".repeat(256)}.`]) {
    assert.throws(
      () => parseOneTerm(text, "x.appup"),
      (e: unknown) => e instanceof GenAppupError && /line 1, column 1: atom of 256 characters/.test(e.message),
    );
  }
});
