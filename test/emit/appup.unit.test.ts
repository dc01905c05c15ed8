/** Appups written and read back: the marker, the layout, regular-expression keys, and the typed value unchanged. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { appupText } from "../../src/emit/appup.js";
import { GENERATED_MARKER, entryFor, parseAppup } from "../../src/plan/appup.js";
import { GenAppupError } from "../../src/errors.js";
import { parseOneTerm } from "../../src/term/text.js";

const read = (text: string) => parseAppup(parseOneTerm(text, "a.appup"), "a.appup");

test("an appup prints with the coding line and our marker, and reads back the same", () => {
  const appup = read('{"2",[{"1",[{load_module,m,[n]}]},{<<"1\\\\..*">>,[]}],[{"1",[]}]}.');
  const text = appupText(appup);
  assert.ok(text.startsWith(`%% coding: utf-8\n${GENERATED_MARKER}\n{"2",`));
  assert.deepEqual(read(text), appup);
  assert.equal(entryFor(appup.up, "1.5")?.from.kind, "regex");
  assert.equal(entryFor(appup.up, "1")?.instructions.length, 1);
  assert.equal(entryFor(appup.up, "2"), undefined);
});

test("what is not an appup is refused with the file named", () => {
  for (const bad of ["{a,b}.", '{"2",[x],[]}.', '{"2",[{"1",[{bogus}]}],[]}.', '{"2",[{1,[]}],[]}.']) {
    assert.throws(
      () => read(bad),
      (e: unknown) => e instanceof GenAppupError && e.file === "a.appup",
      bad,
    );
  }
});
