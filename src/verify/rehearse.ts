/**
 * The rehearsal: the old release booted on a scratch node, the new one installed exactly as in
 * production (unpack_release, install_release, make_permanent), then the downgrade, with the
 * user's checks and a client load running the whole time. Each phase records what release_handler
 * said, the checks, the calls that failed, the registered processes that died or were replaced,
 * the error reports the node logged, and its memory.
 */
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ScratchNode, q, type DeployOptions } from "./node.js";

/** An Erlang expression that must not raise nor return false; with `expect`, must print (~0tp) as that. */
export type Check = string | { expr: string; expect: string };

/** What a phase did: boot the old version, install one (up, down, up again), or restart one cold. */
export type PhaseKind = "boot" | "upgrade" | "downgrade" | "again" | "restart";

export interface RehearsalOptions extends DeployOptions {
  /** Checks after every phase, or chosen by the phase and the version it leaves running. */
  checks?: Check[] | ((phase: PhaseKind, vsn: string) => Check[]);
  /** Expressions evaluated once the old version is up, before anything is watched (to put state in). */
  setup?: string[];
  /** An Erlang fun of no arguments that four clients call in a loop for the whole rehearsal. */
  load?: string;
  /** Clients call without pausing (for windows of microseconds); else 1 ms apart. */
  denseLoad?: boolean;
  /** Upgrade once more after the downgrade. */
  again?: boolean;
  /** Keep the scratch directory (for debugging). */
  keep?: boolean;
  /** Registered processes the upgrade may restart or remove (others must keep their pid). */
  restarted?: string[];
  /**
   * Applications whose env is compared, after each install, with a cold boot of that version: a
   * difference is configuration the install lost (or a value only a restart sets).
   */
  envApps?: string[];
}

export interface CheckResult {
  expr: string;
  value: string;
  /** The value it had to print as, when the check said. */
  expect?: string;
  ok: boolean;
}

export interface PhaseReport {
  phase: string;
  ok: boolean;
  /** What release_handler returned, when the phase ran it. */
  result?: string[];
  /** release_handler refused or failed the install. */
  installFailed?: boolean;
  /** How long install_release took: the processes it suspends are suspended within it. */
  installMs?: number;
  checks: CheckResult[];
  load?: { calls: number; failed: number; died: number; lastError?: string };
  /** Registered processes that are gone or run under another pid since the rehearsal began. */
  replaced: string[];
  /** Error reports (crashes, supervisor reports) the node logged during the phase. */
  errors: string[];
  memoryMb?: number;
  /** Processes still running a module's old code after the phase: a later purge kills them, or is refused. */
  oldCode?: string[];
  /** After a cold restart: registered processes only the hot install, or only the cold boot, has. */
  processDiff?: string[];
  /** After a cold restart: the env keys whose value differs from what the hot install left. */
  envDiff?: { app: string; key: string; hot: string; cold: string }[];
}

export interface VerifyReport {
  release: string;
  from: string;
  to: string;
  ok: boolean;
  phases: PhaseReport[];
  /** The scratch directory, when kept. */
  kept?: string;
  /** What gen-appup's plan said about this upgrade, beside what happened. */
  findings?: { level: string; code: string; message: string }[];
}

