/**
 * A decoder for the External Term Format (`term_to_binary` output): the Attr, CInf, Meta,
 * LitT, Dbgi and Docs chunks of a beam. Own code, because the npm codecs mangle UTF-8 atoms
 * or 128-bit integers. Throws GenAppupError (with an empty file name) on malformed input.
 */
import { inflateSync } from "node:zlib";
import { u32 } from "./bytes.js";
import { GenAppupError } from "../errors.js";
import type { Term } from "../term/term.js";

export interface EtfLimits {
  /** Deepest nesting accepted; a deeper term is refused rather than overflowing the stack. */
  maxDepth: number;
  /** Largest inflated size accepted for a compressed term (tag 80), in bytes. */
  maxInflated: number;
}

const DEFAULT_LIMITS: EtfLimits = { maxDepth: 10_000, maxInflated: 256 * 1024 * 1024 };
const utf8 = new TextDecoder("utf-8", { fatal: true });
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const latin1 = new TextDecoder("latin1");

/** Decodes one complete ETF blob (starting with version byte 131). */
export function decodeEtf(data: Uint8Array, limits: Partial<EtfLimits> = {}): Term {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  if (data[0] !== 131) fail(`not an external term: first byte is ${data[0] ?? "missing"}, expected 131`);
  if (data[1] === 80) {
    const size = u32(data, 2, () => fail("term is truncated"));
    if (size > lim.maxInflated) fail(`compressed term of ${size} bytes is over the ${lim.maxInflated}-byte limit`);
    let inflated: Uint8Array;
    try {
      inflated = inflateSync(data.subarray(6), { maxOutputLength: Math.max(size, 1) });
    } catch {
      fail("compressed term does not inflate");
    }
    if (inflated.length !== size) fail(`compressed term inflates to ${inflated.length} bytes, header says ${size}`);
    return decodeWhole(new Reader(inflated, lim.maxDepth));
  }
  return decodeWhole(new Reader(data.subarray(1), lim.maxDepth));
}

function decodeWhole(r: Reader): Term {
  const term = r.term(0);
  if (r.pos !== r.buf.length) fail(`${r.buf.length - r.pos} stray bytes after the term`);
  return term;
}

function fail(msg: string): never {
  throw new GenAppupError("", msg);
}

