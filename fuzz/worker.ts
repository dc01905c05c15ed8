/**
 * One fuzzing process for one target: `worker.ts TARGET SEED FROM CASES SECONDS PROGRESS OUTDIR`.
 * Case i is made from the seed and i alone, so any case can be run again. Before each case its
 * number goes into PROGRESS (for the watchdog to name a case that hangs); at the end one JSON
 * line of results goes to stdout.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "./rng.js";
import { targets } from "./targets.js";

const [name, seedArg, fromArg, casesArg, secondsArg, progressFile, outDir] = process.argv.slice(2);
const target = targets(join(outDir!, "seeds")).find((t) => t.name === name);
if (!target) throw new Error(`no fuzz target ${name}`);
const [seed, from, cases, seconds] = [seedArg, fromArg, casesArg, secondsArg].map(Number) as number[];
const SLOW_MS = 5000;

const progress = openSync(progressFile!, "w");
const failures: { case: number; kind: string; message: string }[] = [];
let ran = 0,
  refused = 0,
  slowest = 0;
const deadline = Date.now() + seconds! * 1000;
for (let i = from!; i < from! + cases! && Date.now() < deadline; i++) {
  writeSync(progress, `${i}\n`, 0);
  const rng = new Rng((seed! * 1_000_003 + i) >>> 0);
  const input = target.input(rng);
  const file = name === "etf" ? "" : name === "release" ? "fuzz:" : `/fuzz/${name}/case-${i}`;
  const t0 = performance.now();
  try {
    target.run(input, file);
  } catch (e) {
    const err = e as Error & { file?: string };
    const problem =
      err.name !== "GenAppupError"
        ? `unhandled ${err.name}: ${err.message}`
        : err.message.includes("\n")
          ? "message of more than one line"
          : !err.message.startsWith(file)
            ? "message does not name the file"
            : undefined;
    if (problem) fail(i, input, problem, `${err.message}\n${err.stack ?? ""}`);
    else refused++;
  }
  const ms = performance.now() - t0;
  slowest = Math.max(slowest, ms);
  if (ms > SLOW_MS) fail(i, input, "slow", `${ms.toFixed(0)} ms`);
  ran++;
}
closeSync(progress);
process.stdout.write(
  JSON.stringify({ target: name, ran, refused, slowest, maxRssMb: process.resourceUsage().maxRSS / 1024, failures }) +
    "\n",
);

function fail(i: number, input: Uint8Array, kind: string, message: string): void {
  if (failures.length >= 20) return;
  mkdirSync(join(outDir!, "failures"), { recursive: true });
  writeFileSync(join(outDir!, "failures", `${name}-${seed}-${i}.bin`), input);
  failures.push({ case: i, kind, message: message.slice(0, 2000) });
}
