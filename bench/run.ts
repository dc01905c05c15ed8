/**
 * `npm run bench [-- --modules N] [--apps A] [--runs R] [--no-scaling] [--no-step]`: gen-appup's full
 * plan against the floor (reading and hashing every beam: md5sum, and Node alone) and against two
 * Erlang baselines, side by side in one run: the lean one (beam_lib:md5/1 of every beam, then
 * systools:make_relup) and one doing what today's generators do (attributes and imports too).
 * Reports medians, ratios and peak RSS, a digest of gen-appup's outputs, the mix step's own cost,
 * then a scaling table. Release pairs are generated once and cached under .cache/bench.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = resolve(import.meta.dirname, "..");
const CACHE = join(ROOT, ".cache/bench");
const EBIN = join(CACHE, "ebin");
const { values } = parseArgs({
  options: {
    modules: { type: "string", default: "10000" },
    apps: { type: "string", default: "0" },
    runs: { type: "string", default: "9" },
    "no-scaling": { type: "boolean" },
    "no-step": { type: "boolean" },
  },
});

interface Sample {
  seconds: number;
  rssMb: number;
}

function sh(cmd: string, args: string[], cwd = ROOT, env = process.env): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * What every runner runs in: this environment without NODE_EXTRA_CA_CERTS. Where it is set (as on
 * this project's machines), Node reads and parses that CA bundle at start-up, before any code
 * runs (about 50 ms here), for TLS that no runner uses. The table also shows gen-appup with it.
 */
const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...CLEAN_ENV } = process.env;

/** Runs a command under GNU time: wall seconds (high resolution) and peak RSS. */
function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = CLEAN_ENV): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...args], { encoding: "utf8", maxBuffer: 64 << 20, env });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return { seconds, rssMb: Number(r.stderr.trim().split("\n").at(-1)) / 1024 };
}

function ensureTools(): void {
  if (!existsSync("/usr/bin/time")) sh("bash", ["-c", "apt-get install -y -qq time >/dev/null"]);
  mkdirSync(EBIN, { recursive: true });
  const sources = ["bench_gen", "bench_baseline", "bench_lean"].map((m) => join(ROOT, `bench/${m}.erl`));
  sh("erlc", ["-o", EBIN, ...sources]);
}

/** The release pair for `modules` per release in `apps` generated applications (0: one per 90), generated once. */
function pair(modules: number, apps = 0): { old: string; new: string; beams: string; files: string } {
  const dir = join(CACHE, apps ? `pair-${modules}-${apps}apps` : `pair-${modules}`);
  if (!existsSync(join(dir, "beams.txt"))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    process.stdout.write(
      sh("erl", [
        "-noshell",
        "-pa",
        EBIN,
        "-run",
        "bench_gen",
        "main",
        join(ROOT, "bench/templates"),
        dir,
        String(modules),
        "1",
        String(apps),
        "-s",
        "init",
        "stop",
      ]),
    );
    const beams = sh("find", [join(dir, "old"), join(dir, "new"), "-name", "*.beam"]);
    writeFileSync(join(dir, "beams.txt"), beams);
  }
  if (!existsSync(join(dir, "files.txt")))
    writeFileSync(join(dir, "files.txt"), sh("find", [join(dir, "old"), join(dir, "new"), "-type", "f"]));
  return { old: join(dir, "old"), new: join(dir, "new"), beams: join(dir, "beams.txt"), files: join(dir, "files.txt") };
}

/** What the baseline writes into the new release: its appups, removed before gen-appup reads it. */
function removeBaselineAppups(newRoot: string): void {
  for (const d of readdirSync(join(newRoot, "lib")).filter((d) => d.startsWith("bapp"))) {
    rmSync(join(newRoot, "lib", d, "ebin", `${d.split("-")[0]}.appup`), { force: true });
  }
}

type Runner = () => Sample;

