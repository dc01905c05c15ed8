/** Hostile and unlucky files: deep terms OTP loads, decompression bombs, FIFOs and devices, bad forms. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { GenAppupError } from "../../src/errors.js";
import { callsIn, records } from "../../src/plan/state.js";
import { beamMd5, parseBeam } from "../../src/read/beam.js";
import { LIMITS } from "../../src/read/limits.js";
import { readTar } from "../../src/read/tar.js";
import { cli } from "../helpers/cli.js";
import { erlEval, filesUnder, otpRoot, tempDir } from "../helpers/erlang.js";

const lists = () => readFileSync(filesUnder(join(otpRoot(), "lib"), (n) => n === "lists.beam")[0]!);

function refuses(fn: () => unknown, pattern: RegExp, file: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GenAppupError, String(e));
    assert.equal(e.file, file);
    assert.match(e.detail, pattern);
    return true;
  });
}

test("a 3,000-deep literal and its abstract code, which OTP compiles and loads, are read whole", () => {
  const dir = tempDir("deep");
  const beam = join(dir, "deep.beam");
  // Compiled with debug_info from forms: the literal, and a long list (its abstract code: a cons cell per element).
  erlEval(
    `T = lists:foldl(fun(_, A) -> [A] end, x, lists:seq(1, 3000)), ` +
      `Forms = [{attribute,1,module,deep}, {attribute,1,export,[{f,0},{init,1}]}, ` +
      `{function,1,f,0,[{clause,1,[],[],[erl_parse:abstract(T)]}]}, ` +
      `{function,2,init,1,[{clause,2,[{var,2,'_'}],[],[{call,2,{remote,2,{atom,2,ets},{atom,2,new}},` +
      `[{atom,2,t},erl_parse:abstract(lists:seq(1, 20000))]}]}]}], ` +
      `{ok, deep, Bin} = compile:forms(Forms, [debug_info]), ` +
      `{module, deep} = code:load_binary(deep, "deep.beam", Bin), ` +
      `ok = file:write_file(${JSON.stringify(beam)}, Bin)`,
  );
  const bytes = readFileSync(beam);
  const b = parseBeam(bytes, beam);
  assert.equal(beamMd5(bytes, beam), b.md5);
  assert.ok(b.namedAtoms.has("x"));
  let t = b.literals.find((l) => l.t === "list")!;
  for (let i = 0; i < 3000; i++) t = (t as { v: (typeof t)[] }).v[0]!;
  assert.deepEqual(t, { t: "atom", v: "x" });
  const forms = b.abstractCode!;
  assert.deepEqual([...callsIn(forms, "init", 1)], ["ets:new/2"]);
  assert.equal(records(forms).size, 0);
});

test("decompression bombs are refused at the stated limits: a gzipped beam, a literal table, a tarball", () => {
  const inflated = LIMITS.inflatedBytes + (1 << 20);
  refuses(() => parseBeam(gzipSync(Buffer.alloc(inflated)), "bomb.beam"), /inflates to more than 256 MiB/, "bomb.beam");
  // A literal table whose header claims 2 GiB.
  const good = Buffer.from(lists());
  const at = good.indexOf("LitT");
  const litt = Buffer.from(good);
  litt.writeUInt32BE(0x80000000, at + 8);
  refuses(() => parseBeam(litt, "litt.beam").literals, /LitT claims 2147483648 bytes, over 256 MiB/, "litt.beam");
  // A tarball of gzip members of zeros: a few hundred kilobytes that inflate past 1 GiB.
  const member = gzipSync(Buffer.alloc(64 << 20));
  const members = Math.ceil(LIMITS.tarballBytes / (64 << 20)) + 1;
  const bomb = Buffer.concat(Array.from({ length: members }, () => member));
  assert.ok(bomb.length < 2 << 20);
  const rss = process.memoryUsage.rss();
  refuses(() => readTar(bomb, "bomb.tar.gz"), /inflates to more than the 1 GiB limit/, "bomb.tar.gz");
  assert.ok(process.memoryUsage.rss() - rss < 1.5 * LIMITS.tarballBytes, "memory stays near the limit");
});

test("a beam whose IFF form is longer than the file is refused, as the loader does; bytes after it are fine", () => {
  const good = Buffer.from(lists());
  const longer = Buffer.from(good);
  longer.writeUInt32BE(good.readUInt32BE(4) + 4, 4);
  for (const read of [() => parseBeam(longer, "l.beam"), () => beamMd5(longer, "l.beam")])
    refuses(read, /its header gives \d+ bytes, the file has \d+/, "l.beam");
  const trailing = Buffer.concat([good, Buffer.alloc(4)]);
  assert.equal(beamMd5(trailing, "t.beam"), beamMd5(good, "g.beam"));
});

test("a FIFO, a device or a directory where a file belongs is an error naming it at once, never a hang", () => {
  const dir = tempDir("special");
  execFileSync("mkfifo", [join(dir, "fifo.beam")]);
  symlinkSync("/dev/zero", join(dir, "zero.tar.gz"));
  const ebin = join(dir, "ebin");
  mkdirSync(join(ebin, "dir.beam"), { recursive: true });
  writeFileSync(join(ebin, "a.beam"), lists());
  const cases: [string, string][] = [
    [join(dir, "fifo.beam"), `${join(dir, "fifo.beam")}: is not a regular file (a FIFO, socket or device)`],
    [join(dir, "zero.tar.gz"), `${join(dir, "zero.tar.gz")}: is not a regular file (a FIFO, socket or device)`],
    [ebin, `${join(ebin, "dir.beam")}: is a directory`],
  ];
  for (const [path, message] of cases) {
    const t0 = Date.now();
    const r = cli(["inspect", path]);
    assert.deepEqual([r.code, r.stderr], [1, `gen-appup: ${message}\n`]);
    assert.ok(Date.now() - t0 < 20_000);
  }
});
