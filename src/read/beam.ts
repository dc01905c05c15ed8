/**
 * The `.beam` container: IFF chunks, the atom, import and export tables, and `beam_lib:md5/1`.
 *
 * `parseBeam` only walks the chunk headers; every table is decoded on first use, so hashing
 * a module touches nothing but the hashed chunks' bytes.
 */
import { createHash } from "node:crypto";
import { gunzipSync, inflateSync } from "node:zlib";
import { GenAppupError } from "../errors.js";
import { ascii, compactOperand, u32, walkChunks, type Fail } from "./bytes.js";
import { codeFacts, type CodeFacts } from "./code.js";
import { decodeEtf } from "./etf.js";
import { LIMITS, bytesText } from "./limits.js";
import { elementsOf, isAtom, subterms, type Term } from "../term/term.js";

/** A function a module calls in another module (its import table). */
export type Import = readonly [module: string, fun: string, arity: number];
export type FunArity = readonly [fun: string, arity: number];

/**
 * The chunks `beam_lib:md5/1` hashes, in its order (not the file's). `Recs` exists only in
 * OTP 29+ beams, where it is hashed. `DbgB` (OTP 28's +beam_debug_info) is hashed by OTP 29
 * but not by OTP 28; we follow OTP 28, the newest release.
 */
const MD5_CHUNKS = ["Atom", "AtU8", "Code", "StrT", "ImpT", "ExpT", "FunT", "LitT", "Meta", "Recs"];
const MANDATORY = ["Code", "ExpT", "ImpT", "StrT"];

export class Beam {
  private atomTable?: string[];
  private named?: Set<string>;
  private attrs?: Term;
  private importTable?: Import[];
  private exportTable?: FunArity[];
  private codeTable?: CodeFacts;

  constructor(
    readonly file: string,
    /** Chunk data by id (views into the file's bytes; padding excluded). */
    readonly chunks: ReadonlyMap<string, Uint8Array>,
    /** Chunk ids in file order. */
    readonly order: readonly string[],
  ) {}

  private readonly failer: Fail = (detail) => this.fail(detail);

  private fail(detail: string): never {
    throw new GenAppupError(this.file, detail);
  }

  chunk(id: string): Uint8Array {
    return this.chunks.get(id) ?? this.fail(`no ${id} chunk`);
  }

  /** The module name: atom #1. */
  get module(): string {
    return this.atoms[0] ?? this.fail("empty atom table");
  }

  /** The atom table (index 0 here is atom #1 of the file). */
  get atoms(): string[] {
    this.atomTable ??= this.chunks.has("AtU8")
      ? readAtoms(this.chunk("AtU8"), true, this.file)
      : readAtoms(this.chunk("Atom"), false, this.file);
    return this.atomTable;
  }

  /**
   * Every atom the module's code can name: its atom table (which holds the modules it calls) and
   * the atoms inside its literals (a child spec list, a struct, a server's name).
   */
  get namedAtoms(): Set<string> {
    if (!this.named) {
      const out = new Set(this.atoms);
      for (const lit of this.literals) for (const t of subterms(lit)) if (t.t === "atom") out.add(t.v);
      this.named = out;
    }
    return this.named;
  }

  /** `beam_lib:md5/1`, as 32 lowercase hex digits. */
  get md5(): string {
    return hashChunks(
      MD5_CHUNKS.map((id) => this.chunks.get(id)),
      this.file,
    );
  }

  /**
   * The md5 of the code alone: `beam_lib:md5/1` without the `Meta` chunk, which mix before 1.16
   * strips from release beams and later versions keep, so that the same code differs in md5.
   */
  get codeMd5(): string {
    return hashChunks(
      MD5_CHUNKS.map((id) => (id === "Meta" ? undefined : this.chunks.get(id))),
      this.file,
    );
  }

  get exports(): FunArity[] {
    this.exportTable ??= this.funTable("ExpT");
    return this.exportTable;
  }

  get locals(): FunArity[] {
    return this.chunks.has("LocT") ? this.funTable("LocT") : [];
  }

  /** Decoded once: DepMods and the checks read it for every pair of changed modules. */
  get imports(): Import[] {
    const b = this.chunk("ImpT");
    this.importTable ??= this.table(
      b,
      12,
      (at) => [this.atom(b, at), this.atom(b, at + 4), u32(b, at + 8, this.failer)] as const,
    );
    return this.importTable;
  }

  /** The raw `Attr` list (`[{Name, Value}]`), or `[]` when it was stripped. */
  get attributes(): Term {
    this.attrs ??= this.chunks.has("Attr") ? this.etf("Attr") : { t: "list", v: [] };
    return this.attrs;
  }

