/** The main command's output: a summary for people, or JSON. */
import { entryFor, type AppupEntry, type VersionKey } from "../plan/appup.js";
import { instructionText, type Instruction } from "../plan/instructions.js";
import type { UpgradeResult } from "../upgrade.js";

const keyText = (k: VersionKey) => (k.kind === "exact" ? k.vsn : k.source);

export function toJson(r: UpgradeResult): string {
  const entries = (es: AppupEntry[]) =>
    Object.fromEntries(es.map((e) => [keyText(e.from), e.instructions.map(instructionText)]));
  return JSON.stringify(
    {
      release: r.plan.release,
      from: r.plan.from,
      applications: r.plan.appups.map((a) => ({
        name: a.app,
        to: a.vsn,
        from: a.counts.map((c) => c.vsn),
        appup: a.path,
        shipped: !!a.shipped,
        up: entries(a.appup.up),
        down: entries(a.appup.down),
        counts: a.counts,
      })),
      findings: r.findings,
      files: r.paths,
      written: r.written,
      exit_code: r.exitCode,
    },
    null,
    2,
  );
}

/** An instruction for people: the protocol reload's abstract code and the provider state are long and say little. */
function summaryText(i: Instruction): string {
  if (i.op !== "apply") return instructionText(i);
  if (i.mfa.module === "erl_eval")
    return "{apply,{erl_eval,exprs,[...]}}   % moves and reloads the consolidated protocols";
  if (i.mfa.fun === "set_env" && instructionText(i).includes("config_provider_init")) {
    return "{apply,{application,set_env,[elixir,config_provider_init,...]}}   % this version's config providers";
  }
  return instructionText(i);
}

/** The summary for stdout, and the findings (what to act on) for stderr. */
export function toSummary(r: UpgradeResult): { out: string; err: string } {
  const lines: string[] = [];
  const said = r.findings.map((f) => `${f.level}: ${f.message}`);
  const from = r.plan.from.map((f) => f.vsn).join(", ");
  const { name, vsn } = r.plan.release;
  lines.push(r.plan.from.length ? `${name}: ${from} -> ${vsn}` : `${name} ${vsn}`);
  if (r.plan.appups.length === 0 && r.plan.from.length)
    lines.push("  no application changes version: nothing to upgrade");
  for (const a of r.plan.appups) {
    for (const c of a.counts) {
      const entry = entryFor(a.appup.up, c.vsn);
      const counted =
        c.added + c.changed + c.deleted === 0
          ? "no module changed"
          : `${c.added} added, ${c.changed} changed, ${c.deleted} deleted`;
      const what = a.shipped
        ? "its own appup, used as it is"
        : entry?.handWritten
          ? `hand-written appup ${entry.handWritten}`
          : counted;
      lines.push(`  ${a.app} ${c.vsn} -> ${a.vsn}: ${what}`);
      if (!a.shipped) for (const ins of entry?.instructions ?? []) lines.push(`    ${summaryText(ins)}`);
    }
  }
  if (r.written) for (const f of r.paths) lines.push(`wrote ${f}`);
  else if (r.exitCode === 0) for (const f of r.paths) lines.push(`would write ${f} (--dry-run)`);
  else
    said.push(
      r.exitCode === 1 ? "nothing written: fix the errors above" : "nothing written: --strict and there are warnings",
    );
  return { out: lines.join("\n") + "\n", err: said.length ? said.join("\n") + "\n" : "" };
}
