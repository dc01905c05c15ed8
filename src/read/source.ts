/**
 * Where a release's files come from: a directory on disk or a tarball read into memory.
 * The release reader sees only relative paths, so both forms are read by the same code.
 */
import { closeSync, constants, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from "node:fs";
import { sep } from "node:path";
import { GenAppupError, errnoText } from "../errors.js";
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
  const read = (rel: string) => {
    try {
      return readFileSync(abs(rel));
    } catch (e) {
      throw new GenAppupError(abs(rel), errnoText(e));
    }
  };
  return {
    kind: "dir",
    origin: root,
    describe: abs,
    exists: (rel) => existsSync(abs(rel)),
    isDir: (rel) => existsSync(abs(rel)) && statSync(abs(rel)).isDirectory(),
    read,
    readTransient(rel, slot) {
      let fd: number;
      try {
        fd = openSync(abs(rel), constants.O_RDONLY); // a number: Node parses a flag string on every call
      } catch {
        return read(rel); // let read() say what is wrong
      }
      const buf = scratch[slot]!;
      try {
        const n = readSync(fd, buf, 0, buf.length, 0);
        if (n < buf.length) return buf.subarray(0, n);
      } finally {
        closeSync(fd);
      }
      const whole = read(rel); // larger than the buffer: grow it for the next files
      scratch[slot] = Buffer.allocUnsafe(whole.length * 2);
      return whole;
    },
    list: (rel) => (existsSync(abs(rel)) && statSync(abs(rel)).isDirectory() ? readdirSync(abs(rel)).sort() : []),
  };
}

export function tarSource(tarball: string): ReleaseSource {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(tarball);
  } catch (e) {
    throw new GenAppupError(tarball, errnoText(e));
  }
  const { files, dirs } = readTar(bytes, tarball);
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
