import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { CACHE, ROOT, run, tempDir } from "../helpers/erlang.js";
import { mixEnv } from "../helpers/fixtures.js";
import { LiveNode } from "../helpers/live.js";

let work = "";
let pkg = "";

/**
 * The bank example at `version` (0.1.0 or 0.2.0) in `dir`, with the two lines that add the step
 * (and with `start`, the step that starts the CLI before :assemble).
 */
function project(dir: string, version: "0.1.0" | "0.2.0", genAppup = "", start = false): void {
  rmSync(join(dir, "lib"), { recursive: true, force: true });
  cpSync(join(ROOT, `examples/bank-${version}/lib`), join(dir, "lib"), { recursive: true });
  const mix = readFileSync(join(ROOT, `examples/bank-${version}/mix.exs`), "utf8")
    .replace(
      'elixir: "~> 1.14",',
      'elixir: "~> 1.14",\n      deps: [{:gen_appup, path: "node_modules/gen-appup/elixir", runtime: false}],',
    )
    .replace(
      "steps: [:assemble, :tar]",
      `steps: [${start ? "&GenAppup.start/1, " : ""}:assemble, &GenAppup.step/1, :tar]${genAppup}`,
    );
  writeFileSync(join(dir, "mix.exs"), mix);
}

/** A fresh copy of the bank project with the npm-packed gen-appup installed in node_modules. */
function freshProject(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{"name":"bank-app","private":true}\n');
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", pkg], { cwd: dir });
  return dir;
}

function release(dir: string, env: NodeJS.ProcessEnv = {}): string {
  return run("mix", ["release", "--overwrite"], { cwd: dir, env: { ...mixEnv(), ...env } });
}

before(() => {
  mkdirSync(join(CACHE, "tmp"), { recursive: true });
  work = tempDir("mixstep");
  const packed = run("npm", ["pack", "--pack-destination", work, "--silent"], { cwd: ROOT }).trim().split("\n").at(-1)!;
  pkg = join(work, packed);
});

