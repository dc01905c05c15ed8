/**
 * Bit syntax in term files (`<<1, "ab", 2:16/little>>`): what `erl_parse:normalise` accepts, as
 * eval_bits builds it at run time. Type specifiers follow erl_bits: one type, one signedness, one
 * endianness, a unit only with a size (or on a binary), utf segments without either.
 */
import type { Term } from "./term.js";

export type SegValue =
  | { kind: "int"; v: bigint }
  | { kind: "float"; v: number }
  | { kind: "str"; v: number[] }
  | { kind: "bin"; v: Uint8Array; bits: number };
export type Segment = [value: SegValue, size: bigint | undefined, specs: string[] | undefined];

/** The largest binary literal we build: OTP builds larger, no release file holds one. */
export const MAX_BINARY_BYTES = 16 * 1024 * 1024;

type SegType = "integer" | "float" | "binary" | "bits" | "utf8" | "utf16" | "utf32";
const TYPES: Record<string, SegType> = {
  integer: "integer",
  float: "float",
  binary: "binary",
  bytes: "binary",
  bitstring: "bits",
  bits: "bits",
  utf8: "utf8",
  utf16: "utf16",
  utf32: "utf32",
};

interface Spec {
  type?: SegType;
  signed?: boolean;
  little?: boolean;
  unit?: number;
}

export function buildBinary(segs: Segment[]): Term {
  const out = new BitWriter();
  for (const [value, size, specs] of segs) segment(out, value, size, parseSpecs(specs ?? []));
  return out.term();
}

function parseSpecs(specs: string[]): Spec {
  const spec: Spec = {};
  const set = <K extends keyof Spec>(key: K, v: Spec[K], text: string) => {
    if (spec[key] !== undefined && spec[key] !== v) throw new Error(`conflicting bit type ${text}`);
    spec[key] = v;
  };
  for (const s of specs) {
    const unit = /^unit:(\d+)$/.exec(s);
    if (unit) {
      const n = Number(unit[1]);
      if (n < 1 || n > 256) throw new Error(`bad unit ${n}`);
      set("unit", n, s);
    } else if (s in TYPES) set("type", TYPES[s], s);
    else if (s === "signed" || s === "unsigned") set("signed", s === "signed", s);
    // Native order is the machine's: little-endian on every machine OTP releases run on.
    else if (s === "big" || s === "little" || s === "native") set("little", s !== "big", s);
    else throw new Error(`unknown bit type ${s}`);
  }
  return spec;
}

function segment(out: BitWriter, value: SegValue, size: bigint | undefined, spec: Spec): void {
  const type = spec.type ?? "integer"; // even for a float: <<1.5>> is badarg
  const little = spec.little ?? false;
  if (type.startsWith("utf")) {
    if (size !== undefined || spec.unit !== undefined) throw new Error(`a ${type} segment takes no size or unit`);
    for (const c of integers(value, type)) out.bytes(encodeUtf(c, type, little));
    return;
  }
  if (type === "binary" || type === "bits") return binarySegment(out, value, size, type, spec.unit);
  if (size === undefined && spec.unit !== undefined) throw new Error("a unit needs a size");
  const bits = Number(size ?? (type === "float" ? 64n : 8n)) * (spec.unit ?? 1);
  if (type === "float") {
    if (bits !== 16 && bits !== 32 && bits !== 64) throw new Error(`float segment of ${bits} bits`);
    const floats = value.kind === "float" ? [value.v] : integers(value, type).map(Number);
    for (const f of floats) out.bytes(encodeFloat(f, bits, little));
    return;
  }
  for (const c of integers(value, type)) out.integer(BigInt.asUintN(bits, c), bits, little);
}

function integers(value: SegValue, type: string): bigint[] {
  if (value.kind === "int") return [value.v];
  if (value.kind === "str") return value.v.map(BigInt);
  throw new Error(`a ${value.kind === "float" ? "float" : "binary"} in a ${type} segment`);
}

function binarySegment(out: BitWriter, value: SegValue, size: bigint | undefined, type: SegType, unit?: number) {
  if (value.kind !== "bin") throw new Error(`a ${type} segment needs a binary`);
  if (type === "bits" && unit !== undefined && unit !== 1) throw new Error("bits take no unit but 1");
  const u = unit ?? (type === "binary" ? 8 : 1);
  if (size === undefined) {
    if (value.bits % u !== 0) throw new Error(`a binary of ${value.bits} bits is not a multiple of unit ${u}`);
    return out.bits(value.v, value.bits);
  }
  const want = Number(size) * u;
  if (want > value.bits) throw new Error(`segment of ${want} bits from a binary of ${value.bits}`);
  out.bits(value.v, want);
}

