/** Release files read from memory: names and versions that would leave their directory are refused. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GenAppupError } from "../../src/errors.js";
import { readReleaseFrom } from "../../src/read/release.js";
import { memorySource } from "../../src/read/source.js";
import { readOverrides } from "../../src/releases.js";
import { decodeEtf } from "../../src/read/etf.js";
import { appupText } from "../../src/emit/appup.js";
import { memoryRelease } from "../helpers/memory.js";

const rel = (text: string) =>
  readReleaseFrom(memorySource("mem", new Map([["releases/1/r.rel", new TextEncoder().encode(text)]])), { vsn: "1" });

test("a release version or application name that could leave its directory is refused, naming the file", () => {
  for (const [text, what] of [
    ['{release,{"r","../../x"},{erts,"13.1"},[]}.', /release version "\.\.\/\.\.\/x" cannot be part of a path/],
    ['{release,{"r","1"},{erts,"13.1"},[{\'../a\',"1"}]}.', /application name "\.\.\/a" cannot be part of a path/],
    ['{release,{"r","1"},{erts,"13.1"},[{a,".."}]}.', /version of a "\.\." cannot be part of a path/],
  ] as const) {
    assert.throws(
      () => rel(text),
      (e: unknown) => e instanceof GenAppupError && e.file === "mem:releases/1/r.rel" && what.test(e.detail),
      text,
    );
  }
});

test("a review copy gen-appup saved (it carries the marker) is not read back as a hand-written appup", () => {
  const to = memoryRelease({ name: "r", vsn: "2", apps: [{ name: "a", vsn: "2", modules: {} }] });
  const dir = mkdtempSync(join(tmpdir(), "overrides-"));
  try {
    mkdirSync(join(dir, "a"));
    const appup = { vsn: "2", up: [{ from: { kind: "exact" as const, vsn: "1" }, instructions: [] }], down: [] };
    writeFileSync(join(dir, "a/1_to_2.appup"), appupText(appup));
    writeFileSync(join(dir, "a/0_to_2.appup"), '{"2",[{"0",[]}],[{"0",[]}]}.');
    assert.deepEqual([...readOverrides(dir, to).keys()], ["a/0"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a big integer of 300 KB decodes in linear time, to the right value", () => {
  const n = 300_000;
  const bytes = new Uint8Array(7 + n);
  bytes.set([131, 111, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, 1]);
  bytes[7 + n - 1] = 1; // the highest byte: -(2^(8*(n-1)))
  const start = performance.now();
  const t = decodeEtf(bytes);
  // Byte-by-byte shifting took over a minute here; one hex parse takes milliseconds.
  assert.ok(performance.now() - start < 5000, "far under the quadratic cost");
  assert.equal(t.t === "int" && t.v === -(1n << BigInt(8 * (n - 1))), true);
});
