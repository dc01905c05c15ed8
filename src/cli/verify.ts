/** `gen-appup verify OLD NEW`: rehearses the upgrade on a scratch node and reports each phase. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { GenAppupError } from "../errors.js";
import { readFile } from "../read/source.js";
import { TOOLCHAIN_APPS } from "../plan/checks.js";
import { resolveReleases, tarballOf } from "../releases.js";
import { rehearse, type PhaseReport, type VerifyReport } from "../verify/rehearse.js";
import { upgradeTarball } from "../verify/tarball.js";
import { upgrade } from "../upgrade.js";
import type { Release } from "../read/release.js";
import type { Appup } from "../plan/appup.js";
import { elementsOf } from "../term/term.js";

export const VERIFY_USAGE = `gen-appup verify [OLD] NEW [options]  rehearse the upgrade on a scratch node

  --check FILE       Erlang expressions (EXPR, EXPR, ...) checked after every phase; false or an
                     exception fails the check (repeatable)
  --eval EXPR        one such check on the command line (repeatable); a .exs check file is Elixir,
                     evaluated whole with Code.eval_file/1 (its value is the check's)
  --setup EXPR       an Erlang expression run once OLD is up, before anything is watched (repeatable)
  --load FUN         an Erlang fun of no arguments that four clients call for the whole rehearsal
  --restarted NAME   a registered process the upgrade may restart (repeatable)
  --again            upgrade once more after the downgrade
  --no-env           skip the cold restarts that compare each version's application env with what
                     the hot install left (lost runtime configuration)
  --keep             keep the scratch node's directory
  --json             the whole report as JSON

OLD is booted from its tarball (mix and relx leave NAME-VSN.tar.gz beside the release; without OLD,
the highest version below NEW in NEW's root); NEW is a tarball or a release root holding the relup
gen-appup wrote.`;

export function verifyCommand(args: string[], out: NodeJS.WritableStream, usage: (m: string) => Error): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      check: { type: "string", multiple: true },
      eval: { type: "string", multiple: true },
      setup: { type: "string", multiple: true },
      load: { type: "string" },
      restarted: { type: "string", multiple: true },
      again: { type: "boolean" },
      "no-env": { type: "boolean" },
      keep: { type: "boolean" },
      json: { type: "boolean" },
    },
  });
  if (positionals.length < 1 || positionals.length > 2) throw usage("verify takes [OLD] NEW");
  const { olds, to } = resolveReleases(positionals, true);
  const old = olds[0];
  if (!old) {
    out.write(values.json ? JSON.stringify({ release: to.name, to: to.vsn, ok: true, phases: [] }) + "\n" : "");
    if (!values.json) out.write(`verify: ${to.name} ${to.vsn} is a first release: nothing to rehearse\n`);
    return 0;
  }
  const oldTarball = tarballOf(old);
  if (!oldTarball)
    throw new GenAppupError(old.origin, `verify boots OLD from its tarball: pass ${old.name}-${old.vsn}.tar.gz`);
  if (to.source.kind === "tar") installable(to);
  const checks = [...(values.check ?? []).map(checkOf), ...(values.eval ?? [])];
  // The plan, for its findings and for the supervisor children its appups start and stop on purpose.
  const plan = upgrade([old], to, { dryRun: true, relup: false });
  const said = plan.findings.filter((f) => f.level !== "note");
  const restarted = [...(values.restarted ?? []), ...childrenStartedOrStopped(plan.plan.appups)];
  const scratch = mkdtempSync(join(tmpdir(), "gen-appup-verify-"));
  try {
    const newTarball = to.source.kind === "tar" ? to.origin : upgradeTarball(to.source.origin, to, scratch);
    const report = rehearse(to.name, old.vsn, to.vsn, oldTarball, newTarball, {
      scratch,
      checks,
      ...(values.setup ? { setup: values.setup } : {}),
      ...(values.load ? { load: values.load } : {}),
      restarted,
      again: !!values.again,
      // The project's own applications: OTP's and Elixir's env is theirs to set at boot.
      ...(values["no-env"] ? {} : { envApps: to.apps.map((a) => a.name).filter((a) => !TOOLCHAIN_APPS.has(a)) }),
      keep: !!values.keep,
    });

    if (said.length) report.findings = said.map(({ level, code, message }) => ({ level, code, message }));
    out.write(values.json ? JSON.stringify(report, null, 2) + "\n" : verifyText(report));
    return report.ok ? 0 : 1;
  } finally {
    if (!values.keep) rmSync(scratch, { recursive: true, force: true });
  }
}

/** A tarball as the build left it lacks what unpack_release and install_release read: said before booting. */
function installable(to: Release): void {
  const missing = [`releases/${to.vsn}/relup`, `releases/${to.name}-${to.vsn}.rel`].filter((f) => !to.source.exists(f));
  if (missing.length)
    throw new GenAppupError(
      to.origin,
      `has no ${missing.join(" and no ")}: write them into it first (gen-appup OLD ${basename(to.origin)}, ` +
        "or gen-appup ROOT --tar)",
    );
}

