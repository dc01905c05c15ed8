import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/erlang.js";

// The CI budget of `npm run fuzz`: a few seconds per target, on a fixed seed so that CI is repeatable;
// by hand, `npm run fuzz -- --cases 100000 --seconds 3600 --seed N` runs the long one on any seed.
const SECONDS = process.env.GEN_APPUP_FUZZ_SECONDS ?? "5";
const SEED = process.env.GEN_APPUP_FUZZ_SEED ?? "1";

test(`fuzzing every reader for ${SECONDS} s each (seed ${SEED}): only clear one-line errors, bounded memory`, () => {
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "fuzz/run.ts"), "--seconds", SECONDS, "--seed", SEED],
    { cwd: ROOT, encoding: "utf8", timeout: 10 * 60_000 },
  );
  const report = `${run.stdout}${run.stderr}`;
  assert.equal(run.status, 0, report);
  for (const target of ["beam", "beam-gz", "etf", "text", "appup", "tar", "release"])
    assert.match(report, new RegExp(`^${target} +[1-9]\\d* cases .* ok$`, "m"), report);
});
