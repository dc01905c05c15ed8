/**
 * The library's main entry point: from the old releases and the new one, the appups and the relup,
 * written into the new release (or under `out`) when nothing stops it. Passes: apply the
 * patch-only policy; plan the appups; make the relup; gather the findings and the exit code; lay
 * out the files; write them all or none.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { appupText } from "./emit/appup.js";
import { releaseFiles } from "./emit/release-files.js";
import { relupText } from "./emit/relup.js";
import { tarWith } from "./emit/tar.js";
import { writeAll, type OutputFile } from "./emit/write.js";
import { GenAppupError } from "./errors.js";
import { GENERATED_MARKER, entryFor } from "./plan/appup.js";
import { finding, type Finding } from "./plan/findings.js";
import { planUpgrade, type AppupPlan, type PlanOptions, type UpgradePlan } from "./plan/plan.js";
import { makeRelup, type Relup } from "./plan/relup.js";
import type { Release } from "./read/release.js";
import { LIMITS } from "./read/limits.js";
import { readFile } from "./read/source.js";

export interface UpgradeOptions extends PlanOptions {
  out?: string;
  dryRun?: boolean;
  relup?: boolean;
  strict?: boolean;
  /** Also write releases/NAME-VSN.rel and releases/RELEASES, as the mix release step does. */
  prepare?: boolean;
  /** Hot-upgrade only from versions with the same major.minor; others are a cold deploy. */
  patchOnly?: boolean;
  /** Copy each generated appup entry to DIR/APP/FROM_to_TO.appup for review (existing files are kept). */
  saveAppups?: string;
  /** Error findings of these codes are warnings: the user knows, and takes it on. */
  allow?: ReadonlySet<string>;
  /**
   * Also write the files into this tarball of the new release (the one the build left beside it),
   * with releases/NAME-VSN.rel, which unpack_release reads. A new release read from a tarball is
   * written into that tarball unless `out` is given.
   */
  tarball?: string;
  /**
   * Also write lib/APP-VSN/ebin/jellyfish.json beside each generated appup: DeployEx reads it to
   * choose a hot upgrade, and makes the relup on the target from the appups. One old release only.
   */
  deployex?: boolean;
}

export interface UpgradeResult {
  plan: UpgradePlan;
  findings: Finding[];
  /** The files written (absolute paths; TARBALL:MEMBER in a tarball), or that would be with `dryRun`. */
  paths: string[];
  written: boolean;
  relup?: Relup;
  /** 0 done, 1 errors found, 3 warnings under `strict`. */
  exitCode: 0 | 1 | 3;
}

export function upgrade(allOlds: Release[], to: Release, opts: UpgradeOptions): UpgradeResult {
  const olds = opts.patchOnly ? allOlds.filter((o) => isPatch(o.vsn, to.vsn)) : allOlds;
  if (opts.deployex && olds.length > 1)
    throw new GenAppupError(to.origin, "DeployEx reads appups with one old version: give one OLD with --deployex");
  const plan = planUpgrade(olds, to, opts);
  const appups = new Map(plan.appups.map((a) => [a.app, a.appup]));
  const intoRoot = !!opts.out || to.source.kind === "dir";
  const root = resolve(opts.out ?? to.source.origin);
  const tarball = opts.tarball ?? (intoRoot ? undefined : to.origin);
  const where = (path: string) => (intoRoot ? join(root, path) : to.source.describe(path));
  const appupFiles = new Map(plan.appups.map((a) => [a.app, a.shipped ?? where(a.path)]));
  const relup = opts.relup === false || olds.length === 0 ? undefined : makeRelup(olds, to, appups, { appupFiles });
  const findings = [
    ...policyNotes(allOlds, olds, to),
    ...plan.findings,
    // The plan already says when ERTS changes, once per old release.
    ...(relup?.warnings.filter((w) => w.code !== "erts_changed") ?? []),
  ].map((f): Finding => (f.level === "error" && opts.allow?.has(f.code) ? { ...f, level: "warning" } : f));
  const exitCode = findings.some((f) => f.level === "error")
    ? 1
    : opts.strict && findings.some((f) => f.level === "warning")
      ? 3
      : 0;
  const outputs = outputFiles(plan, to, relup?.relup, opts);
  const members = tarball
    ? [...outputs.filter((f) => !isRel(f, to)), ...releaseFiles(to).filter((f) => isRel(f, to))]
    : [];
  const kept = (f: OutputFile) => !existsSync(resolve(opts.saveAppups!, f.path)); // the user's edits win
  const reviews = opts.saveAppups ? reviewCopies(plan).filter(kept) : [];
  const paths = [
    ...(intoRoot ? outputs.map((f) => join(root, f.path)) : []),
    ...members.map((f) => `${resolve(tarball!)}:${f.path}`),
    ...reviews.map((f) => resolve(opts.saveAppups!, f.path)),
  ];
  const write = exitCode === 0 && !opts.dryRun;
  if (write) {
    writeSet(
      intoRoot ? root : undefined,
      outputs,
      tarball ? { path: resolve(tarball), members } : undefined,
      !!opts.out,
    );
    if (reviews.length) writeAll(opts.saveAppups!, reviews);
  }
  return { plan, findings, paths, written: write, ...(relup ? { relup: relup.relup } : {}), exitCode };
}

