import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { GenAppupError } from "../../src/errors.js";
import { decodeEtf } from "../../src/read/etf.js";
import { decodeConsultFile, parseTerms } from "../../src/term/text.js";
import { Rng } from "../../fuzz/rng.js";
import { termTextCase } from "../../fuzz/term-text.js";
import { oracle, tempDir } from "../helpers/erlang.js";
import { termKey } from "../helpers/terms.js";

const COUNT = Number(process.env.GEN_APPUP_PARITY_CASES ?? 4000);
const SEED = Number(process.env.GEN_APPUP_PARITY_SEED ?? 20261130);

test(`the term reader accepts what file:consult accepts, reading the same terms (${COUNT} generated files)`, () => {
  const dir = tempDir("parity");
  const rng = new Rng(SEED);
  const files: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const { text, latin1 } = termTextCase(rng);
    const file = join(dir, `case-${i}.config`);
    writeFileSync(file, Buffer.from(text, latin1 ? "latin1" : "utf8"));
    files.push(file);
  }
  writeFileSync(join(dir, "list"), files.join("\n"));
  oracle("consult_dump", join(dir, "list"), dir);
  const wrong: string[] = [];
  let accepted = 0;
  files.forEach((f, i) => {
    const erlang = existsSync(join(dir, `${i}.etf`))
      ? termKey(decodeEtf(readFileSync(join(dir, `${i}.etf`))))
      : undefined;
    let ours: string | undefined;
    try {
      ours = termKey({ t: "list", v: parseTerms(decodeConsultFile(readFileSync(f), f), f) });
    } catch (e) {
      if (!(e instanceof GenAppupError)) throw e;
      assert.ok(e.message.startsWith(f) && !e.message.includes("\n"), e.message);
    }
    if (erlang !== undefined) accepted++;
    if (ours === erlang) return;
    const why = erlang === undefined ? readFileSync(join(dir, `${i}.error`), "utf8") : "accepted";
    const text = JSON.stringify(readFileSync(f, "utf8")).slice(0, 300);
    wrong.push(`${f}: Erlang ${why.slice(0, 200)}; ours ${ours === undefined ? "refused" : "differs"}\n  ${text}`);
  });
  assert.ok(accepted > COUNT / 4 && accepted < COUNT - COUNT / 10, `a mix of good and bad files: ${accepted}`);
  assert.deepEqual(wrong.slice(0, 15), [], `${wrong.length} of ${COUNT} files read differently`);
});