test("npm-packed gen-appup as a mix release step: deploy 0.1.0, upgrade to 0.2.0, downgrade, upgrade again", () => {
  const dir = freshProject("bank");
  project(dir, "0.1.0", "", true);
  const first = release(dir);
  assert.match(first, /bank 0\.1\.0 is a first release: nothing to upgrade from/);
  const v1 = join(dir, "_build/prod/bank-0.1.0.tar.gz");
  const listing = run("tar", ["tzf", v1]);
  assert.match(listing, /^releases\/RELEASES$/m);
  assert.match(listing, /^releases\/bank-0\.1\.0\.rel$/m);

  // Deploy by extracting the tarball into a fresh directory: nothing else is needed.
  const node = LiveNode.deploy(v1, "bank", "0.1.0");
  try {
    node.start();
    node.eval("'Elixir.Bank.Account':deposit(500)");

    project(dir, "0.2.0", "", true);
    const second = release(dir);
    // In mix's own style, uncoloured when the output is not a terminal.
    assert.match(second, /^\* assembling bank-0\.2\.0 on MIX_ENV=prod$/m);
    assert.match(second, /^\* generating appups and relup for bank 0\.2\.0\nbank: 0\.1\.0 -> 0\.2\.0$/m);
    assert.ok(!second.includes("\u001b["), "no colours");
    assert.match(
      second,
      /\{update,'Elixir\.Bank\.Account',\{advanced,\[\]\},\['Elixir\.Bank\.Fees','Elixir\.Bank\.Format'\]\}/,
    );
    const v2 = join(dir, "_build/prod/bank-0.2.0.tar.gz");
    const listing2 = run("tar", ["tzf", v2]);
    for (const f of [
      "releases/0.2.0/relup",
      "releases/bank-0.2.0.rel",
      "releases/RELEASES",
      "lib/bank-0.2.0/ebin/bank.appup",
    ])
      assert.match(listing2, new RegExp(`^${f.replace(/\./g, "\\.")}$`, "m"), f);

    // Install through bin/bank rpc, as the README says.
    const rpc = (code: string) => run(join(node.dir, "bin/bank"), ["rpc", code], { env: node.env() }).trim();
    cpSync(v2, join(node.dir, "releases/bank-0.2.0.tar.gz"));
    assert.equal(rpc(':release_handler.unpack_release(~c"bank-0.2.0") |> IO.inspect'), "{:ok, '0.2.0'}");
    assert.equal(rpc(':release_handler.install_release(~c"0.2.0") |> IO.inspect'), "{:ok, '0.1.0', []}");
    assert.equal(rpc(':release_handler.make_permanent(~c"0.2.0") |> IO.inspect'), ":ok");
    assert.equal(rpc("Bank.Account.statement() |> IO.inspect"), '"$5.00"');
    rpc("Bank.Account.deposit(20_000)");
    assert.equal(rpc("{Bank.Account.balance(), Bank.Account.history()} |> IO.inspect"), "{20300, [20000]}");

    assert.match(rpc(':release_handler.install_release(~c"0.1.0") |> IO.inspect'), /^\{:ok, '0\.\d\.0', \[\]\}$/);
    assert.equal(rpc("Bank.Account.statement() |> IO.inspect"), '"20300 cents"');

    assert.match(rpc(':release_handler.install_release(~c"0.2.0") |> IO.inspect'), /^\{:ok, '0\.1\.0', \[\]\}$/);
    assert.equal(rpc("Bank.Account.statement() |> IO.inspect"), '"$203.00"');
  } finally {
    node.stop();
  }

  // The CI scenario: a clean _build, the previous release given as a tarball, makes the same files.
  const ci = freshProject("bank-ci");
  project(ci, "0.2.0");
  const out = release(ci, { GEN_APPUP_FROM: v1 });
  assert.match(out, /bank: 0\.1\.0 -> 0\.2\.0/);
  for (const f of [
    "lib/bank-0.2.0/ebin/bank.appup",
    "releases/0.2.0/relup",
    "releases/RELEASES",
    "releases/bank-0.2.0.rel",
  ]) {
    assert.equal(
      readFileSync(join(ci, "_build/prod/rel/bank", f), "utf8"),
      readFileSync(join(dir, "_build/prod/rel/bank", f), "utf8"),
      f,
    );
  }
});

