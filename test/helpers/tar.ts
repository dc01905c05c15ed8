import { gzipSync } from "node:zlib";
import { tarArchive } from "../../src/emit/tar.js";

/** A one-member tar archive, so the member's path can be anything. */
export function tarWith(path: string): Buffer {
  return gzipSync(tarArchive([{ path, data: Buffer.from("hello") }], new Date(0)));
}
