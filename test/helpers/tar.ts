import { gzipSync } from "node:zlib";

/** A one-member tar archive, written by hand so the member's path can be anything. */
export function tarWith(path: string): Buffer {
  const header = Buffer.alloc(512);
  header.write(path, 0);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write("00000000005\0", 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0" + "00", 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  const body = Buffer.alloc(512);
  body.write("hello");
  return gzipSync(Buffer.concat([header, body, Buffer.alloc(1024)]));
}
