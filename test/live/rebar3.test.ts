/**
 * The rebar3 flow, end to end: `rebar3 tar` (as the fixture build ran it), then `gen-appup ROOT --tar`
 * writes the appups, the relup and releases/NAME-VSN.rel into the tarball relx left, and that tarball
 * upgrades a live node, both under load in a rehearsal and through relx's own `bin/NAME upgrade`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli } from "../helpers/cli.js";
import { run, tempDir } from "../helpers/erlang.js";
import { copyRoot, rebarShop } from "../helpers/fixtures.js";

test("rebar3 tar, gen-appup ROOT --tar: the tarball upgrades a live node and back, by relx's own commands", () => {
  const built = rebarShop("rebar");
  const root = copyRoot(built, tempDir("rebar3"));
  const [old, tarball] = ["0.1.0", "0.2.0"].map((v) => join(root, `rshop-${v}.tar.gz`)) as [string, string];

  // As relx packed it, the tarball has no relup: verify says so before booting anything.
  const early = cli(["verify", old, tarball]);
  assert.equal(early.code, 1);
  assert.match(
    early.stderr,
    /rshop-0\.2\.0\.tar\.gz: has no releases\/0\.2\.0\/relup and no releases\/rshop-0\.2\.0\.rel/,
  );

  const gen = cli([root, "--tar"]);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stdout, /^wrote \S+\/rshop-0\.2\.0\.tar\.gz:releases\/rshop-0\.2\.0\.rel$/m);

  // Under load (clients bumping the counter), with a check that tells the versions apart.
  const verified = cli([
    "verify",
    old,
    tarball,
    "--load",
    "fun() -> rshop_counter:bump() end",
    "--eval",
    "lists:member(rshop_math:next(1), [2, 11])",
  ]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);

  // relx's flow on a node deployed from the 0.1.0 tarball: the new tarball in releases/, then upgrade.
  const deploy = tempDir("rshop-deploy");
  run("tar", ["xzf", old, "-C", deploy]);
  const env = {
    ...process.env,
    NODE_NAME: `rshop-${process.pid}-${randomBytes(3).toString("hex")}@127.0.0.1`,
    COOKIE: randomBytes(12).toString("hex"),
    RELX_REPLACE_OS_VARS: "true",
  };
  const rshop = (...args: string[]) => run(join(deploy, "bin/rshop"), args, { cwd: deploy, env });
  rshop("daemon");
  try {
    waitFor(() => rshop("ping").includes("pong"));
    assert.equal(rshop("eval", "rshop_math:next(1).").trim(), "2");
    cpSync(tarball, join(deploy, "releases/rshop-0.2.0.tar.gz"));
    assert.match(rshop("upgrade", "0.2.0"), /Installed Release: 0\.2\.0/);
    assert.equal(rshop("eval", "rshop_math:next(1).").trim(), "11");
    assert.match(rshop("downgrade", "0.1.0"), /Release 0\.1\.0 is marked old, switching to it/);
    assert.equal(rshop("eval", "rshop_math:next(1).").trim(), "2");
  } finally {
    stop(() => rshop("stop"), env.NODE_NAME);
  }
});

/** Polls `ready` until it holds (a node's start takes what it takes), for at most a minute. */
function waitFor(ready: () => boolean): void {
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      if (ready()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error("the node did not come up within a minute");
    execFileSync("sleep", ["0.2"]);
  }
}

/** Stops the node, or kills its VM when the script cannot. */
function stop(script: () => unknown, node: string): void {
  try {
    script();
  } catch {
    execFileSync("pkill", ["-KILL", "-f", `-name ${node}`], { stdio: "ignore" });
  }
}
