/** The `gen-appup` command line: a thin edge over the pipeline. Exit codes: 0 done, 1 bad input, 2 usage. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { deflateSync, inflateSync } from "node:zlib";
import { parseArgs } from "node:util";
import { GenAppupError, oneLine } from "../errors.js";
import type { Term } from "../term/term.js";
import { parseOneTerm } from "../term/text.js";
import { writable } from "../term/print.js";
import { inspectPaths, toJsonLine, toText } from "./inspect.js";
import type { PlanOptions } from "../plan/plan.js";
import type { TransformRule } from "../plan/rules.js";
import { buildTarball, readOverrides, resolveReleases } from "../releases.js";
import { upgrade } from "../upgrade.js";
import { appupText } from "../emit/appup.js";
import { parseAppup } from "../plan/appup.js";
import { toJson, toSummary } from "./render.js";
import { VERIFY_USAGE, verifyCommand } from "./verify.js";

const USAGE = `Usage:
  gen-appup OLD... NEW [options]       write the appups and the relup that hot-upgrade OLD to NEW
  gen-appup ROOT [options]             the same, from the highest version below ROOT's current one
  gen-appup inspect PATH... [--json]   the facts of every module in .beam files, ebin directories or releases
  gen-appup verify OLD NEW [options]   rehearse the upgrade on a scratch node (see below)
  gen-appup --help | --version | -v    (--help after a command: that command's usage)

Options:
  --out DIR          write under DIR (same relative paths) instead of into NEW
  --tar              also write the files, and releases/NAME-VSN.rel, into NEW's tarball (NAME-VSN.tar.gz
                     the build left beside the release); a tarball given as NEW is always written into
  --dry-run          write nothing; say what would be written
  --json             print the plan as JSON
  --no-relup         write the appups only
  --no-runtime-config  do not compute runtime configuration (runtime.exs) again after the code loads
  --purge MODE       soft_purge or brutal_purge for every load_module and update (default: brutal_purge,
                     soft_purge for modules whose processes may linger in old code)
  --purge-module M=MODE  the purge mode of module M (repeatable)
  --extra TERM       Extra of {advanced, Extra} as Erlang text (default [])
  --extra-versions   Extra is [{from, FromVsn}, {to, ToVsn}] (the application's versions, each way)
  --rule WHEN=MODULE when a module with behaviour WHEN (or a name matching WHEN, * for any text)
                     changes, also update process module MODULE with it (repeatable)
  --no-phoenix       no built-in rules for Phoenix channels and LiveViews
  --endpoint-manifest  when priv/static/cache_manifest.json changes, call the Phoenix endpoint's
                     config_change/2 last, so it reads the manifest again
  --allow-unbumped   a module changed in an application whose version did not: warn, do not fail
  --allow-unverified an application kept its version in one release root, so could not be compared: warn
  --allow CODE       an error finding of this code is a warning: you take it on (repeatable)
  --strict           exit 3, writing nothing, when there are warnings
  --prepare          also write releases/NAME-VSN.rel and releases/RELEASES for release_handler;
                     with one path and no older version there, a first release is fine
  --patch-only       upgrade hot only from versions with the same major.minor (others: cold deploy)
  --deployex         also write lib/APP-VSN/ebin/jellyfish.json beside each appup, which DeployEx reads
                     (it makes the relup on the target from the appups; one OLD only)
  --appups DIR       hand-written appups DIR/APP/FROM_to_TO.appup win over generated ones
  --save-appups DIR  copy generated appups to DIR/APP/FROM_to_TO.appup for review

Exit codes: 0 done, 1 bad input or errors found, 2 usage, 3 warnings with --strict.

A release is a release root (with releases/ and lib/), a releases/VSN directory, a .rel file or a tarball.

${VERIFY_USAGE}`;

const INSPECT_USAGE = `gen-appup inspect PATH... [--json]

Prints the facts of every module in .beam files, ebin directories or releases (a release root, a
releases/VSN directory, a .rel file or a tarball): name, md5 (beam_lib:md5/1), behaviours, vsn,
exports, called modules, on_load, whether it loads a NIF, and its chunks. --json prints JSON Lines.`;

export class UsageError extends Error {}

/**
 * What a started CLI (GenAppup.start/1) does while it waits for its arguments: the code every run
 * needs is compiled (term reader, appup checks, printer) and Node's zlib and md5 are loaded.
 */
export function warmUp(): void {
  const text = '{"2",[{"1",[{load_module,a,[b]},{update,b,{advanced,[]},[]}]}],[{"1",[{load_module,a}]}]}.';
  appupText(parseAppup(parseOneTerm(text, "warm-up"), "warm-up"));
  createHash("md5")
    .update(inflateSync(deflateSync(text)))
    .digest();
}

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  // With --json, a failure is a JSON object on stdout too: a tool reading it always gets one.
  const options = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  const json = options.includes("--json");
  const fail = (code: 1 | 2, kind: string, message: string, file?: string): number => {
    err.write(`gen-appup: ${message}${code === 2 ? " (gen-appup --help shows the usage)" : ""}\n`);
    if (json)
      out.write(JSON.stringify({ error: { kind, message, ...(file ? { file } : {}) }, exit_code: code }) + "\n");
    return code;
  };
  try {
    const [command, ...rest] = argv;
    if (options.includes("--help") || options.includes("-h"))
      return (
        out.write((command === "verify" ? VERIFY_USAGE : command === "inspect" ? INSPECT_USAGE : USAGE) + "\n"),
        0
      );
    if (command === "--version" || command === "-v") return (out.write(`${version()}\n`), 0);
    if (command === "inspect") return inspect(rest, out);
    if (command === "verify") return verifyCommand(rest, out, (m) => new UsageError(m));
    if (!command) throw new UsageError("no release given");
    return upgradeCommand(argv, out, err);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))
      return fail(2, "usage", oneLine(usageText(e as Error), 600));
    if (e instanceof GenAppupError) return fail(1, "input", e.message, e.file || undefined);
    if (process.env.GEN_APPUP_DEBUG) err.write(`${(e as Error).stack}\n`);
    return fail(1, "internal", `internal error: ${oneLine(e instanceof Error ? e.message : String(e), 600)}`);
  }
}

