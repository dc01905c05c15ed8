/**
 * One hot-upgrade scenario, end to end: gen-appup on a copy of the built release root,
 * systools:make_relup(..., [warnings_as_errors]) as a check of our appups and relup, then for
 * each old version a live node that boots it, gets state, is upgraded with release_handler,
 * checked, downgraded with install_release and checked again. Nodes are always stopped.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { verifyText } from "../../src/cli/verify.js";
import { TOOLCHAIN_APPS } from "../../src/plan/checks.js";
import { readRelease } from "../../src/read/release.js";
import { rehearse } from "../../src/verify/rehearse.js";
import { CACHE, oracle, tempDir } from "./erlang.js";
import { appupsOf, relupMismatch } from "./relups.js";
import { copyRoot, type BuiltRelease } from "./fixtures.js";
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
  /**
   * A call (an Erlang fun of no arguments, as text) that client processes make in a loop for the
   * whole round trip: every phase must see calls and no failure, and no client may die.
   */
  load?: string;
  /** Clients call without pausing (for windows of microseconds, such as a cycle half loaded); else 1 ms apart. */
  denseLoad?: boolean;
  /** More gen-appup options. */
  args?: string[];
  /** Environment variables of the node. */
  env?: Record<string, string>;
  /** Also restart the node cold once each version is permanent, and check it again. */
  coldRestarts?: boolean;
  /** Registered processes that may be restarted (others must keep their pid through every phase). */
  restarted?: string[];
}

/**
 * The round trip runs on gen-appup verify's own engine (src/verify/rehearse.ts), with a check per
 * phase and its expected value: the suite's verdict and verify's are one.
 */
export function roundTrip(s: RoundTrip): void {
  const root = copyRoot(s.built, tempDir("rt"));
  const to = s.built.versions.at(-1)!;
  const from = s.from ?? [s.built.versions[0]!];
  genAppup([...from.map((v) => join(root, "releases", v)), root, ...(s.args ?? [])]);

  const release = readRelease(root, { vsn: to });
  s.appups?.(Object.fromEntries(release.apps.flatMap((a) => (a.appup ? [[a.name, a.appup.text]] : []))));
  checkWithSystools(root, s.built.name, to, from);

  const tarball = upgradeTarball(root, to);
  mkdirSync(join(CACHE, "live"), { recursive: true });
  for (const vsn of from) {
    const expected = (c: Checks) => (typeof c === "function" ? c(vsn) : c).map(([expr, expect]) => ({ expr, expect }));
    const report = rehearse(s.built.name, vsn, to, s.built.tarballs[vsn]!, tarball, {
      scratch: join(CACHE, "live"),
      env: s.env ?? {},
      setup: s.setup,
      checks: (phase, running) => expected(phase === "boot" ? s.old : running === to ? s.upgraded : s.downgraded),
      ...(s.load ? { load: s.load } : {}),
      denseLoad: !!s.denseLoad,
      restarted: s.restarted ?? [],
      // Cold restarts: each version, once permanent, booted again and checked; its env must be the hot one's.
      ...(s.coldRestarts ? { envApps: release.apps.map((a) => a.name).filter((a) => !TOOLCHAIN_APPS.has(a)) } : {}),
    });
    assert.ok(report.ok, verifyText(report));
  }
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