/** Rehearses `from` -> `to` -> `from` (-> `to` with `again`): `oldTarball` boots, `newTarball` is installed. */
export function rehearse(
  release: string,
  from: string,
  to: string,
  oldTarball: string,
  newTarball: string,
  opts: RehearsalOptions = {},
): VerifyReport {
  const node = ScratchNode.deploy(oldTarball, release, from, opts);
  const phases: PhaseReport[] = [];
  try {
    node.start();
    if (opts.setup?.length) node.eval(...opts.setup);
    const watching = () => new Watch(node, opts);
    let watch = watching();
    phases.push(watch.phase(`boot ${from}`, "boot", from));
    if (!phases[0]!.ok) return report();
    const copy = node.eval(
      `file:copy(${q(newTarball)}, ${q(join(node.dir, "releases", `${release}-${to}.tar.gz`))})`,
    )[0]!;
    if (!copy.startsWith("{ok,")) throw new Error(`cannot place the new release on the node: ${copy}`);
    const installed = /^\{ok,"[^"]+",\[\]\}$/;
    const install = (kind: PhaseKind, vsn: string, name: string, exprs: string[], good = installed): boolean => {
      // install_release timed: its processes are suspended within it, from suspend to resume.
      const timed = node.eval(
        ...exprs.map((e) => (e.includes(":install_release(") ? `timer:tc(fun() -> ${e} end)` : e)),
      );
      let installMs: number | undefined;
      const result = timed.map((r, i) => {
        const m = exprs[i]!.includes(":install_release(") ? /^\{(\d+),(.*)\}$/.exec(r) : null;
        if (!m) return r;
        installMs = Math.round(Number(m[1]) / 1000);
        return m[2]!;
      });
      const p = watch.phase(name, kind, vsn, result);
      if (installMs !== undefined) p.installMs = installMs;
      if (!good.test(result.join("\n"))) [p.ok, p.installFailed] = [false, true];
      phases.push(p);
      return p.ok && restartCold(vsn);
    };
    // With envApps: the env a hot install left must be what a cold boot of that version makes.
    const restartCold = (vsn: string): boolean => {
      if (!opts.envApps?.length) return true;
      const hot = envOf(node, opts.envApps);
      const [permanent, registered] = node.eval(`release_handler:make_permanent(${q(vsn)})`, REGISTERED);
      if (permanent !== "ok") return true;
      // What relx's upgrade does after make_permanent: its start script names a version, the versioned one replaces it.
      const script = join(node.dir, "bin", `${release}-${vsn}`);
      if (existsSync(script)) copyFileSync(script, join(node.dir, "bin", release));
      node.restart();
      watch = watching();
      const p = watch.phase(`restart ${vsn} cold`, "restart", vsn);
      // A relx start script names its own version: rebooted, the node may run another than the permanent one.
      const [booted] = node.eval("element(2, init:script_id())");
      if (booted !== q(vsn)) {
        p.ok = false;
        p.errors.push(
          `booted cold, the node runs ${booted}, not the permanent ${vsn} (its start script names its version)`,
        );
      }
      p.envDiff = envDiff(hot, envOf(node, opts.envApps));
      // A child the install left running, or did not start, shows as a process only one of them has.
      const [hotNames, coldNames] = [pidsOf(registered!), watch.pids].map((m) => new Set(m.keys()));
      p.processDiff = [
        ...[...hotNames!]
          .filter((n) => !coldNames!.has(n))
          .map((n) => `${n} runs after the install, not when booted cold`),
        ...[...coldNames!]
          .filter((n) => !hotNames!.has(n))
          .map((n) => `${n} runs when booted cold, not after the install`),
      ];
      p.ok &&= p.envDiff.length === 0 && p.processDiff.length === 0;
      phases.push(p);
      return p.ok;
    };
    const upgraded =
      install(
        "upgrade",
        to,
        `upgrade ${from} -> ${to}`,
        [
          `release_handler:unpack_release(${q(`${release}-${to}`)})`,
          `release_handler:install_release(${q(to)})`,
          `release_handler:make_permanent(${q(to)})`,
        ],
        new RegExp(`^\\{ok,${q(to).replace(/\./g, "\\.")}\\}\\n\\{ok,"[^"]+",\\[\\]\\}\\nok$`),
      ) && install("downgrade", from, `downgrade ${to} -> ${from}`, [`release_handler:install_release(${q(from)})`]);
    if (upgraded && opts.again)
      install("again", to, `upgrade ${from} -> ${to} again`, [`release_handler:install_release(${q(to)})`]);
    return report();
  } finally {
    node.stop(opts.keep);
  }

  function report(): VerifyReport {
    return {
      release,
      from,
      to,
      ok: phases.length > 0 && phases.every((p) => p.ok),
      phases,
      ...(opts.keep ? { kept: node.dir } : {}),
    };
  }
}

