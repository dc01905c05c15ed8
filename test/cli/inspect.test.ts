import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { cli } from "../helpers/cli.js";
import { ROOT, tempDir } from "../helpers/erlang.js";
import { tarWith } from "../helpers/tar.js";
import { mixShop, rebarShop } from "../helpers/fixtures.js";

test("inspect --json prints one JSON object per module of a release", () => {
  const shop = mixShop();
  const r = cli(["inspect", "--json", shop.tarball]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const ebin = join(shop.root, "lib/shop-0.1.0/ebin");
  assert.ok(rows.length > 500);
  for (const row of rows) {
    for (const key of ["file", "module", "md5", "behaviours", "exports", "imports", "attributes"])
      assert.ok(key in row, `${key} in ${JSON.stringify(row)}`);
    assert.match(row.md5 as string, /^[0-9a-f]{32}$/);
  }
  // A reader that stops after the first line closes the pipe: no stack trace, success.
  const head = spawnSync(
    "sh",
    ["-c", `"${process.execPath}" "${join(ROOT, "bin/gen-appup.cjs")}" inspect --json "${shop.tarball}" | head -1`],
    {
      encoding: "utf8",
    },
  );
  assert.equal(head.stderr, "");
  assert.equal(head.stdout.split("\n").length, 2);
  const cart = rows.find((x) => x.module === "Elixir.Shop.Cart")!;
  assert.deepEqual(cart.behaviours, ["Elixir.GenServer"]);
  assert.ok((cart.exports as string[]).includes("code_change/3"));
  assert.ok((cart.imports as string[]).includes("Elixir.Shop.Price:total/1"));
  assert.equal(cart.app, "shop");
  assert.equal(cart.file, `${shop.tarball}:lib/shop-0.1.0/ebin/Elixir.Shop.Cart.beam`);
  assert.equal(
    rows.filter((x) => x.app === "shop").length,
    readdirSync(ebin).filter((f) => f.endsWith(".beam")).length,
  );
  assert.ok(rows.some((x) => (x.file as string).includes("/consolidated/Elixir.Shop.Format.beam")));
});

test("inspect reads .beam files and ebin directories, in words", () => {
  const ebin = join(rebarShop().root, "lib/rshop-0.1.0/ebin");
  const r = cli(["inspect", join(ebin, "rshop_counter.beam"), ebin]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /rshop_counter\.beam\n {2}module {6}rshop_counter\n {2}md5 {9}[0-9a-f]{32}\n {2}behaviours {2}gen_server\n/,
  );
  assert.equal(
    r.stdout.match(/^ {2}module /gm)?.length,
    1 + readdirSync(ebin).filter((f) => f.endsWith(".beam")).length,
  );
});

test("bad input exits 1 with one line naming the file: no stack trace, no hang", () => {
  const dir = tempDir("clibad");
  const good = readFileSync(join(rebarShop().root, "lib/rshop-0.1.0/ebin/rshop_counter.beam"));
  const badSize = Buffer.from(good);
  badSize.writeUInt32BE(0x00ffffff, 16);
  const files: Record<string, Buffer> = {
    "truncated.beam": good.subarray(0, good.length / 2),
    "garbled.beam": Buffer.from(good.map((b, i) => (i > 20 ? b ^ 0x5a : b))),
    "badsize.beam": badSize,
    "gzip.beam": gzipSync(Buffer.from("FOR1 but not really")),
    "empty.beam": Buffer.alloc(0),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);

  const rel = join(dir, "rel");
  cpSync(mixShop().root, rel, { recursive: true });
  writeFileSync(
    join(rel, "lib/inventory-0.1.0/ebin/inventory.app"),
    '{application, inventory, [{vsn, "0.1.0"}, {modules, [a b]}]}.\n',
  );
  const noRel = join(dir, "norel");
  cpSync(rebarShop().root, noRel, { recursive: true });
  copyFileSync(join(noRel, "releases/start_erl.data"), join(noRel, "releases/start_erl.data.bak"));
  writeFileSync(join(noRel, "releases/start_erl.data"), "13.1.5 0.9.9");

  const cases: [string, RegExp][] = [
    ...Object.keys(files).map((n): [string, RegExp] => [join(dir, n), new RegExp(`^gen-appup: ${join(dir, n)}: `)]),
    [rel, /^gen-appup: .*lib\/inventory-0\.1\.0\/ebin\/inventory\.app: line 1, column \d+: syntax error before "b"/],
    [noRel, /^gen-appup: .*releases\/0\.9\.9: has no \.rel file/],
    [join(dir, "missing.rel"), /^gen-appup: .*missing\.rel: does not exist/],
    [join(dir, "dotdot.tar.gz"), /^gen-appup: .*dotdot\.tar\.gz: member "\.\.\/escape" points outside the archive/],
    [join(dir, "absolute.tar.gz"), /^gen-appup: .*absolute\.tar\.gz: member "\/etc\/x" has an absolute path/],
  ];
  writeFileSync(join(dir, "dotdot.tar.gz"), tarWith("../escape"));
  writeFileSync(join(dir, "absolute.tar.gz"), tarWith("/etc/x"));
  for (const [path, pattern] of cases) {
    const r = cli(["inspect", path]);
    assert.equal(r.code, 1, `${path}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
  }
});

test("usage errors exit 2 with one line that says where the usage is", () => {
  for (const args of [[], ["inspect"], ["inspect", "--bogus", "x"], ["--frobnicate"]]) {
    const r = cli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, /^gen-appup: .+ \(gen-appup --help shows the usage\)\n$/);
  }
  assert.equal(cli(["--help"]).code, 0);
  // --help anywhere: the command's own usage.
  assert.match(cli(["inspect", "--help"]).stdout, /^gen-appup inspect PATH\.\.\. \[--json\]\n/);
  assert.match(cli(["verify", "old", "new", "-h"]).stdout, /^gen-appup verify \[OLD\] NEW/);
  assert.match(cli(["some/release", "--dry-run", "--help"]).stdout, /^Usage:\n/);
  assert.equal(cli(["-v"]).stdout, cli(["--version"]).stdout);
  // In our words, not Node's.
  assert.equal(
    cli(["x", "--frobnicate"]).stderr,
    "gen-appup: unknown option --frobnicate (gen-appup --help shows the usage)\n",
  );
  assert.equal(cli(["x", "--out"]).stderr, "gen-appup: --out needs a value (gen-appup --help shows the usage)\n");
  // After "--", a path may start with a dash.
  const dashed = cli(["--dry-run", "--", "-no-such-release"]);
  assert.equal(dashed.code, 1);
  assert.match(dashed.stderr, /^gen-appup: -no-such-release: does not exist\n$/);
  assert.match(cli(["--version"]).stdout, /^\d+\.\d+\.\d+\n$/);
});