/**
 * A relup, or an appup under --out, that is already there without our marker is the user's (or
 * systools'): never overwritten. Appups in the release itself without it are read as shipped ones.
 */
function keepUsersFile(path: string, text: string | Uint8Array, out: boolean, now?: Uint8Array): void {
  const relup = path.endsWith("/relup");
  if (!(relup || (out && path.endsWith(".appup"))) || !(now || existsSync(path))) return;
  const was = new TextDecoder().decode(now ?? readFile(path));
  if (was.includes(GENERATED_MARKER) || was === text) return;
  throw new GenAppupError(
    path,
    relup
      ? "exists and is not one gen-appup wrote (no marker line): move it away to have it generated, or keep it " +
          "with --no-relup"
      : "exists and is not one gen-appup wrote (no marker line): move it away, or pass it with --appups",
  );
}

/**
 * The outputs under `root` and the members into `tarball`, as one set: one lock, in the release
 * root or in the directory that holds it and the tarball.
 */
function writeSet(
  root: string | undefined,
  outputs: OutputFile[],
  tarball: { path: string; members: OutputFile[] } | undefined,
  out: boolean,
): void {
  const files = root ? outputs.map((f) => ({ ...f, path: join(root, f.path) })) : [];
  for (const f of files) keepUsersFile(f.path, f.text, out);
  if (tarball) files.push({ path: tarball.path, text: withMembers(tarball.path, tarball.members) });
  const base = commonDir([...(root ? [root] : []), ...(tarball ? [dirname(tarball.path)] : [])]);
  writeAll(
    base,
    files.map((f) => ({ ...f, path: relative(base, f.path) })),
  );
}

/** The tarball with `members` added (replacing any of the same path); a relup in it that is not ours stays. */
function withMembers(tarball: string, members: OutputFile[]): Uint8Array {
  const text = new Map(members.map((f) => [f.path, f.text]));
  const files = members.map((f) => ({ path: f.path, data: typeof f.text === "string" ? Buffer.from(f.text) : f.text }));
  return tarWith(readFile(tarball, LIMITS.tarballBytes), tarball, files, new Date(), (path, body) =>
    keepUsersFile(`${tarball}:${path}`, text.get(path)!, false, body),
  );
}

const isRel = (f: OutputFile, to: Release) => f.path === `releases/${to.name}-${to.vsn}.rel`;

/** The deepest directory holding all of `dirs` (absolute). */
function commonDir(dirs: string[]): string {
  return dirs.reduce((a, b) => {
    while (b !== a && !b.startsWith(a.endsWith(sep) ? a : a + sep)) a = dirname(a);
    return a;
  });
}

function policyNotes(allOlds: Release[], olds: Release[], to: Release): Finding[] {
  const cold = allOlds.filter((o) => !olds.includes(o));
  return [
    ...cold.map((o) =>
      finding(
        "cold_deploy",
        `${o.vsn} -> ${to.vsn} changes more than the patch version: cold deploy (no hot upgrade from ${o.vsn})`,
      ),
    ),
    ...(allOlds.length === 0
      ? [finding("first_release", `${to.name} ${to.vsn} is a first release: nothing to upgrade from`)]
      : []),
  ];
}

/** Same major and minor version: the policy of upgrading hot only across patch releases. */
function isPatch(from: string, to: string): boolean {
  const [a, b] = [from, to].map((v) => /^(\d+)\.(\d+)\./.exec(v));
  return !!a && !!b && a[1] === b[1] && a[2] === b[2];
}

/** The generated appups, the relup, and with `prepare` what release_handler needs beside them. */
function outputFiles(plan: UpgradePlan, to: Release, relup: Relup | undefined, opts: UpgradeOptions): OutputFile[] {
  const out: OutputFile[] = plan.appups
    .filter((a) => !a.shipped)
    .map((a) => ({ path: a.path, text: appupText(a.appup) }));
  if (opts.deployex) out.push(...plan.appups.filter((a) => !a.shipped).map((a) => jellyfish(a, plan)));
  if (relup) out.push({ path: `releases/${to.vsn}/relup`, text: relupText(relup) });
  if (opts.prepare) out.push(...releaseFiles(to));
  return out;
}

/**
 * DeployEx's marker of an appup it may use: "project" when the application carries the release's
 * versions (DeployEx checks them against the release's), else "dependency" with its own.
 */
function jellyfish(a: AppupPlan, plan: UpgradePlan): OutputFile {
  const from = a.counts[0]!.vsn;
  const project = a.vsn === plan.release.vsn && from === plan.from[0]!.vsn;
  const json = { name: a.app, type: project ? "project" : "dependency", from, to: a.vsn };
  return { path: `${dirname(a.path)}/jellyfish.json`, text: JSON.stringify(json) + "\n" };
}

/** Each generated appup entry as its own appup, APP/FROM_to_TO.appup. */
function reviewCopies(plan: UpgradePlan): OutputFile[] {
  return plan.appups
    .filter((a) => !a.shipped)
    .flatMap((a) =>
      a.counts.flatMap(({ vsn }) => {
        const up = entryFor(a.appup.up, vsn),
          down = entryFor(a.appup.down, vsn);
        if (!up || !down || up.handWritten) return [];
        return [{ path: `${a.app}/${vsn}_to_${a.vsn}.appup`, text: appupText({ vsn: a.vsn, up: [up], down: [down] }) }];
      }),
    );
}
