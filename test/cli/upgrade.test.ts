import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { tarWith } from "../../src/emit/tar.js";
import { cli } from "../helpers/cli.js";
import { erlEval, filesUnder, oracle, run, tempDir } from "../helpers/erlang.js";
import { copyRoot, mixShop, rebarShop } from "../helpers/fixtures.js";
import { asSystools } from "../helpers/relups.js";

/** A copy of the base shop release whose new version 0.1.1 reuses 0.1.0's lib dirs but for `shopVsn` and `beams`. */
function derive(opts: { shopVsn: string; beams?: Record<string, string> }): { old: string; root: string } {
  const built = mixShop();
  const root = copyRoot(built, tempDir("cli"));
  const rel = readFileSync(join(root, "releases/0.1.0/shop.rel"), "utf8")
    .replace('{"shop","0.1.0"}', '{"shop","0.1.1"}')
    .replace('{shop,"0.1.0"', `{shop,"${opts.shopVsn}"`);
  cpSync(join(root, "releases/0.1.0"), join(root, "releases/0.1.1"), { recursive: true });
  writeFileSync(join(root, "releases/0.1.1/shop.rel"), rel);
  writeFileSync(
    join(root, "releases/start_erl.data"),
    readFileSync(join(root, "releases/start_erl.data"), "utf8").replace("0.1.0", "0.1.1"),
  );
  const lib = join(root, "lib", `shop-${opts.shopVsn}`);
  if (opts.shopVsn !== "0.1.0") {
    cpSync(join(root, "lib/shop-0.1.0"), lib, { recursive: true });
    const app = join(lib, "ebin/shop.app");
    writeFileSync(app, readFileSync(app, "utf8").replace('{vsn,"0.1.0"}', `{vsn,"${opts.shopVsn}"}`));
  }
  for (const [module, from] of Object.entries(opts.beams ?? {})) cpSync(from, join(lib, "ebin", `${module}.beam`));
  return { old: built.tarball, root };
}

const snapshot = (dir: string) =>
  filesUnder(dir, () => true)
    .map((f) => `${f} ${statSync(f).mtimeMs}`)
    .join("\n");

