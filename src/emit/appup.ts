/** Appup files: `{Vsn, [{UpFromVsn, Instructions}], [{DownToVsn, Instructions}]}`, laid out as OTP writes terms. */
import { GENERATED_MARKER, type Appup, type AppupEntry, type VersionKey } from "../plan/appup.js";
import { toTerm } from "../plan/instructions.js";
import { CODING_HEADER, formatTerm } from "../term/print.js";
import { bin, list, str, tuple, type Term } from "../term/term.js";

export function appupTerm(appup: Appup): Term {
  const entries = (es: AppupEntry[]) => list(es.map((e) => tuple(keyTerm(e.from), list(e.instructions.map(toTerm)))));
  return tuple(str(appup.vsn), entries(appup.up), entries(appup.down));
}

function keyTerm(key: VersionKey): Term {
  return key.kind === "exact" ? str(key.vsn) : bin(key.source);
}

export function appupText(appup: Appup): string {
  return generatedFile(appupTerm(appup));
}

/** A file we generate: the coding line, our marker (a file without it is someone else's), the term. */
export function generatedFile(term: Term): string {
  return `${CODING_HEADER}${GENERATED_MARKER}\n${formatTerm(term)}.\n`;
}
