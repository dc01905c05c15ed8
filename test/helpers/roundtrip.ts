/**
 * One hot-upgrade scenario, end to end: gen-appup on a copy of the built release root,
 * systools:make_relup(..., [warnings_as_errors]) as a check of our appups and relup, then for
 * each old version a live node that boots it, gets state, is upgraded with release_handler,
 * checked, downgraded with install_release and checked again. Nodes are always stopped.
 */
import assert from "node:assert/strict";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readRelease } from "../../src/read/release.js";
import { oracle, tempDir } from "./erlang.js";
import { appupsOf, relupMismatch } from "./relups.js";
import type { BuiltRelease } from "./fixtures.js";
import { LiveNode } from "./live.js";
import { genAppup, upgradeTarball } from "./upgrade.js";

/** An Erlang expression and what `~0tp` of its value must print. */
export type Check = [expr: string, expected: string];
export type Checks = Check[] | ((oldVsn: string) => Check[]);

export interface RoundTrip {
  built: BuiltRelease;
  /** Old versions to upgrade from (default: the first built). The new one is the last built. */
  from?: string[];
  /** Expressions run on the old node to put state into it. */
  setup: string[];
  /** Checks on the old code before upgrading (per old version, when given as a function). */
  old: Checks;
  /** Checks (and mutations) on the new code after upgrading. */
  upgraded: Checks;
  /** Checks after downgrading back. */
  downgraded: Checks;
  /** Assertions on the generated appup texts, by application. */
  appups?: (appups: Record<string, string>) => void;
}

export function roundTrip(s: RoundTrip): void {
  const root = join(tempDir("rt"), s.built.name);
  cpSync(s.built.root, root, { recursive: true });
  const to = s.built.versions.at(-1)!;
  const from = s.from ?? [s.built.versions[0]!];
  genAppup([...from.map((v) => join(root, "releases", v)), root]);

  const apps = readRelease(root, { vsn: to }).apps;
  s.appups?.(Object.fromEntries(apps.flatMap((a) => (a.appup ? [[a.name, a.appup.text]] : []))));
  checkWithSystools(root, s.built.name, to, from);

  const tarball = upgradeTarball(root, to);
  for (const vsn of from) {
    const node = LiveNode.deploy(s.built.tarballs[vsn]!, s.built.name, vsn);
    try {
      node.start();
      if (s.setup.length) node.eval(...s.setup);
      expectChecks(node, s.old, vsn, `${vsn}, before upgrading`);
      const [unpacked, installed, permanent] = node.upgrade(tarball, to);
      assert.equal(unpacked, `{ok,"${to}"}`);
      assert.match(installed!, /^\{ok,"[^"]+",\[\]\}$/, `install_release(${to})`);
      assert.equal(permanent, "ok");
      expectChecks(node, s.upgraded, vsn, `${vsn} -> ${to}`);
      assert.match(node.downgrade(vsn)[0]!, /^\{ok,"[^"]+",\[\]\}$/, `install_release(${vsn})`);
      expectChecks(node, s.downgraded, vsn, `${to} -> ${vsn}`);
    } finally {
      node.stop();
    }
  }
}

function expectChecks(node: LiveNode, given: Checks, vsn: string, when: string): void {
  const checks = typeof given === "function" ? given(vsn) : given;
  if (!checks.length) return;
  const got = node.eval(...checks.map(([e]) => e));
  checks.forEach(([expr, expected], i) => assert.equal(got[i], expected, `${when}: ${expr}`));
}

/**
 * systools:make_relup with warnings_as_errors accepts our appups, and makes the relup we made (up to
 * the order it leaves to the VM).
 */
function checkWithSystools(root: string, name: string, to: string, from: string[]): void {
  const out = tempDir("systools");
  oracle(
    "make_relup",
    out,
    "strict",
    join(root, "releases", to, name),
    ...from.map((v) => join(root, "releases", v, name)),
    "@path",
    join(root, "lib/*/ebin"),
  );
  assert.equal(readFileSync(join(out, "result"), "utf8"), "{ok,[]}.\n", "systools:make_relup with warnings_as_errors");
  const release = readRelease(root, { vsn: to });
  const olds = from.map((v) => readRelease(root, { vsn: v }));
  const ours = readFileSync(join(root, "releases", to, "relup"), "utf8");
  assert.equal(
    relupMismatch(ours, readFileSync(join(out, "relup"), "utf8"), release, olds, appupsOf(release)),
    undefined,
    "our relup is systools' relup",
  );
}
