/**
 * Where a release's files come from: a directory on disk or a tarball read into memory.
 * The release reader sees only relative paths, so both forms are read by the same code.
 */
import { closeSync, constants, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from "node:fs";
import { sep } from "node:path";
import { GenAppupError, errnoText } from "../errors.js";
import { readTar } from "./tar.js";

export interface ReleaseFiles {
  /** A directory on disk, or a tarball read into memory (which cannot be written into). */
  readonly kind: "dir" | "tar";
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

export function dirFiles(root: string): ReleaseFiles {
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

export function tarFiles(tarball: string): ReleaseFiles {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(tarball);
  } catch (e) {
    throw new GenAppupError(tarball, errnoText(e));
  }
  const { files, dirs } = readTar(bytes, tarball);
  const children = new Map<string, Set<string>>();
  for (const p of [...files.keys(), ...dirs]) {
    const i = p.lastIndexOf("/");
    const dir = i < 0 ? "" : p.slice(0, i);
    if (!children.has(dir)) children.set(dir, new Set());
    children.get(dir)!.add(p.slice(i + 1));
  }
  const read = (rel: string) =>
    files.get(rel) ??
    (() => {
      throw new GenAppupError(`${tarball}:${rel}`, "is not in the tarball");
    })();
  return {
    kind: "tar",
    origin: tarball,
    describe: (rel) => `${tarball}:${rel}`,
    exists: (rel) => files.has(rel) || dirs.has(rel),
    isDir: (rel) => rel === "" || dirs.has(rel),
    read,
    readTransient: read,
    list: (rel) => [...(children.get(rel) ?? [])].sort(),
  };
}
