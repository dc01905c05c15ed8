import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { relupText } from "../../src/emit/relup.js";
import { GenAppupError } from "../../src/errors.js";
import { parseAppup } from "../../src/plan/appup.js";
import { makeRelup } from "../../src/plan/relup.js";
import { readRelease } from "../../src/read/release.js";
import { parseOneTerm } from "../../src/term/text.js";
import { oracle, tempDir } from "../helpers/erlang.js";
import { appupsOf, asSystools } from "../helpers/relups.js";

/** A release root with version 1.0 (app a 1.0: m1, m2) and 1.1 (a 1.1: m1, m2, m3), and a's appup text. */
function scenario(dir: string, name: string, appup: string | undefined, opts: { sasl?: boolean } = {}): string {
  const root = join(dir, name);
  const otp = (sasl: boolean) => `{kernel,"8.5.3"},{stdlib,"4.2"}${sasl ? ',{sasl,"4.2"}' : ""}`;
  const file = (rel: string, text: string) => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  const app = (n: string, v: string, mods: string[], uses: string[]) =>
    file(
      `lib/${n}-${v}/ebin/${n}.app`,
      `{application,${n},[{description,"${n}"},{vsn,"${v}"},{modules,[${mods.join(",")}]},` +
        `{registered,[]},{applications,[${uses.join(",")}]}]}.\n`,
    );
  app("kernel", "8.5.3", [], []);
  app("stdlib", "4.2", [], ["kernel"]);
  app("sasl", "4.2", [], ["kernel", "stdlib"]);
  app("a", "1.0", ["m1", "m2"], ["kernel", "stdlib"]);
  app("a", "1.1", ["m1", "m2", "m3"], ["kernel", "stdlib"]);
  file("releases/1.0/r.rel", `{release,{"r","1.0"},{erts,"13.1.5"},[${otp(true)},{a,"1.0"}]}.\n`);
  file("releases/1.1/r.rel", `{release,{"r","1.1"},{erts,"13.1.5"},[${otp(opts.sasl ?? true)},{a,"1.1"}]}.\n`);
  if (appup !== undefined) file("lib/a-1.1/ebin/a.appup", appup);
  return root;
}

const CASES: [name: string, appup: string | undefined, ours: RegExp, opts?: { sasl?: boolean }][] = [
  [
    "missing-appup",
    undefined,
    /\/lib\/a-1\.1\/ebin\/a\.appup: is missing: a changes from 1\.0 to 1\.1, so systools needs its appup \(no_relup\)$/,
  ],
  [
    "no-entry",
    '{"1.1",[{"0.9",[]}],[{"1.0",[]}]}.',
    /\/lib\/a-1\.1\/ebin\/a\.appup: has no up entry for a 1\.0 \(no_relup\)$/,
  ],
  [
    "muldef",
    '{"1.1",[{"1.0",[{load_module,m1},{update,m1,soft}]}],[{"1.0",[]}]}.',
    /ebin\/a\.appup: has more than one instruction for module m1: muldef_module/,
  ],
  [
    "undef",
    '{"1.1",[{"1.0",[{load_module,m1,[m2]}]}],[{"1.0",[]}]}.',
    /ebin\/a\.appup: module m1 lists m2 in its DepMods, but m2 has no instruction in this upgrade \(undef_module\)$/,
  ],
  [
    "no-such-module",
    '{"1.1",[{"1.0",[{load_module,ghost}]}],[{"1.0",[]}]}.',
    /\/lib\/a-1\.1\/ebin\/a\.appup: loads module ghost, which no application's \.app lists \(no_such_module\)$/,
  ],
  [
    "conflicting",
    '{"1.1",[{"1.0",[{load_object_code,{a,"0.9",[m2]}},point_of_no_return,{load_module,m1}]}],[{"1.0",[]}]}.',
    /application a is loaded at two versions, (0\.9 and 1\.1 \(conflicting_versions\)|1\.1 and 0\.9)/,
  ],
  [
    "bad-supervisor",
    '{"1.1",[{"1.0",[{update,m1,supervisor,[]}]}],[{"1.0",[]}]}.',
    /\/ebin\/a\.appup: bad instruction \{update,m1,supervisor,\[\]\}$/,
  ],
  [
    "bad-shape",
    '{"1.1",[{"1.0",[{load_module,"m1"}]}],[{"1.0",[]}]}.',
    /\/ebin\/a\.appup: bad instruction \{load_module,"m1"\}$/,
  ],
  [
    "unknown-op",
    '{"1.1",[{"1.0",[{frobnicate,m1}]}],[{"1.0",[]}]}.',
    /\/ebin\/a\.appup: bad instruction \{frobnicate,m1\}$/,
  ],
  [
    "before-ponr",
    '{"1.1",[{"1.0",[{load_module,m1},point_of_no_return]}],[{"1.0",[]}]}.',
    new RegExp(
      "/lib/a-1\\.1/ebin/a\\.appup: \\{load_module,m1\\} comes before point_of_no_return, " +
        "where only load_object_code and apply may \\(bad_op_before_point_of_no_return\\)$",
    ),
  ],
  [
    "two-ponr",
    '{"1.1",[{"1.0",[point_of_no_return,{apply,{io,nl,[]}},point_of_no_return]}],[{"1.0",[]}]}.',
    /more than one point_of_no_return/,
  ],
  [
    "no-such-app",
    '{"1.1",[{"1.0",[{restart_application,zzz}]}],[{"1.0",[]}]}.',
    /\/lib\/a-1\.1\/ebin\/a\.appup: names application zzz, which is not in the release \(no_such_application\)$/,
  ],
  [
    "missing-sasl",
    '{"1.1",[{"1.0",[]}],[{"1.0",[]}]}.',
    /release r 1\.1 has no sasl application, which release_handler needs \(systools: missing_sasl\)/,
    { sasl: false },
  ],
];

