/**
 * `npm run fuzz -- [--seconds N] [--cases N] [--seed N] [--from N] [--target a,b] [--jobs N]`
 *
 * Mutation fuzzing of every reader, each target in its own process: per target, `--cases` cases
 * or `--seconds` of them, whichever ends first. Fails on an exception other than GenAppupError, an
 * error message that spans lines or does not name the file, a case over 5 s, a case that hangs
 * (killed after --hang-seconds without progress) and peak memory over --rss-mb. The inputs of
 * failed cases are kept in .cache/fuzz/failures; `--target T --seed S --from I --cases 1` runs one again.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const TARGETS = ["beam", "beam-gz", "etf", "text", "appup", "tar", "release"];
const ROOT = resolve(import.meta.dirname, "..");

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    cases: { type: "string", default: String(Number.MAX_SAFE_INTEGER) },
    seed: { type: "string", default: "1" },
    from: { type: "string", default: "0" },
    target: { type: "string", default: TARGETS.join(",") },
    jobs: { type: "string", default: "2" },
    "hang-seconds": { type: "string", default: "30" },
    "rss-mb": { type: "string", default: "1024" },
  },
});

interface Result {
  target: string;
  ran: number;
  refused: number;
  slowest: number;
  maxRssMb: number;
  failures: { case: number; kind: string; message: string }[];
}

const out = join(ROOT, ".cache", "fuzz");
mkdirSync(out, { recursive: true });

/**
 * A target's cases, a worker process per CHUNK of them: Node 20's zlib keeps some 16 KB for every
 * stream it fails to inflate (fuzzing makes thousands), which peak RSS would otherwise add up.
 */
const CHUNK = 10_000;

async function runTarget(target: string): Promise<Result> {
  const total: Result = { target, ran: 0, refused: 0, slowest: 0, maxRssMb: 0, failures: [] };
  const end = Date.now() + Number(values.seconds) * 1000;
  const last = Number(values.from) + Number(values.cases);
  for (let from = Number(values.from); from < last && Date.now() < end; from += CHUNK) {
    const r = await runChunk(target, from, Math.min(CHUNK, last - from), (end - Date.now()) / 1000);
    total.ran += r.ran;
    total.refused += r.refused;
    total.slowest = Math.max(total.slowest, r.slowest);
    total.maxRssMb = Math.max(total.maxRssMb, r.maxRssMb);
    total.failures.push(...r.failures);
    if (r.ran < Math.min(CHUNK, last - from)) break; // out of time, or the worker died
  }
  return total;
}

function runChunk(target: string, from: number, cases: number, seconds: number): Promise<Result> {
  const progress = join(out, `progress-${target}-${process.pid}`);
  const args = [values.seed!, String(from), String(cases), String(seconds), progress, out];
  // A bounded heap: garbage is collected rather than left to grow, so peak RSS is what a case needs.
  const heap = `--max-old-space-size=${Math.floor(Number(values["rss-mb"]) / 2)}`;
  const child = spawn(process.execPath, [heap, "--import", "tsx", join(ROOT, "fuzz/worker.ts"), target, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "",
    stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d).slice(-4000)));
  let last = "",
    since = Date.now(),
    hung: string | undefined;
  const watch = setInterval(() => {
    let now = "";
    try {
      now = readFileSync(progress, "utf8").trim();
    } catch {
      /* not started yet */
    }
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since > Number(values["hang-seconds"]) * 1000 && now) {
      hung = now;
      child.kill("SIGKILL");
    }
  }, 250);
  return new Promise((done) =>
    child.on("close", (code) => {
      clearInterval(watch);
      rmSync(progress, { force: true });
      const dead = (kind: string, message: string): Result => ({
        target,
        ran: Number(last || from) - from,
        refused: 0,
        slowest: 0,
        maxRssMb: 0,
        failures: [{ case: Number(last || -1), kind, message }],
      });
      if (hung) return done(dead("hang", `no progress for ${values["hang-seconds"]} s`));
      if (code !== 0) return done(dead("crash", `exit ${code}: ${stderr.trim()}`));
      done(JSON.parse(stdout) as Result);
    }),
  );
}

const queue = values.target!.split(",");
const unknown = queue.filter((t) => !TARGETS.includes(t));
if (unknown.length) throw new Error(`unknown targets ${unknown.join(", ")}; known: ${TARGETS.join(", ")}`);
const results: Result[] = [];
await Promise.all(
  Array.from({ length: Number(values.jobs) }, async () => {
    for (let t = queue.shift(); t; t = queue.shift()) results.push(await runTarget(t));
  }),
);

const rssBound = Number(values["rss-mb"]);
let failed = 0;
console.log(`seed ${values.seed}, from case ${values.from}; peak RSS bound ${rssBound} MB`);
for (const r of results.sort((a, b) => TARGETS.indexOf(a.target) - TARGETS.indexOf(b.target))) {
  const over = r.maxRssMb > rssBound;
  failed += r.failures.length + (over ? 1 : 0);
  console.log(
    `${r.target.padEnd(8)} ${String(r.ran).padStart(8)} cases  ${String(r.refused).padStart(8)} refused  ` +
      `slowest ${r.slowest.toFixed(0).padStart(5)} ms  peak RSS ${r.maxRssMb.toFixed(0).padStart(5)} MB` +
      `${over ? "  OVER THE BOUND" : ""}  ${r.failures.length ? `${r.failures.length} FAILED` : "ok"}`,
  );
  for (const f of r.failures) {
    console.log(`  case ${f.case} (${f.kind}): ${f.message.split("\n").slice(0, 6).join("\n    ")}`);
    console.log(`    again: npm run fuzz -- --target ${r.target} --seed ${values.seed} --from ${f.case} --cases 1`);
  }
}
process.exitCode = failed ? 1 : 0;
