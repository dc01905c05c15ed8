/**
 * Live nodes for the hot-upgrade tests: a release deployed from its tarball into a fresh
 * directory, started as a daemon under a unique node name, driven over distribution from a
 * short-lived hidden control node, and always stopped (process killed if it will not stop).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CACHE, run } from "./erlang.js";

const COOKIE = "gen_appup_live_tests";
let counter = 0;
const started = new Set<LiveNode>();
process.on("exit", () => started.forEach((n) => n.kill()));

export class LiveNode {
  readonly node: string;
  private pid?: number;

  private constructor(
    readonly dir: string,
    readonly release: string,
    /** More environment variables for the node (what runtime.exs reads). */
    private readonly extraEnv: Record<string, string>,
  ) {
    this.node = `ga${process.pid}x${++counter}x${Math.random().toString(36).slice(2, 8)}@127.0.0.1`;
  }

  /**
   * Extracts `tarball` into a fresh directory and, unless the tarball ships one (the mix step
   * does), writes the RELEASES file release_handler needs.
   */
  static deploy(
    tarball: string,
    release: string,
    vsn: string,
    opts: { createReleases?: boolean; env?: Record<string, string> } = {},
  ): LiveNode {
    mkdirSync(join(CACHE, "live"), { recursive: true });
    const dir = mkdtempSync(join(CACHE, "live", `${release}-`));
    run("tar", ["xzf", tarball, "-C", dir]);
    if (opts.createReleases !== false) {
      const rel = join(dir, "releases", vsn, `${release}.rel`);
      run("erl", [
        "-noshell",
        "-eval",
        `ok = release_handler:create_RELEASES(${q(dir)}, ${q(join(dir, "releases"))}, ${q(rel)}, []), halt().`,
      ]);
    }
    return new LiveNode(dir, release, opts.env ?? {});
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.extraEnv,
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      // mix releases
      RELEASE_NODE: this.node,
      RELEASE_DISTRIBUTION: "name",
      RELEASE_COOKIE: COOKIE,
      // relx releases
      RELX_REPLACE_OS_VARS: "true",
      NODE_NAME: this.node,
      COOKIE,
    };
  }

  /** Starts the daemon and waits until its applications are up (bounded, no fixed sleeps). */
  start(): void {
    started.add(this);
    execFileSync(join(this.dir, "bin", this.release), ["daemon"], {
      env: this.env(),
      stdio: "ignore",
      timeout: 60_000,
    });
    const out = this.control(`wait(Node, ${q(this.release)}, 600)`);
    if (!out.startsWith("ready ")) throw new Error(`${this.node} did not come up: ${out}`);
    this.pid = Number(out.slice(6).trim());
  }

  /** Evaluates Erlang expressions on the node, each printed with ~0tp. */
  eval(...exprs: string[]): string[] {
    const out = this.control(`[io:format("~0tp~n", [ev(Node, E)]) || E <- [${exprs.map(q).join(", ")}]]`);
    const lines = out.trimEnd().split("\n");
    if (lines.length !== exprs.length) throw new Error(`eval on ${this.node} failed: ${out}`);
    return lines;
  }

  /** Unpacks, installs and makes permanent the release in `tarball` (copied to releases/NAME-VSN.tar.gz). */
  upgrade(tarball: string, vsn: string): string[] {
    run("cp", [tarball, join(this.dir, "releases", `${this.release}-${vsn}.tar.gz`)]);
    return this.eval(
      `release_handler:unpack_release(${q(`${this.release}-${vsn}`)})`,
      `release_handler:install_release(${q(vsn)})`,
      `release_handler:make_permanent(${q(vsn)})`,
    );
  }

  downgrade(vsn: string): string[] {
    return this.eval(`release_handler:install_release(${q(vsn)})`);
  }

  /** A cold restart: stops the node and starts it again from its release directory (its permanent version). */
  restart(): void {
    this.halt();
    this.start();
  }

  /** Stops the node: init:stop over distribution, then waits for the OS process; kills it if it lingers. */
  stop(): void {
    if (!started.has(this)) return;
    this.halt();
    started.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private halt(): void {
    try {
      this.control("rpc:call(Node, init, stop, [])");
    } catch {
      /* already gone, or unreachable: killed below */
    }
    for (let i = 0; i < 100 && this.alive(); i++) sleep(100);
    this.kill();
  }

  kill(): void {
    if (this.pid && this.alive()) process.kill(this.pid, "SIGKILL");
    spawnSync("pkill", ["-9", "-f", `-name ${this.node}`]);
  }

  private alive(): boolean {
    if (!this.pid) return false;
    try {
      process.kill(this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  private control(body: string): string {
    const script = `
      Node = '${this.node}',
      Ev = fun(N, E) ->
               {ok, Toks, _} = erl_scan:string(E ++ "."),
               {ok, Exprs} = erl_parse:parse_exprs(Toks),
               case rpc:call(N, erl_eval, exprs, [Exprs, []], 120000) of
                   {value, V, _} -> V;
                   Other -> {rpc_failed, Other}
               end
           end,
      Wait = fun Wait(N, App, 0) -> io:format("timeout waiting for ~s~n", [App]);
                 Wait(N, App, K) ->
                     Apps = case net_adm:ping(N) of
                                pong -> rpc:call(N, application, which_applications, []);
                                pang -> []
                            end,
                     case is_list(Apps) andalso lists:keymember(list_to_atom(App), 1, Apps) of
                         true -> io:format("ready ~s~n", [rpc:call(N, os, getpid, [])]);
                         false -> timer:sleep(100), Wait(N, App, K - 1)
                     end
             end,
      ${body.replace(/\bev\(/g, "Ev(").replace(/\bwait\(/g, "Wait(")},
      halt().`;
    return run("erl", [
      "-noshell",
      "-hidden",
      "-name",
      `ctl${process.pid}x${++counter}@127.0.0.1`,
      "-setcookie",
      COOKIE,
      "-eval",
      script,
    ]);
  }
}

/** An Erlang string literal. */
function q(s: string): string {
  return JSON.stringify(s);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
