/** Appup files: `{Vsn, [{UpFromVsn, Instructions}], [{DownToVsn, Instructions}]}`, laid out as OTP writes terms. */
import { GENERATED_MARKER, type AppupEntry, type AppupPlan } from "../plan/appups.js";
import { toTerm } from "../plan/instructions.js";
import { list, str, tuple, type Term } from "../term/term.js";
import { CODING_HEADER, formatTerm } from "../term/print.js";

export function appupTerm(plan: AppupPlan): Term {
  if (plan.kept) return plan.kept;
  const entries = (es: AppupEntry[]) => list(es.map((e) => tuple(str(e.vsn), list(e.instructions.map(toTerm)))));
  return tuple(str(plan.vsn), entries(plan.up), entries(plan.down));
}

/** The generated file: the coding line, our marker, the term. */
export function appupText(plan: AppupPlan): string {
  return `${CODING_HEADER}${GENERATED_MARKER}\n${formatTerm(appupTerm(plan))}.\n`;
}
