/**
 * gen-appup's public API: the pipeline's stages as plain functions over plain data.
 *   read:    readRelease, readReleaseFrom, parseBeam, decodeEtf
 *   term:    parseTerms, formatTerm (Erlang term text, as file:consult reads it and ~tp writes it)
 *   diff:    diffApps, diffModules
 *   plan:    planUpgrade (appups), makeRelup (relup), parseAppup, fromTerm/toTerm (the instructions)
 *   emit:    appupText, relupText, releaseFiles
 *   upgrade: all of it, as the command line does it (upgrade, resolveReleases, readOverrides)
 *
 * Each stage imports only from the stages before it (term and errors serve them all).
 * Input that cannot be read throws GenAppupError; what is wrong with an upgrade is a Finding.
 */
export { GenAppupError } from "./errors.js";
export type { Term } from "./term/term.js";
export { atom, bin, int, list, str, tuple, textOf, compareTerms } from "./term/term.js";
export { parseTerms, parseOneTerm, decodeConsultFile } from "./term/text.js";
export { formatTerm, formatFile, termLine, CODING_HEADER } from "./term/print.js";
export { decodeEtf, type EtfLimits } from "./read/etf.js";
export { Beam, beamMd5, parseBeam, type FunArity, type Import } from "./read/beam.js";
export { moduleFacts, type ModuleFacts } from "./read/facts.js";
export {
  readRelease,
  readReleaseFrom,
  releaseVersions,
  type Release,
  type Application,
  type AppSpec,
  type BeamFile,
  type StartType,
  type ReadOptions,
} from "./read/release.js";
export { memorySource, type ReleaseSource } from "./read/source.js";
export { diffApps, type AppChange, type AppChangeKind } from "./diff/apps.js";
export { diffModules, type ModuleChange, type ModuleChangeKind } from "./diff/modules.js";
export { planUpgrade, type AppupPlan, type HandWritten, type PlanOptions, type UpgradePlan } from "./plan/plan.js";
export { parseAppup, entryFor, GENERATED_MARKER, type Appup, type AppupEntry, type VersionKey } from "./plan/appup.js";
export { CATALOGUE, type Finding, type FindingCode, type FindingLevel } from "./plan/findings.js";
export {
  fromTerm,
  toTerm,
  instructionText,
  type Instruction,
  type LowLevel,
  type DependencyInstruction,
} from "./plan/instructions.js";
export { makeRelup, type Relup, type RelupScript, type RelupOptions, type RelupResult } from "./plan/relup.js";
export { appupTerm, appupText } from "./emit/appup.js";
export { relupTerm, relupText } from "./emit/relup.js";
export { releaseFiles } from "./emit/release-files.js";
export { inspectPaths, type InspectedModule } from "./cli/inspect.js";
export { upgrade, type UpgradeOptions, type UpgradeResult } from "./upgrade.js";
export { resolveReleases, readOverrides } from "./releases.js";