test("every error systools raises is a clear gen-appup error naming the app and module, as systools agrees", () => {
  const dir = tempDir("relup-errors");
  const roots = CASES.map(([name, appup, , opts]) => scenario(dir, name, appup, opts));
  const lines = roots.map((root) => {
    mkdirSync(join(root, "out"));
    return [
      join(root, "out"),
      join(root, "releases/1.1/r"),
      join(root, "releases/1.0/r"),
      join(root, "lib/*/ebin"),
      "",
    ].join("|");
  });
  writeFileSync(join(dir, "list"), lines.join("\n"));
  oracle("make_relups", join(dir, "list"));
  CASES.forEach(([name, , ours], i) => {
    const root = roots[i]!;
    const theirs = readFileSync(join(root, "out/result"), "utf8");
    assert.match(theirs, /^\{error,/, `${name}: systools rejects it too`);
    assert.doesNotMatch(theirs, /Missing parameter/, `${name}: for the same reason`);
    const to = readRelease(root, { vsn: "1.1" });
    assert.throws(
      () => makeRelup([readRelease(root, { vsn: "1.0" })], to, appupsOf(to)),
      (e: unknown) => {
        assert.ok(e instanceof GenAppupError, `${name}: ${String(e)}`);
        assert.match(e.message, ours, name);
        return true;
      },
    );
  });
});

test("systools' warnings become findings: erts_vsn_changed and bad_vsn", () => {
  const dir = tempDir("relup-warn");
  const root = scenario(dir, "warn", '{<<"1\\\\.1">>,[{"1.0",[{load_module,m1}]}],[{"1.0",[{load_module,m1}]}]}.');
  writeFileSync(
    join(root, "releases/1.1/r.rel"),
    readFileSync(join(root, "releases/1.1/r.rel"), "utf8").replace("13.1.5", "99.0"),
  );
  const appup = parseOneTerm(readFileSync(join(root, "lib/a-1.1/ebin/a.appup"), "utf8"), "a.appup");
  const { relup, warnings } = makeRelup(
    [readRelease(root, { vsn: "1.0" })],
    readRelease(root, { vsn: "1.1" }),
    new Map([["a", parseAppup(appup, "a.appup")]]),
  );
  assert.deepEqual(warnings.map((w) => w.code).sort(), ["bad_vsn", "bad_vsn", "erts_changed", "erts_changed"]);
  assert.match(
    warnings.find((w) => w.code === "bad_vsn")!.message,
    /a\.appup names version <<"1\\\\.1">>, but a is 1\.1 \(bad_vsn\)/,
  );
  mkdirSync(join(root, "out"));
  oracle(
    "make_relup",
    join(root, "out"),
    "lenient",
    join(root, "releases/1.1/r"),
    join(root, "releases/1.0/r"),
    "@path",
    join(root, "lib/*/ebin"),
  );
  assert.match(readFileSync(join(root, "out/result"), "utf8"), /^\{ok,\[\{erts_vsn_changed,.*bad_vsn/s);
  assert.equal(
    asSystools(relupText(relup)),
    readFileSync(join(root, "out/relup"), "utf8"),
    "restart_new_emulator first, as systools places it",
  );
});
