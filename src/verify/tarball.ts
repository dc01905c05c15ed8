/** The tarballs a rehearsal boots from and installs, made in scratch space: the user's release is only read. */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { GenAppupError } from "../errors.js";
import type { Release } from "../read/release.js";

/**
 * Version `r.vsn` of the release at `root` as release_handler:unpack_release/1 wants it:
 * releases/NAME-VSN.rel at the top, releases/VSN (with the relup) and every lib directory.
 */
export function upgradeTarball(root: string, r: Release, scratch: string): string {
  if (!existsSync(join(root, "releases", r.vsn, "relup")))
    throw new GenAppupError(join(root, "releases", r.vsn), "has no relup: run gen-appup on the release first");
  const top = mkdtempSync(join(scratch, "rel-"));
  mkdirSync(join(top, "releases"));
  copyFileSync(join(root, r.relPath), join(top, "releases", `${r.name}-${r.vsn}.rel`));
  const out = join(top, `${r.name}-${r.vsn}.tar.gz`);
  // relx keeps a start script per version (bin/NAME-VSN), which its upgrade puts in place of bin/NAME.
  const script = `bin/${r.name}-${r.vsn}`;
  const dirs = [`releases/${r.vsn}`, ...r.apps.map((a) => a.dir), ...(existsSync(join(root, script)) ? [script] : [])];
  try {
    execFileSync("tar", ["czf", out, "-C", top, `releases/${r.name}-${r.vsn}.rel`, "-C", root, ...dirs], {
      stdio: ["ignore", "ignore", "pipe"],
    });
  } catch (e) {
    throw new GenAppupError(root, `cannot pack version ${r.vsn}: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
  return out;
}