test("a hand-written appup in rel/appups wins; keep_appups saves generated ones for review", () => {
  const dir = freshProject("bank-override");
  project(dir, "0.1.0", ", gen_appup: [keep_appups: true]");
  release(dir);
  project(dir, "0.2.0", ", gen_appup: [keep_appups: true]");
  release(dir);
  const saved = join(dir, "rel/appups/bank/0.1.0_to_0.2.0.appup");
  assert.match(
    readFileSync(saved, "utf8"),
    /\{update,'Elixir\.Bank\.Account'/,
    "the generated appup is kept for review",
  );

  const hand =
    '{"0.2.0",\n' +
    " [{\"0.1.0\",[{add_module,'Elixir.Bank.Fees'},{load_module,'Elixir.Bank.Format'}," +
    "{update,'Elixir.Bank.Account',{advanced,hand_written},['Elixir.Bank.Fees']}]}],\n" +
    " [{\"0.1.0\",[{update,'Elixir.Bank.Account',{advanced,hand_written},['Elixir.Bank.Fees']}," +
    "{load_module,'Elixir.Bank.Format'},{delete_module,'Elixir.Bank.Fees'}]}]}.\n";
  writeFileSync(saved, hand);
  const out = release(dir);
  assert.match(out, /bank 0\.1\.0 -> 0\.2\.0: hand-written appup .*rel\/appups\/bank\/0\.1\.0_to_0\.2\.0\.appup/);
  assert.match(
    readFileSync(join(dir, "_build/prod/rel/bank/lib/bank-0.2.0/ebin/bank.appup"), "utf8"),
    /\{advanced,hand_written\}/,
  );
  assert.match(
    readFileSync(join(dir, "_build/prod/rel/bank/releases/0.2.0/relup"), "utf8"),
    /\{code_change,up,\[\{'Elixir\.Bank\.Account',hand_written\}\]\}/,
  );
  assert.equal(readFileSync(saved, "utf8"), hand, "the user's file is never overwritten");
});

test("patch-only policy: 0.1.0 -> 0.2.0 is a cold deploy, with no relup", () => {
  const dir = freshProject("bank-patch");
  project(dir, "0.1.0", ", gen_appup: [patch_only: true]");
  release(dir);
  project(dir, "0.2.0", ", gen_appup: [patch_only: true]");
  const out = release(dir);
  assert.match(out, /0\.1\.0 -> 0\.2\.0 changes more than the patch version: cold deploy/);
  assert.equal(existsSync(join(dir, "_build/prod/rel/bank/releases/0.2.0/relup")), false);
  assert.equal(existsSync(join(dir, "_build/prod/rel/bank/lib/bank-0.2.0/ebin/bank.appup")), false);
  assert.ok(existsSync(join(dir, "_build/prod/rel/bank/releases/bank-0.2.0.rel")), "the release is still installable");
});

test("a failure inside gen-appup fails mix release with gen-appup's message and writes nothing", () => {
  const dir = freshProject("bank-fail");
  project(dir, "0.2.0");
  assert.throws(
    () => release(dir, { GEN_APPUP_FROM: join(work, "no-such-release.tar.gz") }),
    (e: Error) => {
      assert.match(e.message, /gen-appup: .*no-such-release\.tar\.gz: does not exist/);
      assert.match(e.message, /gen-appup failed \(exit 1\)/);
      return true;
    },
  );
  const rel = join(dir, "_build/prod/rel/bank");
  assert.deepEqual(
    readdirSync(join(rel, "releases")).filter((f) => f.endsWith(".rel") || f === "RELEASES"),
    [],
  );
  assert.equal(existsSync(join(rel, "releases/0.2.0/relup")), false);
  assert.equal(
    existsSync(join(dir, "_build/prod/bank-0.2.0.tar.gz")),
    false,
    "no tarball: the release failed before :tar",
  );
});

test("verify in the release options rehearses the upgrade; a failed rehearsal fails mix release, saying why", () => {
  const dir = freshProject("bank-verify");
  const load = `verify: [load: "fun() -> 'Elixir.Bank.Account':statement() end", env: false]`;
  project(dir, "0.1.0", `, gen_appup: [${load}]`);
  assert.match(release(dir), /bank 0\.1\.0 is a first release: nothing to rehearse/);
  project(dir, "0.2.0", `, gen_appup: [${load}]`);
  const out = release(dir);
  assert.match(out, /^\* rehearsing the upgrade on a scratch node \(gen-appup verify\)$/m);
  assert.match(out, /^verify bank 0\.1\.0 -> 0\.2\.0\n( {2}ok {3}.*\n){3}passed\n/m);
  // The same from the mix task, with the project's release root found by itself.
  const task = (...args: string[]) => run("mix", ["gen_appup", ...args], { cwd: dir, env: mixEnv() });
  assert.match(
    task("--dry-run"),
    /^bank: 0\.1\.0 -> 0\.2\.0\n[\s\S]*would write \S+\/releases\/0\.2\.0\/relup \(--dry-run\)/m,
  );
  assert.match(task("inspect", "--json"), /^\{"file":"\S+\/lib\/bank-0\.2\.0\/ebin\/Elixir\.Bank\.Account\.beam"/m);
  assert.match(task("verify", "--no-env"), /verify bank 0\.1\.0 -> 0\.2\.0\n( {2}ok {3}.*\n){3}passed\n/);
  assert.throws(() => task("--frobnicate"), /gen-appup: unknown option/);
  // A check that fails: mix release fails, and says why.
  project(dir, "0.2.0", `, gen_appup: [verify: [checks: ["'Elixir.Bank.Account':balance() > 1000000"]]]`);
  assert.throws(
    () => release(dir),
    (e: Error) => /gen-appup verify failed \(exit 1\)/.test(e.message) && /FAIL boot 0\.1\.0/.test(e.message),
  );
});