  /** Values of every attribute named `name`, concatenated (as `beam_lib` merges duplicates). */
  attribute(name: string): Term[] {
    const out: Term[] = [];
    for (const a of elementsOf(this.attributes) ?? []) {
      if (a.t === "tuple" && a.v.length === 2 && isAtom(a.v[0], name)) out.push(...(elementsOf(a.v[1]) ?? [a.v[1]!]));
    }
    return out;
  }

  /** `behaviour` and `behavior` attributes: `gen_server`, `Elixir.GenServer`, ... */
  get behaviours(): string[] {
    const names = [...this.attribute("behaviour"), ...this.attribute("behavior")].flatMap((n) =>
      n.t === "atom" ? [n.v] : [],
    );
    return [...new Set(names)];
  }

  /** The `vsn` attribute: the user's `-vsn`, or the compiler's md5 integer; undefined when stripped. */
  get vsn(): Term | undefined {
    return this.attribute("vsn")[0];
  }

  /** The `-on_load` function, if any (found in the code: the compiler keeps no attribute for it). */
  get onLoad(): FunArity | undefined {
    return this.code.onLoad;
  }

  /** Whether its code calls funs or functions of modules it does not name (call_fun, apply). */
  get callsFuns(): boolean {
    return this.code.callsFuns;
  }

  /** Whether it calls one of its own functions by its module name: a loop that moves to new code. */
  get callsItself(): boolean {
    return this.imports.some(([m]) => m === this.module);
  }

  private get code(): CodeFacts {
    this.codeTable ??= codeFacts(this.chunk("Code"), this.atoms, this.file);
    return this.codeTable;
  }

  /** Whether the module calls `erlang:load_nif/2`. */
  get loadsNif(): boolean {
    return this.imports.some(([m, f, a]) => m === "erlang" && f === "load_nif" && a === 2);
  }

  /**
   * The abstract code in the `Dbgi` chunk (`{debug_info_v1, erl_abstract_code, {Forms, Opts}}`), as
   * erlc +debug_info and rebar3 keep it; undefined when stripped, or kept by another backend.
   */
  get abstractCode(): Term[] | undefined {
    if (!this.chunks.has("Dbgi")) return undefined;
    const t = this.etf("Dbgi");
    const [tag, backend, data] = t.t === "tuple" && t.v.length === 3 ? t.v : [];
    if (!isAtom(tag, "debug_info_v1") || !isAtom(backend, "erl_abstract_code") || data?.t !== "tuple") return undefined;
    return elementsOf(data.v[0]);
  }

  /** `CInf`: compiler version and options, when not stripped. */
  get compileInfo(): Term | undefined {
    return this.chunks.has("CInf") ? this.etf("CInf") : undefined;
  }

  /** `Meta` (OTP 25+): enabled features. */
  get meta(): Term | undefined {
    return this.chunks.has("Meta") ? this.etf("Meta") : undefined;
  }

  /** The literal table (`LitT`): zlib-compressed before OTP 28, stored plain when its size field is 0. */
  get literals(): Term[] {
    if (!this.chunks.has("LitT")) return [];
    const raw = this.chunk("LitT");
    const size = u32(raw, 0, this.failer);
    let table: Uint8Array;
    if (size === 0) table = raw.subarray(4);
    else if (size > LIMITS.inflatedBytes)
      this.fail(`LitT claims ${size} bytes, over ${bytesText(LIMITS.inflatedBytes)}`);
    else {
      try {
        table = inflateSync(raw.subarray(4), { maxOutputLength: size });
      } catch {
        this.fail("LitT chunk does not inflate");
      }
      if (table.length !== size) this.fail(`LitT inflates to ${table.length} bytes, its header says ${size}`);
    }
    const out: Term[] = [];
    let at = 4;
    for (let n = u32(table, 0, this.failer); n > 0; n--) {
      const len = u32(table, at, this.failer);
      if (at + 4 + len > table.length) this.fail("LitT literal runs past the table");
      out.push(this.decode("LitT", table.subarray(at + 4, at + 4 + len)));
      at += 4 + len;
    }
    return out;
  }

  private etf(id: string): Term {
    return this.decode(id, this.chunk(id));
  }

  private decode(id: string, data: Uint8Array): Term {
    try {
      return decodeEtf(data);
    } catch (e) {
      return this.fail(`${id} chunk: ${e instanceof GenAppupError ? e.detail : String(e)}`);
    }
  }

  private atom(b: Uint8Array, at: number): string {
    const i = u32(b, at, this.failer);
    return this.atoms[i - 1] ?? this.fail(`atom index ${i} is outside the atom table`);
  }

