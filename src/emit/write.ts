/**
 * Writing output files without leaving anything half-written: every file goes to a temporary
 * name beside its target first, and only when all are written are they renamed into place.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { GenAppupError, errnoText } from "../errors.js";

export interface OutputFile {
  /** Relative to the output root. */
  path: string;
  text: string;
}

export function writeAll(root: string, files: OutputFile[]): string[] {
  const staged: [string, string][] = [];
  try {
    for (const f of files) {
      const target = join(root, f.path);
      const temp = `${target}.gen-appup-${process.pid}.tmp`;
      makeDirs(dirname(target));
      writeFileSync(temp, f.text);
      staged.push([temp, target]);
    }
    for (const [temp, target] of staged) renameSync(temp, target);
  } catch (e) {
    for (const [temp] of staged) rmSync(temp, { force: true });
    throw new GenAppupError((e as NodeJS.ErrnoException).path ?? root, `cannot write: ${errnoText(e)}`);
  }
  return staged.map(([, target]) => target);
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir loops forever where mkdir fails with
 * ENOENT under a parent that exists (as anywhere under /proc).
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e; // made meanwhile by someone else
    }
  }
}
