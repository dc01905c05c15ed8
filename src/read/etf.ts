/**
 * A decoder for the External Term Format (`term_to_binary` output): the Attr, CInf, Meta,
 * LitT, Dbgi and Docs chunks of a beam. Own code, because the npm codecs mangle UTF-8 atoms
 * or 128-bit integers. Throws GenAppupError (with an empty file name) on malformed input.
 */
import { inflateSync } from "node:zlib";
import { u32 } from "./bytes.js";
import { LIMITS } from "./limits.js";
import { GenAppupError } from "../errors.js";
import type { Term } from "../term/term.js";

export interface EtfLimits {
  /** Largest inflated size accepted for a compressed term (tag 80), in bytes. */
  maxInflated: number;
}

const DEFAULT_LIMITS: EtfLimits = { maxInflated: LIMITS.inflatedBytes };
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const latin1 = new TextDecoder("latin1");

/**
 * Decodes one complete ETF blob (starting with version byte 131). Nesting is bounded only by the
 * data, as in binary_to_term: the abstract code of a long list literal is a cons cell per element.
 */
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
    return decodeWhole(new Reader(inflated));
  }
  return decodeWhole(new Reader(data.subarray(1)));
}

function decodeWhole(r: Reader): Term {
  const term = r.term();
  if (r.pos !== r.buf.length) fail(`${r.buf.length - r.pos} stray bytes after the term`);
  return term;
}

function fail(msg: string): never {
  throw new GenAppupError("", msg);
}

/** A tuple, list or map being filled: `left` more terms complete it (a list's last one is its tail). */
interface Open {
  kind: "tuple" | "list" | "map";
  items: Term[];
  left: number;
}

class Reader {
  pos = 0;
  private view: DataView;
  constructor(readonly buf: Uint8Array) {
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

  /** One whole term, containers kept on an explicit stack rather than the call stack. */
  term(): Term {
    const open: Open[] = [];
    for (;;) {
      let t = this.next(open);
      while (t) {
        const top = open[open.length - 1];
        if (!top) return t;
        top.items.push(t);
        if (--top.left > 0) break;
        open.pop();
        t = close(top);
      }
    }
  }

  /** A leaf term, or an empty container; or undefined after opening a container on `open`. */
  private next(open: Open[]): Term | undefined {
    const tag = this.u8();
    switch (tag) {
      case 104:
      case 105:
        return this.opening(open, "tuple", tag === 104 ? this.u8() : this.u32());
      case 108: {
        const n = this.u32() + 1;
        const top = open[open.length - 1];
        if (top?.kind !== "list" || top.left !== 1) return this.opening(open, "list", n);
        // A list in the tail of a list continues it (Erlang writes lists flat; merging level by level is quadratic).
        top.left = this.checked("list", n);
        return undefined;
      }
      case 116:
        return this.opening(open, "map", this.u32() * 2);
      default:
        return this.leaf(tag);
    }
  }

  private opening(open: Open[], kind: Open["kind"], left: number): Term | undefined {
    if (left === 0) return kind === "map" ? { t: "map", v: [] } : { t: "tuple", v: [] };
    open.push({ kind, items: [], left: this.checked(kind, left) });
    return undefined;
  }

  /** Every term takes at least a byte: a count beyond the data left is refused before anything is built. */
  private checked(kind: Open["kind"], left: number): number {
    if (left > this.buf.length - this.pos) fail(`a ${kind} of ${left} terms is longer than its data`);
    return left;
  }

  private leaf(tag: number): Term {
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
      case 118:
      case 119:
        return this.atom(tag);
      case 106:
        return { t: "list", v: [] };
      case 107:
        return { t: "list", v: Array.from(this.bytes(this.u16()), (c) => ({ t: "int", v: BigInt(c) }) as Term) };
      case 109:
        return { t: "bin", v: this.bytes(this.u32()) };
      case 77:
        return this.bitstring();
      case 113:
        return this.exportFun();
      case 112:
        return this.closure();
      case 103:
      case 88:
        return this.skipNode(8 + (tag === 88 ? 4 : 1), "pid");
      case 102:
      case 89:
        return this.skipNode(4 + (tag === 89 ? 4 : 1), "port");
      case 120:
        return this.skipNode(12, "port");
      case 101:
        return this.skipNode(5, "ref");
      case 114:
      case 90:
        return this.reference(tag);
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

  private atom(tag: number): Term {
    const len = tag === 100 || tag === 118 ? this.u16() : this.u8();
    try {
      return { t: "atom", v: (tag === 118 || tag === 119 ? utf8 : latin1).decode(this.bytes(len)) };
    } catch (e) {
      if (e instanceof GenAppupError) throw e;
      return fail("atom is not valid UTF-8");
    }
  }

  /** An atom, as the parts of a fun, a pid, a port or a reference are. */
  private atomPart(what: string): string {
    const tag = this.u8();
    if (tag !== 100 && tag !== 115 && tag !== 118 && tag !== 119) fail(`malformed ${what}`);
    return (this.atom(tag) as { v: string }).v;
  }

  private bitstring(): Term {
    const len = this.u32();
    const bits = this.u8();
    if (len === 0 ? bits !== 0 : bits < 1 || bits > 8) fail(`bitstring has ${bits} bits in its last byte`);
    const v = this.bytes(len);
    return bits === 8 || len === 0 ? { t: "bin", v } : { t: "bin", v, bits };
  }

  private exportFun(): Term {
    const m = this.atomPart("export fun"),
      f = this.atomPart("export fun");
    const a = this.leaf(this.u8());
    if (a.t !== "int") fail("malformed export fun");
    return { t: "fun", m, f, a: Number(a.v) };
  }

  /** NEW_FUN_EXT: skipped whole (its Size field counts itself), as closures never matter to us. */
  private closure(): Term {
    const start = this.pos;
    const end = start + this.u32();
    if (end > this.buf.length) fail("term is truncated");
    this.pos = end;
    return { t: "opaque", kind: "closure" };
  }

  private skipNode(rest: number, kind: "pid" | "port" | "ref"): Term {
    this.atomPart(kind);
    this.need(rest);
    return { t: "opaque", kind };
  }

  private reference(tag: number): Term {
    const n = this.u16();
    this.atomPart("reference");
    this.need((tag === 90 ? 4 : 1) + 4 * n);
    return { t: "opaque", kind: "ref" };
  }
}

/** The term an open container makes once its last element is in. */
function close(c: Open): Term {
  if (c.kind === "tuple") return { t: "tuple", v: c.items };
  if (c.kind === "map") {
    const v: [Term, Term][] = [];
    for (let i = 0; i < c.items.length; i += 2) v.push([c.items[i]!, c.items[i + 1]!]);
    return { t: "map", v };
  }
  const tail = c.items.pop()!;
  const v = c.items;
  if (tail.t === "list" && tail.v.length === 0) return { t: "list", v };
  // A list whose tail is itself a list is written flat by Erlang; merge it the same way.
  if (tail.t === "list") return { t: "list", v: v.concat(tail.v), ...(tail.tail ? { tail: tail.tail } : {}) };
  return { t: "list", v, tail };
}
