/** The CLI's entry: the bundle through V8's code cache, which must never run code of another bundle. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, tempDir } from "../helpers/erlang.js";

test("the code cache is written by a command run and used only with the bundle it was made from", () => {
  const dir = tempDir("bin");
  mkdirSync(join(dir, "dist/cli"), { recursive: true });
  for (const f of ["package.json", "bin/gen-appup.cjs", "dist/cli/gen-appup.cjs"]) cpSync(join(ROOT, f), join(dir, f));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(dir, "bin/gen-appup.cjs"), ...args], { encoding: "utf8" });
  const bundle = join(dir, "dist/cli/gen-appup.cjs");
  const cache = `${bundle}.cache`;

  assert.equal(cli("--help").status, 0);
  assert.ok(!existsSync(cache), "not after --help: it compiled next to nothing");
  assert.equal(cli("inspect", join(ROOT, "fixtures/crafted/crafted_otp28.beam")).status, 0);
  assert.ok(existsSync(cache), "after a command");
  assert.match(cli("--help").stdout, /^Usage:/);

  // A bundle of the same length (V8 checks no more than that) with other code: the cache is not used.
  const text = readFileSync(bundle, "utf8");
  writeFileSync(bundle, text.replace("Usage:\n", "Usagf:\n"));
  assert.equal(readFileSync(bundle, "utf8").length, text.length);
  assert.match(cli("--help").stdout, /^Usagf:/);
});
