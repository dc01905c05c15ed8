/**
 * Reads a (gzipped) tar archive in memory: ustar, GNU long names and pax `path` records, the
 * forms `erl_tar` (mix release, relx) and GNU tar write. Members that would land outside the
 * release (absolute paths, `..`) are refused, never skipped.
 */
import { gunzipSync } from "node:zlib";
import { GenAppupError } from "../errors.js";
import { LIMITS, bytesText } from "./limits.js";

export interface TarEntries {
  /** Regular files by normalized relative path. */
  files: Map<string, Uint8Array>;
  /** Directories, including every parent of a file. */
  dirs: Set<string>;
}

/** One member: its normalized path, tar type flag, body, and where its headers start and its body ends. */
export interface TarMember {
  path: string;
  raw: string;
  type: string;
  body: Uint8Array;
  start: number;
  end: number;
}

export function readTar(bytes: Uint8Array, file: string): TarEntries {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>();
  for (const m of tarMembers(tarData(bytes, file), file)) {
    if (!m.path) continue;
    if (m.type === "5") dirs.add(m.path);
    else if (m.type === "0" || m.type === "\0" || m.type === "7") files.set(m.path, m.body);
    else if (m.type === "1" || m.type === "2")
      throw new GenAppupError(
        file,
        `member ${JSON.stringify(m.raw)} is a link; mix and relx tarballs are written with dereferenced links`,
      );
    else continue; // devices and fifos have no place in a release; ignore them
    for (let d = parent(m.path); d; d = parent(d)) dirs.add(d);
  }
  if (files.size === 0) throw new GenAppupError(file, "is truncated (no end-of-archive marker)");
  return { files, dirs };
}

/** The archive's bytes, inflated when gzipped. */
export function tarData(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: LIMITS.tarballBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      throw new GenAppupError(file, `inflates to more than the ${bytesText(LIMITS.tarballBytes)} limit`);
    throw new GenAppupError(file, "is not a valid gzip file (truncated or corrupt)");
  }
}

/**
 * The members of an inflated archive, up to the end-of-archive marker; long-name and pax records
 * are folded into the member they name (its `start` is theirs).
 */
export function* tarMembers(data: Uint8Array, file: string): Generator<TarMember> {
  const fail = (detail: string): never => {
    throw new GenAppupError(file, detail);
  };
  let longName: string | undefined;
  let start: number | undefined;
  let pos = 0;
  while (pos + 512 <= data.length) {
    const header = data.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) return;
    checkChecksum(header, pos, fail);
    const size = octal(header.subarray(124, 136), pos, fail);
    const type = String.fromCharCode(header[156]!);
    const body = data.subarray(pos + 512, pos + 512 + size);
    if (body.length < size) fail(`member at byte ${pos} is truncated`);
    start ??= pos;
    pos += 512 + Math.ceil(size / 512) * 512;
    if (type === "L" || type === "x") {
      longName = type === "L" ? cString(body) : (paxPath(body) ?? longName);
      continue;
    }
    const prefix = cString(header.subarray(345, 500));
    const raw =
      longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    longName = undefined;
    yield { path: type === "g" ? "" : safePath(raw, fail), raw, type, body, start, end: Math.min(pos, data.length) };
    start = undefined;
  }
  if (pos !== data.length) fail("is truncated (no end-of-archive marker)");
}

function safePath(raw: string, fail: (d: string) => never): string {
  if (raw.startsWith("/")) fail(`member ${JSON.stringify(raw)} has an absolute path`);
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) fail(`member ${JSON.stringify(raw)} points outside the archive (..)`);
  return parts.join("/");
}

function parent(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(end < 0 ? b : b.subarray(0, end));
}

function octal(b: Uint8Array, pos: number, fail: (d: string) => never): number {
  if (b[0]! & 0x80) {
    // GNU base-256 for sizes of 8 GiB and more.
    let v = 0;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i]!;
    return v;
  }
  const text = cString(b).trim();
  if (!/^[0-7]*$/.test(text)) fail(`corrupt tar header at byte ${pos} (size field ${JSON.stringify(text)})`);
  return text ? parseInt(text, 8) : 0;
}

function checkChecksum(h: Uint8Array, pos: number, fail: (d: string) => never): void {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  const stored = cString(h.subarray(148, 156)).trim();
  if (!/^[0-7]+$/.test(stored) || parseInt(stored, 8) !== sum) fail(`corrupt tar header at byte ${pos} (bad checksum)`);
}

/** The `path` record of a pax extended header (`"<len> path=<value>\n"` records). */
function paxPath(body: Uint8Array): string | undefined {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(body);
  for (const m of text.matchAll(/\d+ ([^=]+)=([^\n]*)\n/g)) if (m[1] === "path") return m[2];
  return undefined;
}
