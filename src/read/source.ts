/**
 * Where a release's files come from: a directory on disk or a tarball read into memory.
 * The release reader sees only relative paths, so both forms are read by the same code.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { GenAppupError } from "../errors.js";
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
  /** Names directly inside a directory, sorted; [] when it does not exist. */
  list(rel: string): string[];
}

export function dirFiles(root: string): ReleaseFiles {
  const abs = (rel: string) => (rel ? join(root, rel) : root);
  return {
    kind: "dir",
    origin: root,
    describe: abs,
    exists: (rel) => existsSync(abs(rel)),
    isDir: (rel) => existsSync(abs(rel)) && statSync(abs(rel)).isDirectory(),
    read(rel) {
      try {
        return readFileSync(abs(rel));
      } catch (e) {
        throw new GenAppupError(abs(rel), (e as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : (e as Error).message);
      }
    },
    list: (rel) => (existsSync(abs(rel)) && statSync(abs(rel)).isDirectory() ? readdirSync(abs(rel)).sort() : []),
  };
}

export function tarFiles(tarball: string): ReleaseFiles {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(tarball);
  } catch (e) {
    throw new GenAppupError(tarball, (e as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : (e as Error).message);
  }
  const { files, dirs } = readTar(bytes, tarball);
  const children = new Map<string, Set<string>>();
  for (const p of [...files.keys(), ...dirs]) {
    const i = p.lastIndexOf("/");
    const dir = i < 0 ? "" : p.slice(0, i);
    if (!children.has(dir)) children.set(dir, new Set());
    children.get(dir)!.add(p.slice(i + 1));
  }
  return {
    kind: "tar",
    origin: tarball,
    describe: (rel) => `${tarball}:${rel}`,
    exists: (rel) => files.has(rel) || dirs.has(rel),
    isDir: (rel) => rel === "" || dirs.has(rel),
    read: (rel) => files.get(rel) ?? (() => { throw new GenAppupError(`${tarball}:${rel}`, "is not in the tarball"); })(),
    list: (rel) => [...(children.get(rel) ?? [])].sort(),
  };
}
