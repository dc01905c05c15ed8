/** `gen-appup inspect PATH... [--json]`: the facts of every module in beams, ebin directories or releases. */
import { statSync } from "node:fs";
import { join } from "node:path";
import { termLine } from "../term/print.js";
import { GenAppupError, errnoText } from "../errors.js";
import { moduleFacts, type ModuleFacts } from "../read/facts.js";
import { readRelease } from "../read/release.js";
import { listDir, readFile } from "../read/source.js";

export interface InspectedModule extends ModuleFacts {
  /** The application the module belongs to, when read from a release. */
  app?: string;
}

/** Reads every module the paths name: a .beam file, a directory of beams, or a release in any form. */
export function inspectPaths(paths: string[]): InspectedModule[] {
  return paths.flatMap(inspectPath);
}

function inspectPath(path: string): InspectedModule[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new GenAppupError(path, errnoText(e));
  }
  if (!isDir && path.endsWith(".beam")) return [moduleFacts(readFile(path), path)];
  // A directory of beams is an ebin; anything else is a release, in whatever form readRelease accepts.
  const beams = isDir ? listDir(path).filter((f) => f.endsWith(".beam")) : [];
  if (beams.length) return beams.map((f) => moduleFacts(readFile(join(path, f)), join(path, f)));
  const release = readRelease(path);
  const fromApps = release.apps.flatMap((app) =>
    app.beams.map((b) => ({ ...moduleFacts(b.read(), release.source.describe(b.path)), app: app.name })),
  );
  return [...fromApps, ...release.consolidated.map((b) => moduleFacts(b.read(), release.source.describe(b.path)))];
}

const funName = ([f, a]: readonly [string, number]) => `${f}/${a}`;

/** One JSON object per module (JSON Lines). */
export function toJsonLine(m: InspectedModule): string {
  return JSON.stringify({
    file: m.file,
    ...(m.app ? { app: m.app } : {}),
    module: m.module,
    md5: m.md5,
    behaviours: m.behaviours,
    exports: m.exports.map(funName),
    imports: m.imports.map(([mod, f, a]) => `${mod}:${f}/${a}`),
    attributes: termLine(m.attributes),
    vsn: m.vsn ? termLine(m.vsn) : null,
    on_load: m.onLoad ? funName(m.onLoad) : null,
    loads_nif: m.loadsNif,
    chunks: m.chunks,
  });
}

export function toText(m: InspectedModule): string {
  const calls = [...new Set(m.imports.map(([mod]) => mod))].sort();
  const row = (k: string, v: string) => `  ${k.padEnd(11)} ${v}\n`;
  return (
    `${m.file}\n` +
    row("module", m.module) +
    (m.app ? row("app", m.app) : "") +
    row("md5", m.md5) +
    row("behaviours", m.behaviours.join(", ") || "-") +
    row("vsn", m.vsn ? termLine(m.vsn) : "- (stripped)") +
    row("exports", `${m.exports.length}: ${m.exports.map(funName).join(" ")}`) +
    row("calls", `${calls.length} modules: ${calls.join(" ")}`) +
    row("on_load", m.onLoad ? funName(m.onLoad) : "-") +
    row("loads NIF", m.loadsNif ? "yes" : "no") +
    row("chunks", m.chunks.join(" "))
  );
}
