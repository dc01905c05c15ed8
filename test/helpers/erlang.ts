/**
 * Runs Erlang for the differential tests: the oracle module (test/erl/oracle.erl), compiled
 * once per run into .cache, and a few facts about the installed OTP and Elixir.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const CACHE = join(ROOT, ".cache");

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(cmd, args, {
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
      ...opts,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  }
}

function oracleDir(): string {
  const dir = join(CACHE, "erl");
  const beam = join(dir, "oracle.beam");
  const src = join(ROOT, "test/erl/oracle.erl");
  try {
    if (statSync(beam).mtimeMs >= statSync(src).mtimeMs) return dir;
  } catch {
    /* not built yet */
  }
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, "build-"));
  run("erlc", ["-o", tmp, src]);
  renameSync(join(tmp, "oracle.beam"), beam); // atomic, so parallel test files never see half a beam
  rmSync(tmp, { recursive: true });
  return dir;
}

/** `oracle:Fn([Args...])` in a fresh VM. */
export function oracle(fn: string, ...args: string[]): string {
  return run("erl", ["-noshell", "-pa", oracleDir(), "-run", "oracle", fn, ...args, "-s", "init", "stop"]);
}

export function erlEval(expr: string): string {
  return run("erl", ["-noshell", "-eval", `${expr}, halt().`]);
}

let otp: string | undefined;
/** code:root_dir() of the installed OTP. */
export function otpRoot(): string {
  otp ??= erlEval('io:format("~s", [code:root_dir()])');
  return otp;
}

/** The directory holding Elixir's applications (elixir, mix, logger, ...). */
export function elixirLibDir(): string {
  return resolve(run("elixir", ["-e", "IO.write(:code.lib_dir(:elixir))"]), "..");
}

const temps: string[] = [];

/**
 * A fresh directory under .cache/tmp, removed when the test file's process exits (each test
 * file runs in its own): repeated runs leave nothing behind. GEN_APPUP_KEEP_TMP=1 keeps them.
 */
export function tempDir(prefix: string): string {
  mkdirSync(join(CACHE, "tmp"), { recursive: true });
  if (temps.length === 0 && !process.env.GEN_APPUP_KEEP_TMP) {
    process.on("exit", () => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
  }
  const dir = mkdtempSync(join(CACHE, "tmp", `${prefix}-`));
  temps.push(dir);
  return dir;
}

/** Every file below `dir` whose name passes `keep`, sorted. */
export function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && keep(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}