test("identical code in a stripped and an unstripped beam is no change", () => {
  const compiled = join(dirname(dirname(mixShop().root)), "lib/shop/ebin");
  const beams = Object.fromEntries(
    readdirSync(compiled)
      .filter((f) => f.endsWith(".beam"))
      .map((f) => [f.slice(0, -5), join(compiled, f)]),
  );
  const { old, root } = derive({ shopVsn: "0.1.1", beams });
  assert.ok(
    readFileSync(join(root, "lib/shop-0.1.1/ebin/Elixir.Shop.Cart.beam")).length >
      readFileSync(join(root, "lib/shop-0.1.0/ebin/Elixir.Shop.Cart.beam")).length,
    "the new beams are the unstripped ones",
  );
  const r = cli([old, root, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { applications: { name: string; up: Record<string, string[]> }[] };
  assert.deepEqual(
    plan.applications.map((a) => [a.name, a.up]),
    [["shop", { "0.1.0": [] }]],
  );
});

test("DepMods include the modules a module names as data: a server it calls by its module name", () => {
  // Two Erlang beams in the place of two of shop's modules: Tax calls the Price server through
  // gen_server:call, so Price is an argument (an atom), not a module Tax calls.
  const src = tempDir("depmods");
  writeFileSync(
    join(src, "Elixir.Shop.Price.erl"),
    "-module('Elixir.Shop.Price').\n-export([rate/0]).\nrate() -> 7.\n",
  );
  writeFileSync(
    join(src, "Elixir.Shop.Tax.erl"),
    "-module('Elixir.Shop.Tax').\n-export([rate/0]).\nrate() -> gen_server:call('Elixir.Shop.Price', rate).\n",
  );
  run("erlc", ["-o", src, join(src, "Elixir.Shop.Price.erl"), join(src, "Elixir.Shop.Tax.erl")]);
  const { old, root } = derive({
    shopVsn: "0.1.1",
    beams: {
      "Elixir.Shop.Price": join(src, "Elixir.Shop.Price.beam"),
      "Elixir.Shop.Tax": join(src, "Elixir.Shop.Tax.beam"),
    },
  });
  const r = cli([old, root, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { applications: { name: string; up: Record<string, string[]> }[] };
  assert.deepEqual(plan.applications.find((a) => a.name === "shop")!.up["0.1.0"], [
    "{load_module,'Elixir.Shop.Price'}",
    "{load_module,'Elixir.Shop.Tax',['Elixir.Shop.Price']}",
  ]);
});

test("a changed module in an application whose version did not change fails the run, naming both", () => {
  const changed = join(mixShop("chain").root, "lib/shop-0.2.0/ebin/Elixir.Shop.Round.beam");
  const { old, root } = derive({ shopVsn: "0.1.0", beams: { "Elixir.Shop.Round": changed } });
  const before = snapshot(root);
  const r = cli([old, root]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /error: module Elixir\.Shop\.Round changed but application shop is still version 0\.1\.0/);
  assert.match(r.stderr, /nothing written/);
  assert.equal(snapshot(root), before, "nothing is written");
  const allowed = cli([old, root, "--allow-unbumped", "--dry-run"]);
  assert.equal(allowed.code, 0, allowed.stdout);
  assert.match(allowed.stderr, /warning: module Elixir\.Shop\.Round changed/);
  const strict = cli([old, root, "--allow-unbumped", "--strict"]);
  assert.equal(strict.code, 3, "exit 3: warnings under --strict");
  assert.equal(snapshot(root), before, "--strict with warnings writes nothing");
});

test("--dry-run writes nothing; --json is the plan; --out writes elsewhere", () => {
  const built = mixShop("chain");
  const root = copyRoot(built, tempDir("cli"));
  const before = snapshot(root);
  const dry = cli([root, "--dry-run", "--json"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(snapshot(root), before);
  const plan = JSON.parse(dry.stdout) as {
    release: { vsn: string };
    from: { vsn: string }[];
    written: boolean;
    files: string[];
    applications: { name: string; up: Record<string, string[]> }[];
  };
  assert.equal(plan.release.vsn, "0.2.0");
  assert.deepEqual(
    plan.from.map((f) => f.vsn),
    ["0.1.0"],
  );
  assert.equal(plan.written, false);
  assert.deepEqual(
    plan.files.map((f) => f.slice(root.length + 1)),
    ["lib/shop-0.2.0/ebin/shop.appup", "releases/0.2.0/relup"],
  );
  assert.deepEqual(plan.applications[0]!.up["0.1.0"], [
    "{load_module,'Elixir.Shop.Round'}",
    "{load_module,'Elixir.Shop.Tax',['Elixir.Shop.Round']}",
    "{load_module,'Elixir.Shop.Price',['Elixir.Shop.Tax']}",
  ]);

  const out = tempDir("out");
  const r = cli([join(root, "releases/0.1.0"), root, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(snapshot(root), before, "--out leaves the release alone");
  assert.deepEqual(
    filesUnder(out, () => true).map((f) => f.slice(out.length + 1)),
    ["lib/shop-0.2.0/ebin/shop.appup", "releases/0.2.0/relup"],
  );
  assert.match(r.stdout, /^shop: 0\.1\.0 -> 0\.2\.0\n {2}shop 0\.1\.0 -> 0\.2\.0: 0 added, 3 changed, 0 deleted\n/);
  // The user took the appup written under --out for theirs (removed the marker): it is never overwritten.
  const appup = join(out, "lib/shop-0.2.0/ebin/shop.appup");
  writeFileSync(appup, readFileSync(appup, "utf8").split("\n").slice(2).join("\n"));
  const again = cli([join(root, "releases/0.1.0"), root, "--out", out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /shop\.appup: exists and is not one gen-appup wrote \(no marker line\)/);
});

test("the CLI needs no erl: relup generation runs with erl off the PATH", () => {
  const built = mixShop("chain");
  const root = copyRoot(built, tempDir("cli"));
  const r = cli([root], { ...process.env, PATH: dirname(process.execPath) });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!cli(["--version"], { PATH: dirname(process.execPath) }).stderr);
  // systools agrees with what was written without it.
  const sys = tempDir("sys");
  oracle(
    "make_relup",
    sys,
    "strict",
    join(root, "releases/0.2.0/shop"),
    join(root, "releases/0.1.0/shop"),
    "@path",
    join(root, "lib/*/ebin"),
  );
  assert.equal(
    asSystools(readFileSync(join(root, "releases/0.2.0/relup"), "utf8")),
    readFileSync(join(sys, "relup"), "utf8"),
  );
});

test("exit codes: 1 for bad input, 2 for usage", () => {
  const built = mixShop("chain");
  const missing = cli(["/nonexistent/old", built.root]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^gen-appup: \/nonexistent\/old: does not exist\n$/);
  assert.equal(cli([built.root, "--frobnicate"]).code, 2);
  assert.equal(cli([built.root, "--purge", "gentle"]).code, 2);
  assert.equal(cli([built.root, "--extra", "{unclosed"]).code, 2);
  assert.equal(cli([built.root, "--tar", "--out", tempDir("out")]).code, 2);
  const file = join(tempDir("out"), "a-file");
  writeFileSync(file, "");
  const notDir = cli([built.root, "--out", file]);
  assert.equal(notDir.code, 1);
  assert.match(notDir.stderr, /a-file: cannot write: it is a file, not a directory\n$/);
  if (existsSync("/proc")) {
    const proc = cli([built.root, "--out", "/proc/gen-appup-out"]);
    assert.deepEqual(
      [proc.code, proc.stderr],
      [1, "gen-appup: /proc/gen-appup-out: cannot write: does not exist\n"],
      "Node's recursive mkdir loops forever here",
    );
  }
  // With --json every failure is a JSON object on stdout as well.
  for (const [args, code, kind] of [
    [["/nonexistent/old", built.root, "--json"], 1, "input"],
    [[built.root, "--json", "--frobnicate"], 2, "usage"],
    [[built.root, "--json", "--out", file], 1, "input"],
    [[file, built.root, "--json"], 1, "input"],
  ] as const) {
    const r = cli([...args]);
    assert.equal(r.code, code, args.join(" "));
    const parsed = JSON.parse(r.stdout) as { error: { kind: string; message: string }; exit_code: number };
    assert.deepEqual([parsed.error.kind, parsed.exit_code], [kind, code]);
    assert.equal(`gen-appup: ${parsed.error.message}`, r.stderr.trimEnd().replace(/ \(gen-appup --help.*$/, ""));
  }
  const same = cli([built.tarballs["0.2.0"]!, built.tarballs["0.2.0"]!, "--dry-run"]);
  assert.equal(same.code, 1);
  assert.match(same.stderr, /holds no version below 0\.2\.0 to upgrade from/);
});

test("a module the .app lists without its beam is an error naming both, not a deleted module", () => {
  const { old, root } = derive({ shopVsn: "0.1.1" });
  rmSync(join(root, "lib/shop-0.1.1/ebin/Elixir.Shop.Cart.beam"));
  const r = cli([old, root, "--dry-run"]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(
    r.stderr,
    new RegExp(
      "^gen-appup: \\S+/lib/shop-0\\.1\\.1/ebin/Elixir\\.Shop\\.Cart\\.beam: " +
        "is missing: shop\\.app lists module Elixir\\.Shop\\.Cart\\n$",
    ),
  );
});

test("--purge and --extra shape the instructions", () => {
  const built = mixShop("genserver-state");
  const r = cli([
    built.tarballs["0.1.0"]!,
    built.tarballs["0.2.0"]!,
    "--dry-run",
    "--json",
    "--purge",
    "soft_purge",
    "--extra",
    '#{from => "0.1.0"}',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { applications: { up: Record<string, string[]> }[] };
  assert.deepEqual(plan.applications[0]!.up["0.1.0"], [
    "{update,'Elixir.Shop.Cart',{advanced,#{from => \"0.1.0\"}},soft_purge,soft_purge,[]}",
  ]);
});

test("what a hot upgrade will not do is said plainly; protocols are carried", () => {
  const built = mixShop("findings");
  const r = cli([built.tarballs["0.1.0"]!, built.tarballs["0.2.0"]!, "--dry-run", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as {
    findings: { level: string; code: string; module?: string; message: string }[];
  };
  const by = (code: string) => plan.findings.find((f) => f.code === code);
  assert.match(
    by("consolidated_protocols")!.message,
    /consolidated protocols changed \(Elixir\.Shop\.Format\): the appup of shop moves the code path/,
  );
  assert.equal(by("consolidated_protocols")!.level, "note", "carried by the appup, so nothing is left undone");
  assert.equal(by("nif_module")?.module, "Elixir.Shop.Native");
  assert.match(by("runtime_config_kept")!.message, /runs the config providers again once the code is loaded/);
  assert.match(by("runtime_config_env")!.message, /^runtime\.exs reads SHOP_GREETING:/);
  assert.deepEqual(
    plan.findings
      .filter((f) => f.level === "warning")
      .map((f) => f.code)
      .sort(),
    ["nif_module", "runtime_config_env", "unsuspended_processes"],
  );
  // Shop.Supervisor's children are a constant list and it registers its own name: the appup starts Shop.Clock.
  assert.equal(by("supervisor_children")!.level, "note");
  assert.match(
    by("supervisor_children")!.message,
    /^supervisor Elixir\.Shop\.Supervisor \(Elixir\.Shop\.Supervisor\) changes its children: .*'Elixir\.Shop\.Clock'/,
  );
  // The other way (0.2.0 to 0.1.0 as if it were an upgrade), the supervisor drops Shop.Clock.
  const swapped = [built.tarballs["0.2.0"]!, built.tarballs["0.1.0"]!, "--dry-run", "--json"];
  assert.equal(cli(swapped).code, 1, "OLD newer than NEW: given the other way round?");
  const back = cli([...swapped, "--allow", "newer_old_release"]);
  const dropped = (JSON.parse(back.stdout) as typeof plan).findings.find((f) => f.code === "supervisor_children");
  assert.match(dropped!.message, /terminates and deletes 'Elixir\.Shop\.Clock' before it/);
  assert.match(
    by("unsuspended_processes")!.message,
    /Elixir\.Shop\.RoomChannel \(Elixir\.Phoenix\.Channel\) changed: its processes run under Phoenix\.Channel\.Server/,
  );
  assert.equal(cli([built.tarballs["0.1.0"]!, built.tarballs["0.2.0"]!, "--dry-run", "--strict"]).code, 3);
  const dry = cli([built.tarballs["0.1.0"]!, built.tarballs["0.2.0"]!, "--dry-run"]);
  assert.match(dry.stdout, /^would write \S+shop-0\.2\.0\.tar\.gz:releases\/0\.2\.0\/relup \(--dry-run\)$/m);

  // An ERTS change: the relup restarts the emulator first, as systools makes it.
  const root = copyRoot(built, tempDir("cli"));
  const rel = join(root, "releases/0.2.0/shop.rel");
  writeFileSync(rel, readFileSync(rel, "utf8").replace(/\{erts,"[^"]+"\}/, '{erts,"99.0"}'));
  const e = cli([root, "--json"]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(
    (JSON.parse(e.stdout) as { findings: { code: string; message: string }[] }).findings.find(
      (f) => f.code === "erts_changed",
    )!.message,
    /ERTS changes from .* to 99\.0/,
  );
  assert.match(
    readFileSync(join(root, "releases/0.2.0/relup"), "utf8"),
    /^%% coding: utf-8\n%% Generated by gen-appup\..*\n\{"0\.2\.0",\n \[\{"0\.1\.0",\[\],\n\s+\[restart_new_emulator,/,
  );
});

test("a new Elixir in the release is reported: Elixir itself is not made to be hot-upgraded", () => {
  const { old, root } = derive({ shopVsn: "0.1.1" });
  const [elixir] = readdirSync(join(root, "lib")).filter((d) => d.startsWith("elixir-"));
  const bumped = `${elixir!.replace(/\d+$/, (n) => String(Number(n) + 1))}`;
  cpSync(join(root, "lib", elixir!), join(root, "lib", bumped), { recursive: true });
  const app = join(root, "lib", bumped, "ebin/elixir.app");
  const [from, to] = [elixir!.slice(7), bumped.slice(7)];
  writeFileSync(app, readFileSync(app, "utf8").replace(`{vsn,"${from}"}`, `{vsn,"${to}"}`));
  const rel = join(root, "releases/0.1.1/shop.rel");
  writeFileSync(rel, readFileSync(rel, "utf8").replace(`{elixir,"${from}"`, `{elixir,"${to}"`));
  const r = cli([old, root, "--dry-run", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as {
    findings: { code: string; message: string }[];
    applications: { name: string }[];
  };
  assert.match(
    plan.findings.find((f) => f.code === "toolchain_changed")!.message,
    new RegExp(
      `^elixir changes from ${from.replace(/\./g, "\\.")} to ${to.replace(/\./g, "\\.")}: ` +
        "Elixir itself is not made to be hot-upgraded",
    ),
  );
  assert.ok(
    plan.applications.some((a) => a.name === "elixir"),
    "an appup is still written, as systools needs one",
  );
});

test("an application changed without a version bump in one release root is an error, never silence", () => {
  const built = mixShop("unbumped-dep");
  const root = copyRoot(built, tempDir("cli"));
  // The old version is read from the tarball mix left: the change shows.
  const r = cli([root, "--dry-run", "--json"]);
  assert.equal(r.code, 1, r.stderr);
  const findings = (JSON.parse(r.stdout) as { findings: { level: string; code: string; module?: string }[] }).findings;
  assert.deepEqual(
    findings.filter((f) => f.level === "error").map((f) => [f.code, f.module]),
    [["unbumped_app", "Elixir.Inventory.Stock"]],
  );
  // Without the tarball, inventory's files are shared by both versions: it cannot be compared.
  rmSync(join(root, "../../shop-0.1.0.tar.gz"));
  const blind = cli([root, "--dry-run"]);
  assert.equal(blind.code, 1);
  assert.match(blind.stderr, /^error: inventory 0\.1\.0 is in both versions at \S+lib\/inventory-0\.1\.0: /m);
  assert.equal(cli([root, "--dry-run", "--allow-unverified"]).code, 0);
});

test("state the new code cannot read: a record under an identity code_change/3, init-only state", () => {
  const built = rebarShop("rebar-state");
  const [from, to] = [built.tarballs["0.1.0"]!, built.tarballs["0.2.0"]!];
  const r = cli([from, to, "--dry-run", "--json"]);
  assert.equal(r.code, 1, r.stderr);
  const findings = (
    JSON.parse(r.stdout) as { findings: { level: string; code: string; module?: string; message: string }[] }
  ).findings;
  const record = findings.find((f) => f.code === "state_record_changed")!;
  assert.deepEqual([record.level, record.module], ["error", "rshop_basket"]);
  assert.match(
    record.message,
    /record state changes from \{items\} to \{items, count\}, and its code_change\/3 returns/,
  );
  const init = findings.find((f) => f.code === "init_only_state")!;
  assert.deepEqual([init.level, init.module], ["warning", "rshop_rates"]);
  assert.match(init.message, /calls persistent_term:put\/2 in init\/1 but not in code_change\/3/);
  assert.equal(cli([from, to, "--dry-run", "--allow", "state_record_changed"]).code, 0, "--allow takes it on");
});

test("a relup gen-appup did not write (no marker) is never overwritten; --no-relup keeps it", () => {
  const { old, root } = derive({ shopVsn: "0.1.1" });
  const relup = join(root, "releases/0.1.1/relup");
  const handWritten = '{"0.1.1",[{"0.1.0",[],[point_of_no_return]}],[{"0.1.0",[],[point_of_no_return]}]}.\n';
  writeFileSync(relup, handWritten);
  const refused = cli([old, root]);
  assert.equal(refused.code, 1, refused.stdout);
  assert.equal(
    refused.stderr,
    `gen-appup: ${relup}: exists and is not one gen-appup wrote (no marker line): move it away to have it ` +
      "generated, or keep it with --no-relup\n",
  );
  assert.ok(!existsSync(join(root, "lib/shop-0.1.1/ebin/shop.appup")), "nothing of the set is written");
  const kept = cli([old, root, "--no-relup"]);
  assert.equal(kept.code, 0, kept.stderr);
  assert.equal(readFileSync(relup, "utf8"), handWritten);
  assert.ok(existsSync(join(root, "lib/shop-0.1.1/ebin/shop.appup")));
  rmSync(relup);
  assert.equal(cli([old, root]).code, 0);
  assert.match(readFileSync(relup, "utf8"), /^%% coding: utf-8\n%% Generated by gen-appup\./);
  assert.equal(cli([old, root]).code, 0, "ours is rewritten freely");
});

test("a tarball as NEW is written into, with releases/NAME-VSN.rel; --tar writes the build's tarball too", () => {
  const built = mixShop("chain");
  const root = copyRoot(built, tempDir("cli"));
  const [old, tarball] = ["0.1.0", "0.2.0"].map((v) => join(root, `../../shop-${v}.tar.gz`)) as [string, string];
  const members = (t: string) => run("tar", ["tzf", t]).trim().split("\n");
  const before = members(tarball);
  const r = cli([old, tarball]);
  assert.equal(r.code, 0, r.stderr);
  const added = ["lib/shop-0.2.0/ebin/shop.appup", "releases/0.2.0/relup", "releases/shop-0.2.0.rel"];
  for (const f of added) assert.match(r.stdout, new RegExp(`^wrote \\S+shop-0\\.2\\.0\\.tar\\.gz:${f}$`, "m"));
  assert.deepEqual(members(tarball).sort(), [...new Set([...before, ...added])].sort(), "nothing else changed");
  // The same relup as the one written into the release root.
  const relup = run("tar", ["xzOf", tarball, "releases/0.2.0/relup"]);
  assert.equal(cli([root]).code, 0);
  assert.equal(relup, readFileSync(join(root, "releases/0.2.0/relup"), "utf8"));
  // Again: the members are replaced, not added twice.
  assert.equal(cli([old, tarball]).code, 0);
  assert.deepEqual(members(tarball).sort(), [...new Set([...before, ...added])].sort());

  // --tar: the root and the tarball beside it, in one set.
  const other = copyRoot(built, tempDir("cli"));
  const tar = cli([other, "--tar"]);
  assert.equal(tar.code, 0, tar.stderr);
  assert.equal(tar.stdout.match(/^wrote /gm)?.length, 5, tar.stdout);
  assert.equal(run("tar", ["xzOf", join(other, "../../shop-0.2.0.tar.gz"), "releases/0.2.0/relup"]), relup);

  // A relup in the tarball that gen-appup did not write stays, and so does the whole tarball.
  const theirs = join(tempDir("cli"), "shop-0.2.0.tar.gz");
  const planted = [{ path: "releases/0.2.0/relup", data: Buffer.from('{"0.2.0",[],[]}.\n') }];
  writeFileSync(theirs, tarWith(readFileSync(tarball), tarball, planted, new Date()));
  const kept = readFileSync(theirs);
  const refused = cli([old, theirs]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /shop-0\.2\.0\.tar\.gz:releases\/0\.2\.0\/relup: exists and is not one gen-appup wrote/);
  assert.deepEqual(readFileSync(theirs), kept);

  const none = copyRoot(rebarShop(), tempDir("cli"));
  rmSync(join(none, "rshop-0.1.0.tar.gz"));
  const missing = cli([none, "--tar", "--prepare"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /has no rshop-0\.1\.0\.tar\.gz beside it or in it for --tar: build it first/);
});

test("--deployex writes jellyfish.json beside each appup, in the shape DeployEx checks", () => {
  const root = copyRoot(mixShop("path-dep"), tempDir("cli"));
  const r = cli([root, "--deployex"]);
  assert.equal(r.code, 0, r.stderr);
  const marker = (app: string) => JSON.parse(readFileSync(join(root, "lib", app, "ebin/jellyfish.json"), "utf8"));
  // The application that carries the release's versions is the project; DeployEx checks those against the release's.
  assert.deepEqual(marker("shop-0.1.1"), { name: "shop", type: "project", from: "0.1.0", to: "0.1.1" });
  assert.deepEqual(marker("inventory-0.2.0"), { name: "inventory", type: "dependency", from: "0.1.0", to: "0.2.0" });
  for (const [app, to, from] of [
    ["shop-0.1.1", "0.1.1", "0.1.0"],
    ["inventory-0.2.0", "0.2.0", "0.1.0"],
  ] as const) {
    const ebin = join(root, "lib", app, "ebin");
    assert.deepEqual(
      readdirSync(ebin).filter((f) => f.endsWith(".appup")),
      [`${app.split("-")[0]}.appup`],
      "exactly one appup in the ebin",
    );
    // DeployEx takes only {To, [{From, _}], [{From, _}]}, versions as charlists.
    const appup = `${ebin}/${app.split("-")[0]}.appup`;
    erlEval(`{ok, [{"${to}", [{"${from}", _}], [{"${from}", _}]}]} = file:consult("${appup}")`);
  }
  const two = cli([mixShop("path-dep").tarballs["0.1.0"]!, root, root, "--deployex", "--dry-run"]);
  assert.equal(two.code, 1);
  assert.match(two.stderr, /DeployEx reads appups with one old version: give one OLD with --deployex/);
});
