import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, run } from "../helpers/erlang.js";

test("the npm package holds the CLI, the typed library, the Elixir shim, README and LICENSE, and nothing else", () => {
  const [pack] = JSON.parse(run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT })) as {
    files: { path: string }[];
  }[];
  const files = pack!.files.map((f) => f.path);
  for (const needed of [
    "LICENSE",
    "README.md",
    "package.json",
    "bin/gen-appup.cjs",
    "dist/index.js",
    "dist/index.d.ts",
    "dist/cli/gen-appup.cjs",
    "elixir/mix.exs",
    "elixir/lib/gen_appup.ex",
  ])
    assert.ok(files.includes(needed), `${needed} is packed`);
  const stray = files.filter((f) => /\.map$|\.cache$|^(src|test|fixtures|fuzz|bench|examples|scripts)\//.test(f));
  assert.deepEqual(stray, [], "no source maps, code caches, sources, tests or fixtures");
});

test("the Elixir shim's version is the npm package's: npx fetches the CLI at the shim's version", () => {
  const npm = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  assert.match(
    readFileSync(join(ROOT, "elixir/mix.exs"), "utf8"),
    new RegExp(`@version "${npm.replaceAll(".", "\\.")}"`),
  );
});
