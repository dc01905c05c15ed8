/** Reading an appup term, `{Vsn, [{UpFromVsn, Instructions}], [{DownToVsn, Instructions}]}`, as systools does. */
import { GenAppupError } from "../errors.js";
import { elementsOf, type Term } from "../term/term.js";
import { fromTerm, type Instruction } from "./instructions.js";
import { matchesVersion } from "./versions.js";

export interface AppupParts {
  vsn: Term;
  up: Term[];
  down: Term[];
}

export function appupParts(term: Term, where: string): AppupParts {
  const [vsn, up, down] = term.t === "tuple" && term.v.length === 3 ? term.v : [];
  const ups = elementsOf(up),
    downs = elementsOf(down);
  if (!vsn || !ups || !downs)
    throw new GenAppupError(
      where,
      "is not an appup: expected {Vsn, [{UpFromVsn, Instructions}], [{DownToVsn, Instructions}]}",
    );
  return { vsn, up: ups, down: downs };
}

/** Whether an `{Vsn, Instructions}` entry's key selects `vsn`. */
export function selects(entry: Term, vsn: string): boolean {
  const key = entry.t === "tuple" && entry.v.length === 2 ? entry.v[0] : undefined;
  return !!key && matchesVersion(key, vsn);
}

/** The instructions of the first entry that selects `vsn` (systools' appup_search_for_version), or undefined. */
export function entryFor(entries: Term[], vsn: string, where: string): Instruction[] | undefined {
  const entry = entries.find((e) => selects(e, vsn)) as { v: Term[] } | undefined;
  return entry && (elementsOf(entry.v[1]) ?? []).map((t) => fromTerm(t, where));
}
