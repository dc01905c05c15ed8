/**
 * The inputs mutations start from: real beams (OTP's, Elixir's, one erlc +debug_info build with
 * deep literals), the ETF inside them, OTP's term files, and releases made in memory (as files
 * and as tarballs).
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parseBeam } from "../src/read/beam.js";
import { releaseFiles, type ReleaseModel } from "../test/helpers/memory.js";
import { concat } from "./mutate.js";
import { atom, int, list, tuple } from "../src/term/term.js";

const erl = (expr: string) => execFileSync("erl", ["-noshell", "-eval", `${expr}, halt().`], { encoding: "utf8" });

let otp: { root: string; elixir: string } | undefined;
function dirs() {
  otp ??= {
    root: erl('io:format("~s", [code:root_dir()])'),
    elixir: execFileSync("elixir", ["-e", "IO.write(:code.lib_dir(:elixir))"], { encoding: "utf8" }),
  };
  return otp;
}

function filesIn(dir: string, test: (name: string) => boolean, max: number): string[] {
  try {
    return readdirSync(dir)
      .filter(test)
      .sort()
      .slice(0, max)
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** A module with debug info, a deep literal, a record and a gen_server's code_change: built once. */
function erlcBeam(cache: string): Uint8Array {
  const beam = join(cache, "fuzz_seed.beam");
  if (existsSync(beam)) return readFileSync(beam);
  const dir = mkdtempSync(join(mkdirSync(cache, { recursive: true }) ?? cache, "build-"));
  const src = join(dir, "fuzz_seed.erl");
  writeFileSync(
    src,
    `-module(fuzz_seed).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2, code_change/3, table/0]).
-record(state, {n = 0, seen = #{}}).
init(_) -> persistent_term:put(k, 1), {ok, #state{}}.
handle_call(x, _, S) -> {reply, ?MODULE:table(), S#state{n = S#state.n + 1}}.
handle_cast(_, S) -> {noreply, S}.
code_change(_, S, _) -> {ok, S}.
table() -> {[[[[[[[[[[[[deep]]]]]]]]]]]], <<1, 2, 3:4>>, 1.5, 123456789012345678901234567890, "text", #{a => [b]}}.
`,
  );
  execFileSync("erlc", ["+debug_info", "-o", dir, src]);
  renameSync(join(dir, "fuzz_seed.beam"), beam); // whole, for the other workers building it at the same time
  rmSync(dir, { recursive: true, force: true });
  return readFileSync(beam);
}

export function beamSeeds(cache: string): Uint8Array[] {
  const { root, elixir } = dirs();
  const lib = (app: string) => filesIn(join(root, "lib"), (n) => n.startsWith(`${app}-`), 1)[0] ?? "";
  const paths = [
    ...filesIn(join(lib("kernel"), "ebin"), (n) => /^(application|code|gen_tcp|inet)\.beam$/.test(n), 4),
    ...filesIn(join(lib("stdlib"), "ebin"), (n) => /^(gen_server|supervisor|lists|maps|unicode)\.beam$/.test(n), 5),
    ...filesIn(join(lib("sasl"), "ebin"), (n) => /^(release_handler|systools_rc)\.beam$/.test(n), 2),
    ...filesIn(join(elixir, "ebin"), (n) => /^Elixir\.(Enum|Supervisor|GenServer|Config\.Provider)\.beam$/.test(n), 4),
  ];
  return [...paths.map((p) => readFileSync(p)), erlcBeam(cache)];
}

/** The ETF blobs of the seed beams: attributes, compile info, debug info, each literal. */
export function etfSeeds(beams: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const bytes of beams) {
    const beam = parseBeam(bytes, "seed");
    for (const id of ["Attr", "CInf", "Dbgi", "Meta"]) if (beam.chunks.has(id)) out.push(beam.chunk(id));
  }
  return out;
}

export function textSeeds(): Uint8Array[] {
  const { root } = dirs();
  const apps = readdirSync(join(root, "lib"))
    .sort()
    .slice(0, 40)
    .flatMap((a) => filesIn(join(root, "lib", a, "ebin"), (n) => n.endsWith(".app") || n.endsWith(".appup"), 2));
  const rels = readdirSync(join(root, "releases"))
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => filesIn(join(root, "releases", d), (n) => n.endsWith(".rel") || n.endsWith(".script"), 3));
  return [...apps, ...rels].map((p) => readFileSync(p));
}

/** A small release with a shipped appup, a sys.config and consolidated protocols. */
export const RELEASE: ReleaseModel = {
  name: "shop",
  vsn: "0.2.0",
  apps: [
    {
      name: "shop",
      vsn: "0.2.0",
      modules: {
        "Elixir.Shop.Application": { behaviours: ["application"], exports: [["start", 2]] },
        "Elixir.Shop.Server": {
          behaviours: ["gen_server"],
          exports: [
            ["init", 1],
            ["handle_call", 3],
            ["code_change", 3],
          ],
          calls: [
            ["Elixir.Shop.Price", "rate", 0],
            ["persistent_term", "put", 2],
          ],
          literals: [list([tuple(atom("Elixir.Shop.Price"), int(1))])],
        },
        "Elixir.Shop.Price": { exports: [["rate", 0]], code: "v2" },
        "Elixir.Shop.Sup": {
          behaviours: ["supervisor"],
          exports: [["init", 1]],
          literals: [list([atom("Elixir.Shop.Server"), atom("Elixir.Shop.Clock")])],
        },
      },
      appup: '{"0.2.0", [{"0.1.0", [{load_module, \'Elixir.Shop.Price\'}]}], [{"0.1.0", []}]}.\n',
    },
    { name: "inventory", vsn: "0.1.0", modules: { "Elixir.Inventory": { exports: [["count", 1]] } } },
  ],
  consolidated: { "Elixir.Enumerable.Elixir.Shop.Cart": { exports: [["count", 1]] } },
  sysConfig: "[{shop, [{port, 4000}]}].\n",
};

/** The previous version of RELEASE, for the pipeline target. */
export const OLD_RELEASE: ReleaseModel = {
  ...RELEASE,
  vsn: "0.1.0",
  origin: "mem:old",
  apps: [
    { ...RELEASE.apps[0]!, vsn: "0.1.0", appup: undefined, modules: { ...RELEASE.apps[0]!.modules } },
    RELEASE.apps[1]!,
  ],
};

export function releaseSeedFiles(): Map<string, Uint8Array> {
  return releaseFiles(RELEASE);
}

export function tarSeeds(): Uint8Array[] {
  const tar = ustar(releaseFiles(RELEASE));
  return [tar, gzipSync(tar)];
}

/** A ustar archive of `files`, as erl_tar writes one. */
export function ustar(files: Map<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [path, data] of files) {
    const h = new Uint8Array(512);
    const put = (at: number, s: string) => h.set(new TextEncoder().encode(s), at);
    if (path.length > 100) throw new Error(`${path}: a seed path must fit a ustar name`);
    put(0, path);
    put(100, "0000644\0");
    put(108, "0000000\0");
    put(116, "0000000\0");
    put(124, data.length.toString(8).padStart(11, "0") + "\0");
    put(136, "00000000000\0");
    put(148, "        ");
    put(156, "0");
    put(257, "ustar\0");
    put(263, "00");
    let sum = 0;
    for (const b of h) sum += b;
    put(148, sum.toString(8).padStart(6, "0") + "\0 ");
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return concat(...blocks);
}
