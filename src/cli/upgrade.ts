/**
 * `gen-appup OLD... NEW`: reads the releases, plans the appups, makes the relup, writes them
 * into NEW (or under --out) and tells the user what it did and what a hot upgrade cannot do.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { appupTerm, appupText } from "../emit/appup.js";
import { writeAll, type OutputFile } from "../emit/files.js";
import { formatFile } from "../term/print.js";
import { releaseFiles } from "../emit/release-files.js";
import { GenAppupError } from "../errors.js";
import { planUpgrade, type AppupPlan, type PlanOptions, type UpgradePlan } from "../plan/appups.js";
import type { Finding } from "../plan/findings.js";
import { instructionText, type Instruction, type Purge } from "../plan/instructions.js";
import { makeRelup } from "../plan/relup.js";
import { highestBelow } from "../plan/versions.js";
import { readRelease, releaseVersions, type Release } from "../read/release.js";
import type { Term } from "../term/term.js";
import { decodeConsultFile, parseOneTerm } from "../term/text.js";

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
}

export interface UpgradeResult {
  plan: UpgradePlan;
  findings: Finding[];
  /** Files written (absolute), or that would be with --dry-run. */
  files: string[];
  written: boolean;
  relup?: Term;
  /** 0 done, 1 errors found, 3 warnings under --strict. */
  exitCode: 0 | 1 | 3;
}

/**
 * The releases named on the command line: the last is the new one. With one path, the old one
 * is the highest version below it in the same root; with `firstOk`, there may be none.
 */
export function resolveReleases(paths: string[], firstOk = false): { olds: Release[]; to: Release } {
  const to = readRelease(paths[paths.length - 1]!);
  const oldPaths = paths.length === 1 ? [paths[0]!] : paths.slice(0, -1);
  const olds = oldPaths.flatMap((p) => {
    // The same root as NEW holding several versions: the old one is the highest below NEW.
    if (resolve(p) === resolve(to.files.origin)) {
      const below = highestBelow(releaseVersions(p), to.vsn);
      if (below) return [readRelease(p, { vsn: below })];
      if (firstOk && paths.length === 1) return [];
      throw new GenAppupError(p, `holds no version below ${to.vsn} to upgrade from`);
    }
    return [readRelease(p)];
  });
  for (const o of olds) {
    if (o.name !== to.name)
      throw new GenAppupError(o.origin, `is release ${o.name}, but the new release is ${to.name}`);
    if (o.vsn === to.vsn) throw new GenAppupError(o.origin, `is version ${o.vsn}, the same as the new release`);
  }
  return { olds, to };
}

export function upgrade(allOlds: Release[], to: Release, opts: UpgradeOptions): UpgradeResult {
  const notes: Finding[] = [];
  const olds = opts.patchOnly ? allOlds.filter((o) => isPatch(o.vsn, to.vsn)) : allOlds;
  for (const o of allOlds.filter((x) => !olds.includes(x))) {
    notes.push({
      level: "note",
      code: "cold_deploy",
      message: `${o.vsn} -> ${to.vsn} changes more than the patch version: cold deploy (no hot upgrade from ${o.vsn})`,
    });
  }
  if (allOlds.length === 0)
    notes.push({
      level: "note",
      code: "first_release",
      message: `${to.name} ${to.vsn} is a first release: nothing to upgrade from`,
    });
  const plan = planUpgrade(olds, to, opts);
  const appups = new Map(plan.appups.map((a) => [a.app, appupTerm(a)]));
  const relup = opts.relup === false || olds.length === 0 ? undefined : makeRelup(to, olds, appups);
  const findings = [...notes, ...plan.findings, ...(relup?.warnings.filter((w) => w.code !== "erts_changed") ?? [])];
  const errors = findings.some((f) => f.level === "error");
  const exitCode = errors ? 1 : opts.strict && findings.some((f) => f.level === "warning") ? 3 : 0;
  const outputs: OutputFile[] = plan.appups.filter((a) => !a.kept).map((a) => ({ path: a.path, text: appupText(a) }));
  if (relup) outputs.push({ path: `releases/${to.vsn}/relup`, text: formatFile(relup.relup) });
  if (opts.prepare) outputs.push(...releaseFiles(to));
  const root = opts.out ?? to.files.origin;
  const reviews = opts.saveAppups ? reviewCopies(plan, opts.saveAppups) : [];
  const files = [
    ...outputs.map((f) => resolve(root, f.path)),
    ...reviews.map((f) => resolve(opts.saveAppups!, f.path)),
  ];
  let written = false;
  if (exitCode === 0 && !opts.dryRun) {
    if (!opts.out && to.files.kind === "tar")
      throw new GenAppupError(to.origin, "is a tarball: gen-appup cannot write into it; pass --out DIR, or --dry-run");
    writeAll(root, outputs);
    if (reviews.length) writeAll(opts.saveAppups!, reviews);
    written = true;
  }
  return { plan, findings, files, written, ...(relup ? { relup: relup.relup } : {}), exitCode };
}

