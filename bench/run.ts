/**
 * `npm run bench [-- --modules N] [--apps A] [--runs R] [--no-scaling]`: gen-appup's full plan against the
 * floor (reading and hashing every beam: md5sum, and Node alone) and against an Erlang baseline
 * doing what today's generators do, side by side in one run. Reports medians, ratios and peak RSS,
 * then a scaling table. Release pairs are generated once and cached under .cache/bench.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = resolve(import.meta.dirname, "..");
const CACHE = join(ROOT, ".cache/bench");
const EBIN = join(CACHE, "ebin");
const { values } = parseArgs({
  options: {
    modules: { type: "string", default: "4500" },
    apps: { type: "string", default: "0" },
    runs: { type: "string", default: "9" },
    "no-scaling": { type: "boolean" },
  },
});

interface Sample {
  seconds: number;
  rssMb: number;
}

function sh(cmd: string, args: string[], cwd = ROOT): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
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
  sh("erlc", ["-o", EBIN, join(ROOT, "bench/bench_gen.erl"), join(ROOT, "bench/bench_baseline.erl")]);
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
  return {
    "floor: md5sum": () => measure("sh", ["-c", `xargs md5sum < '${p.beams}' > /dev/null`]),
    "floor: Node reads and hashes": () => measure(process.execPath, [join(ROOT, "bench/floor.mjs"), p.beams]),
    "Erlang baseline": () => {
      const s = measure("erl", [
        "-noshell",
        "-pa",
        EBIN,
        "-run",
        "bench_baseline",
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
    },
    "gen-appup full plan": () =>
      measure(process.execPath, [join(ROOT, "bin/gen-appup.js"), p.old, p.new, "--out", out]),
    ...(extraCaCerts && withCaCerts
      ? {
          "gen-appup full plan, NODE_EXTRA_CA_CERTS set": () =>
            measure(process.execPath, [join(ROOT, "bin/gen-appup.js"), p.old, p.new, "--out", out], process.env),
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

function main(): void {
  ensureTools();
  const modules = Number(values.modules),
    runs = Number(values.runs);
  const p = pair(modules, Number(values.apps));
  const beams = sh("wc", ["-l", p.beams]).trim().split(" ")[0];
  const r = bench(p, runs, true);
  const floor = r.get("floor: md5sum")!.seconds,
    nodeFloor = r.get("floor: Node reads and hashes")!.seconds,
    base = r.get("Erlang baseline")!.seconds;
  console.log(
    `\ngen-appup benchmark: ${modules} modules per release, ${beams} beams in the two releases; median of ${runs} runs`,
  );
  console.log("| | seconds | x md5sum floor | x Node floor | x Erlang baseline | peak RSS MB |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const [k, s] of r)
    console.log(
      `| ${k} | ${f(s.seconds, 3)} | ${f(s.seconds / floor)} | ${f(s.seconds / nodeFloor)} | ` +
        `${f(s.seconds / base, 3)} | ${f(s.rssMb, 0)} |`,
    );
  if (extraCaCerts)
    console.log("\nNODE_EXTRA_CA_CERTS is set here: every runner ran without it, but for the last row.");
  const ours = r.get("gen-appup full plan")!;
  console.log(
    `\ngen-appup: ${f(base / ours.seconds, 1)}x faster than the Erlang baseline, ` +
      `${f(ours.seconds / floor)}x the md5sum floor, ${f(ours.seconds / nodeFloor)}x Node's floor, ` +
      `peak RSS ${f(ours.rssMb, 0)} MB`,
  );
  if (values["no-scaling"]) return;
  console.log("\nScaling (median of 3 runs)");
  console.log(
    "| modules per release | gen-appup s | ms per 1k modules | md5sum floor s | x floor | Erlang baseline s " +
      "| x faster | gen-appup peak RSS MB |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const n of [2000, 10000, 50000]) {
    const s = bench(pair(n), 3);
    const g = s.get("gen-appup full plan")!,
      fl = s.get("floor: md5sum")!,
      b = s.get("Erlang baseline")!;
    console.log(
      `| ${n} | ${f(g.seconds, 3)} | ${f((g.seconds * 1000) / (n / 1000), 1)} | ${f(fl.seconds, 3)} | ` +
        `${f(g.seconds / fl.seconds)} | ${f(b.seconds, 2)} | ${f(b.seconds / g.seconds, 1)} | ${f(g.rssMb, 0)} |`,
    );
  }
}

main();
