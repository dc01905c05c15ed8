/**
 * Releases made in memory, for the pure test tier (no Erlang needed): beams are built byte by byte
 * in the BEAM file format (atom, code, import, export, attribute and literal chunks) and read
 * back by the real reader, and `.rel`/`.app` files are written as text and parsed as usual.
 */
import { readReleaseFrom, type Release } from "../../src/read/release.js";
import { memorySource } from "../../src/read/source.js";
import { formatTerm } from "../../src/term/print.js";
import { atom, list, str, tuple, type Term } from "../../src/term/term.js";

export interface ModuleSpec {
  behaviours?: string[];
  /** Exported functions; `module_info/0,1` are always there. */
  exports?: [fun: string, arity: number][];
  /** Remote calls (the import table). */
  calls?: [module: string, fun: string, arity: number][];
  /** Literals (a child spec list, a struct): their atoms are named as data. */
  literals?: Term[];
  onLoad?: [fun: string, arity: number];
  /** Stands for the code: beams with another `code` have another md5. */
  code?: string;
  /** Its code calls a fun (a call_fun instruction). */
  callsFun?: boolean;
  /** Abstract code forms, kept in a `Dbgi` chunk as erlc +debug_info keeps them. */
  forms?: Term[];
  /** A `Meta` chunk (enabled features), as mix 1.16+ keeps it. */
  meta?: Term;
}

export interface AppModel {
  name: string;
  vsn: string;
  modules: Record<string, ModuleSpec>;
  /** An appup shipped in the ebin directory, as text. */
  appup?: string;
  /** Other files of the application, by path in its directory. */
  files?: Record<string, string>;
}

export interface ReleaseModel {
  name: string;
  vsn: string;
  erts?: string;
  apps: AppModel[];
  /** Elixir's consolidated protocols (releases/VSN/consolidated). */
  consolidated?: Record<string, ModuleSpec>;
  /** A runtime.exs beside the release (its text, or a plain one). */
  runtimeExs?: boolean | string;
  /** releases/VSN/sys.config, as text. */
  sysConfig?: string;
  /** Where it is said to be: two releases with the same origin are one release root. */
  origin?: string;
}

/** kernel, stdlib and sasl, without modules: what every release (and systools) needs. */
const OTP: AppModel[] = [
  { name: "kernel", vsn: "8.5", modules: {} },
  { name: "stdlib", vsn: "4.3", modules: {} },
  { name: "sasl", vsn: "4.2", modules: {} },
];

export function memoryRelease(model: ReleaseModel): Release {
  const files = releaseFiles(model);
  return readReleaseFrom(memorySource(model.origin ?? `mem:${model.name}-${model.vsn}`, files), { vsn: model.vsn });
}

/** The files of a release made from a model, by path relative to its root. */
export function releaseFiles(model: ReleaseModel): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (path: string, s: string) => files.set(path, new TextEncoder().encode(s));
  const apps = [...OTP, ...model.apps];
  const rel = tuple(
    atom("release"),
    tuple(str(model.name), str(model.vsn)),
    tuple(atom("erts"), str(model.erts ?? "13.1.5")),
    list(apps.map((a) => tuple(atom(a.name), str(a.vsn)))),
  );
  text(`releases/${model.vsn}/${model.name}.rel`, `${formatTerm(rel)}.\n`);
  for (const a of apps) {
    const ebin = `lib/${a.name}-${a.vsn}/ebin`;
    text(`${ebin}/${a.name}.app`, `${formatTerm(appFile(a))}.\n`);
    for (const [m, spec] of Object.entries(a.modules)) files.set(`${ebin}/${m}.beam`, beamBytes(m, spec));
    if (a.appup) text(`${ebin}/${a.name}.appup`, a.appup);
    for (const [path, body] of Object.entries(a.files ?? {})) text(`lib/${a.name}-${a.vsn}/${path}`, body);
  }
  for (const [m, spec] of Object.entries(model.consolidated ?? {}))
    files.set(`releases/${model.vsn}/consolidated/${m}.beam`, beamBytes(m, spec));
  if (model.runtimeExs) {
    text(`releases/${model.vsn}/runtime.exs`, model.runtimeExs === true ? "import Config\n" : model.runtimeExs);
  }
  if (model.sysConfig) text(`releases/${model.vsn}/sys.config`, model.sysConfig);
  return files;
}

function appFile(a: AppModel): Term {
  const uses = OTP.some((o) => o.name === a.name) ? [] : ["kernel", "stdlib"];
  return tuple(
    atom("application"),
    atom(a.name),
    list([
      tuple(atom("description"), str(a.name)),
      tuple(atom("vsn"), str(a.vsn)),
      tuple(atom("modules"), list(Object.keys(a.modules).map(atom))),
      tuple(atom("registered"), list([])),
      tuple(atom("applications"), list(uses.map(atom))),
    ]),
  );
}

