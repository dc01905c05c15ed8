/**
 * Writing output files without leaving anything half-written: every file goes to a temporary
 * name beside its target first, and only when all are written are they renamed into place.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { GenAppupError } from "../errors.js";

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
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(temp, f.text);
      staged.push([temp, target]);
    }
    for (const [temp, target] of staged) renameSync(temp, target);
  } catch (e) {
    for (const [temp] of staged) rmSync(temp, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw new GenAppupError(err.path ?? root, `cannot write: ${err.code ?? err.message}`);
  }
  return staged.map(([, target]) => target);
}