function runners(p: ReturnType<typeof pair>, withCaCerts: boolean): Record<string, Runner> {
  const out = join(CACHE, "out");
  mkdirSync(out, { recursive: true });
  const erlang = (module: string) => {
    const s = measure("erl", [
      "-noshell",
      "-pa",
      EBIN,
      "-run",
      module,
      "main",
      p.old,
      p.new,
      out,
      "-s",
      "init",
      "stop",
    ]);
    removeBaselineAppups(p.new);
    return s;
  };
  return {
    "floor: md5sum": () => measure("sh", ["-c", `xargs md5sum < '${p.beams}' > /dev/null`]),
    "floor: Node reads and hashes": () => measure(process.execPath, [join(ROOT, "bench/floor.mjs"), p.beams]),
    "Erlang baseline": () => erlang("bench_baseline"),
    "Erlang lean baseline": () => erlang("bench_lean"),
    "gen-appup full plan": () =>
      measure(process.execPath, [join(ROOT, "bin/gen-appup.cjs"), p.old, p.new, "--out", out]),
    ...(extraCaCerts && withCaCerts
      ? {
          "gen-appup full plan, NODE_EXTRA_CA_CERTS set": () =>
            measure(process.execPath, [join(ROOT, "bin/gen-appup.cjs"), p.old, p.new, "--out", out], process.env),
        }
      : {}),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Every runner `runs` times, interleaved so that they share the machine's state. */
function bench(p: ReturnType<typeof pair>, runs: number, withCaCerts = false): Map<string, Sample> {
  const rs = runners(p, withCaCerts);
  const samples = new Map<string, Sample[]>(Object.keys(rs).map((k) => [k, []]));
  const order = Object.entries(rs);
  for (let i = 0; i < runs; i++) {
    // Each round starts at another runner, so none always follows the same one. Before each run,
    // unmeasured: the previous runner's writes (the baseline writes appups and a relup) are
    // flushed, and every file of both releases is read, so that each runner finds them in the
    // page cache (this machine pages out files unread for 30 s, less than a round at 50k modules).
    for (let j = 0; j < order.length; j++) {
      const [k, run] = order[(i + j) % order.length]!;
      sh("sh", ["-c", `sync && xargs cat < '${p.files}' > /dev/null`]);
      samples.get(k)!.push(run());
    }
  }
  return new Map(
    [...samples].map(([k, ss]) => [
      k,
      { seconds: median(ss.map((s) => s.seconds)), rssMb: Math.max(...ss.map((s) => s.rssMb)) },
    ]),
  );
}

const f = (x: number, d = 2) => x.toFixed(d);

/**
 * The bank example built as a mix release twice (0.1.0, then 0.2.0 in the same root) with the
 * shim's step, once; then GenAppup.step/1 timed alone, `runs` times, beside Node's start-up.
 */
function stepCost(runs: number): { stepMs: number; floorMs: number; startedMs: number } {
  const dir = join(CACHE, "step");
  const env = { ...CLEAN_ENV, MIX_ENV: "prod", GEN_APPUP_CLI: join(ROOT, "bin/gen-appup.cjs") };
  const build = (vsn: string) => {
    rmSync(join(dir, "lib"), { recursive: true, force: true });
    cpSync(join(ROOT, `examples/bank-${vsn}/lib`), join(dir, "lib"), { recursive: true });
    const mix = readFileSync(join(ROOT, `examples/bank-${vsn}/mix.exs`), "utf8")
      .replace('elixir: "~> 1.14",', `elixir: "~> 1.14", deps: [{:gen_appup, path: "${ROOT}/elixir", runtime: false}],`)
      .replace("steps: [:assemble, :tar]", "steps: [:assemble, &GenAppup.step/1, :tar]");
    writeFileSync(join(dir, "mix.exs"), mix);
    sh("mix", ["release", "--overwrite", "--quiet"], dir, env);
  };
  if (!existsSync(join(dir, "built"))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    build("0.1.0");
    build("0.2.0");
    writeFileSync(join(dir, "built"), "");
  }
  const out = join(dir, "times.txt");
  sh(
    "mix",
    ["run", "--no-start", "--no-compile", join(ROOT, "bench/step.exs"), String(runs), env.GEN_APPUP_CLI, out],
    dir,
    env,
  );
  const rows = readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(" ").map(Number));
  const ms = (i: number) => median(rows.map((r) => r[i]!)) / 1000;
  return { stepMs: ms(0), floorMs: ms(1), startedMs: ms(2) };
}

/** A digest of what gen-appup wrote (appups and relup), to check that a change keeps them byte for byte. */
function outputsDigest(): string {
  const out = join(CACHE, "out");
  const files = sh("find", ["releases", "lib", "-type", "f"], out).trim().split("\n").sort();
  const hash = createHash("sha256");
  for (const file of files) hash.update(file).update(readFileSync(join(out, file)));
  return `${files.length} files, sha256 ${hash.digest("hex").slice(0, 16)}`;
}

function main(): void {
  ensureTools();
  const modules = Number(values.modules),
    runs = Number(values.runs);
  const p = pair(modules, Number(values.apps));
  const beams = sh("wc", ["-l", p.beams]).trim().split(" ")[0];
  rmSync(join(CACHE, "out"), { recursive: true, force: true });
  const r = bench(p, runs, true);
  const floor = r.get("floor: md5sum")!.seconds,
    nodeFloor = r.get("floor: Node reads and hashes")!.seconds,
    base = r.get("Erlang baseline")!.seconds,
    lean = r.get("Erlang lean baseline")!.seconds;
  console.log(
    `\ngen-appup benchmark: ${modules} modules per release, ${beams} beams in the two releases; median of ${runs} runs`,
  );
  console.log("| | seconds | x md5sum floor | x Node floor | x lean baseline | x Erlang baseline | peak RSS MB |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const [k, s] of r)
    console.log(
      `| ${k} | ${f(s.seconds, 3)} | ${f(s.seconds / floor)} | ${f(s.seconds / nodeFloor)} | ` +
        `${f(s.seconds / lean, 3)} | ${f(s.seconds / base, 3)} | ${f(s.rssMb, 0)} |`,
    );
  if (extraCaCerts)
    console.log("\nNODE_EXTRA_CA_CERTS is set here: every runner ran without it, but the row that says so.");
  const ours = r.get("gen-appup full plan")!;
  console.log(
    `\ngen-appup: ${f(lean / ours.seconds, 1)}x faster than the lean Erlang baseline (target >= 5), ` +
      `${f(base / ours.seconds, 1)}x faster than the Erlang baseline, ` +
      `${f(ours.seconds / floor)}x the md5sum floor (target <= 2), ${f(ours.seconds / nodeFloor)}x Node's floor, ` +
      `peak RSS ${f(ours.rssMb, 0)} MB (target <= 150)`,
  );
  console.log(`gen-appup's outputs: ${outputsDigest()}`);
  if (!values["no-step"]) {
    const step = stepCost(Math.max(runs, 15));
    console.log("\nThe mix step's own cost (GenAppup.step/1 alone, the bank example 0.1.0 -> 0.2.0)");
    console.log("| | ms | x Node start-up |");
    console.log("|---|---:|---:|");
    console.log(`| floor: Node start-up (node -e 0) | ${f(step.floorMs, 1)} | 1.00 |`);
    console.log(`| GenAppup.step/1 (target <= 80 ms) | ${f(step.stepMs, 1)} | ${f(step.stepMs / step.floorMs)} |`);
    console.log(
      `| GenAppup.step/1 after GenAppup.start/1 (target <= 80 ms) | ${f(step.startedMs, 1)} | ` +
        `${f(step.startedMs / step.floorMs)} |`,
    );
  }
  if (values["no-scaling"]) return;
  console.log("\nScaling (median of 3 runs)");
  console.log(
    "| modules per release | gen-appup s | ms per 1k modules | md5sum floor s | x floor | lean baseline s " +
      "| x faster | Erlang baseline s | x faster | gen-appup peak RSS MB |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const n of [2000, 10000, 50000]) {
    const s = bench(pair(n), 3);
    const g = s.get("gen-appup full plan")!,
      fl = s.get("floor: md5sum")!,
      l = s.get("Erlang lean baseline")!,
      b = s.get("Erlang baseline")!;
    console.log(
      `| ${n} | ${f(g.seconds, 3)} | ${f((g.seconds * 1000) / (n / 1000), 1)} | ${f(fl.seconds, 3)} | ` +
        `${f(g.seconds / fl.seconds)} | ${f(l.seconds, 2)} | ${f(l.seconds / g.seconds, 1)} | ` +
        `${f(b.seconds, 2)} | ${f(b.seconds / g.seconds, 1)} | ${f(g.rssMb, 0)} |`,
    );
  }
}

main();
