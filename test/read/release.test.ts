import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { GenAppupError } from "../../src/errors.js";
import { parseBeam } from "../../src/read/beam.js";
import { readRelease, releaseVersions, type Release } from "../../src/read/release.js";
import { oracle, tempDir } from "../helpers/erlang.js";
import { mixShop, rebarShop, type BuiltRelease } from "../helpers/fixtures.js";
import { tarWith } from "../helpers/tar.js";

const forms = (b: BuiltRelease): [string, string][] => [
  ["root", b.root],
  ["releases/VSN", join(b.root, "releases", b.vsn)],
  [".rel", join(b.root, "releases", b.vsn, `${b.name}.rel`)],
  ["tarball", b.tarball],
];

const summary = (r: Release) => ({
  name: r.name,
  vsn: r.vsn,
  erts: r.erts,
  runtimeConfig: r.runtimeConfig,
  apps: r.apps.map((a) => ({
    name: a.name,
    vsn: a.vsn,
    type: a.type,
    dir: a.dir,
    modules: a.spec.modules,
    beams: a.beams.map((b) => b.module),
  })),
  consolidated: r.consolidated.map((b) => b.module),
});

test("the mix release (Elixir app with a path dependency) reads the same in all four forms", () => {
  const shop = mixShop();
  const [first, ...rest] = forms(shop).map(([form, path]) => [form, summary(readRelease(path))] as const);
  const r = first![1];
  assert.equal(r.name, "shop");
  assert.equal(r.vsn, "0.1.0");
  assert.match(r.erts, /^\d+\.\d+/);
  assert.deepEqual(r.apps.map((a) => a.name).slice(0, 4), ["kernel", "stdlib", "elixir", "sasl"]);
  const app = r.apps.find((a) => a.name === "shop")!;
  assert.deepEqual(
    [...app.modules].sort(),
    [
      "Application",
      "Billing",
      "Cart",
      "Checkout",
      "Door",
      "Format",
      "Format.Integer",
      "Ledger",
      "Legacy",
      "Native",
      "Orders",
      "Ping",
      "Pong",
      "Price",
      "RoomChannel",
      "Round",
      "Supervisor",
      "Tax",
    ].map((m) => `Elixir.Shop.${m}`),
  );
  assert.deepEqual([...app.beams].sort(), [...app.modules].sort());
  assert.equal(
    r.apps.find((a) => a.name === "inventory")?.vsn,
    "0.1.0",
    "the path dependency is an application of the release",
  );
  assert.equal(r.apps.find((a) => a.name === "iex")?.type, "none");
  assert.ok(r.consolidated.includes("Elixir.Shop.Format") && r.consolidated.includes("Elixir.Enumerable"));
  assert.equal(r.runtimeConfig, false);
  assert.equal(readRelease(shop.root).configProviders, false);
  for (const [form, s] of rest) assert.deepEqual(s, r, `${form} reads differently from the root`);
  const spec = readRelease(shop.root).apps.find((a) => a.name === "shop")!.spec;
  assert.equal(spec.mod?.module, "Elixir.Shop.Application");
  assert.ok(spec.applications.includes("inventory"));
});

test("the rebar3/relx release reads the same in all four forms", () => {
  const rshop = rebarShop();
  const summaries = forms(rshop).map(([form, path]) => [form, summary(readRelease(path))] as const);
  for (const [form, s] of summaries) assert.deepEqual(s, summaries[0]![1], form);
  const r = readRelease(rshop.tarball);
  const app = r.apps.find((a) => a.name === "rshop")!;
  assert.deepEqual(app.spec.registered, ["rshop_sup", "rshop_counter", "rshop_clock"]);
  assert.equal(r.consolidated.length, 0);
});

test("md5 equals beam_lib:md5 for the stripped beams inside the mix release", () => {
  const r = readRelease(mixShop().root);
  const files = r.apps
    .flatMap((a) => a.beams.map((b) => r.source.describe(b.path)))
    .concat(r.consolidated.map((b) => r.source.describe(b.path)));
  const dir = tempDir("relmd5");
  writeFileSync(join(dir, "list"), files.join("\n"));
  oracle("md5", join(dir, "list"), join(dir, "out"));
  const expected = new Map(
    readFileSync(join(dir, "out"), "utf8")
      .trim()
      .split("\n")
      .map((l) => [l.slice(33), l.slice(0, 32)]),
  );
  const stripped = files.filter((f) => !parseBeam(readFileSync(f), f).order.includes("Dbgi"));
  assert.ok(stripped.length > 100, "mix release beams are stripped");
  for (const f of files) assert.equal(parseBeam(readFileSync(f), f).md5, expected.get(f), f);
});

