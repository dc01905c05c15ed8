/** Byte readers the beam, Code chunk and ETF readers share. `fail` says what is wrong, in the caller's words. */

export type Fail = (detail: string) => never;

/** A big-endian unsigned 32-bit integer. */
export function u32(b: Uint8Array, at: number, fail: Fail): number {
  if (at + 4 > b.length) fail("unexpected end of data");
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Four bytes as ASCII: a chunk id. */
export function ascii(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
}

/**
 * The value of a compact-encoded operand (beam_asm's encoding, as the loader reads it) whose first
 * byte is at `at`: returns its tag, its value and the position after it. Values of more than 2^53
 * lose precision: they are only ever skipped.
 */
export function compactOperand(b: Uint8Array, at: number, fail: Fail): { tag: number; value: number; next: number } {
  const byte = (i: number) => b[i] ?? fail("truncated operand");
  const b0 = byte(at);
  const tag = b0 & 7;
  if ((b0 & 0x08) === 0) return { tag, value: b0 >> 4, next: at + 1 };
  if ((b0 & 0x10) === 0) return { tag, value: ((b0 >> 5) << 8) | byte(at + 1), next: at + 2 };
  let n = b0 >> 5;
  let pos = at + 1;
  if (n === 7) {
    const length = compactOperand(b, pos, fail);
    n = length.value + 9;
    pos = length.next;
  } else n += 2;
  let value = 0;
  for (let i = 0; i < n; i++) value = value * 256 + byte(pos + i);
  return { tag, value, next: pos + n };
}

/**
 * Walks the chunks of a `FOR1 ... BEAM` form, calling `visit` with each chunk's position and data
 * size. The form's own size bounds the walk: bytes after it are ignored, as the loader does, and a
 * form larger than the file is refused, as the loader refuses it ("corrupt file header").
 */
export function walkChunks(data: Uint8Array, fail: Fail, visit: (pos: number, size: number) => void): void {
  if (data.length < 12 || ascii(data, 0) !== "FOR1" || ascii(data, 8) !== "BEAM")
    fail("not a BEAM file (no FOR1/BEAM header)");
  const end = 8 + u32(data, 4, fail);
  if (end > data.length) fail(`its header gives ${end} bytes, the file has ${data.length} (truncated?)`);
  for (let pos = 12; pos < end;) {
    if (pos + 8 > end) fail(`truncated chunk header at byte ${pos}`);
    const size = u32(data, pos + 4, fail);
    if (pos + 8 + size > end)
      fail(
        `chunk ${JSON.stringify(ascii(data, pos))} at byte ${pos} claims ${size} bytes, only ${end - pos - 8} remain`,
      );
    visit(pos, size);
    pos += 8 + ((size + 3) & ~3);
  }
}
