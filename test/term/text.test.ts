import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { formatTerm } from "../../src/term/print.js";
import { GenAppupError } from "../../src/errors.js";
import { decodeEtf } from "../../src/read/etf.js";
import { atom, bin, int, str, tuple, list, type Term } from "../../src/term/term.js";
import { decodeConsultFile, parseOneTerm, parseTerms } from "../../src/term/text.js";
import { filesUnder, oracle, otpRoot, tempDir } from "../helpers/erlang.js";
import { mixShop, rebarShop } from "../helpers/fixtures.js";
import { sameTerm } from "../helpers/terms.js";

const TERM_FILE = /\.(app|rel|appup|script)$|^(relup|RELEASES)$/;

const termFiles = () => [
  ...filesUnder(join(otpRoot(), "lib"), (n) => TERM_FILE.test(n)),
  ...filesUnder(join(otpRoot(), "releases"), (n) => TERM_FILE.test(n)),
  ...filesUnder(mixShop().root, (n) => TERM_FILE.test(n)),
  ...filesUnder(rebarShop().root, (n) => TERM_FILE.test(n)),
];

const ours = (text: string) =>
  parseTerms(text, "t")
    .map((t) => formatTerm(t) + ".\n")
    .join("");

test("every .app, .rel, .appup and .script of OTP and the fixture releases parses as file:consult reads it", () => {
  const files = termFiles();
  assert.ok(files.filter((f) => f.endsWith(".appup")).length > 20, "OTP's own appups are part of the corpus");
  assert.ok(
    files.some((f) => f.includes("/shop/releases/0.1.0/shop.rel")) && files.some((f) => f.endsWith("rshop.rel")),
  );
  const dir = tempDir("consult");
  writeFileSync(join(dir, "list"), files.join("\n"));
  oracle("consult_dump", join(dir, "list"), dir);
  const parsed: string[] = [],
    printed: string[] = [];
  files.forEach((f, i) => {
    if (existsSync(join(dir, `${i}.error`))) return; // Erlang itself cannot read it
    const expected = decodeEtf(readFileSync(join(dir, `${i}.etf`)));
    const text = decodeConsultFile(readFileSync(f), f);
    const terms: Term = { t: "list", v: parseTerms(text, f) };
    if (!sameTerm(terms, expected)) parsed.push(f);
    else if (ours(text) !== readFileSync(join(dir, `${i}.txt`), "utf8")) printed.push(f);
  });
  assert.deepEqual(parsed, [], "parsed differently from file:consult");
  assert.deepEqual(printed, [], 'printed differently from io_lib:format("~tp.~n")');
});