test("a root holding several versions resolves to start_erl.data unless one is selected", () => {
  const shop = mixShop();
  const root = join(tempDir("multi"), "shop");
  cpSync(shop.root, root, { recursive: true });
  // A second version, as mix leaves old ones in place: releases/0.0.9 with its own .rel.
  mkdirSync(join(root, "releases/0.0.9"));
  const rel = readFileSync(join(root, "releases/0.1.0/shop.rel"), "utf8").replace('"shop","0.1.0"', '"shop","0.0.9"');
  writeFileSync(join(root, "releases/0.0.9/shop.rel"), rel);
  assert.deepEqual(releaseVersions(root), ["0.0.9", "0.1.0"]);
  assert.equal(readRelease(root).vsn, "0.1.0");
  assert.equal(readRelease(root, { vsn: "0.0.9" }).vsn, "0.0.9");
  assert.equal(readRelease(join(root, "releases/0.0.9")).vsn, "0.0.9");
});

function expectError(path: string, file: RegExp, detail: RegExp): void {
  assert.throws(
    () => readRelease(path),
    (e: unknown) => {
      assert.ok(e instanceof GenAppupError, String(e));
      assert.match(e.file, file);
      assert.match(e.detail, detail);
      return true;
    },
  );
}

test("bad releases fail with a GenAppupError that names the file", () => {
  const shop = mixShop();
  const dir = tempDir("badrel");
  const copy = (name: string) => (cpSync(shop.root, join(dir, name), { recursive: true }), join(dir, name));

  const badApp = copy("bad-app");
  writeFileSync(join(badApp, "lib/shop-0.1.0/ebin/shop.app"), '{application, shop, [{vsn, "0.1.0"}');
  expectError(badApp, /lib\/shop-0\.1\.0\/ebin\/shop\.app$/, /unexpected end of input/);

  const wrongVsn = copy("wrong-vsn");
  writeFileSync(
    join(wrongVsn, "lib/shop-0.1.0/ebin/shop.app"),
    '{application, shop, [{vsn, "9.9.9"}, {modules, []}]}.\n',
  );
  expectError(wrongVsn, /shop\.app$/, /its vsn is "9.9.9" but the .rel says "0.1.0"/);

  const noRel = copy("no-rel");
  writeFileSync(join(noRel, "releases/0.1.0/shop.rel.bak"), "");
  copyFileSync(join(noRel, "releases/0.1.0/shop.rel"), join(noRel, "releases/0.1.0/shop.rel.bak"));
  writeFileSync(join(noRel, "releases/start_erl.data"), "13.1.5 0.2.0");
  expectError(noRel, /releases\/0\.2\.0$/, /has no \.rel file/);

  const noLib = copy("no-lib");
  cpSync(join(noLib, "lib/shop-0.1.0"), join(noLib, "moved"), { recursive: true });
  writeFileSync(
    join(noLib, "releases/0.1.0/shop.rel"),
    readFileSync(join(noLib, "releases/0.1.0/shop.rel"), "utf8").replace('{shop,"0.1.0"', '{shop,"0.1.1"'),
  );
  expectError(noLib, /lib\/shop-0\.1\.1$/, /is missing: the \.rel lists shop 0\.1\.1/);

  expectError(join(dir, "nothing-here"), /nothing-here$/, /does not exist/);
  expectError(shop.root + "/lib", /\/lib$/, /is not a release/);
});

test("tarballs with unsafe or damaged members are refused with the member named", () => {
  const dir = tempDir("badtar");
  const cases: [string, Buffer, RegExp][] = [
    ["dotdot.tar.gz", tarWith("../../etc/passwd"), /member "..\/..\/etc\/passwd" points outside the archive/],
    ["absolute.tar.gz", tarWith("/etc/passwd"), /member "\/etc\/passwd" has an absolute path/],
    ["garbage.tar.gz", Buffer.from("not a gzip file at all"), /corrupt tar header|truncated/],
    ["truncated.tar.gz", readFileSync(mixShop().tarball).subarray(0, 5000), /not a valid gzip file/],
  ];
  for (const [name, bytes, pattern] of cases) {
    writeFileSync(join(dir, name), bytes);
    expectError(join(dir, name), new RegExp(`${name.replace(".", "\\.")}$`), pattern);
  }
});