/** Each application's env, key by key (values as ~0tp). */
function envOf(node: ScratchNode, apps: string[]): Map<string, string> {
  const lines = node.text(
    `[[atom_to_list(A), $\\t, io_lib:format("~0tp", [K]), $\\t, io_lib:format("~0tp", [V]), $\\n] || ` +
      `A <- [${apps.map((a) => `'${a}'`).join(", ")}], {K, V} <- lists:sort(application:get_all_env(A))]`,
  );
  return new Map(
    lines
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [app, key, value] = l.split("\t") as [string, string, string];
        return [`${app}\t${key}`, value];
      }),
  );
}

function envDiff(hot: Map<string, string>, cold: Map<string, string>): NonNullable<PhaseReport["envDiff"]> {
  const keys = [...new Set([...hot.keys(), ...cold.keys()])].sort();
  return keys
    .filter((k) => hot.get(k) !== cold.get(k))
    .map((k) => {
      const [app, key] = k.split("\t") as [string, string];
      return { app, key, hot: hot.get(k) ?? "(unset)", cold: cold.get(k) ?? "(unset)" };
    });
}

/** What holds across phases: the registered processes, the load counters, the error log read so far. */
class Watch {
  /** The pid of every registered process when the watch began, by name. */
  readonly pids: Map<string, string>;
  private readonly errorLog: string;
  private logRead = 0;

  constructor(
    private readonly node: ScratchNode,
    private readonly opts: RehearsalOptions,
  ) {
    this.errorLog = join(node.dir, "gen-appup-verify-errors.log");
    // One control VM per call costs a fraction of a second: each step asks everything at once.
    const [, registered] = node.eval(
      `logger:add_handler(gen_appup_verify, logger_std_h, #{level => error, ` +
        `config => #{file => ${q(this.errorLog)}}, formatter => {logger_formatter, #{single_line => true}}})`,
      REGISTERED,
      ...(opts.load ? [startLoad(opts.load, opts.denseLoad)] : []),
    );
    this.pids = pidsOf(registered!);
  }

