/** Files written into a tarball: erl_tar (what release_handler extracts with) and GNU tar read it back. */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tarWith } from "../../src/emit/tar.js";
import { readTar } from "../../src/read/tar.js";
import { erlEval, run, tempDir } from "../helpers/erlang.js";

const long = `lib/${"a".repeat(90)}-1.0.0/ebin/${"b".repeat(60)}.appup`; // ustar's prefix and name
const longer = `lib/${"c".repeat(200)}/${"d".repeat(100)}/x.appup`; // a GNU long-name record

test("tarWith adds and replaces members, keeps the others byte for byte, and erl_tar and tar agree", () => {
  const dir = tempDir("tar");
  const src = join(dir, "src");
  mkdirSync(join(src, "bin"), { recursive: true });
  mkdirSync(join(src, "releases/1"), { recursive: true });
  writeFileSync(join(src, "bin/start"), "#!/bin/sh\n");
  chmodSync(join(src, "bin/start"), 0o755);
  writeFileSync(join(src, "releases/1/relup"), "old\n");
  const original = join(dir, "original.tar.gz");
  // As mix and relx pack a release: erl_tar, compressed, dereferenced.
  erlEval(
    `ok = file:set_cwd("${src}"), ` +
      `ok = erl_tar:create("${original}", ["bin/start", "releases/1/relup"], [compressed, dereference])`,
  );
  const added = [
    { path: "releases/1/relup", data: Buffer.from("new\n") },
    { path: "releases/app-1.rel", data: Buffer.from("{release, x}.\n") },
    { path: long, data: Buffer.from("long\n") },
    { path: longer, data: Buffer.from("longer\n") },
  ];
  const out = join(dir, "out.tar.gz");
  writeFileSync(out, tarWith(readFileSync(original), original, added, new Date()));

  const ours = readTar(readFileSync(out), out).files;
  assert.deepEqual(
    [...ours.keys()].sort(),
    ["bin/start", "releases/1/relup", "releases/app-1.rel", long, longer].sort(),
    "the replaced member is there once",
  );
  assert.equal(Buffer.from(ours.get("releases/1/relup")!).toString(), "new\n");

  const extracted = join(dir, "erl");
  mkdirSync(extracted);
  erlEval(`ok = erl_tar:extract("${out}", [compressed, {cwd, "${extracted}"}])`);
  for (const f of added) assert.equal(readFileSync(join(extracted, f.path), "utf8"), f.data.toString(), f.path);
  assert.equal(statSync(join(extracted, "bin/start")).mode & 0o777, 0o755, "the start script stays executable");

  const listed = run("tar", ["tzf", out]).trim().split("\n").sort();
  assert.deepEqual(listed, [...ours.keys()].sort());
});

test("tarWith keeps an uncompressed archive uncompressed", () => {
  const dir = tempDir("tar");
  const plain = join(dir, "plain.tar");
  writeFileSync(join(dir, "a"), "a\n");
  erlEval(`ok = file:set_cwd("${dir}"), ok = erl_tar:create("${plain}", ["a"], [])`);
  const out = tarWith(readFileSync(plain), plain, [{ path: "b", data: Buffer.from("b\n") }], new Date());
  assert.notEqual(out[0], 0x1f, "not gzipped");
  assert.deepEqual([...readTar(out, "out.tar").files.keys()], ["a", "b"]);
});