test("file:consult of our printed output gives back the same terms", () => {
  const files = termFiles();
  const dir = tempDir("roundtrip");
  writeFileSync(join(dir, "list"), files.join("\n"));
  oracle("consult_dump", join(dir, "list"), dir);
  const pairs = files.flatMap((f, i) => {
    if (!existsSync(join(dir, `${i}.etf`))) return [];
    writeFileSync(join(dir, `${i}.ours`), ours(decodeConsultFile(readFileSync(f), f)));
    return [`${join(dir, `${i}.ours`)} ${join(dir, `${i}.etf`)}`];
  });
  writeFileSync(join(dir, "pairs"), pairs.join("\n"));
  oracle("consult_check", join(dir, "pairs"), join(dir, "result"));
  const bad = readFileSync(join(dir, "result"), "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("ok "));
  assert.deepEqual(bad, []);
});

/** Shapes gen-appup writes, beyond what OTP ships: long module lists, nesting, binaries, unicode. */
function generatedShapes(): Term[] {
  const mods = Array.from({ length: 60 }, (_, i) => atom(i % 3 ? `mod_${i}` : `Elixir.MyApp.Module${i}.Server`));
  const purge = [atom("brutal_purge"), atom("soft_purge")];
  const up: Term[] = mods.flatMap((m, i) => [
    tuple(atom("load_module"), m, purge[i % 2]!, purge[(i + 1) % 2]!, list(mods.slice(i + 1, i + 4))),
    tuple(
      atom("update"),
      m,
      tuple(atom("advanced"), list([tuple(atom("from"), str("0.1.0")), tuple(atom("to"), bin("0.2.0"))])),
      list(mods.slice(0, i % 5)),
    ),
  ]);
  up.push(
    tuple(atom("apply"), tuple(atom("io"), atom("format"), list([str("héllo ~ts~n"), list([bin("naïve café")])]))),
  );
  up.push(atom("point_of_no_return"), tuple(atom("add_application"), atom("ünïcode_app"), atom("permanent")));
  const appup = tuple(
    str("0.2.0"),
    list([tuple(str("0.1.0"), list(up)), tuple(bin("0\\.1\\.[0-9]+"), list([]))]),
    list([tuple(str("0.1.0"), list(up.slice().reverse()))]),
  );
  const relup = tuple(
    str("2.0.0"),
    list([
      tuple(
        str("1.0.0"),
        list([]),
        list([
          tuple(atom("load_object_code"), tuple(atom("shop"), str("2.0.0"), list(mods))),
          atom("point_of_no_return"),
          ...mods.map((m) => tuple(atom("load"), tuple(m, atom("brutal_purge"), atom("brutal_purge")))),
        ]),
      ),
    ]),
    list([]),
  );
  const releases = list([
    tuple(
      atom("release"),
      str("shop"),
      str("0.1.0"),
      str("13.1.5"),
      list(
        ["kernel-8.5.3", "stdlib-4.2", "shop-0.1.0", "ünïcode-1.0.0"].map((d) =>
          tuple(atom(d.split("-")[0]!), str(d.split("-")[1]!), str(`lib/${d}`)),
        ),
      ),
      atom("permanent"),
    ),
  ]);
  const rel = tuple(
    atom("release"),
    tuple(str("shop"), str("0.1.0")),
    tuple(atom("erts"), str("13.1.5")),
    list([
      tuple(atom("kernel"), str("8.5.3"), atom("permanent")),
      tuple(atom("iex"), str("1.14.0"), atom("none")),
      tuple(atom("app"), str("1.0"), atom("load"), list([atom("inc")])),
    ]),
  );
  const odd = tuple(
    atom("sizes"),
    int(-12345678901234567890123456789n),
    { t: "float", v: 1.5e-7 },
    { t: "bin", v: Uint8Array.from([1, 2, 255]), bits: 3 },
    { t: "list", v: [atom("a")], tail: atom("b") },
  );
  return [appup, relup, releases, rel, odd];
}

test('for the shapes gen-appup writes, our printer gives what io_lib:format("~tp.~n") gives, byte for byte', () => {
  const dir = tempDir("shapes");
  const text = generatedShapes()
    .map((t) => formatTerm(t) + ".\n")
    .join("");
  writeFileSync(join(dir, "ours"), text);
  oracle("format_terms", join(dir, "ours"), join(dir, "erlang"));
  assert.equal(text, readFileSync(join(dir, "erlang"), "utf8"));
});

test("lexical forms file:consult accepts", () => {
  const [t] = parseTerms(
    `%% a comment
    {"abc" "def", $a, $\\n, $\\s, 16#FF, 2#1010, 36#zz, 1_000, -5, +7, 1.5e3, 2.0E-2, 'a\\'b', <<"é"/utf8>>,
     [a|b], #{k => v}, "\\x{1F600}\\x41\\101\\^A\\e\\d\\s", fun lists:map/2, node@host, 'end',
     <<1,2:4>>, <<256:16/little>>, 1.0e-3}.`,
    "t",
  );
  const expected = parseTerms(
    `{"abcdef",97,10,32,255,10,1295,1000,-5,7,1500.0,0.02,'a\\'b',<<195,169>>,[a|b],#{k=>v},
      [128512,65,65,1,27,127,32],fun lists:map/2,node@host,'end',<<1,2:4>>,<<0,1>>,0.001}.`,
    "t",
  );
  assert.ok(sameTerm(t!, expected[0]!), formatTerm(t!));
  assert.deepEqual(parseTerms("", "t"), []);
  assert.deepEqual(parseTerms("a. b.\n", "t").length, 2);
});

test("malformed term text fails with the file, line and what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["{a, b", /line 1.*unexpected end of input/],
    ["{a, b}", /unexpected end of input/],
    ["{a,\n X}.", /line 2, column 2: variable X is not allowed/],
    ["'it''s'.", /syntax error before "'s'"/],
    ['"unterminated.', /line 1, column 1: unterminated string/],
    ["{a, 1 + 2}.", /syntax error before "\+"/],
    ["case.", /reserved word case/],
    ["<<X>>.", /variable X/],
    ["a. b", /unexpected end of input/],
    ["16#ZZ.", /bad based integer/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => parseTerms(text, "bad.app"),
      (e: unknown) => e instanceof GenAppupError && e.file === "bad.app" && pattern.test(e.detail),
      text,
    );
  }
  assert.throws(() => parseOneTerm("a. b.", "two.rel"), /two.rel: expected one term, found 2/);
  assert.throws(() => decodeConsultFile(Uint8Array.from([0x7b, 0xff, 0x7d]), "x.app"), /not valid UTF-8/);
  assert.equal(
    decodeConsultFile(Uint8Array.from([...new TextEncoder().encode("%% coding: latin-1\n"), 0xe9]), "l.app").at(-1),
    "é",
  );
});

test("a large relup-sized term parses and prints in linear time", () => {
  const big = list(
    Array.from({ length: 20_000 }, (_, i) =>
      tuple(atom("load"), tuple(atom(`m${i}`), atom("brutal_purge"), atom("brutal_purge"))),
    ),
  );
  const text = formatTerm(big) + ".\n";
  const t0 = performance.now();
  const [back] = parseTerms(text, "big");
  assert.ok(sameTerm(back!, big));
  assert.ok(performance.now() - t0 < 5000, "parsing 20,000 instructions took over 5 s");
});
