/** The Phoenix rules' instructions are accepted by systools:make_relup, which makes the same relup. */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { appupText } from "../../src/emit/appup.js";
import { relupText } from "../../src/emit/relup.js";
import { planUpgrade } from "../../src/plan/plan.js";
import { makeRelup } from "../../src/plan/relup.js";
import { readRelease } from "../../src/read/release.js";
import { oracle, tempDir } from "../helpers/erlang.js";
import { releaseFiles } from "../helpers/memory.js";
import { appupsOf, relupMismatch } from "../helpers/relups.js";
import { phoenixRelease } from "../helpers/phoenix.js";

for (const lv of ["0.20.17", "1.0.6"]) {
  test(`phoenix_live_view ${lv}: systools accepts the appup and makes our relup`, () => {
    const root = tempDir(`phoenix-${lv}`);
    for (const model of [phoenixRelease("0.1.0", lv, "1"), phoenixRelease("0.2.0", lv, "2")]) {
      for (const [path, bytes] of releaseFiles(model)) {
        mkdirSync(join(root, path, ".."), { recursive: true });
        writeFileSync(join(root, path), bytes);
      }
    }
    const [from, to] = [readRelease(root, { vsn: "0.1.0" }), readRelease(root, { vsn: "0.2.0" })];
    const plan = planUpgrade([from], to);
    for (const a of plan.appups) writeFileSync(join(root, a.path), appupText(a.appup));
    const ours = relupText(makeRelup([from], to, new Map(plan.appups.map((a) => [a.app, a.appup]))).relup);
    const out = tempDir("systools");
    oracle(
      "make_relup",
      out,
      "strict",
      join(root, "releases/0.2.0/web"),
      join(root, "releases/0.1.0/web"),
      "@path",
      join(root, "lib/*/ebin"),
    );
    assert.equal(readFileSync(join(out, "result"), "utf8"), "{ok,[]}.\n");
    const again = readRelease(root, { vsn: "0.2.0" });
    assert.equal(
      relupMismatch(ours, readFileSync(join(out, "relup"), "utf8"), again, [from], appupsOf(again)),
      undefined,
    );
  });
}
