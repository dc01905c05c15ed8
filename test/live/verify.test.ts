/** `gen-appup verify`: the rehearsal on a scratch node gives the suite's own verdict. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, type CliResult } from "../helpers/cli.js";
import { tempDir } from "../helpers/erlang.js";
import { copyRoot, mixShop, rebarShop } from "../helpers/fixtures.js";
import { genAppup } from "../helpers/upgrade.js";

test("verify passes a sound upgrade of the mix release under load, and leaves nothing behind", () => {
  const built = mixShop("genserver-state");
  const root = copyRoot(built, tempDir("verify"));
  genAppup([root]);
  const exs = join(tempDir("checks"), "cart.exs");
  writeFileSync(exs, "is_list(Shop.Cart.contents()) and Process.alive?(Process.whereis(Shop.Cart))\n");
  // Its own temporary directory: other tests rehearse at the same time.
  const tmp = tempDir("tmp");
  const r = cli(
    [
      "verify",
      join(root, "../../shop-0.1.0.tar.gz"),
      root,
      "--eval",
      "is_list('Elixir.Shop.Cart':contents())",
      "--check",
      exs,
      "--load",
      "fun() -> 'Elixir.Shop.Cart':contents() end",
    ],
    { ...process.env, TMPDIR: tmp },
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^verify shop 0\.1\.0 -> 0\.2\.0\n {2}ok {3}boot 0\.1\.0 \(2\/2 checks, \d+ calls, 0 failed/);
  assert.deepEqual(
    r.stdout.split("\n").map((l) => l.replace(/ \(.*$/, "")),
    [
      "verify shop 0.1.0 -> 0.2.0",
      "  ok   boot 0.1.0",
      "  ok   upgrade 0.1.0 -> 0.2.0",
      "  ok   restart 0.2.0 cold",
      "  ok   downgrade 0.2.0 -> 0.1.0",
      "  ok   restart 0.1.0 cold",
      "passed",
      "",
    ],
  );
  assert.deepEqual(readdirSync(tmp), [], "the scratch node and its directory are gone");
});

test("verify fails a record change under an identity code_change/3, naming the phase and what broke", () => {
  const built = rebarShop("rebar-state");
  const root = copyRoot(built, tempDir("verify"));
  // The plan says so (state_record_changed); taken on here to see what the rehearsal makes of it.
  genAppup([root, "--allow", "state_record_changed"]);
  const tarball = join(root, "rshop-0.1.0.tar.gz");
  assert.ok(existsSync(tarball));
  const r = cli(["verify", tarball, root, "--json", "--no-env", "--load", "fun() -> rshop_basket:items() end"]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as {
    ok: boolean;
    phases: { phase: string; ok: boolean; load?: { failed: number }; errors: string[] }[];
  };
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.phases.map((p) => [p.phase, p.ok]),
    [
      ["boot 0.1.0", true],
      ["upgrade 0.1.0 -> 0.2.0", false],
    ],
  );
  const upgraded = report.phases[1]!;
  assert.ok(upgraded.load!.failed > 0 || upgraded.errors.some((e) => /badrecord/.test(e)), JSON.stringify(upgraded));
});

test("verify compares the env a hot install leaves with a cold boot: lost runtime configuration fails", () => {
  const built = mixShop("runtime-config");
  const env = { ...process.env, SHOP_GREETING: "hi", SHOP_PORT: "4321" };
  for (const [args, passes] of [
    [[], true],
    [["--no-runtime-config"], false],
  ] as const) {
    const root = copyRoot(built, tempDir("verify"));
    genAppup([root, ...args]);
    const r = cli(["verify", root, "--json"], env);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      phases: { phase: string; ok: boolean; envDiff?: { app: string; key: string; hot: string; cold: string }[] }[];
    };
    assert.equal(report.ok, passes, r.stdout);
    assert.equal(r.code, passes ? 0 : 1);
    if (passes) {
      assert.deepEqual(
        report.phases.map((p) => p.phase),
        [
          "boot 0.1.0",
          "upgrade 0.1.0 -> 0.2.0",
          "restart 0.2.0 cold",
          "downgrade 0.2.0 -> 0.1.0",
          "restart 0.1.0 cold",
        ],
      );
      continue;
    }
    const failed = report.phases.find((p) => !p.ok)!;
    assert.equal(failed.phase, "restart 0.2.0 cold");
    assert.deepEqual(
      failed.envDiff!.map((d) => [d.app, d.key, d.cold]),
      [
        ["shop", "greeting", '<<"hi">>'],
        ["shop", "port", "4321"],
      ],
    );
  }
});

test("verify: brutal purge kills idle acceptors (the upgrade fails); soft purge keeps them, downgrade waits", () => {
  const built = rebarShop("rebar-purge");
  const verdicts = (["soft_purge", "brutal_purge"] as const).map((purge) => {
    const root = copyRoot(built, tempDir("verify"));
    genAppup([root, "--purge", purge]);
    const idle = "is_binary(rshop_acceptor:ask(rshop_listener:port(idle)))";
    return cli(["verify", root, "--no-env", "--setup", "rshop_listener:start(idle, 0)", "--eval", idle]);
  });
  const [soft, brutal] = verdicts as [CliResult, CliResult];
  assert.equal(brutal.code, 1, brutal.stdout);
  assert.match(
    brutal.stdout,
    /\n {2}FAIL upgrade 0\.1\.0 -> 0\.2\.0 [^\n]*\n[^\n]*noproc[^\n]*\n {7}process idle was restarted or is gone/,
  );
  assert.equal(soft.code, 1, soft.stdout);
  assert.match(
    soft.stdout,
    /\n {2}ok {3}upgrade 0\.1\.0 -> 0\.2\.0 [^\n]*\n {7}note: \S+ \(\{proc_lib,init_p,5\}\) runs old code of rshop_ac/,
  );
  assert.match(
    soft.stdout,
    /\n {2}FAIL downgrade 0\.2\.0 -> 0\.1\.0 [^\n]*\n {7}release_handler: \{error,\{old_processes,rshop_acceptor\}\}/,
  );
  assert.match(
    soft.stdout,
    /the plan said \(warning lingering_processes\): processes may still run rshop_acceptor's old code/,
  );
});

test("verify: a removed child left running and a new one not started show against a cold boot (relx)", () => {
  const built = rebarShop("rebar-children");
  // What a tool that ignores supervisor children writes: the supervisor updated, its children left alone.
  const appups = tempDir("appups");
  mkdirSync(join(appups, "rshop"));
  writeFileSync(
    join(appups, "rshop/0.1.0_to_0.2.0.appup"),
    '{"0.2.0", [{"0.1.0", [{add_module, rshop_ticker}, {update, rshop_sup, supervisor}]}],\n' +
      ' [{"0.1.0", [{update, rshop_sup, supervisor}, {delete_module, rshop_ticker}]}]}.\n',
  );
  const verdicts = [[], ["--appups", appups, "--allow", "appup_missing_module"]].map((args) => {
    const root = copyRoot(built, tempDir("verify"));
    genAppup([root, ...args]);
    return cli(["verify", root, "--load", "fun() -> rshop_counter:value() end"]);
  });
  const [sound, broken] = verdicts as [CliResult, CliResult];
  assert.equal(sound.code, 0, sound.stdout + sound.stderr);
  assert.match(
    sound.stdout,
    /\n {2}ok {3}restart 0\.2\.0 cold .*\n {2}ok {3}downgrade .*\n {2}ok {3}restart 0\.1\.0 cold/,
  );
  assert.equal(broken.code, 1, broken.stdout);
  assert.match(
    broken.stdout,
    /\n {2}FAIL restart 0\.2\.0 cold .*\n {7}process rshop_clock runs after the install, not /,
  );
  assert.match(broken.stdout, /\n {7}process rshop_ticker runs when booted cold, not after the install\n/);
});
