/**
 * Modules of two releases compared as `beam_lib:md5` compares them: identical bytes are equal
 * without hashing, and different bytes are compared by md5, so stripped and unstripped copies of
 * the same code are equal. A module found in both releases under different applications is one
 * change ("moved"), not a delete plus an add.
 */
import { parseBeam, type Beam } from "../read/beam.js";
import type { BeamFile, Release } from "../read/release.js";

export type ModuleChangeKind = "added" | "deleted" | "changed" | "unchanged";

export interface ModuleChange {
  module: string;
  kind: ModuleChangeKind;
  /** The application holding it in the old release (absent when added). */
  oldApp?: string;
  /** The application holding it in the new release (absent when deleted). */
  newApp?: string;
  /** The new beam, parsed, when the module was added or changed: behaviours, exports and imports come from it. */
  beam?: Beam;
  /** The old beam, parsed, when the module was changed or deleted. */
  oldBeam?: Beam;
}

interface Located {
  app: string;
  file: BeamFile;
}

/** Every module listed in an application's `.app`, by name: the modules release_handler loads. */
function modulesOf(release: Release): Map<string, Located> {
  const out = new Map<string, Located>();
  for (const app of release.apps) for (const file of app.beams) out.set(file.module, { app: app.name, file });
  return out;
}

/**
 * Every module in both releases is compared: by bytes first, then, when the bytes differ, by
 * md5. Only the beams of modules that changed are parsed.
 */
export function diffModules(from: Release, to: Release): ModuleChange[] {
  const olds = modulesOf(from);
  const news = modulesOf(to);
  const oldBeam = (o: Located) => parseBeam(o.file.read(), from.files.describe(o.file.path));
  const newBeam = (n: Located) => parseBeam(n.file.read(), to.files.describe(n.file.path));
  const changes: ModuleChange[] = [];
  for (const [module, n] of news) {
    const o = olds.get(module);
    if (!o) changes.push({ module, kind: "added", newApp: n.app, beam: newBeam(n) });
    else if (o.file.sameBytes(n.file) || o.file.md5() === n.file.md5())
      changes.push({ module, kind: "unchanged", oldApp: o.app, newApp: n.app });
    else changes.push({ module, kind: "changed", oldApp: o.app, newApp: n.app, beam: newBeam(n), oldBeam: oldBeam(o) });
  }
  for (const [module, o] of olds)
    if (!news.has(module)) changes.push({ module, kind: "deleted", oldApp: o.app, oldBeam: oldBeam(o) });
  return changes;
}
