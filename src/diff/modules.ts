/**
 * Modules of two releases compared as `beam_lib:md5` compares them: identical bytes are equal
 * without hashing, and different bytes are compared by md5, so stripped and unstripped copies of
 * the same code are equal, and so are beams that differ only in their `Meta` chunk (marked
 * `metadataOnly`). A module found in both releases under different applications is one
 * change ("moved"), not a delete plus an add.
 */
import { parseBeam, type Beam } from "../read/beam.js";
import type { BeamFile, Release } from "../read/release.js";

/**
 * One module of the two releases. `app` is the application holding it on the side it exists on
 * (the new one, for a module in both); `beam` is its new beam, `oldBeam` its old one, parsed only
 * when the module changed, was added or was deleted.
 */
export type ModuleChange =
  | { kind: "added"; module: string; app: string; beam: Beam }
  | { kind: "deleted"; module: string; app: string; oldBeam: Beam }
  | { kind: "changed"; module: string; app: string; oldApp: string; beam: Beam; oldBeam: Beam }
  | { kind: "unchanged"; module: string; app: string; oldApp: string; metadataOnly?: true };

export type ModuleChangeKind = ModuleChange["kind"];

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
  const oldBeam = (o: Located) => parseBeam(o.file.read(), from.source.describe(o.file.path));
  const newBeam = (n: Located) => parseBeam(n.file.read(), to.source.describe(n.file.path));
  const changes: ModuleChange[] = [];
  for (const [module, n] of news) {
    const o = olds.get(module);
    if (!o) changes.push({ kind: "added", module, app: n.app, beam: newBeam(n) });
    else if (o.file.sameBytes(n.file) || o.file.md5() === n.file.md5())
      changes.push({ kind: "unchanged", module, app: n.app, oldApp: o.app });
    else {
      const beam = newBeam(n),
        old = oldBeam(o);
      if (metadataOnly(beam, old))
        changes.push({ kind: "unchanged", module, app: n.app, oldApp: o.app, metadataOnly: true });
      else changes.push({ kind: "changed", module, app: n.app, oldApp: o.app, beam, oldBeam: old });
    }
  }
  for (const [module, o] of olds)
    if (!news.has(module)) changes.push({ kind: "deleted", module, app: o.app, oldBeam: oldBeam(o) });
  return changes;
}

/** Whether two beams with different md5s differ only in their Meta chunks: hashed again only then. */
function metadataOnly(a: Beam, b: Beam): boolean {
  const [ma, mb] = [a.chunks.get("Meta"), b.chunks.get("Meta")];
  if (ma === undefined ? mb === undefined : mb !== undefined && Buffer.compare(ma, mb) === 0) return false;
  return a.codeMd5 === b.codeMd5;
}