class Reader {
  pos = 0;
  private view: DataView;
  constructor(
    readonly buf: Uint8Array,
    private maxDepth: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) fail("term is truncated");
    this.pos += n;
    return at;
  }
  u8 = () => this.buf[this.need(1)]!;
  u16 = () => this.view.getUint16(this.need(2));
  u32 = () => this.view.getUint32(this.need(4));
  i32 = () => this.view.getInt32(this.need(4));
  bytes = (n: number) => this.buf.subarray(this.need(n), this.pos);

  term(depth: number): Term {
    if (depth > this.maxDepth) fail(`term nests deeper than ${this.maxDepth} levels`);
    const tag = this.u8();
    switch (tag) {
      case 97:
        return { t: "int", v: BigInt(this.u8()) };
      case 98:
        return { t: "int", v: BigInt(this.i32()) };
      case 110:
        return this.big(this.u8());
      case 111:
        return this.big(this.u32());
      case 70:
        return { t: "float", v: this.view.getFloat64(this.need(8)) };
      case 99:
        return { t: "float", v: parseFloat(latin1.decode(this.bytes(31)).replace(/\0+$/, "")) };
      case 100:
      case 115:
        return this.atom(tag === 100 ? this.u16() : this.u8(), latin1);
      case 118:
      case 119:
        return this.atom(tag === 118 ? this.u16() : this.u8(), utf8);
      case 104:
      case 105:
        return { t: "tuple", v: this.seq(tag === 104 ? this.u8() : this.u32(), depth) };
      case 106:
        return { t: "list", v: [] };
      case 107:
        return { t: "list", v: Array.from(this.bytes(this.u16()), (c) => ({ t: "int", v: BigInt(c) }) as Term) };
      case 108:
        return this.list(depth);
      case 109:
        return { t: "bin", v: this.bytes(this.u32()) };
      case 77:
        return this.bitstring();
      case 116:
        return this.map(depth);
      case 113:
        return this.exportFun(depth);
      case 112:
        return this.closure();
      case 103:
      case 88:
        return this.skipNode(depth, 8 + (tag === 88 ? 4 : 1), "pid");
      case 102:
      case 89:
        return this.skipNode(depth, 4 + (tag === 89 ? 4 : 1), "port");
      case 120:
        return this.skipNode(depth, 12, "port");
      case 101:
        return this.skipNode(depth, 5, "ref");
      case 114:
      case 90:
        return this.reference(tag, depth);
      case 80:
        return fail("compressed term inside a term");
      case 82:
        return fail("atom cache reference (distribution only) in a stored term");
      case 121:
        return fail("LOCAL_EXT term is node-local and cannot be decoded");
      default:
        return fail(`unknown term tag ${tag} at byte ${this.pos - 1}`);
    }
  }

  private seq(n: number, depth: number): Term[] {
    if (n > this.buf.length - this.pos) fail(`a ${n}-element term is longer than its data`);
    const out: Term[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.term(depth + 1);
    return out;
  }

  private list(depth: number): Term {
    const v = this.seq(this.u32(), depth);
    const tail = this.term(depth + 1);
    if (tail.t === "list" && tail.v.length === 0) return { t: "list", v };
    // A list whose tail is itself a list is written flat by Erlang; merge it the same way.
    if (tail.t === "list") return { t: "list", v: v.concat(tail.v), ...(tail.tail ? { tail: tail.tail } : {}) };
    return { t: "list", v, tail };
  }

  private map(depth: number): Term {
    const n = this.u32();
    if (n * 2 > this.buf.length - this.pos) fail(`a ${n}-pair map is longer than its data`);
    const v: [Term, Term][] = [];
    for (let i = 0; i < n; i++) v.push([this.term(depth + 1), this.term(depth + 1)]);
    return { t: "map", v };
  }

  private big(n: number): Term {
    const sign = this.u8();
    const digits = this.bytes(n);
    // Little-endian bytes as one hex string: BigInt parses it in one pass (shifting byte by byte is
    // quadratic, seconds for a literal of a few hundred kilobytes).
    let hex = "";
    for (let i = digits.length - 1; i >= 0; i--) hex += HEX[digits[i]!];
    const v = hex ? BigInt(`0x${hex}`) : 0n;
    return { t: "int", v: sign ? -v : v };
  }

  private atom(len: number, decoder: TextDecoder): Term {
    try {
      return { t: "atom", v: decoder.decode(this.bytes(len)) };
    } catch (e) {
      if (e instanceof GenAppupError) throw e;
      return fail("atom is not valid UTF-8");
    }
  }

  private bitstring(): Term {
    const len = this.u32();
    const bits = this.u8();
    if (len === 0 ? bits !== 0 : bits < 1 || bits > 8) fail(`bitstring has ${bits} bits in its last byte`);
    const v = this.bytes(len);
    return bits === 8 || len === 0 ? { t: "bin", v } : { t: "bin", v, bits };
  }

  private exportFun(depth: number): Term {
    const m = this.term(depth + 1),
      f = this.term(depth + 1),
      a = this.term(depth + 1);
    if (m.t !== "atom" || f.t !== "atom" || a.t !== "int") fail("malformed export fun");
    return { t: "fun", m: m.v, f: f.v, a: Number(a.v) };
  }

  /** NEW_FUN_EXT: skipped whole (its Size field counts itself), as closures never matter to us. */
  private closure(): Term {
    const start = this.pos;
    const end = start + this.u32();
    if (end > this.buf.length) fail("term is truncated");
    this.pos = end;
    return { t: "opaque", kind: "closure" };
  }

  private skipNode(depth: number, rest: number, kind: "pid" | "port" | "ref"): Term {
    this.term(depth + 1);
    this.need(rest);
    return { t: "opaque", kind };
  }

  private reference(tag: number, depth: number): Term {
    const n = this.u16();
    this.term(depth + 1);
    this.need((tag === 90 ? 4 : 1) + 4 * n);
    return { t: "opaque", kind: "ref" };
  }
}
