/** gen-appup's public API: the pipeline's stages as plain functions over plain data. */
export { GenAppupError } from "./errors.js";
export type { Term } from "./read/term.js";
export { atom, bin, int, list, str, tuple, textOf, compareTerms } from "./read/term.js";
export { decodeEtf, type EtfLimits } from "./read/etf.js";
export { Beam, parseBeam, type FunArity, type Mfa } from "./read/beam.js";
export { moduleFacts, type ModuleFacts } from "./read/facts.js";
export { parseTerms, parseOneTerm, decodeConsultFile } from "./read/term-text.js";
export { readRelease, releaseVersions, type Release, type Application, type AppSpec, type BeamFile, type StartType, type ReadOptions } from "./read/release.js";
export type { ReleaseFiles } from "./read/source.js";
export { formatTerm, formatFile, CODING_HEADER } from "./emit/print.js";
export { inspectPaths, type InspectedModule } from "./cli/inspect.js";