/** The ids of the children the appups restart or terminate: supervisors' children come and go on purpose. */
function childrenStartedOrStopped(appups: { appup: Appup }[]): string[] {
  return appups.flatMap(({ appup }) =>
    [...appup.up, ...appup.down].flatMap((e) =>
      e.instructions.flatMap((i) => {
        if (i.op !== "apply" || i.mfa.module !== "supervisor") return [];
        if (!["restart_child", "terminate_child"].includes(i.mfa.fun)) return [];
        const id = elementsOf(i.mfa.args)?.[1];
        return id?.t === "atom" ? [id.v] : [];
      }),
    ),
  );
}

/** A check file: Elixir (.exs) evaluated by the node's Code.eval_file/1, else Erlang expressions. */
function checkOf(file: string): string {
  readFile(file); // there and readable, or an error naming it here rather than on the node
  if (file.endsWith(".exs")) return `element(1, 'Elixir.Code':eval_file(<<${JSON.stringify(resolve(file))}/utf8>>))`;
  return new TextDecoder().decode(readFile(file)).trim().replace(/\.$/, "");
}

/** The report as a test run reads: one line per phase, and what went wrong under it. */
export function verifyText(r: VerifyReport): string {
  const lines = [`verify ${r.release} ${r.from} -> ${r.to}`];
  for (const p of r.phases) lines.push(`  ${p.ok ? "ok  " : "FAIL"} ${p.phase}${summary(p)}`, ...problems(p));
  for (const f of r.findings ?? []) lines.push(`  the plan said (${f.level} ${f.code}): ${f.message}`);
  lines.push(r.ok ? "passed" : "FAILED", ...(r.kept ? [`scratch node kept in ${r.kept}`] : []));
  return lines.join("\n") + "\n";
}

function summary(p: PhaseReport): string {
  const parts = [
    ...(p.installMs !== undefined ? [`install_release ${p.installMs} ms`] : []),
    ...(p.checks.length ? [`${p.checks.filter((c) => c.ok).length}/${p.checks.length} checks`] : []),
    ...(p.load ? [`${p.load.calls} calls, ${p.load.failed} failed`] : []),
    ...(p.memoryMb !== undefined ? [`${p.memoryMb} MB`] : []),
  ];
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function problems(p: PhaseReport): string[] {
  return [
    ...(p.installFailed ? (p.result ?? []).map((r) => `       release_handler: ${r}`) : []),
    ...p.checks
      .filter((c) => !c.ok)
      .map((c) => `       check ${c.expr} gave ${c.value}${c.expect !== undefined ? `, expected ${c.expect}` : ""}`),
    ...(p.load && (p.load.failed || p.load.died || !p.load.calls)
      ? [
          `       load: ${p.load.failed} calls failed, ${p.load.died} clients died; ` +
            `last: ${(p.load.lastError ?? "-").slice(0, 300)}`,
        ]
      : []),
    ...p.replaced.map((n) => `       process ${n} was restarted or is gone`),
    ...(p.processDiff ?? []).map((d) => `       process ${d}`),
    ...(p.oldCode ?? []).map((o) => `       note: ${o} (a later purge kills it, or soft_purge refuses)`),
    ...(p.envDiff ?? []).map(
      (d) =>
        `       env ${d.app} ${d.key}: ${d.hot.slice(0, 120)} after the install, ${d.cold.slice(0, 120)} booted cold`,
    ),
    ...p.errors.slice(0, 5).map((e) => `       logged: ${e.slice(0, 300)}`),
  ];
}
