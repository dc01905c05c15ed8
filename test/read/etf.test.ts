import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { deflateSync } from "node:zlib";
import { formatTerm } from "../../src/term/print.js";
import { GenAppupError } from "../../src/errors.js";
import { decodeEtf } from "../../src/read/etf.js";
import { erlEval, oracle, tempDir } from "../helpers/erlang.js";
import type { Term } from "../../src/term/term.js";

const COUNT = 1500;

test(`a corpus of ${COUNT} random Erlang terms decodes to what Erlang printed`, () => {
  const dir = tempDir("etf");
  oracle("etf_corpus", dir, String(COUNT), "20261122");
  const wrong: string[] = [];
  for (let i = 1; i <= COUNT; i++) {
    const expected = readFileSync(join(dir, `${i}.txt`), "utf8");
    const ours = formatTerm(decodeEtf(readFileSync(join(dir, `${i}.etf`)))) + ".\n";
    if (ours !== expected) wrong.push(`#${i}\n--- erlang\n${expected}--- ours\n${ours}`);
  }
  assert.equal(wrong.length, 0, wrong.slice(0, 3).join("\n"));
});

test("malformed ETF fails with a clear error, never a hang", () => {
  const cases: [number[], RegExp][] = [
    [[], /first byte is missing/],
    [[130, 97, 1], /expected 131/],
    [[131, 108, 0, 0, 0, 5, 97], /truncated|longer than its data/],
    [[131, 108, 0xff, 0xff, 0xff, 0xff, 106], /longer than its data/],
    [[131, 200], /unknown term tag 200/],
    [[131, 97, 1, 2], /stray bytes/],
    [[131, 80, 0, 0, 0, 10, 1, 2, 3], /does not inflate/],
    [[131, 119, 2, 0xff, 0xfe], /not valid UTF-8/],
  ];
  for (const [bytes, pattern] of cases) {
    assert.throws(
      () => decodeEtf(Uint8Array.from(bytes)),
      (e: unknown) => e instanceof GenAppupError && pattern.test(e.detail),
      String(bytes),
    );
  }
});

test("nesting is bounded by the data only, and a chain of lists in list tails decodes in linear time", () => {
  const depth = 200_000;
  const deep = [131, ...Array(depth).fill([108, 0, 0, 0, 1]).flat(), 106, ...Array(depth).fill(106)];
  let t = decodeEtf(Uint8Array.from(deep));
  for (let i = 0; i < depth; i++) t = (t as { v: Term[] }).v[0]!;
  assert.deepEqual(t, { t: "list", v: [] });
  // [1 | [2 | [3 | ...]]] written one cons cell per LIST_EXT: the flat list Erlang reads.
  const chain = [131, ...Array(depth).fill([108, 0, 0, 0, 1, 97, 7]).flat(), 106];
  const flat = decodeEtf(Uint8Array.from(chain));
  assert.ok(flat.t === "list" && flat.v.length === depth && !flat.tail);
  const payload = deflateSync(Buffer.alloc(1 << 20));
  const bomb = Buffer.concat([Buffer.from([131, 80, 0, 0x10, 0, 0]), payload]);
  assert.throws(() => decodeEtf(bomb, { maxInflated: 1000 }), /over the 1000-byte limit/);
});

test("closures, pids and references decode as opaque values and the rest of the term still decodes", () => {
  const dir = tempDir("opaque");
  const file = join(dir, "t.etf");
  erlEval(
    `X = 7, F = fun(Y) -> X + Y end, ` +
      `file:write_file(${JSON.stringify(file)}, term_to_binary([F, 42, {self(), make_ref(), F, ok}]))`,
  );
  const t = decodeEtf(readFileSync(file));
  assert.ok(t.t === "list" && t.v.length === 3);
  assert.deepEqual(t.v[0], { t: "opaque", kind: "closure" });
  assert.deepEqual(t.v[1], { t: "int", v: 42n });
  assert.deepEqual(t.v[2], {
    t: "tuple",
    v: [
      { t: "opaque", kind: "pid" },
      { t: "opaque", kind: "ref" },
      { t: "opaque", kind: "closure" },
      { t: "atom", v: "ok" },
    ],
  });
  assert.throws(() => formatTerm(t), /a closure cannot be written as Erlang term text/);
});
