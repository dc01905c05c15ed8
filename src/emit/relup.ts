/** The relup file, `{Vsn, [{UpFromVsn, Descr, Script}], [{DownToVsn, Descr, Script}]}`, as systools writes it. */
import { toTerm } from "../plan/instructions.js";
import type { Relup, RelupScript } from "../plan/relup.js";
import { generatedFile } from "./appup.js";
import { list, str, tuple, type Term } from "../term/term.js";

export function relupTerm(relup: Relup): Term {
  const scripts = (ss: RelupScript[]) =>
    list(ss.map((s) => tuple(str(s.vsn), list([]), list(s.instructions.map(toTerm)))));
  return tuple(str(relup.vsn), scripts(relup.up), scripts(relup.down));
}

/** The file systools would write, with our marker line: a relup without it is someone else's. */
export function relupText(relup: Relup): string {
  return generatedFile(relupTerm(relup));
}
