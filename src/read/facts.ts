/** The facts about one module, as `gen-appup inspect` prints them. */
import { parseBeam, type FunArity, type Import } from "./beam.js";
import type { Term } from "../term/term.js";

export interface ModuleFacts {
  /** Where the beam was read from (a path, or `tarball:member`). */
  file: string;
  module: string;
  /** beam_lib:md5/1 as 32 lowercase hex digits. */
  md5: string;
  behaviours: string[];
  exports: FunArity[];
  imports: Import[];
  /** The raw Attr chunk: `[]` when stripped. */
  attributes: Term;
  vsn?: Term;
  onLoad?: FunArity;
  loadsNif: boolean;
  /** Chunk ids in file order. */
  chunks: string[];
}

export function moduleFacts(bytes: Uint8Array, file: string): ModuleFacts {
  const beam = parseBeam(bytes, file);
  const vsn = beam.vsn;
  const onLoad = beam.onLoad;
  return {
    file: beam.file,
    module: beam.module,
    md5: beam.md5,
    behaviours: beam.behaviours,
    exports: beam.exports,
    imports: beam.imports,
    attributes: beam.attributes,
    ...(vsn ? { vsn } : {}),
    ...(onLoad ? { onLoad } : {}),
    loadsNif: beam.loadsNif,
    chunks: [...beam.order],
  };
}
