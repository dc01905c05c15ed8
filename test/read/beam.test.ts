import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { beamMd5, parseBeam } from "../../src/read/beam.js";
import { formatTerm } from "../../src/term/print.js";
import { GenAppupError } from "../../src/errors.js";
import { elementsOf, textOf, type Term } from "../../src/term/term.js";
import { parseTerms } from "../../src/term/text.js";
import { elixirLibDir, filesUnder, oracle, otpRoot, tempDir } from "../helpers/erlang.js";

/** Every beam of the installed OTP and Elixir: about 2,000 files. */
const installed = () => [
  ...filesUnder(join(otpRoot(), "lib"), (n) => n.endsWith(".beam")),
  ...filesUnder(elixirLibDir(), (n) => n.endsWith(".beam")),
];

function erlangMd5s(files: string[]): Map<string, string> {
  const dir = tempDir("md5");
  writeFileSync(join(dir, "list"), files.join("\n"));
  oracle("md5", join(dir, "list"), join(dir, "out"));
  const out = new Map<string, string>();
  for (const line of readFileSync(join(dir, "out"), "utf8").split("\n").filter(Boolean)) {
    out.set(line.slice(33), line.slice(0, 32));
  }
  return out;
}

function assertMd5sMatch(files: string[]): void {
  const expected = erlangMd5s(files);
  const wrong = files.filter((f) => {
    const bytes = readFileSync(f);
    return parseBeam(bytes, f).md5 !== expected.get(f) || beamMd5(bytes, f) !== expected.get(f);
  });
  assert.deepEqual(wrong, [], `md5 differs from beam_lib:md5 for ${wrong.length} of ${files.length} beams`);
}

test("md5 equals beam_lib:md5 for every installed OTP and Elixir beam", () => {
  const files = installed();
  assert.ok(files.length > 1500, `only ${files.length} beams found`);
  assertMd5sMatch(files);
});

test("the atoms a beam names (atom table and literals) are those OTP decodes, for every installed beam", () => {
  const files = installed();
  const dir = tempDir("atoms");
  writeFileSync(join(dir, "list"), files.join("\n"));
  oracle("named_atoms", join(dir, "list"), join(dir, "out"));
  const hex = (a: string) => Buffer.from(a, "utf8").toString("hex");
  const lines = readFileSync(join(dir, "out"), "utf8").split("\n").filter(Boolean);
  assert.equal(lines.length, files.length);
  const wrong = lines.filter((line) => {
    const [f, ...expected] = line.split(" ");
    return [...parseBeam(readFileSync(f!), f!).namedAtoms].map(hex).sort().join(" ") !== expected.sort().join(" ");
  });
  assert.deepEqual(
    wrong.map((l) => l.split(" ")[0]),
    [],
    `named atoms differ for ${wrong.length} of ${files.length} beams`,
  );
});

test("md5 equals beam_lib:md5 for beam_lib:strip'ped and whole-file gzipped copies", () => {
  const files = installed();
  const dir = tempDir("strip");
  writeFileSync(join(dir, "list"), files.join("\n"));
  oracle("strip_copies", join(dir, "list"), dir);
  const copies = filesUnder(dir, (n) => n.endsWith(".beam"));
  assert.equal(copies.length, files.length * 2);
  assertMd5sMatch(copies);
  // A stripped beam hashes like its original (OTP 25's strip keeps Meta).
  const first = parseBeam(readFileSync(files[0]!), files[0]!).md5;
  assert.equal(parseBeam(readFileSync(join(dir, "0.stripped.beam")), "s").md5, first);
});

test("module facts: name, behaviours, exports, imports, vsn, on_load", () => {
  const lib = join(otpRoot(), "lib");
  const [rh] = filesUnder(lib, (n) => n === "release_handler.beam");
  const beam = parseBeam(readFileSync(rh!), rh!);
  assert.equal(beam.module, "release_handler");
  assert.deepEqual(beam.behaviours, ["gen_server"]);
  assert.ok(beam.exports.some(([f, a]) => f === "install_release" && a === 1));
  assert.ok(beam.imports.some(([m, f, a]) => m === "gen_server" && f === "call" && a === 3));
  assert.equal(beam.vsn?.t, "int", "the compiler's default vsn is the md5 as an integer");
  assert.equal((beam.vsn as { v: bigint }).v, BigInt("0x" + beam.md5));
  const [gs] = filesUnder(
    elixirLibDir(),
    (n) => n === "Elixir.Logger.Backends.Console.beam" || n === "Elixir.Registry.Supervisor.beam",
  );
  assert.ok(parseBeam(readFileSync(gs!), gs!).behaviours.some((b) => b.startsWith("Elixir.") || b === "gen_event"));
  const [crypto] = filesUnder(lib, (n) => n === "crypto.beam");
  const c = parseBeam(readFileSync(crypto!), crypto!);
  assert.ok(c.loadsNif);
  assert.deepEqual(c.onLoad, ["on_load", 0]);
});

test("bad beams fail with GenAppupError naming the file", () => {
  const [lists] = filesUnder(join(otpRoot(), "lib"), (n) => n === "lists.beam");
  const good = readFileSync(lists!);
  const cases: [string, Uint8Array, RegExp][] = [
    ["empty", new Uint8Array(0), /not a BEAM file/],
    ["text", new TextEncoder().encode("hello world, not a beam"), /not a BEAM file/],
    ["truncated", good.subarray(0, 200), /claims \d+ bytes|truncated/],
    ["gzip-garbage", Uint8Array.from([0x1f, 0x8b, 1, 2, 3, 4]), /does not decompress/],
  ];
  const badSize = Uint8Array.from(good);
  badSize.set([0x7f, 0xff, 0xff, 0xff], 16); // the first chunk's size field
  cases.push(["bad-size", badSize, /claims 2147483647 bytes/]);
  for (const [name, bytes, pattern] of cases) {
    for (const md5 of [() => parseBeam(bytes, `${name}.beam`).md5, () => beamMd5(bytes, `${name}.beam`)])
      assert.throws(md5, (e: unknown) => {
        assert.ok(e instanceof GenAppupError, `${name}: ${String(e)}`);
        assert.equal(e.file, `${name}.beam`);
        assert.match(e.detail, pattern);
        return true;
      });
  }
});

test("crafted beams: OTP 28 long atoms, uncompressed LitT, legacy Atom chunk", () => {
  const dir = join(import.meta.dirname, "../../fixtures/crafted");
  const expected = parseTerms(readFileSync(join(dir, "expected.txt"), "utf8"), "expected.txt");
  assert.equal(expected.length, 2);
  for (const e of expected) {
    const [file, md5, atoms, literals] = elementsOf({ t: "list", v: (e as { v: Term[] }).v })!;
    const beam = parseBeam(readFileSync(join(dir, textOf(file)!)), textOf(file)!);
    assert.equal(beam.md5, textOf(md5), `${textOf(file)} md5`);
    assert.deepEqual(
      beam.atoms,
      elementsOf(atoms)!.map((a) => (a as { v: string }).v),
    );
    assert.equal(beam.module, "crafted");
    assert.deepEqual(beam.exports.map(([f, a]) => `${f}/${a}`).sort(), [
      "adder/1",
      "literals/0",
      "module_info/0",
      "module_info/1",
      "naïve/0",
    ]);
    assert.equal(formatTerm({ t: "list", v: beam.literals }), formatTerm(literals!));
  }
  const long = parseBeam(readFileSync(join(dir, "crafted_otp28.beam")), "x").atoms.at(-1)!;
  assert.equal(new TextEncoder().encode(long).length, 300);
});