function encodeUtf(c: bigint, type: string, little: boolean): number[] {
  if (c < 0n || c > 0x10ffffn || (c >= 0xd800n && c <= 0xdfffn)) throw new Error(`${c} is not a Unicode code point`);
  const n = Number(c);
  if (type === "utf8") return Array.from(new TextEncoder().encode(String.fromCodePoint(n)));
  if (type === "utf32") {
    const b = [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    return little ? b.reverse() : b;
  }
  const s = String.fromCodePoint(n);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    out.push(...(little ? [u & 255, u >> 8] : [u >> 8, u & 255]));
  }
  return out;
}

function encodeFloat(f: number, bits: 16 | 32 | 64, little: boolean): number[] {
  const view = new DataView(new ArrayBuffer(8));
  if (bits === 64) view.setFloat64(0, f, little);
  else if (bits === 32) view.setFloat32(0, f, little);
  else view.setUint16(0, half(f), little);
  return Array.from(new Uint8Array(view.buffer, 0, bits / 8));
}

/** IEEE 754 binary16 bits of a double, rounded to nearest even; too large becomes infinity. */
function half(f: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  const hi = view.getUint32(0),
    lo = view.getUint32(4);
  const sign = (hi >>> 16) & 0x8000;
  const exp = ((hi >>> 20) & 0x7ff) - 1023 + 15;
  if (Number.isNaN(f)) return sign | 0x7e00;
  if (exp >= 31) return sign | 0x7c00;
  // 52-bit mantissa as a BigInt with its leading one, shifted down to 10 bits (fewer when subnormal).
  const mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo) | (1n << 52n);
  const shift = 42n + BigInt(exp >= 1 ? 0 : 1 - exp);
  if (shift > 53n) return sign;
  const kept = mantissa >> shift;
  const rest = mantissa & ((1n << shift) - 1n);
  const halfway = 1n << (shift - 1n);
  const rounded = rest > halfway || (rest === halfway && (kept & 1n) === 1n) ? kept + 1n : kept;
  // Rounding may carry into the exponent: adding keeps the bits right, up to infinity.
  return sign | ((exp >= 1 ? (exp << 10) - 0x400 : 0) + Number(rounded));
}

/** A growing bitstring. */
class BitWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  private room(bits: number): void {
    if (this.len + bits > MAX_BINARY_BYTES * 8) throw new Error(`binary of more than ${MAX_BINARY_BYTES} bytes`);
    const need = Math.ceil((this.len + bits) / 8);
    if (need <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
    grown.set(this.buf);
    this.buf = grown;
  }

  private bit(b: number): void {
    if (b) this.buf[this.len >> 3]! |= 0x80 >> (this.len & 7);
    this.len++;
  }

  bytes(bytes: number[]): void {
    this.room(bytes.length * 8);
    for (const b of bytes) for (let i = 7; i >= 0; i--) this.bit((b >> i) & 1);
  }

  /** The first `n` bits of `v`. */
  bits(v: Uint8Array, n: number): void {
    this.room(n);
    for (let i = 0; i < n; i++) this.bit((v[i >> 3]! >> (7 - (i & 7))) & 1);
  }

  /** An unsigned integer of `n` bits. Little-endian: whole bytes from the low end, then the top bits. */
  integer(v: bigint, n: number, little: boolean): void {
    if (!little) return this.big(v, n);
    const whole = n >> 3;
    const hex = BigInt.asUintN(whole * 8, v)
      .toString(16)
      .padStart(whole * 2, "0");
    const bytes: number[] = [];
    for (let i = hex.length - 2; i >= 0; i -= 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
    this.bytes(bytes);
    this.big(v >> BigInt(whole * 8), n & 7);
  }

  private big(v: bigint, n: number): void {
    this.room(n);
    const text = v.toString(2).padStart(n, "0");
    for (let i = 0; i < n; i++) this.bit(text.charCodeAt(i) - 48);
  }

  term(): Term {
    const v = this.buf.slice(0, Math.ceil(this.len / 8));
    const rem = this.len % 8;
    return rem === 0 ? { t: "bin", v } : { t: "bin", v, bits: rem };
  }
}
