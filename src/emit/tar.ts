/**
 * A release tarball with files added or replaced. Every other member is kept byte for byte (modes,
 * times, links as they were), so the start scripts stay executable and erl_tar extracts the rest as
 * the build packed it; the new members are plain ustar files, mode 0644.
 */
import { gzipSync } from "node:zlib";
import { tarData, tarMembers } from "../read/tar.js";

export interface TarFile {
  /** Relative to the release root, as in the archive. */
  path: string;
  data: Uint8Array;
}

const BLOCK = 512;

/**
 * `bytes` (a tarball, gzipped or not) with `files` in it; gzipped when the input was. A member that
 * one of `files` replaces is shown to `replacing` first, which may refuse by throwing.
 */
export function tarWith(
  bytes: Uint8Array,
  file: string,
  files: TarFile[],
  mtime: Date,
  replacing: (path: string, body: Uint8Array) => void = () => {},
): Uint8Array {
  const data = tarData(bytes, file);
  const replaced = new Set(files.map((f) => f.path));
  const parts: Uint8Array[] = [];
  for (const m of tarMembers(data, file)) {
    if (replaced.has(m.path)) replacing(m.path, m.body);
    else parts.push(padded(data.subarray(m.start, m.end)));
  }
  const tar = Buffer.concat([...parts, tarArchive(files, mtime)]);
  return data === bytes ? tar : gzipSync(tar);
}

/** An archive of `files` alone (not gzipped). */
export function tarArchive(files: TarFile[], mtime: Date): Uint8Array {
  const seconds = Math.floor(mtime.getTime() / 1000);
  return Buffer.concat([...files.flatMap((f) => member(f, seconds)), new Uint8Array(2 * BLOCK)]); // end of archive
}

/** A file's header (after a GNU long-name record when its path does not fit ustar's fields) and body. */
function member(f: TarFile, mtime: number): Uint8Array[] {
  const name = Buffer.from(f.path, "utf8");
  const split = ustarSplit(f.path);
  const long = split
    ? []
    : [header("././@LongLink", "", name.length + 1, "L", 0), padded(Buffer.concat([name, Buffer.alloc(1)]))];
  const [prefix, base] = split ?? ["", f.path.slice(0, 100)];
  return [...long, header(base, prefix, f.data.length, "0", mtime), padded(f.data)];
}

/** ustar's prefix (155 bytes) and name (100 bytes) for a path, split at a slash, if it fits. */
function ustarSplit(path: string): [string, string] | undefined {
  if (Buffer.byteLength(path) <= 100) return ["", path];
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) {
    const [prefix, name] = [path.slice(0, i), path.slice(i + 1)];
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  return undefined;
}

function header(name: string, prefix: string, size: number, type: string, mtime: number): Uint8Array {
  const h = Buffer.alloc(BLOCK);
  const put = (at: number, text: string) => h.write(text, at, "utf8");
  const num = (at: number, width: number, n: number) => put(at, n.toString(8).padStart(width - 1, "0"));
  put(0, name);
  num(100, 8, 0o644);
  num(108, 8, 0);
  num(116, 8, 0);
  num(124, 12, size);
  num(136, 12, mtime);
  put(156, type);
  put(257, "ustar\u000000");
  put(345, prefix);
  h.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, `${sum.toString(8).padStart(6, "0")}\u0000 `);
  return h;
}

function padded(b: Uint8Array): Uint8Array {
  const rest = b.length % BLOCK;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(BLOCK - rest)]);
}
