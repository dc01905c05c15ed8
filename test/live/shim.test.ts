/** The Elixir shim as an ordinary dependency: it compiles without Node and finds the CLI by each route. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, run, tempDir } from "../helpers/erlang.js";
import { mixEnv } from "../helpers/fixtures.js";

/** A directory of links to what mix needs, and no node or npx: a machine without Node. */
function pathWithoutNode(): string {
  const bin = tempDir("nonode");
  const needed = ["mix", "elixir", "elixirc", "iex", "erl", "erlc", "escript", "sh", "bash", "dirname", "basename"];
  for (const tool of [...needed, "readlink", "cat", "sed", "uname", "env", "grep", "head", "tr", "rm", "mkdir"]) {
    try {
      symlinkSync(run("sh", ["-c", `command -v ${tool}`]).trim(), join(bin, tool));
    } catch {
      /* not on this machine: not needed */
    }
  }
  return bin;
}

/** A mix project in `dir` with the shim as a path dependency outside node_modules. */
function withShim(dir: string): void {
  cpSync(join(ROOT, "elixir"), join(dir, "deps_src/gen_appup"), { recursive: true });
  writeFileSync(
    join(dir, "mix.exs"),
    `defmodule App.MixProject do
  use Mix.Project
  def project,
    do: [app: :app, version: "0.1.0", deps: [{:gen_appup, path: "deps_src/gen_appup", runtime: false}]]
end
`,
  );
}

test("the shim, a plain dependency, compiles and tests with no Node; the CLI: GEN_APPUP_CLI, node_modules, npx", () => {
  const dir = tempDir("shim");
  withShim(dir);
  mkdirSync(join(dir, "lib"));
  writeFileSync(join(dir, "lib/app.ex"), "defmodule App do\n  def hello, do: :world\nend\n");
  mkdirSync(join(dir, "test"));
  writeFileSync(join(dir, "test/test_helper.exs"), "ExUnit.start()\n");
  writeFileSync(
    join(dir, "test/app_test.exs"),
    'defmodule AppTest do\n  use ExUnit.Case\n  test "hello", do: assert(App.hello() == :world)\nend\n',
  );
  const env = { ...mixEnv(), MIX_ENV: "dev" };
  const mix = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    run("mix", args, { cwd: dir, env: { ...env, ...extra } });
  const command = ["run", "--no-start", "-e", "IO.inspect(GenAppup.command())"];

  // No Node at all: the project compiles, and only running gen-appup says what is missing.
  const noNode = { PATH: pathWithoutNode() };
  mix(["compile"], noNode);
  // Adding the shim must not change the project's release: no protocol implementation of its own,
  // which would change the consolidated protocols (and so the upgrade after it is added).
  const shimModules = readdirSync(join(dir, "_build/dev/lib/gen_appup/ebin")).filter((f) => f.endsWith(".beam"));
  assert.deepEqual(
    shimModules.filter((f) => !/^Elixir\.(GenAppup|Mix\.Tasks\.GenAppup)\.beam$/.test(f)),
    [],
  );
  assert.match(mix(["test"], { ...noNode, MIX_ENV: "test" }), /1 test, 0 failures/);
  assert.throws(() => mix(command, noNode), /Node\.js is needed to run gen-appup/);

  // Nothing local: npx, at the shim's own version (the npm package's).
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  assert.match(
    mix(command),
    new RegExp(`\\{"\\S*npx", \\["--yes", "gen-appup@${version.replaceAll(".", "\\.")}"\\]\\}`),
  );
  // GEN_APPUP_CLI.
  const cli = join(ROOT, "bin/gen-appup.cjs");
  assert.match(mix(command, { GEN_APPUP_CLI: cli }), new RegExp(`\\["${cli}"\\]`));
  assert.match(
    mix(["gen_appup", "-v"], { GEN_APPUP_CLI: cli }),
    new RegExp(`^${version.replaceAll(".", "\\.")}$`, "m"),
  );
  // A local install in assets/ (a Phoenix project).
  mkdirSync(join(dir, "assets/node_modules/.bin"), { recursive: true });
  symlinkSync(cli, join(dir, "assets/node_modules/.bin/gen-appup"));
  assert.match(mix(command), /\/assets\/node_modules\/\.bin\/gen-appup"\]\}/);
  assert.match(mix(["gen_appup", "--help"]), /^Usage:/m);

  // The step has an option for each of the CLI's options that apply to it.
  const opts =
    '[from: "/old.tar.gz", patch_only: true, keep_appups: true, purge: :soft_purge, ' +
    "purge_modules: [{M, :soft_purge}], rules: [{W, H}], phoenix: false, runtime_config: false, " +
    'extra_versions: true, endpoint_manifest: true, extra: "[a]", relup: false, dry_run: true, strict: true, ' +
    "allow_unbumped: true, allow_unverified: true, allow: [:state_record_changed], deployex: true]";
  const args = mix(["run", "--no-start", "-e", `IO.puts(Enum.join(GenAppup.step_args("/rel", ${opts}), " "))`]);
  const flags = new Set(args.match(/--[a-z-]+/g));
  const usage = run(process.execPath, [cli, "--help"]).split("\ngen-appup verify")[0]!; // verify's are verify's
  const cliFlags = [...usage.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!);
  // The step writes into the release it assembles, before mix's :tar step packs it.
  const notForTheStep = ["--out", "--json", "--prepare", "--tar", "--help"];
  assert.deepEqual(
    cliFlags.filter((f) => !flags.has(f) && !notForTheStep.includes(f) && f !== "--appups"),
    [],
    "every CLI option has a step option",
  );
});

test("the npx route runs the npm package at the shim's own version, fetched and installed by npx", async () => {
  // Outside this repository: npx run inside a project named gen-appup would look for the bin there.
  const dir = mkdtempSync(join(tmpdir(), "gen-appup-npx-"));
  withShim(dir);
  const packed = run("npm", ["pack", "--pack-destination", dir, "--silent"], { cwd: ROOT }).trim().split("\n").at(-1)!;
  // The package is not published: a registry on loopback serves it (and passes the rest to npm's).
  const registry = spawn(
    process.execPath,
    [join(ROOT, "test/helpers/registry.mjs"), join(dir, packed), join(ROOT, "package.json")],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const [port] = (await once(registry.stdout!, "data")) as [Buffer];
    const env = {
      ...mixEnv(),
      MIX_ENV: "dev",
      npm_config_registry: `http://127.0.0.1:${port.toString().trim()}/`,
      npm_config_cache: join(dir, "npm-cache"),
      npm_config_update_notifier: "false",
    };
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    const out = run("mix", ["gen_appup", "-v"], { cwd: dir, env });
    assert.match(out, new RegExp(`^${version.replaceAll(".", "\\.")}$`, "m"));
    assert.ok(existsSync(join(dir, "npm-cache/_npx")), "run by npx, from its own install");
  } finally {
    registry.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
