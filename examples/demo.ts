/**
 * `npm run demo`: builds the bundled example (examples/bank-0.1.0) with `mix release` and shows
 * what gen-appup reads from it.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const work = join(root, ".cache/demo");
const env = { ...process.env, MIX_ENV: "prod", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
const say = (text: string) => console.log(`\n== ${text}`);
const run = (cmd: string, args: string[], cwd = work) => execFileSync(cmd, args, { cwd, env, stdio: "inherit" });

say("Building the bundled example, a bank account GenServer, as an Elixir release (mix release)");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(join(root, "examples/bank-0.1.0"), join(work, "bank"), { recursive: true });
run("mix", ["release", "--overwrite", "--quiet"], join(work, "bank"));

const release = join(work, "bank/_build/prod/rel/bank");
say(`gen-appup reads the release at ${release} without starting Erlang:`);
run(process.execPath, [join(root, "bin/gen-appup.js"), "inspect", join(release, "lib/bank-0.1.0/ebin")]);
