import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { relupText } from "../../src/emit/relup.js";
import { makeRelup } from "../../src/plan/relup.js";
import { readRelease } from "../../src/read/release.js";
import { oracle, tempDir } from "../helpers/erlang.js";
import { appupsOf, asSystools, relupMismatch } from "../helpers/relups.js";
import { generate, type Scenario } from "../helpers/scenarios.js";

const COUNT = 220;

test(`our relup equals systools:make_relup's on ${COUNT} generated scenarios`, () => {
  const dir = tempDir("relups");
  const scenarios = Array.from({ length: COUNT }, (_, i) => generate(1000 + i, dir));
  const lines = scenarios.map((s) => {
    const out = join(s.root, "systools");
    return [
      out,
      stem(s, s.to),
      s.from.map((v) => stem(s, v)).join(","),
      join(s.root, "lib/*/ebin"),
      s.restartEmulator ? "restart_emulator" : "",
    ].join("|");
  });
  for (const s of scenarios) mkdirSync(join(s.root, "systools"), { recursive: true });
  writeFileSync(join(dir, "list"), lines.join("\n"));
  oracle("make_relups", join(dir, "list"));

  let exact = 0,
    ambiguous = 0,
    errorsAgreed = 0;
  const failures: string[] = [];
  for (const s of scenarios) {
    const result = readFileSync(join(s.root, "systools", "result"), "utf8");
    const to = readRelease(s.root, { vsn: s.to });
    const olds = s.from.map((v) => readRelease(s.root, { vsn: v }));
    const appups = appupsOf(to);
    let ours: string | undefined, ourError: string | undefined;
    try {
      ours = asSystools(relupText(makeRelup(olds, to, appups, { restartEmulator: s.restartEmulator }).relup));
    } catch (e) {
      ourError = (e as Error).message;
    }
    if (result.startsWith("{error")) {
      const named = /: ([^\s"]+)\\n"\}/.exec(result)?.[1];
      if (ourError && (!named || ourError.includes(named))) errorsAgreed++;
      else
        failures.push(
          `${s.root}: systools failed (${result.trim()}) and we ` +
            (ourError ? `failed differently (${ourError})` : "did not"),
        );
      continue;
    }
    if (ourError) {
      failures.push(`${s.root}: we failed (${ourError}) and systools did not`);
      continue;
    }
    const theirs = readFileSync(join(s.root, "systools", "relup"), "utf8");
    if (ours === theirs) exact++;
    else {
      const why = relupMismatch(ours!, theirs, to, olds, appups);
      if (why) failures.push(`${s.root}: ${why}`);
      else ambiguous++;
    }
  }
  console.log(
    `# relup scenarios: ${exact} identical, ${ambiguous} equal up to systools' undetermined order, ` +
      `${errorsAgreed} rejected by both`,
  );
  assert.deepEqual(failures, []);
  assert.ok(
    exact >= COUNT / 2 && exact + ambiguous >= 200,
    `${exact} identical, ${ambiguous} undetermined, of ${COUNT}`,
  );
});

const stem = (s: Scenario, vsn: string) => join(s.root, "releases", vsn, s.name);
