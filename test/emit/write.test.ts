import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { recoverWrites, writeAll } from "../../src/emit/write.js";
import { ROOT, tempDir } from "../helpers/erlang.js";

const CHILD = join(ROOT, "test/helpers/write-child.mjs");
const COUNT = 300;

/** Every file under `dir`, relative. */
function walk(dir: string, rel = ""): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(dir, join(rel, e.name)) : [join(rel, e.name)],
  );
}

/** The tag each output file holds. */
function tags(root: string): string[] {
  return walk(root)
    .filter((f) => !f.includes("gen-appup"))
    .map((f) => readFileSync(join(root, f), "utf8").split("\n", 1)[0]!);
}

/** Runs the child writer; kills it `delayMs` after it says it is about to write (never when undefined). */
function runChild(root: string, tag: string, delayMs?: number): Promise<number | undefined> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CHILD, root, tag, String(COUNT)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      if (delayMs !== undefined && out.startsWith("ready\n") && !child.killed) {
        const until = performance.now() + delayMs;
        while (performance.now() < until); // a busy wait: timers are too coarse for a window of a few ms
        child.kill("SIGKILL");
      }
    });
    child.on("error", fail);
    child.on("close", () => done(/done (\S+)/.exec(out) ? Number(/done (\S+)/.exec(out)![1]) : undefined));
  });
}

test("killed at 40 random points while writing 300 files, the next run leaves them all old or all new", async () => {
  const root = tempDir("kill");
  const durations = [await runChild(root, "t0"), await runChild(root, "t1"), await runChild(root, "t2")];
  // Kills spread over the whole write and a little after; stretched when the machine turns out slower.
  let window = 1.5 * Math.max(...durations.map(Number)),
    sinceNew = 0;
  let before = "t2",
    midway = 0;
  const outcomes = { old: 0, new: 0 };
  for (let k = 3; k < 43; k++) {
    const tag = `t${k}`;
    await runChild(root, tag, Math.random() * window);
    const seen = new Set(tags(root));
    if (seen.size > 1 || walk(root).some((f) => f.includes("gen-appup"))) midway++;
    recoverWrites(root);
    const after = tags(root);
    assert.equal(after.length, COUNT, "no file lost");
    assert.ok(
      after.every((t) => t === after[0]) && [before, tag].includes(after[0]!),
      `kill ${k}: ${[...new Set(after)]}`,
    );
    assert.deepEqual(
      walk(root).filter((f) => f.includes("gen-appup")),
      [],
      "no temporary file is left",
    );
    outcomes[after[0] === tag ? "new" : "old"]++;
    sinceNew = after[0] === tag ? 0 : sinceNew + 1;
    if (sinceNew >= 8) [window, sinceNew] = [window * 1.5, 0];
    before = after[0]!;
  }
  // The kills must have landed inside the write, where per-file atomicity is not enough.
  assert.ok(midway >= 6, `only ${midway} of 40 kills interrupted a write`);
  assert.ok(outcomes.old > 0 && outcomes.new > 0, JSON.stringify(outcomes));
});

test("staged files are created exclusively: a link planted where one would go is never written through", () => {
  const root = tempDir("link");
  const victim = join(root, "victim");
  writeFileSync(victim, "untouched\n");
  mkdirSync(join(root, "releases/1"), { recursive: true });
  // Old predictable names: every pid-based temporary name a run could pick.
  for (let pid = process.pid - 5; pid < process.pid + 5; pid++)
    symlinkSync(victim, join(root, `releases/1/relup.gen-appup-${pid}.tmp`));
  writeAll(root, [{ path: "releases/1/relup", text: "new\n" }]);
  assert.equal(readFileSync(victim, "utf8"), "untouched\n");
  assert.equal(readFileSync(join(root, "releases/1/relup"), "utf8"), "new\n");
});

test("a target that is a directory stops the write before any file changes, naming it", () => {
  const root = tempDir("dir");
  writeAll(root, [{ path: "a.appup", text: "old\n" }]);
  mkdirSync(join(root, "releases/1/relup"), { recursive: true });
  assert.throws(
    () =>
      writeAll(root, [
        { path: "a.appup", text: "new\n" },
        { path: "releases/1/relup", text: "new\n" },
      ]),
    (e: Error) => e.message === `${join(root, "releases/1/relup")}: is a directory`,
  );
  assert.equal(readFileSync(join(root, "a.appup"), "utf8"), "old\n");
  assert.deepEqual(
    walk(root).filter((f) => f.includes("gen-appup")),
    [],
  );
});

test("two runs writing into the same root at once leave one whole set, not a mix", async () => {
  const root = tempDir("concurrent");
  for (let round = 0; round < 5; round++) {
    await Promise.all([runChild(root, `a${round}`), runChild(root, `b${round}`)]);
    const after = tags(root);
    assert.equal(after.length, COUNT);
    assert.ok(
      after.every((t) => t === after[0]),
      `round ${round}: ${[...new Set(after)]}`,
    );
    assert.deepEqual(
      walk(root).filter((f) => f.includes("gen-appup")),
      [],
    );
  }
});

test("a write that fails halfway leaves the old set, no staged file, and names the target, not a temporary one", () => {
  const root = tempDir("half");
  writeAll(root, [
    { path: "a.appup", text: "old\n" },
    { path: "releases/1/relup", text: "old\n" },
  ]);
  writeFileSync(join(root, "blocker"), "a file where a directory must be\n");
  assert.throws(
    () =>
      writeAll(root, [
        { path: "a.appup", text: "new\n" },
        { path: "releases/1/relup", text: "new\n" },
        { path: "blocker/x.appup", text: "new\n" },
      ]),
    (e: Error) => e.message.startsWith(`${join(root, "blocker")}`) && !e.message.includes(".tmp"),
  );
  assert.deepEqual(
    [readFileSync(join(root, "a.appup"), "utf8"), readFileSync(join(root, "releases/1/relup"), "utf8")],
    ["old\n", "old\n"],
  );
  assert.deepEqual(
    walk(root).filter((f) => f.includes("gen-appup")),
    [],
  );
});
