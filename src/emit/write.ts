/**
 * Writing a set of output files so that the set appears whole or not at all, even when the
 * process is killed: a run stages every file under a temporary name beside its target, records
 * the pairs in a journal, marks the journal committed, then renames. A run that finds a journal
 * left by a dead one first completes it (committed) or removes its temporary files (not).
 *
 *   ROOT/.gen-appup-write/          one per root, renamed into place whole: a lock
 *     owner                         the pid of the run writing
 *     journal                       [[temp, target], ...] relative to ROOT, before any temp exists
 *     committed                     made when every temp is written: the point of no return
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { GenAppupError, errnoText } from "../errors.js";

export interface OutputFile {
  /** Relative to the output root. */
  path: string;
  text: string | Uint8Array;
}

const STATE = ".gen-appup-write";
/** How long a run waits for another one writing into the same root. */
const LOCK_WAIT_MS = 60_000;

/** Writes `files` under `root` as one set; returns their absolute paths. */
export function writeAll(root: string, files: OutputFile[]): string[] {
  makeDirs(root);
  if (!statSync(root).isDirectory()) throw new GenAppupError(root, "cannot write: it is a file, not a directory");
  const state = lock(root);
  try {
    const pairs = files.map((f): [string, string] => [tempName(f.path), f.path]);
    for (const [, target] of pairs) writable(root, target);
    writeFileSync(join(state, "journal"), JSON.stringify(pairs), { flag: "wx" });
    files.forEach((f, i) => {
      makeDirs(dirname(join(root, f.path)));
      writeFileSync(join(root, pairs[i]![0]), f.text, { flag: "wx" }); // never through a planted link
    });
    writeFileSync(join(state, "committed"), "", { flag: "wx" });
  } catch (e) {
    undo(root, state);
    unlock(state);
    throw asError(e, root);
  }
  finish(root, state);
  unlock(state);
  return files.map((f) => join(root, f.path));
}

/**
 * Completes or undoes a write that a killed run left under `root`, if any. Every write does this
 * first; it is exported for tools that read a release such a run may have left half-written.
 */
export function recoverWrites(root: string): void {
  if (leftovers(root).length || existsSync(join(root, STATE))) unlock(lock(root));
}

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.gen-appup-${randomBytes(6).toString("hex")}.tmp`);
}

/** A target must be a file or nothing, in a place we can write: checked before anything is staged. */
function writable(root: string, target: string): void {
  const path = join(root, target);
  if (existsSync(path) && statSync(path).isDirectory()) throw new GenAppupError(path, "is a directory");
}

/**
 * Takes the root's write state: made aside with our pid in it and renamed into place, which only
 * one run can do. While a live run holds it, waits; a dead run's is settled first (finished or
 * undone), after being renamed away so that two runs never settle the same one.
 */
function lock(root: string): string {
  const state = join(root, STATE);
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    for (const name of leftovers(root)) settle(root, name);
    const mine = join(root, `${STATE}.new.${process.pid}`);
    try {
      mkdirSync(mine);
      writeFileSync(join(mine, "owner"), String(process.pid));
      renameSync(mine, state);
      return state;
    } catch (e) {
      rmSync(mine, { recursive: true, force: true });
      if (!["ENOTEMPTY", "EEXIST"].includes((e as NodeJS.ErrnoException).code ?? "")) throw asError(e, root);
    }
    const owner = Number(readOr(join(state, "owner"), "0"));
    if (owner > 0 && owner !== process.pid && alive(owner)) {
      if (Date.now() > until) throw new GenAppupError(root, `another gen-appup run (pid ${owner}) is writing here`);
      sleep(50);
    } else if (owner > 0) settle(root, STATE);
  }
}

/** State directories of runs that died while making, holding or settling one. */
function leftovers(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names.filter((n) => {
    const m = /^\.gen-appup-write\.(?:new|settling)\.(\d+)$/.exec(n);
    return m && (Number(m[1]) === process.pid || !alive(Number(m[1])));
  });
}

/** Finishes (committed) or undoes (not) the write recorded in `name`, then removes it. */
function settle(root: string, name: string): void {
  const claimed = join(root, `${STATE}.settling.${process.pid}`);
  if (name !== basename(claimed)) {
    try {
      renameSync(join(root, name), claimed);
    } catch {
      return; // another run claimed it first
    }
  }
  if (existsSync(join(claimed, "committed"))) finish(root, claimed);
  else undo(root, claimed);
  unlock(claimed);
}

function unlock(state: string): void {
  rmSync(state, { recursive: true, force: true });
}

/** Renames every staged file still there into place, then forgets the journal. */
function finish(root: string, state: string): void {
  try {
    for (const [temp, target] of journal(state)) {
      if (existsSync(join(root, temp))) renameSync(join(root, temp), join(root, target));
    }
  } catch (e) {
    throw asError(e, root); // the journal stays: the next run completes the set
  }
  rmSync(join(state, "committed"), { force: true });
  rmSync(join(state, "journal"), { force: true });
}

/** Removes every staged file of an uncommitted journal. */
function undo(root: string, state: string): void {
  for (const [temp] of journal(state)) {
    try {
      rmSync(join(root, temp), { force: true });
    } catch {
      /* its directory is not one (ENOTDIR): it was never written */
    }
  }
  rmSync(join(state, "journal"), { force: true });
}

function journal(state: string): [string, string][] {
  try {
    return JSON.parse(readFileSync(join(state, "journal"), "utf8")) as [string, string][];
  } catch {
    return []; // killed while writing the journal: no temporary file exists yet
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function asError(e: unknown, root: string): GenAppupError {
  if (e instanceof GenAppupError) return e;
  const path = (e as NodeJS.ErrnoException).path ?? root;
  // A staged file's name means nothing to the user: name its target.
  const shown = path.replace(/\/\.([^/]+)\.gen-appup-[0-9a-f]+\.tmp$/, "/$1");
  return new GenAppupError(shown, `cannot write: ${errnoText(e)}`);
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
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw asError(e, d); // made meanwhile by someone else
    }
  }
}
