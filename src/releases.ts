/** The file-system edge of the main command: which releases, and which hand-written appups, go in. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { GenAppupError } from "./errors.js";
import { GENERATED_MARKER, parseAppup } from "./plan/appup.js";
import type { HandWritten } from "./plan/plan.js";
import { TOOLCHAIN_APPS } from "./plan/checks.js";
import { highestBelow } from "./plan/versions.js";
import { readRelease, releaseVersions, type Release } from "./read/release.js";
import { listDir, readFile } from "./read/source.js";
import { decodeConsultFile, parseOneTerm } from "./term/text.js";

/**
 * The releases named on the command line: the last is the new one. With one path, the old one
 * is the highest version below it in the same root; with `firstOk`, there may be none.
 *
 * An old version in the same root as the new one is read from its tarball when the build left
 * one beside the root (mix: _build/ENV/NAME-VSN.tar.gz; relx: in the root): in the root, an
 * application that kept its version has one lib directory for both, which a rebuild overwrote.
 * OTP's and Elixir's applications of one version are one code, so when only they kept theirs,
 * the root is read (inflating the tarball is most of a small release's run).
 */
export function resolveReleases(paths: string[], firstOk = false): { olds: Release[]; to: Release } {
  const to = readRelease(paths[paths.length - 1]!);
  const root = resolve(to.source.origin);
  const oldPaths = paths.length === 1 ? [paths[0]!] : paths.slice(0, -1);
  const olds = oldPaths.flatMap((p) => {
    // The same root as NEW holding several versions: the old one is the highest below NEW.
    if (resolve(p) === root) {
      const below = highestBelow(releaseVersions(p), to.vsn);
      if (below) return [asShipped(readRelease(p, { vsn: below, sibling: to }), to)];
      if (firstOk && paths.length === 1) return [];
      throw new GenAppupError(p, `holds no version below ${to.vsn} to upgrade from`);
    }
    const old = readRelease(p, { sibling: to });
    return [resolve(old.source.origin) === root ? asShipped(old, to) : old];
  });
  for (const o of olds) {
    if (o.name !== to.name)
      throw new GenAppupError(o.origin, `is release ${o.name}, but the new release is ${to.name}`);
    if (o.vsn === to.vsn) throw new GenAppupError(o.origin, `is version ${o.vsn}, the same as the new release`);
  }
  return { olds, to };
}

/**
 * Old release `old`, read in the new one's root, as it was shipped: from the tarball the build left
 * beside the root, if any, when one of its own applications kept its version.
 */
function asShipped(old: Release, to: Release): Release {
  const kept = old.apps.some((a) => !TOOLCHAIN_APPS.has(a.name) && to.apps.some((b) => b.dir === a.dir));
  const tarball = kept ? tarballBeside(resolve(old.source.origin), old.name, old.vsn) : undefined;
  return tarball ? readRelease(tarball) : old;
}

function tarballBeside(root: string, name: string, vsn: string): string | undefined {
  const file = `${name}-${vsn}.tar.gz`;
  return [join(root, "..", "..", file), join(root, file)].find((t) => existsSync(t));
}

/** Release `r`'s tarball: itself, or the one the build left (mix: _build/ENV/NAME-VSN.tar.gz; relx: in the root). */
export function tarballOf(r: Release): string | undefined {
  return r.source.kind === "tar" ? r.origin : tarballBeside(resolve(r.source.origin), r.name, r.vsn);
}

/** The tarball the build left for release `to`, for --tar. */
export function buildTarball(to: Release): string {
  const found = tarballOf(to);
  const root = resolve(to.source.origin);
  if (!found)
    throw new GenAppupError(
      root,
      `has no ${to.name}-${to.vsn}.tar.gz beside it or in it for --tar: build it first (rebar3 tar, or mix release ` +
        "with the :tar step)",
    );
  return found;
}

/**
 * Hand-written appups in DIR/APP/FROM_to_TO.appup (the Distillery and Jellyfish layout) for the
 * new release's application versions, parsed, by `APP/FROM`.
 */
export function readOverrides(dir: string, to: Release): Map<string, HandWritten> {
  const out = new Map<string, HandWritten>();
  for (const app of to.apps) {
    const appDir = resolve(dir, app.name);
    if (!existsSync(appDir)) continue;
    for (const f of listDir(appDir)) {
      const m = /^(.+)_to_(.+)\.appup$/.exec(f);
      if (!m || m[2] !== app.vsn) continue;
      const path = resolve(appDir, f);
      const text = decodeConsultFile(readFile(path), path);
      if (text.includes(GENERATED_MARKER)) continue; // a review copy we saved (--save-appups): not the user's
      const appup = parseAppup(parseOneTerm(text, path), path);
      out.set(`${app.name}/${m[1]}`, { path, appup });
    }
  }
  return out;
}
