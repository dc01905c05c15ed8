/**
 * Builds the fixture releases the tests read, once per run: the result is cached under
 * .cache/fixtures by a hash of the fixture sources, and a lock directory keeps parallel
 * test files from building the same release twice.
 *
 * A fixture is a base project (fixtures/projects) built at its first version, then zero or more
 * scenario overlays (fixtures/scenarios/NAME: files to copy over the projects; delete.txt, files
 * to delete; versions.txt, "FILE VSN" lines that set the version a mix.exs, rebar.config or
 * .app.src declares) each built in turn into the same release root, as mix and relx keep old versions.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE, ROOT, filesUnder, run } from "./erlang.js";

const PROJECTS = join(ROOT, "fixtures/projects");
const SCENARIOS = join(ROOT, "fixtures/scenarios");

export interface BuiltRelease {
  /** The release root: holds bin/, lib/, releases/ with every version built. */
  root: string;
  name: string;
  /** The first version's number (the others are in `versions`). */
  vsn: string;
  /** The first version's tarball. */
  tarball: string;
  /** Every version built, in build order. */
  versions: string[];
  /** The tarball `mix release` / `rebar3 tar` wrote for each version. */
  tarballs: Record<string, string>;
}

interface Kind {
  projects: string[];
  name: string;
  build(dir: string): string; // returns the version built
  root(dir: string): string;
  tarball(dir: string, vsn: string): string;
}

const MIX: Kind = {
  projects: ["shop", "inventory"],
  name: "shop",
  build(dir) {
    // Compile from scratch: overlay files may carry the same mtime second as the last build.
    rmSync(join(dir, "shop/_build/prod/lib/shop"), { recursive: true, force: true });
    rmSync(join(dir, "shop/_build/prod/lib/inventory"), { recursive: true, force: true });
    run("mix", ["release", "--overwrite", "--quiet"], { cwd: join(dir, "shop"), env: mixEnv() });
    return /version: "([^"]+)"/.exec(readFileSync(join(dir, "shop/mix.exs"), "utf8"))![1]!;
  },
  root: (dir) => join(dir, "shop/_build/prod/rel/shop"),
  tarball: (dir, vsn) => join(dir, `shop/_build/prod/shop-${vsn}.tar.gz`),
};

const REBAR: Kind = {
  projects: ["rebar_shop"],
  name: "rshop",
  build(dir) {
    rmSync(join(dir, "rebar_shop/_build/default/lib/rshop"), { recursive: true, force: true });
    run("rebar3", ["tar"], {
      cwd: join(dir, "rebar_shop"),
      env: { ...process.env, REBAR_OFFLINE: "1", REBAR_COLOR: "none" },
    });
    return /\{rshop, "([^"]+)"\}/.exec(readFileSync(join(dir, "rebar_shop/rebar.config"), "utf8"))![1]!;
  },
  root: (dir) => join(dir, "rebar_shop/_build/default/rel/rshop"),
  tarball: (dir, vsn) => join(dir, `rebar_shop/_build/default/rel/rshop/rshop-${vsn}.tar.gz`),
};

/** The Elixir `shop` release (with its path dependency `inventory`), built by `mix release`. */
export function mixShop(...scenarios: string[]): BuiltRelease {
  return build(MIX, scenarios);
}

/** The Erlang `rshop` release, built by `rebar3 tar` (relx). */
export function rebarShop(...scenarios: string[]): BuiltRelease {
  return build(REBAR, scenarios);
}

export function mixEnv(): NodeJS.ProcessEnv {
  return { ...process.env, MIX_ENV: "prod", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", HEX_OFFLINE: "1" };
}

function build(kind: Kind, scenarios: string[]): BuiltRelease {
  const key = sourceHash([...kind.projects.map((p) => join(PROJECTS, p)), ...scenarios.map((s) => join(SCENARIOS, s))]);
  const dir = join(CACHE, "fixtures", `${kind.name}-${[...scenarios, "base"].join("+")}-${key}`);
  const done = join(dir, "built.json");
  const cached = () => (existsSync(done) ? (JSON.parse(readFileSync(done, "utf8")) as BuiltRelease) : undefined);
  return cached() ?? withLock(`${dir}.lock`, () => cached() ?? make(kind, scenarios, dir));
}

function make(kind: Kind, scenarios: string[], dir: string): BuiltRelease {
  const work = `${dir}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const p of kind.projects) cpSync(join(PROJECTS, p), join(work, p), { recursive: true });
  const versions = [kind.build(work)];
  for (const s of scenarios) {
    for (const f of filesUnder(join(SCENARIOS, s), () => true)) {
      const rel = f.slice(join(SCENARIOS, s).length + 1);
      if (rel === "delete.txt") {
        for (const gone of readFileSync(f, "utf8").split("\n").filter(Boolean)) rmSync(join(work, gone));
      } else if (rel === "versions.txt") {
        for (const [file, vsn] of readFileSync(f, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split(" "))) {
          const path = join(work, file!);
          writeFileSync(path, readFileSync(path, "utf8").replace(/(version: |\{vsn, |\{rshop, )"[^"]+"/, `$1"${vsn}"`));
        }
      } else {
        mkdirSync(join(work, rel, ".."), { recursive: true });
        cpSync(f, join(work, rel));
      }
    }
    versions.push(kind.build(work));
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  const built: BuiltRelease = {
    root: kind.root(dir),
    name: kind.name,
    vsn: versions[0]!,
    tarball: kind.tarball(dir, versions[0]!),
    versions,
    tarballs: Object.fromEntries(versions.map((v) => [v, kind.tarball(dir, v)])),
  };
  writeFileSync(join(dir, "built.json"), JSON.stringify(built));
  return built;
}

function sourceHash(dirs: string[]): string {
  const h = createHash("sha256");
  for (const d of dirs) {
    for (const f of filesUnder(d, () => true)) {
      if (f.includes("/_build/") || f.includes("/deps/")) continue;
      h.update(f.slice(ROOT.length)).update(readFileSync(f));
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
      // Another test process is building it; a lock older than ten minutes is stale.
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile: try again at once
      }
      if (Date.now() > deadline || age > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * A copy of a built release root laid out as the build left it, with the tarball of every version
 * beside it (mix: _build/prod/NAME-VSN.tar.gz next to _build/prod/rel/NAME; relx keeps them in the
 * root): the copy's root.
 */
export function copyRoot(built: BuiltRelease, dir: string): string {
  const root = join(dir, "_build/prod/rel", built.name);
  cpSync(built.root, root, { recursive: true });
  for (const [vsn, tarball] of Object.entries(built.tarballs)) {
    const beside = join(root, "..", "..", `${built.name}-${vsn}.tar.gz`);
    if (!tarball.startsWith(built.root)) cpSync(tarball, beside);
  }
  return root;
}
