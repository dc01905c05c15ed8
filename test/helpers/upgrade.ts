/** The steps around gen-appup in the live tests: run the CLI, then pack the upgrade tarball release_handler unpacks. */
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { readRelease } from "../../src/read/release.js";
import { cli, type CliResult } from "./cli.js";
import { run, tempDir } from "./erlang.js";

export function genAppup(args: string[], env?: NodeJS.ProcessEnv): CliResult {
  const r = cli(args, env);
  if (r.code !== 0) throw new Error(`gen-appup ${args.join(" ")} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r;
}

/**
 * A tarball of version `vsn` of the release at `root`, as release_handler:unpack_release/1 wants
 * it: releases/NAME-VSN.rel at the top, releases/VSN (with the relup), and every lib dir.
 */
export function upgradeTarball(root: string, vsn: string): string {
  const release = readRelease(root, { vsn });
  const topRel = join(root, "releases", `${release.name}-${vsn}.rel`);
  copyFileSync(join(root, release.relPath), topRel);
  const out = join(tempDir("tar"), `${release.name}-${vsn}.tar.gz`);
  try {
    run("tar", [
      "czf",
      out,
      "-C",
      root,
      `releases/${release.name}-${vsn}.rel`,
      `releases/${vsn}`,
      ...release.apps.map((a) => a.dir),
    ]);
  } finally {
    rmSync(topRel);
  }
  return out;
}
