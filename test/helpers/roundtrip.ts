/**
 * One hot-upgrade scenario, end to end: gen-appup on a copy of the built release root,
 * systools:make_relup(..., [warnings_as_errors]) as a check of our appups and relup, then for
 * each old version a live node that boots it, gets state, is upgraded with release_handler,
 * checked, downgraded with install_release and checked again. Nodes are always stopped.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readRelease } from "../../src/read/release.js";
import { oracle, tempDir } from "./erlang.js";
import { appupsOf, relupMismatch } from "./relups.js";
import { copyRoot, type BuiltRelease } from "./fixtures.js";
import { LiveNode } from "./live.js";
import { startLoad } from "../../src/verify/rehearse.js";
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

export function roundTrip(s: RoundTrip): void {
  const root = copyRoot(s.built, tempDir("rt"));
  const to = s.built.versions.at(-1)!;
  const from = s.from ?? [s.built.versions[0]!];
  genAppup([...from.map((v) => join(root, "releases", v)), root, ...(s.args ?? [])]);

  const apps = readRelease(root, { vsn: to }).apps;
  s.appups?.(Object.fromEntries(apps.flatMap((a) => (a.appup ? [[a.name, a.appup.text]] : []))));
  checkWithSystools(root, s.built.name, to, from);

  const tarball = upgradeTarball(root, to);
  for (const vsn of from) {
    const node = LiveNode.deploy(s.built.tarballs[vsn]!, s.built.name, vsn, { env: s.env ?? {} });
    try {
      node.start();
      if (s.setup.length) node.eval(...s.setup);
      const startWatch = () => new Watch(node, s.load, s.restarted ?? [], !!s.denseLoad);
      let watch = startWatch();
      expectChecks(node, s.old, vsn, `${vsn}, before upgrading`);
      watch.phase(`${vsn}, before upgrading`);
      const [unpacked, installed, permanent] = node.upgrade(tarball, to);
      assert.equal(unpacked, `{ok,"${to}"}`);
      assert.match(installed!, /^\{ok,"[^"]+",\[\]\}$/, `install_release(${to})`);
      assert.equal(permanent, "ok");
      watch.phase(`${vsn} -> ${to} (install_release, make_permanent)`);
      expectChecks(node, s.upgraded, vsn, `${vsn} -> ${to}`);
      watch.phase(`${vsn} -> ${to}, upgraded`);
      if (s.coldRestarts) {
        coldRestart(node, s.upgraded, vsn, `${to} (permanent), restarted cold`);
        watch = startWatch(); // a new node process: new pids, new clients
      }
      assert.match(node.downgrade(vsn)[0]!, /^\{ok,"[^"]+",\[\]\}$/, `install_release(${vsn})`);
      watch.phase(`${to} -> ${vsn} (install_release)`);
      expectChecks(node, s.downgraded, vsn, `${to} -> ${vsn}`);
      watch.phase(`${to} -> ${vsn}, downgraded`);
      if (s.coldRestarts) {
        assert.equal(node.eval(`release_handler:make_permanent("${vsn}")`)[0], "ok");
        coldRestart(node, s.downgraded, vsn, `${vsn} (permanent again), restarted cold`);
      }
    } finally {
      node.stop();
    }
  }
}

/**
 * What must hold in every phase of a round trip: the client load (when given) made calls and none
 * failed, no client died, and every process registered at the start kept its pid (but those allowed
 * to restart).
 */
class Watch {
  private readonly pids: string;
  private names?: string;

  constructor(
    private readonly node: LiveNode,
    private readonly load: string | undefined,
    private readonly restarted: string[],
    dense: boolean,
  ) {
    this.pids = this.registered();
    if (load) node.eval(startLoad(load, dense));
  }

  phase(when: string): void {
    assert.equal(this.registered(), this.pids, `${when}: every process registered at the start keeps its pid`);
    if (!this.load) return;
    // Calls made, failed and clients dead since the last phase, and the last failure.
    const [report] = this.node.eval(
      "begin C = persistent_term:get(gen_appup_load), timer:sleep(50), " +
        "R = {counters:get(C, 1), counters:get(C, 2), counters:get(C, 3), " +
        "persistent_term:get(gen_appup_load_error, none)}, " +
        "[counters:put(C, I, 0) || I <- [1, 2, 3]], R end",
    );
    const [, calls, failed, died] = /^\{(\d+),(\d+),(\d+),/.exec(report!)!;
    assert.ok(Number(calls) > 0, `${when}: the clients made calls (${report})`);
    assert.equal(`${failed} failed, ${died} died`, "0 failed, 0 died", `${when}: client load ${report}`);
  }

  /** The pid of every process registered when the round trip began (those allowed to restart aside). */
  private registered(): string {
    const skip = this.restarted.map((r) => `'${r}'`).join(", ");
    const names = this.names ?? "registered()";
    const [pids] = this.node.eval(`lists:sort([{N, whereis(N)} || N <- ${names}, not lists:member(N, [${skip}])])`);
    this.names ??= `[${[...pids!.matchAll(/\{('[^']*'|[a-z][\w@]*),/g)].map((m) => m[1]).join(", ")}]`;
    return pids!;
  }
}

/** Restarts the node cold (its permanent version boots) and checks it. */
function coldRestart(node: LiveNode, checks: Checks, vsn: string, when: string): void {
  node.restart();
  expectChecks(node, checks, vsn, when);
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
