/**
 * Builds the fixture releases the tests read, once per run: the result is cached under
 * .cache/fixtures by a hash of the fixture sources, and a lock directory keeps parallel
 * test files from building the same release twice.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE, ROOT, filesUnder, run } from "./erlang.js";

const PROJECTS = join(ROOT, "fixtures/projects");

export interface BuiltRelease {
  /** The release root: holds bin/, lib/, releases/. */
  root: string;
  /** The tarball `mix release` / `rebar3 tar` wrote. */
  tarball: string;
  name: string;
  vsn: string;
}

/** The Elixir `shop` release (with its path dependency `inventory`), built by `mix release`. */
export function mixShop(): BuiltRelease {
  return build("mix-shop", ["shop", "inventory"], (dir) => {
    run("mix", ["release", "--overwrite", "--quiet"], { cwd: join(dir, "shop"), env: mixEnv() });
    return { root: join(dir, "shop/_build/prod/rel/shop"), tarball: join(dir, "shop/_build/prod/shop-0.1.0.tar.gz"), name: "shop", vsn: "0.1.0" };
  });
}

/** The Erlang `rshop` release, built by `rebar3 tar` (relx). */
export function rebarShop(): BuiltRelease {
  return build("rebar-shop", ["rebar_shop"], (dir) => {
    run("rebar3", ["tar"], { cwd: join(dir, "rebar_shop"), env: { ...process.env, REBAR_OFFLINE: "1" } });
    const root = join(dir, "rebar_shop/_build/default/rel/rshop");
    return { root, tarball: join(root, "rshop-0.1.0.tar.gz"), name: "rshop", vsn: "0.1.0" };
  });
}

export function mixEnv(): NodeJS.ProcessEnv {
  return { ...process.env, MIX_ENV: "prod", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", HEX_OFFLINE: "1" };
}

function build(name: string, projects: string[], make: (dir: string) => BuiltRelease): BuiltRelease {
  const key = sourceHash(projects);
  const dir = join(CACHE, "fixtures", `${name}-${key}`);
  const done = join(dir, "built.json");
  if (existsSync(done)) return JSON.parse(readFileSync(done, "utf8")) as BuiltRelease;
  return withLock(`${dir}.lock`, () => {
    if (existsSync(done)) return JSON.parse(readFileSync(done, "utf8")) as BuiltRelease;
    const work = `${dir}.tmp`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    for (const p of projects) cpSync(join(PROJECTS, p), join(work, p), { recursive: true });
    const built = make(work);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    const moved = JSON.parse(JSON.stringify(built).replaceAll(work, dir)) as BuiltRelease;
    writeFileSync(done, JSON.stringify(moved));
    return moved;
  });
}

function sourceHash(projects: string[]): string {
  const h = createHash("sha256");
  for (const p of projects) {
    for (const f of filesUnder(join(PROJECTS, p), () => true)) {
      if (f.includes("/_build/") || f.includes("/deps/")) continue;
      h.update(f.slice(PROJECTS.length)).update(readFileSync(f));
    }
  }
  return h.digest("hex").slice(0, 16);
}

function withLock<T>(lock: string, fn: () => T): T {
  mkdirSync(join(lock, ".."), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process is building it; a lock older than the deadline is stale.
      if (Date.now() > deadline || Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
