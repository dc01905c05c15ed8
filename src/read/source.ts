/**
 * Where a release's files come from: a directory on disk or a tarball read into memory.
 * The release reader sees only relative paths, so both forms are read by the same code.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import { sep } from "node:path";
import { GenAppupError, errnoText } from "../errors.js";
import { LIMITS, bytesText } from "./limits.js";
import { readTar } from "./tar.js";

export interface ReleaseSource {
  /** A directory on disk; or a tarball, or files made in memory (neither can be written into). */
  readonly kind: "dir" | "tar" | "memory";
  /** What the user named: a directory or a tarball path, for messages. */
  readonly origin: string;
  /** The absolute path of a relative one, for messages and for tools that need real files. */
  describe(rel: string): string;
  exists(rel: string): boolean;
  isDir(rel: string): boolean;
  read(rel: string): Uint8Array;
  /**
   * The file's bytes in a buffer that the next call with the same slot reuses: for hashing and
   * comparing many files without allocating (and later collecting) one buffer per file.
   */
  readTransient(rel: string, slot: 0 | 1): Uint8Array;
  /** Names directly inside a directory, sorted; [] when it does not exist. */
  list(rel: string): string[];
}

const scratch = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];

export function dirSource(root: string): ReleaseSource {
  // Release-relative paths are already normalized: plain concatenation is enough, and cheap per file.
  const base = root.endsWith(sep) ? root : root + sep;
  const abs = (rel: string) => (rel ? base + rel : root);
  const read = (rel: string) => readFile(abs(rel));
  return {
    kind: "dir",
    origin: root,
    describe: abs,
    exists: (rel) => existsSync(abs(rel)),
    isDir: (rel) => existsSync(abs(rel)) && statSync(abs(rel)).isDirectory(),
    read,
    readTransient(rel, slot) {
      const buf = readFile(abs(rel), LIMITS.fileBytes, scratch[slot]);
      if (buf.buffer !== scratch[slot]!.buffer) scratch[slot] = Buffer.allocUnsafe(buf.length * 2); // grow for the next
      return buf;
    },
    list: (rel) => (existsSync(abs(rel)) && statSync(abs(rel)).isDirectory() ? listDir(abs(rel)) : []),
  };
}

/**
 * A regular file's bytes, into `into` when it fits. A directory, a FIFO or a device (which would
 * block or never end), an unreadable file or one over `max` bytes is an error naming the path.
 */
export function readFile(path: string, max: number = LIMITS.fileBytes, into?: Buffer): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK); // a FIFO opens without waiting for a writer
  } catch (e) {
    throw new GenAppupError(path, errnoText(e));
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new GenAppupError(path, "is a directory");
    if (!st.isFile()) throw new GenAppupError(path, "is not a regular file (a FIFO, socket or device)");
    if (st.size > max) throw new GenAppupError(path, `is ${bytesText(st.size)}, over the ${bytesText(max)} limit`);
    const buf = into && into.length >= st.size ? into.subarray(0, st.size) : Buffer.allocUnsafe(st.size);
    let n = 0;
    while (n < st.size) {
      const got = readSync(fd, buf, n, st.size - n, n);
      if (got === 0) break; // shrunk while read
      n += got;
    }
    return buf.subarray(0, n);
  } catch (e) {
    throw e instanceof GenAppupError ? e : new GenAppupError(path, errnoText(e));
  } finally {
    closeSync(fd);
  }
}

/** A directory's entries, sorted; an unreadable directory is an error naming it. */
export function listDir(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch (e) {
    throw new GenAppupError(path, errnoText(e));
  }
}

export function tarSource(tarball: string): ReleaseSource {
  const { files, dirs } = readTar(readFile(tarball, LIMITS.tarballBytes), tarball);
  return memorySource(tarball, files, dirs, "tar");
}

/**
 * Files held in memory, by path relative to the release root: a tarball's members, or a release a
 * library caller (or a test) made. Directories are those given and every parent of a file.
 */
export function memorySource(
  origin: string,
  files: ReadonlyMap<string, Uint8Array>,
  dirs: ReadonlySet<string> = new Set(),
  kind: "tar" | "memory" = "memory",
): ReleaseSource {
  const children = new Map<string, Set<string>>();
  const add = (p: string) => {
    const i = p.lastIndexOf("/");
    const dir = i < 0 ? "" : p.slice(0, i);
    const known = children.has(dir);
    if (!known) children.set(dir, new Set());
    children.get(dir)!.add(p.slice(i + 1));
    if (!known && dir) add(dir);
  };
  for (const p of [...files.keys(), ...dirs]) add(p);
  for (const d of dirs) if (!children.has(d)) children.set(d, new Set());
  const read = (rel: string) =>
    files.get(rel) ??
    (() => {
      throw new GenAppupError(`${origin}:${rel}`, kind === "tar" ? "is not in the tarball" : "does not exist");
    })();
  return {
    kind,
    origin,
    describe: (rel) => `${origin}:${rel}`,
    exists: (rel) => files.has(rel) || children.has(rel),
    isDir: (rel) => rel === "" || children.has(rel),
    read,
    readTransient: read,
    list: (rel) => [...(children.get(rel) ?? [])].sort(),
  };
}
