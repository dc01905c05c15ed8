/** Byte-level mutations of a seed input, as a mutation fuzzer makes them. */
import type { Rng } from "./rng.js";

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

export function mutate(rng: Rng, seed: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
  let b: Uint8Array = Uint8Array.from(seed);
  for (let n = 1 + rng.int(rng.chance(0.8) ? 3 : 12); n > 0; n--) b = once(rng, b, others);
  return b;
}

function once(rng: Rng, b: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
  const at = rng.int(b.length + 1);
  switch (rng.int(9)) {
    case 0: // flip a bit
      if (at < b.length) b[at]! ^= 1 << rng.int(8);
      return b;
    case 1: // a random byte
      if (at < b.length) b[at] = rng.int(256);
      return b;
    case 2: {
      // a size or count field made interesting (big-endian, as beams and ETF store them)
      const v = rng.pick(INTERESTING_U32) + (rng.chance(0.3) ? rng.int(16) - 8 : 0);
      for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = (v >>> (24 - 8 * i)) & 255;
      return b;
    }
    case 3: // insert random bytes
      return concat(b.subarray(0, at), randomBytes(rng, 1 + rng.int(16)), b.subarray(at));
    case 4: // delete a range
      return concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(64))));
    case 5: {
      // duplicate a range
      const len = 1 + rng.int(256);
      return concat(b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len));
    }
    case 6: // truncate
      return b.subarray(0, at);
    case 7: {
      // splice in a piece of another seed
      const o = rng.pick(others);
      const from = rng.int(o.length + 1);
      return concat(b.subarray(0, at), o.subarray(from, from + rng.int(512)), b.subarray(at));
    }
    default: {
      // one byte counted up or down (a tag, a length, a character)
      if (at < b.length) b[at] = (b[at]! + (rng.chance(0.5) ? 1 : 255)) & 255;
      return b;
    }
  }
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