// ---- the BEAM file format -------------------------------------------------------------------

export function beamBytes(module: string, spec: ModuleSpec): Uint8Array {
  const exports: [string, number][] = [...(spec.exports ?? []), ["module_info", 0], ["module_info", 1]];
  const calls = spec.calls ?? [];
  const atoms: string[] = [module];
  const index = (a: string) => {
    const i = atoms.indexOf(a);
    return i >= 0 ? i + 1 : atoms.push(a);
  };
  exports.forEach(([f]) => index(f));
  calls.forEach(([m, f]) => (index(m), index(f)));
  if (spec.onLoad) index(spec.onLoad[0]);
  const chunks: [string, Uint8Array][] = [
    ["AtU8", atomChunk(atoms)],
    ["Code", codeChunk(spec.onLoad && [index(spec.onLoad[0]), spec.onLoad[1]], index(module), !!spec.callsFun)],
    ["StrT", new TextEncoder().encode(spec.code ?? "")],
    ["ImpT", table(calls.map(([m, f, a]) => [index(m), index(f), a]))],
    ["ExpT", table(exports.map(([f, a], i) => [index(f), a, i + 1]))],
    ["Attr", etf(list([tuple(atom("behaviour"), list((spec.behaviours ?? []).map(atom)))]))],
  ];
  if (spec.literals?.length) chunks.push(["LitT", literalChunk(spec.literals)]);
  if (spec.meta) chunks.push(["Meta", etf(spec.meta)]);
  if (spec.forms) {
    const data = tuple(list(spec.forms), list([]));
    chunks.push(["Dbgi", etf(tuple(atom("debug_info_v1"), atom("erl_abstract_code"), data))]);
  }
  return form(chunks);
}

function form(chunks: [string, Uint8Array][]): Uint8Array {
  const parts: number[] = [];
  for (const [id, data] of chunks) {
    parts.push(...ascii(id), ...u32(data.length), ...data);
    while (parts.length % 4) parts.push(0);
  }
  return Uint8Array.from([...ascii("FOR1"), ...u32(parts.length + 4), ...ascii("BEAM"), ...parts]);
}

function atomChunk(atoms: string[]): Uint8Array {
  const out = [...u32(atoms.length)];
  for (const a of atoms) {
    const bytes = new TextEncoder().encode(a);
    out.push(bytes.length, ...bytes);
  }
  return Uint8Array.from(out);
}

/** A Code chunk: the sub-header, func_info (and on_load in the marked function), call_fun, int_code_end. */
function codeChunk(onLoad: [atomIndex: number, arity: number] | undefined, moduleAtom: number, callsFun: boolean) {
  const header = [...u32(16), ...u32(0), ...u32(178), ...u32(1), ...u32(1)];
  const tagA = (n: number) => (n << 4) | 2;
  const tagU = (n: number) => n << 4;
  const body = onLoad ? [2, tagA(moduleAtom), tagA(onLoad[0]), tagU(onLoad[1]), 149] : [];
  if (callsFun) body.push(75, tagU(1)); // call_fun 1
  return Uint8Array.from([...header, ...body, 3]);
}

function table(rows: number[][]): Uint8Array {
  return Uint8Array.from([...u32(rows.length), ...rows.flatMap((r) => r.flatMap(u32))]);
}

function literalChunk(literals: Term[]): Uint8Array {
  const encoded = literals.map(etf);
  const body = [...u32(literals.length), ...encoded.flatMap((e) => [...u32(e.length), ...e])];
  return Uint8Array.from([...u32(0), ...body]); // size 0: stored uncompressed, as OTP 28 writes it
}

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** The external term format, for the terms these tests need. */
function etf(t: Term): Uint8Array {
  return Uint8Array.from([131, ...encode(t)]);
}

function encode(t: Term): number[] {
  switch (t.t) {
    case "atom": {
      const b = [...new TextEncoder().encode(t.v)];
      return [119, b.length, ...b];
    }
    case "int":
      if (t.v >= 0n && t.v < 256n) return [97, Number(t.v)];
      return [98, ...u32(Number(BigInt.asUintN(32, t.v)))];
    case "tuple":
      return [104, t.v.length, ...t.v.flatMap(encode)];
    case "list":
      return t.v.length ? [108, ...u32(t.v.length), ...t.v.flatMap(encode), ...encode(t.tail ?? list([]))] : [106];
    case "map":
      return [116, ...u32(t.v.length), ...t.v.flatMap(([k, v]) => [...encode(k), ...encode(v)])];
    case "bin":
      return [109, ...u32(t.v.length), ...t.v];
    default:
      throw new Error(`cannot encode ${t.t} in a test beam`);
  }
}