/** Node's argument errors in our words: "unknown option --x", without its advice about "--". */
function usageText(e: Error): string {
  const unknown = /^Unknown option '([^']+)'/.exec(e.message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '(-[^ ']+)[^']*' argument missing/.exec(e.message);
  if (missing) return `${missing[1]} needs a value`;
  return e.message.replace(/\. To specify a positional argument.*$/s, "");
}

function inspect(args: string[], out: NodeJS.WritableStream): number {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError("inspect needs at least one PATH");
  const modules = inspectPaths(positionals);
  out.write(modules.map(values.json ? (m) => toJsonLine(m) + "\n" : toText).join(values.json ? "" : "\n"));
  return 0;
}

function upgradeCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: "string" },
      tar: { type: "boolean" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      "no-relup": { type: "boolean" },
      "no-runtime-config": { type: "boolean" },
      purge: { type: "string" },
      "purge-module": { type: "string", multiple: true },
      extra: { type: "string" },
      "extra-versions": { type: "boolean" },
      rule: { type: "string", multiple: true },
      "no-phoenix": { type: "boolean" },
      "endpoint-manifest": { type: "boolean" },
      "allow-unbumped": { type: "boolean" },
      "allow-unverified": { type: "boolean" },
      allow: { type: "string", multiple: true },
      strict: { type: "boolean" },
      prepare: { type: "boolean" },
      "patch-only": { type: "boolean" },
      appups: { type: "string" },
      deployex: { type: "boolean" },
      "save-appups": { type: "string" },
    },
  });
  // A lone "-" looks like an option; after "--" everything is a path, as usual.
  const options = args.includes("--") ? args.slice(0, args.indexOf("--")) : args;
  const stray = positionals.find((p) => p.startsWith("-") && options.includes(p));
  if (stray) throw new UsageError(`unknown option ${stray}`);
  let extra: Term | undefined;
  try {
    extra = values.extra === undefined ? undefined : writable(parseOneTerm(`${values.extra}.`, "--extra"), "--extra");
  } catch (e) {
    throw new UsageError(`--extra is not an Erlang term: ${(e as GenAppupError).detail}`);
  }
  const purge = parsePurge(values.purge, "--purge");
  const modulePurge = new Map(
    (values["purge-module"] ?? []).map((given) => {
      const at = given.lastIndexOf("=");
      if (at <= 0) throw new UsageError(`--purge-module takes MODULE=MODE, not ${JSON.stringify(given)}`);
      return [given.slice(0, at), parsePurge(given.slice(at + 1), "--purge-module")!] as const;
    }),
  );
  if (values.tar && values.out) throw new UsageError("--tar writes into NEW's tarball, --out elsewhere: choose one");
  const { olds, to } = resolveReleases(positionals, !!values.prepare);
  const result = upgrade(olds, to, {
    ...(values.out ? { out: values.out } : {}),
    ...(values.tar ? { tarball: buildTarball(to) } : {}),
    dryRun: !!values["dry-run"],
    relup: !values["no-relup"],
    strict: !!values.strict,
    allowUnbumped: !!values["allow-unbumped"],
    allowUnverified: !!values["allow-unverified"],
    runtimeConfig: !values["no-runtime-config"],
    phoenix: !values["no-phoenix"],
    endpointManifest: !!values["endpoint-manifest"],
    extraVersions: !!values["extra-versions"],
    rules: (values.rule ?? []).map(parseRule),
    ...(values.allow?.length ? { allow: new Set(values.allow) } : {}),
    ...(purge ? { purge } : {}),
    ...(modulePurge.size ? { modulePurge } : {}),
    ...(extra ? { extra } : {}),
    prepare: !!values.prepare,
    patchOnly: !!values["patch-only"],
    deployex: !!values.deployex,
    ...(values.appups ? { overrides: readOverrides(values.appups, to) } : {}),
    ...(values["save-appups"] ? { saveAppups: values["save-appups"] } : {}),
  });
  if (values.json) out.write(toJson(result) + "\n");
  else {
    const summary = toSummary(result);
    out.write(summary.out);
    err.write(summary.err);
  }
  return result.exitCode;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function parsePurge(value: string | undefined, option: string): PlanOptions["purge"] {
  if (value === undefined) return undefined;
  if (value !== "soft_purge" && value !== "brutal_purge")
    throw new UsageError(`${option} takes soft_purge or brutal_purge, not ${JSON.stringify(value)}`);
  return { pre: value, post: value };
}

function parseRule(given: string): TransformRule {
  const at = given.lastIndexOf("=");
  if (at <= 0 || at === given.length - 1)
    throw new UsageError(`--rule takes WHEN=MODULE, not ${JSON.stringify(given)}`);
  return { when: given.slice(0, at), update: given.slice(at + 1) };
}
