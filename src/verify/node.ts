/**
 * A scratch node for rehearsals: a release deployed from its tarball into a fresh directory,
 * started as a daemon under a unique name with distribution on loopback only and a random cookie,
 * driven over distribution from short-lived hidden control nodes, and always stopped (killed when
 * it will not stop). Nothing here touches the user's files.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenAppupError } from "../errors.js";

const running = new Set<ScratchNode>();
process.on("exit", () => running.forEach((n) => n.kill()));

export interface DeployOptions {
  /** Where scratch directories go (default: the system's temporary directory). */
  scratch?: string;
  /** More environment variables for the node (what runtime.exs reads). */
  env?: Record<string, string>;
}

export class ScratchNode {
  readonly node: string;
  private readonly cookie = randomBytes(12).toString("hex");
  private pid?: number;

  private constructor(
    readonly dir: string,
    readonly release: string,
    /** The version booted first, whose start_clean a control VM may boot. */
    private readonly vsn: string,
    private readonly extraEnv: Record<string, string>,
  ) {
    this.node = `verify${process.pid}x${randomBytes(4).toString("hex")}@127.0.0.1`;
  }

  /**
   * Extracts `tarball` (version `vsn` of `release`) into a fresh directory and, unless the tarball
   * ships one (as with the mix step), writes the RELEASES file release_handler needs.
   */
  static deploy(tarball: string, release: string, vsn: string, opts: DeployOptions = {}): ScratchNode {
    const dir = mkdtempSync(join(opts.scratch ?? tmpdir(), `gen-appup-verify-${release}-`));
    const node = new ScratchNode(dir, release, vsn, opts.env ?? {});
    try {
      exec("tar", ["xzf", tarball, "-C", dir]);
      if (!existsSync(join(dir, "releases", "RELEASES"))) {
        const rel = join(dir, "releases", vsn, `${release}.rel`);
        node.erl(
          [
            "-noshell",
            "-eval",
            `ok = release_handler:create_RELEASES(${q(dir)}, ${q(join(dir, "releases"))}, ${q(rel)}, []), halt().`,
          ],
          vsn,
        );
      }
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    return node;
  }

  /**
   * Runs an Erlang VM for control work: the `erl` on PATH, or else the release's own ERTS booted
   * with the release's start_clean (which mix and relx put in releases/VSN).
   */
  private erl(args: string[], vsn: string, opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): string {
    const erts = readdirSync(this.dir).find((d) => d.startsWith("erts-"));
    if (onPath("erl") || !erts) return exec("erl", args, opts);
    const bin = join(this.dir, erts, "bin");
    const env = { ...(opts.env ?? process.env), ROOTDIR: this.dir, BINDIR: bin, EMU: "beam", PROGNAME: "erl" };
    const boot = join(this.dir, "releases", vsn, "start_clean");
    return exec(join(bin, "erlexec"), ["-boot", boot, ...args], { ...opts, env });
  }

  /** The environment the node runs with (its name, cookie and distribution settings). */
  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.extraEnv,
      LANG: process.env.LANG ?? "C.UTF-8",
      // Distribution on loopback only, epmd too.
      ERL_EPMD_ADDRESS: "127.0.0.1",
      // mix releases
      RELEASE_NODE: this.node,
      RELEASE_DISTRIBUTION: "name",
      RELEASE_COOKIE: this.cookie,
      // relx releases
      RELX_REPLACE_OS_VARS: "true",
      NODE_NAME: this.node,
      COOKIE: this.cookie,
    };
  }

  /** Starts the daemon and waits (at most a minute) until application `app` is running. */
  start(app = this.release): void {
    running.add(this);
    exec(join(this.dir, "bin", this.release), ["daemon"], { env: this.env(), timeout: 60_000 });
    const out = this.control(`wait(Node, ${q(app)}, 600)`);
    if (!out.startsWith("ready ")) throw new GenAppupError(this.dir, `the node did not come up: ${out.trim()}`);
    this.pid = Number(out.slice(6).trim());
  }

  /** Evaluates Erlang expressions on the node; each value printed with ~0tp (an exception as {rpc_failed, ...}). */
  eval(...exprs: string[]): string[] {
    const out = this.control(`[io:format("~0tp~n", [ev(Node, E)]) || E <- [${exprs.map(q).join(", ")}]]`);
    const lines = out.trimEnd().split("\n");
    if (lines.length !== exprs.length) throw new GenAppupError(this.node, `evaluation failed: ${out.trim()}`);
    return lines;
  }

  /** The text (chardata) an expression evaluates to on the node. */
  text(expr: string): string {
    return this.control(`io:format("~ts", [ev(Node, ${q(expr)})])`);
  }

  /** A cold restart: stops the node and starts it again (its permanent version boots). */
  restart(app = this.release): void {
    this.halt();
    this.start(app);
  }

  /** Stops the node and removes its directory (unless `keep`). */
  stop(keep = false): void {
    if (running.has(this)) this.halt();
    running.delete(this);
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
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
    const ctl = `ctl${process.pid}x${randomBytes(4).toString("hex")}@127.0.0.1`;
    return this.erl(["-noshell", "-hidden", "-name", ctl, "-setcookie", this.cookie, "-eval", script], this.vsn, {
      env: { ...process.env, ERL_EPMD_ADDRESS: "127.0.0.1" },
      timeout: 600_000,
    });
  }
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "").split(":").some((d) => d && existsSync(join(d, cmd)));
}

function exec(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): string {
  try {
    return execFileSync(cmd, args, {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
      ...opts,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    const output = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim() || err.message;
    throw new GenAppupError(cmd, `failed: ${output}`);
  }
}

/** An Erlang string literal. */
export function q(s: string): string {
  return JSON.stringify(s);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
