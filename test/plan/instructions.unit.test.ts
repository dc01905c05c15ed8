/** Every instruction form systools accepts parses, expands as systools_rc does, and prints back shortest. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromTerm, instructionText, toTerm } from "../../src/plan/instructions.js";
import { GenAppupError } from "../../src/errors.js";
import { termLine } from "../../src/term/print.js";
import { parseOneTerm } from "../../src/term/text.js";

/** [as written, as gen-appup writes it back] */
const FORMS: [string, string][] = [
  ["{load_module,m}", "{load_module,m}"],
  ["{load_module,m,[a]}", "{load_module,m,[a]}"],
  ["{load_module,m,brutal_purge,brutal_purge,[]}", "{load_module,m}"],
  ["{load_module,m,soft_purge,brutal_purge,[a]}", "{load_module,m,soft_purge,brutal_purge,[a]}"],
  ["{update,m}", "{update,m,soft}"],
  ["{update,m,supervisor}", "{update,m,supervisor}"],
  ["{update,m,{advanced,x}}", "{update,m,{advanced,x}}"],
  ["{update,m,[a]}", "{update,m,soft,[a]}"],
  ["{update,m,soft,[a]}", "{update,m,soft,[a]}"],
  ["{update,m,soft,soft_purge,soft_purge,[]}", "{update,m,soft,soft_purge,soft_purge,[]}"],
  ["{update,m,5000,soft,brutal_purge,brutal_purge,[]}", "{update,m,dynamic,5000,soft,brutal_purge,brutal_purge,[]}"],
  [
    "{update,m,static,default,soft,brutal_purge,brutal_purge,[]}",
    "{update,m,static,default,soft,brutal_purge,brutal_purge,[]}",
  ],
  ["{add_module,m}", "{add_module,m}"],
  ["{delete_module,m,[a]}", "{delete_module,m,[a]}"],
  ["{add_application,a}", "{add_application,a,permanent}"],
  ["{remove_application,a}", "{remove_application,a}"],
  ["{restart_application,a}", "{restart_application,a}"],
  ["{apply,{m,f,[1]}}", "{apply,{m,f,[1]}}"],
  ["point_of_no_return", "point_of_no_return"],
  ["restart_new_emulator", "restart_new_emulator"],
  ['{load_object_code,{a,"1.0",[m]}}', '{load_object_code,{a,"1.0",[m]}}'],
  ["{load,{m,brutal_purge,soft_purge}}", "{load,{m,brutal_purge,soft_purge}}"],
  ["{suspend,[m,{n,infinity}]}", "{suspend,[m,{n,infinity}]}"],
  ["{code_change,up,[{m,[]}]}", "{code_change,up,[{m,[]}]}"],
  ["{sync_nodes,id,[n@h]}", "{sync_nodes,id,[n@h]}"],
];

test("every instruction form parses and prints back in its shortest equal form", () => {
  for (const [written, back] of FORMS) {
    const i = fromTerm(parseOneTerm(`${written}.`, "t"), "t");
    assert.equal(instructionText(i), back, written);
    assert.deepEqual(fromTerm(toTerm(i), "t"), i, `${written}: round trip`);
  }
});

test("instructions systools rejects are rejected, naming the file and the term", () => {
  for (const bad of [
    "{load_module}",
    "{update,m,supervisor,[a]}",
    "{load_module,m,soft,soft,[]}",
    "{frobnicate,m}",
    "42",
  ]) {
    assert.throws(
      () => fromTerm(parseOneTerm(`${bad}.`, "t"), "x.appup"),
      (e: unknown) =>
        e instanceof GenAppupError &&
        e.message === `x.appup: bad instruction ${termLine(parseOneTerm(`${bad}.`, "t"))}`,
      bad,
    );
  }
});