/** Same major and minor version: the policy of upgrading hot only across patch releases. */
function isPatch(from: string, to: string): boolean {
  const [a, b] = [from, to].map((v) => /^(\d+)\.(\d+)\./.exec(v));
  return !!a && !!b && a[1] === b[1] && a[2] === b[2];
}

/** Each generated appup entry as its own appup, DIR/APP/FROM_to_TO.appup, unless that file exists. */
function reviewCopies(plan: UpgradePlan, dir: string): OutputFile[] {
  return plan.appups
    .filter((a) => !a.kept)
    .flatMap((a) =>
      a.up.flatMap((up, i) => {
        const path = `${a.app}/${up.vsn}_to_${a.vsn}.appup`;
        if (up.handWritten || existsSync(resolve(dir, path))) return [];
        return [{ path, text: appupText({ ...a, up: [up], down: [a.down[i]!] }) }];
      }),
    );
}

/** Hand-written appups in DIR/APP/FROM_to_TO.appup (the Distillery and Jellyfish layout), for the new release's versions. */
export function readOverrides(dir: string, to: Release): Map<string, { path: string; term: Term }> {
  const out = new Map<string, { path: string; term: Term }>();
  for (const app of to.apps) {
    const appDir = resolve(dir, app.name);
    if (!existsSync(appDir)) continue;
    for (const f of readdirSync(appDir)) {
      const m = /^(.+)_to_(.+)\.appup$/.exec(f);
      if (!m || m[2] !== app.vsn) continue;
      const path = resolve(appDir, f);
      out.set(`${app.name}/${m[1]}`, { path, term: parseOneTerm(decodeConsultFile(readFileSync(path), path), path) });
    }
  }
  return out;
}

export function parsePurge(value: string | undefined): PlanOptions["purge"] {
  if (value === undefined) return undefined;
  if (value !== "soft_purge" && value !== "brutal_purge")
    throw new GenAppupError("", `--purge takes soft_purge or brutal_purge, not ${JSON.stringify(value)}`);
  return { pre: value as Purge, post: value as Purge };
}

export function toJson(r: UpgradeResult): string {
  const entries = (es: AppupPlan["up"]) =>
    Object.fromEntries(es.map((e) => [e.vsn, e.instructions.map(instructionText)]));
  return JSON.stringify(
    {
      release: r.plan.release,
      from: r.plan.from,
      applications: r.plan.appups.map((a) => ({
        name: a.app,
        to: a.vsn,
        from: a.up.map((e) => e.vsn),
        appup: a.path,
        kept: !!a.kept,
        up: entries(a.up),
        down: entries(a.down),
        counts: a.counts,
      })),
      findings: r.findings,
      files: r.files,
      written: r.written,
      exit_code: r.exitCode,
    },
    null,
    2,
  );
}

/** An instruction for people: the protocol reload's abstract code is long and says little. */
function summaryText(i: Instruction): string {
  return i.op === "apply" && i.mfa.module === "erl_eval"
    ? "{apply,{erl_eval,exprs,[...]}}   % moves and reloads the consolidated protocols"
    : instructionText(i);
}

export function toSummary(r: UpgradeResult): string {
  const lines: string[] = [];
  const from = r.plan.from.map((f) => f.vsn).join(", ");
  lines.push(
    r.plan.from.length
      ? `${r.plan.release.name}: ${from} -> ${r.plan.release.vsn}`
      : `${r.plan.release.name} ${r.plan.release.vsn}`,
  );
  if (r.plan.appups.length === 0 && r.plan.from.length)
    lines.push("  no application changes version: nothing to upgrade");
  for (const a of r.plan.appups) {
    for (const [i, e] of a.up.entries()) {
      const c = a.counts[i]!;
      const counted =
        c.added + c.changed + c.deleted === 0
          ? "no module changed"
          : `${c.added} added, ${c.changed} changed, ${c.deleted} deleted`;
      const what = a.kept
        ? "its own appup, used as it is"
        : e.handWritten
          ? `hand-written appup ${e.handWritten}`
          : counted;
      lines.push(`  ${a.app} ${e.vsn} -> ${a.vsn}: ${what}`);
      if (!a.kept) for (const ins of e.instructions) lines.push(`    ${summaryText(ins)}`);
    }
  }
  for (const f of r.findings) lines.push(`${f.level}: ${f.message}`);
  if (r.written) for (const f of r.files) lines.push(`wrote ${f}`);
  else if (r.exitCode === 0) for (const f of r.files) lines.push(`would write ${f} (--dry-run)`);
  else
    lines.push(
      r.exitCode === 1 ? "nothing written: fix the errors above" : "nothing written: --strict and there are warnings",
    );
  return lines.join("\n") + "\n";
}