  phase(phase: string, kind: PhaseKind, vsn: string, result?: string[]): PhaseReport {
    const given = this.opts.checks ?? [];
    const wanted = typeof given === "function" ? given(kind, vsn) : given;
    const exprs = wanted.map((c) => (typeof c === "string" ? c : c.expr));
    const values = this.node.eval(
      ...exprs.map(
        (c) => `try (begin ${c} end) catch GenAppupClass:GenAppupWhy -> {check_raised, GenAppupClass, GenAppupWhy} end`,
      ),
      REGISTERED,
      "erlang:memory(total)",
      OLD_CODE,
      ...(this.opts.load ? [LOAD_COUNTS] : []),
    );
    const [registered, memory, old, counts] = values.slice(exprs.length);
    const checks = wanted.map((c, i): CheckResult => {
      const value = values[i]!;
      const ok =
        typeof c === "string" ? value !== "false" && !/^\{(check_raised|rpc_failed),/.test(value) : value === c.expect;
      return { expr: exprs[i]!, value, ok, ...(typeof c === "string" ? {} : { expect: c.expect }) };
    });
    const load = counts === undefined ? undefined : loadOf(counts);
    const now = pidsOf(registered!);
    const allowed = this.opts.restarted ?? [];
    const replaced = [...this.pids]
      .filter(([name, pid]) => now.get(name) !== pid && !allowed.includes(name.replace(/^'|'$/g, "")))
      .map(([name]) => name);
    const errors = this.newErrors();
    const oldCode = [...old!.matchAll(/\{(<[\d.]+>),(.*?),('(?:[^'\\]|\\.)*'|[a-z][\w@]*)\}(?=,\{<|\]$)/g)].map(
      (m) => `${m[1]} (${m[2]}) runs old code of ${m[3]}`,
    );
    const ok =
      checks.every((c) => c.ok) &&
      (!load || (load.calls > 0 && load.failed === 0 && load.died === 0)) &&
      replaced.length === 0 &&
      errors.length === 0;
    return {
      phase,
      ok,
      ...(result ? { result } : {}),
      checks,
      ...(load ? { load } : {}),
      replaced,
      errors,
      memoryMb: Math.round(Number(memory) / 1e5) / 10,
      ...(oldCode.length ? { oldCode } : {}),
    };
  }

  private newErrors(): string[] {
    if (!existsSync(this.errorLog)) return [];
    const text = readFileSync(this.errorLog, "utf8");
    const fresh = text.slice(this.logRead);
    this.logRead = text.length;
    return fresh.split("\n").filter((l) => l.trim());
  }
}

const REGISTERED = "lists:sort([{N, whereis(N)} || N <- registered()])";

/** Processes running a module's old code: {Pid, registered name or initial call, Module}. */
const OLD_CODE =
  "[{P, case erlang:process_info(P, registered_name) of {registered_name, N} -> N; " +
  "_ -> proc_lib:translate_initial_call(P) end, M} || {M, _} <- code:all_loaded(), erlang:check_old_code(M), " +
  "P <- processes(), erlang:check_process_code(P, M)]";

/** The load counters since the last phase (and the last failure), reset for the next. */
const LOAD_COUNTS =
  "begin C = persistent_term:get(gen_appup_load), timer:sleep(50), " +
  "R = {counters:get(C, 1), counters:get(C, 2), counters:get(C, 3), " +
  "persistent_term:get(gen_appup_load_error, none)}, " +
  "[counters:put(C, I, 0) || I <- [1, 2, 3]], persistent_term:put(gen_appup_load_error, none), R end";

/** The pid of every registered process, by name. */
function pidsOf(list: string): Map<string, string> {
  return new Map([...list.matchAll(/\{('(?:[^'\\]|\\.)*'|[a-z][\w@]*),(<[\d.]+>)\}/g)].map((m) => [m[1]!, m[2]!]));
}

function loadOf(counts: string): PhaseReport["load"] {
  const m = /^\{(\d+),(\d+),(\d+),(.*)\}$/.exec(counts);
  if (!m) return { calls: 0, failed: 0, died: 0, lastError: counts };
  const [, calls, failed, died, last] = m;
  return {
    calls: Number(calls),
    failed: Number(failed),
    died: Number(died),
    ...(last !== "none" ? { lastError: last } : {}),
  };
}

/**
 * Four client processes calling `fun` in a loop (at most ten minutes), counting calls, failures
 * and deaths in a counters array kept in persistent_term. The loop is erl_eval code: no upgrade
 * touches it.
 */
export function startLoad(fun: string, dense = false): string {
  return `begin
    F = ${fun},
    C = counters:new(3, [write_concurrency]),
    persistent_term:put(gen_appup_load, C),
    Deadline = erlang:monotonic_time(millisecond) + 600000,
    Client = fun Loop() ->
        try F() of _ -> counters:add(C, 1, 1)
        catch E:R -> counters:add(C, 2, 1), persistent_term:put(gen_appup_load_error, {E, R})
        end,
        case erlang:monotonic_time(millisecond) < Deadline of
          true -> ${dense ? "erlang:yield()" : "receive after 1 -> ok end"}, Loop();
          false -> ok
        end
      end,
    Watcher = fun Watch(0) -> ok;
                  Watch(N) -> receive {'DOWN', _, _, _, normal} -> Watch(N - 1);
                                      {'DOWN', _, _, _, Why} -> counters:add(C, 3, 1),
                                          persistent_term:put(gen_appup_load_error, {died, Why}), Watch(N - 1)
                              end
              end,
    spawn(fun() -> [spawn_monitor(Client) || _ <- lists:seq(1, 4)], Watcher(4) end),
    ok
  end`;
}