  private funTable(id: string): FunArity[] {
    const b = this.chunk(id);
    return this.table(b, 12, (at) => [this.atom(b, at), u32(b, at + 4, this.failer)] as const);
  }

  private table<T>(b: Uint8Array, width: number, entry: (at: number) => T): T[] {
    const n = u32(b, 0, this.failer);
    if (4 + n * width > b.length) this.fail(`table of ${n} entries is longer than its chunk`);
    const out: T[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = entry(4 + i * width);
    return out;
  }
}

/** The md5 chunks (in MD5_CHUNKS order, absent ones undefined) hashed as beam_lib:md5 does. */
function hashChunks(chunks: (Uint8Array | undefined)[], file: string): string {
  for (const id of MANDATORY)
    if (!chunks[MD5_CHUNKS.indexOf(id)]) throw new GenAppupError(file, `no ${id} chunk, which beam_lib:md5 requires`);
  if (!chunks[0] && !chunks[1]) throw new GenAppupError(file, "no atom table (AtU8 or Atom chunk)");
  const h = createHash("md5");
  chunks.forEach((data, i) => {
    if (data) h.update(MD5_CHUNKS[i] === "FunT" ? zeroOldUniq(data) : data);
  });
  return h.digest("hex");
}

const MD5_IDS = MD5_CHUNKS.map(
  (id) => (id.charCodeAt(0) << 24) | (id.charCodeAt(1) << 16) | (id.charCodeAt(2) << 8) | id.charCodeAt(3),
);

/**
 * `beam_lib:md5/1` of a beam's bytes in one pass over the chunk headers, building nothing else:
 * for hashing every module of a release. Same result, and the same errors, as `parseBeam(...).md5`.
 */
export function beamMd5(bytes: Uint8Array, file: string): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return parseBeam(bytes, file).md5;
  const fail = failing(file);
  const found: (Uint8Array | undefined)[] = new Array(MD5_IDS.length);
  walkChunks(bytes, fail, (pos, size) => {
    const k = MD5_IDS.indexOf(u32(bytes, pos, fail) | 0);
    if (k >= 0) found[k] = bytes.subarray(pos + 8, pos + 8 + size); // the last one wins, as in parseBeam
  });
  return hashChunks(found, file);
}

/** Walks the IFF form. Accepts whole-file gzip (beam_lib:strip, erlc +compressed). */
export function parseBeam(bytes: Uint8Array, file: string): Beam {
  const data = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzip(bytes, file) : bytes;
  const chunks = new Map<string, Uint8Array>();
  const order: string[] = [];
  walkChunks(data, failing(file), (pos, size) => {
    const id = ascii(data, pos);
    if (!chunks.has(id)) order.push(id);
    chunks.set(id, data.subarray(pos + 8, pos + 8 + size));
  });
  return new Beam(file, chunks, order);
}

function failing(file: string): Fail {
  return (detail) => {
    throw new GenAppupError(file, detail);
  };
}

function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: LIMITS.inflatedBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      throw new GenAppupError(file, `gzip-compressed beam inflates to more than ${bytesText(LIMITS.inflatedBytes)}`);
    throw new GenAppupError(file, "gzip-compressed beam does not decompress (truncated or corrupt)");
  }
}

function readAtoms(b: Uint8Array, utf8: boolean, file: string): string[] {
  const decoder = new TextDecoder(utf8 ? "utf-8" : "latin1", { ignoreBOM: true });
  const raw = u32(b, 0, failing(file)) | 0;
  // OTP 28 writes a negative count and compact-encoded lengths (atoms up to 1020 bytes).
  const compact = raw < 0;
  const n = Math.abs(raw);
  const atoms: string[] = new Array(n);
  let at = 4;
  for (let i = 0; i < n; i++) {
    let len: number;
    if (compact) [len, at] = compactLength(b, at, file);
    else {
      if (at >= b.length) throw new GenAppupError(file, "atom table is truncated");
      len = b[at++]!;
    }
    if (at + len > b.length) throw new GenAppupError(file, "atom table is truncated");
    atoms[i] = decoder.decode(b.subarray(at, at + len));
    at += len;
  }
  return atoms;
}

/** An atom length: a `tag_u` operand in the compact term encoding, as the loader reads it. */
function compactLength(b: Uint8Array, at: number, file: string): [number, number] {
  const bad = (): never => {
    throw new GenAppupError(file, `bad compact-encoded atom length at byte ${at} of the atom table`);
  };
  const { tag, value, next } = compactOperand(b, at, bad);
  if (tag !== 0) bad();
  return [value, next];
}

function zeroOldUniq(funt: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(funt);
  for (let off = 4; off + 24 <= copy.length; off += 24) copy.fill(0, off + 20, off + 24);
  return copy;
}
