/**
 * gen-appup's public API: the pipeline's stages as plain functions over plain data.
 *   read:  readRelease, parseBeam, decodeEtf, parseTerms
 *   diff:  diffApps, diffModules
 *   plan:  planUpgrade (appups), makeRelup (relup), fromTerm/toTerm (the instruction vocabulary)
 *   emit:  appupText, formatTerm/formatFile (~tp layout), releaseFiles
 */
export { GenAppupError } from "./errors.js";
export type { Term } from "./term/term.js";
export { atom, bin, int, list, str, tuple, textOf, compareTerms } from "./term/term.js";
export { decodeEtf, type EtfLimits } from "./read/etf.js";
export { Beam, beamMd5, parseBeam, type FunArity, type Mfa } from "./read/beam.js";
export { moduleFacts, type ModuleFacts } from "./read/facts.js";
export { parseTerms, parseOneTerm, decodeConsultFile } from "./term/text.js";
export {
  readRelease,
  releaseVersions,
  type Release,
  type Application,
  type AppSpec,
  type BeamFile,
  type StartType,
  type ReadOptions,
} from "./read/release.js";
export type { ReleaseFiles } from "./read/source.js";
export { diffApps, type AppChange, type AppChangeKind } from "./diff/apps.js";
export { diffModules, type ModuleChange, type ModuleChangeKind } from "./diff/modules.js";
export { planUpgrade, type AppupEntry, type AppupPlan, type PlanOptions, type UpgradePlan } from "./plan/appups.js";
export type { Finding, FindingCode, FindingLevel } from "./plan/findings.js";
export {
  fromTerm,
  toTerm,
  instructionText,
  type Instruction,
  type LowLevel,
  type DependencyInstruction,
} from "./plan/instructions.js";
export { makeRelup, type RelupOptions, type RelupResult } from "./plan/relup.js";
export { appupTerm, appupText } from "./emit/appup.js";
export { formatTerm, formatFile, CODING_HEADER } from "./term/print.js";
export { releaseFiles } from "./emit/release-files.js";
export { inspectPaths, type InspectedModule } from "./cli/inspect.js";
export { upgrade, resolveReleases, type UpgradeOptions, type UpgradeResult } from "./cli/upgrade.js";
