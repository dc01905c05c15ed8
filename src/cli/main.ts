/** The `gen-appup` command line: a thin edge over the pipeline. Exit codes: 0 done, 1 bad input, 2 usage. */
import { parseArgs } from "node:util";
import { GenAppupError } from "../errors.js";
import { inspectPaths, toJsonLine, toText } from "./inspect.js";

const USAGE = `Usage:
  gen-appup inspect PATH... [--json]   the facts of every module in .beam files, ebin directories or releases
  gen-appup --help | --version

A release is a release root (with releases/ and lib/), a releases/VSN directory, a .rel file or a tarball.`;

export class UsageError extends Error {}

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h") return (out.write(USAGE + "\n"), 0);
    if (command === "--version") return (out.write(`${await version()}\n`), 0);
    if (command === "inspect") return inspect(rest, out);
    throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : "no command given");
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err.write(`gen-appup: ${(e as Error).message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof GenAppupError) {
      err.write(`gen-appup: ${e.message}\n`);
      return 1;
    }
    err.write(`gen-appup: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.GEN_APPUP_DEBUG) err.write(`${(e as Error).stack}\n`);
    return 1;
  }
}

function inspect(args: string[], out: NodeJS.WritableStream): number {
  const { values, positionals } = parseArgs({ args, options: { json: { type: "boolean" } }, allowPositionals: true, strict: true });
  if (positionals.length === 0) throw new UsageError("inspect needs at least one PATH");
  const modules = inspectPaths(positionals);
  out.write(modules.map(values.json ? (m) => toJsonLine(m) + "\n" : toText).join(values.json ? "" : "\n"));
  return 0;
}

async function version(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
