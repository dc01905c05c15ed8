/** Bit syntax: the subset `erl_parse:normalise` evaluates for literal segments (`<<1, "ab", 2:16/little>>`). */
import type { Term } from "./term.js";

export type SegValue = { kind: "int"; v: bigint } | { kind: "float"; v: number } | { kind: "str"; v: number[] };

export function buildBinary(segs: [SegValue, bigint | undefined, string[] | undefined][]): Term {
  const bits: number[] = [];
  const push = (v: bigint, size: number, little: boolean) => {
    const bytesLE = little && size % 8 === 0;
    if (bytesLE) {
      for (let i = 0; i < size / 8; i++) pushBits(bits, (v >> BigInt(8 * i)) & 0xffn, 8);
    } else pushBits(bits, v, size);
  };
  for (const [val, size, specs = []] of segs) {
    const little = specs.includes("little");
    const type =
      specs.find((s) =>
        ["integer", "float", "utf8", "utf16", "utf32", "binary", "bytes", "bitstring", "bits"].includes(s),
      ) ?? (val.kind === "float" ? "float" : "integer");
    const unit = Number(specs.find((s) => s.startsWith("unit:"))?.slice(5) ?? 1);
    const codes = val.kind === "str" ? val.v.map(BigInt) : val.kind === "int" ? [val.v] : [];
    if (type.startsWith("utf")) {
      for (const c of codes) for (const b of encodeUtf(Number(c), type, little)) pushBits(bits, BigInt(b), 8);
    } else if (type === "float") {
      const n = Number(size ?? 64n) * unit;
      if (n !== 64 && n !== 32) throw new Error(`float segment of ${n} bits`);
      const buf = new DataView(new ArrayBuffer(n / 8));
      const f = val.kind === "float" ? val.v : Number(val.kind === "int" ? val.v : 0n);
      if (n === 64) buf.setFloat64(0, f, little);
      else buf.setFloat32(0, f, little);
      for (let i = 0; i < n / 8; i++) pushBits(bits, BigInt(buf.getUint8(i)), 8);
    } else if (type === "integer") {
      const n = Number(size ?? 8n) * unit;
      for (const c of codes) push(BigInt.asUintN(n, c), n, little);
    } else {
      throw new Error(`binary segment type ${type} is not a literal`);
    }
  }
  const v = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => (v[i >> 3]! |= b << (7 - (i & 7))));
  const rem = bits.length % 8;
  return rem === 0 ? { t: "bin", v } : { t: "bin", v, bits: rem };
}

function pushBits(out: number[], v: bigint, size: number): void {
  for (let i = size - 1; i >= 0; i--) out.push(Number((v >> BigInt(i)) & 1n));
}

function encodeUtf(c: number, type: string, little: boolean): number[] {
  if (type === "utf8") return Array.from(new TextEncoder().encode(String.fromCodePoint(c)));
  if (type === "utf32") {
    const b = [(c >>> 24) & 255, (c >>> 16) & 255, (c >>> 8) & 255, c & 255];
    return little ? b.reverse() : b;
  }
  const s = String.fromCodePoint(c);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    out.push(...(little ? [u & 255, u >> 8] : [u >> 8, u & 255]));
  }
  return out;
}
