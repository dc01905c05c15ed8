/**
 * Reads an assembled release (mix release, relx/rebar3) given as
 *   (a) a release root (holds releases/ and lib/),
 *   (b) a ROOT/releases/VSN directory,
 *   (c) a .rel file (releases/VSN/NAME.rel or releases/NAME-VSN.rel), or
 *   (d) a release tarball, read in memory.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { GenAppupError, naming } from "../errors.js";
import { beamMd5 } from "./beam.js";
import { dirSource, tarSource, type ReleaseSource } from "./source.js";
import { atomsOf, elementsOf, isAtom, propOf, textOf, type Term } from "../term/term.js";
import { decodeConsultFile, parseOneTerm } from "../term/text.js";

export type StartType = "permanent" | "transient" | "temporary" | "load" | "none";
const START_TYPES = new Set<string>(["permanent", "transient", "temporary", "load", "none"]);

/** The parsed `.app` file of an application. */
export interface AppSpec {
  description: string;
  vsn: string;
  modules: string[];
  registered: string[];
  applications: string[];
  includedApplications: string[];
  /** `optional_applications` (OTP 24+): used if present, not required. */
  optionalApplications: string[];
  /** Keys systools requires (description, registered, applications; vsn and modules always) that the file lacks. */
  missing: string[];
  /** `{mod, {Module, Args}}`: the application callback module. */
  mod?: { module: string; args: Term };
  env: Term;
}

/** A module's beam inside a release, read only when asked. */
export interface BeamFile {
  module: string;
  /** Path relative to the release root. */
  path: string;
  read(): Uint8Array;
  /** beam_lib:md5 of the file, read through a reused buffer. */
  md5(): string;
  /**
   * Whether `other` has the very same bytes, so the same md5 without computing it: comparing
   * costs a tenth of hashing, and most modules of an upgrade are copied unchanged.
   */
  sameBytes(other: BeamFile): boolean;
}

export interface Application {
  name: string;
  vsn: string;
  type: StartType;
  /** From the `.rel` entry, when it lists them. */
  includedApps?: string[];
  /** `lib/NAME-VSN`, relative to the release root. */
  dir: string;
  spec: AppSpec;
  /** The beams of the modules the `.app` lists (ebin/MODULE.beam), read only when asked. */
  beams: BeamFile[];
  /** An appup already in the ebin directory (OTP's own, a dependency's, or hand-written). */
  appup?: { path: string; text: string };
}

export interface Release {
  name: string;
  vsn: string;
  erts: string;
  /** What was read (a directory or a tarball), for messages. */
  origin: string;
  /** The `.rel` file read, relative to the release root. */
  relPath: string;
  /** Applications in `.rel` order. */
  apps: Application[];
  /** Elixir's consolidated protocols: releases/VSN/consolidated/*.beam. */
  consolidated: BeamFile[];
  /** `sys.config` carries mix's `%% RUNTIME_CONFIG=true` marker (the system reboots after configuring). */
  runtimeConfig: boolean;
  /** Configuration computed at boot: a `runtime.exs` beside the release, or Elixir config providers in `sys.config`. */
  configProviders: boolean;
  /** Elixir's config provider state (`elixir`'s `config_provider_init` in `sys.config`), when there is one. */
  providerState?: Term;
  /** The text of releases/VSN/runtime.exs, when there is one. */
  runtimeExs?: string;
  /** Read access to the release's files (a directory or the tarball's members). */
  source: ReleaseSource;
}

export interface ReadOptions {
  /** For a root holding several versions: the one to read (default: releases/start_erl.data). */
  vsn?: string;
  /**
   * Another version read from the same root: its applications in the same lib directory are one
   * application, taken as they are rather than read again.
   */
  sibling?: Release;
}

/** Reads a release from any of the four accepted forms. */
export function readRelease(path: string, opts: ReadOptions = {}): Release {
  const { source, vsn, relPath } = locate(path, opts);
  const sibling = opts.sibling?.source.origin === source.origin ? opts.sibling : undefined;
  return readFrom(source, vsn ?? currentVersion(source), relPath, sibling);
}

/** Reads a release from its files, wherever they are (a directory, a tarball, memory). */
export function readReleaseFrom(source: ReleaseSource, opts: ReadOptions = {}): Release {
  return readFrom(source, opts.vsn ?? currentVersion(source));
}

/** The versions a release root (or tarball) holds: releases/VSN directories with a .rel file. */
export function releaseVersions(path: string): string[] {
  return versionsIn(locate(path, {}).source);
}

function versionsIn(source: ReleaseSource): string[] {
  return source.list("releases").filter((v) => source.isDir(`releases/${v}`) && relFileIn(source, v) !== undefined);
}

function locate(path: string, opts: ReadOptions): { source: ReleaseSource; vsn?: string; relPath?: string } {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new GenAppupError(path, "does not exist");
  const isDir = statSync(abs).isDirectory();
  if (!isDir && /\.(tar\.gz|tgz|tar)$/.test(abs)) return { source: tarSource(abs), vsn: opts.vsn };
  if (!isDir && abs.endsWith(".rel")) {
    const root = [dirname(abs), dirname(dirname(abs)), dirname(dirname(dirname(abs)))].find(
      (d) => existsSync(join(d, "lib")) && existsSync(join(d, "releases")),
    );
    if (!root) throw new GenAppupError(path, "is a .rel file outside a release (no lib/ and releases/ above it)");
    return { source: dirSource(root), relPath: abs.slice(root.length + 1), vsn: opts.vsn };
  }
  if (!isDir) throw new GenAppupError(path, "is neither a release directory, a .rel file nor a release tarball");
  if (existsSync(join(abs, "releases")) && existsSync(join(abs, "lib")))
    return { source: dirSource(abs), vsn: opts.vsn };
  const root = dirname(dirname(abs));
  if (basename(dirname(abs)) === "releases" && existsSync(join(root, "lib"))) {
    return { source: dirSource(root), vsn: basename(abs) };
  }
  throw new GenAppupError(
    path,
    "is not a release: expected a release root (with releases/ and lib/), a releases/VSN directory, " +
      "a .rel file or a tarball",
  );
}

/** releases/start_erl.data ("ERTS_VSN REL_VSN"), else the only version there is. */
function currentVersion(source: ReleaseSource): string {
  if (source.exists("releases/start_erl.data")) {
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(source.read("releases/start_erl.data")).trim();
    const vsn = text.split(/\s+/)[1];
    if (!vsn)
      throw new GenAppupError(
        source.describe("releases/start_erl.data"),
        `expected "ERTS_VSN REL_VSN", found ${JSON.stringify(text)}`,
      );
    return vsn;
  }
  const versions = versionsIn(source);
  if (versions.length === 1) return versions[0]!;
  if (versions.length === 0)
    throw new GenAppupError(source.describe("releases"), "holds no releases/VSN directory with a .rel file");
  throw new GenAppupError(
    source.describe("releases"),
    `holds several versions (${versions.join(", ")}) and no start_erl.data; select one`,
  );
}

/** The .rel file of version `vsn`: releases/VSN/*.rel (not start_clean), or releases/NAME-VSN.rel. */
function relFileIn(source: ReleaseSource, vsn: string): string | undefined {
  const inDir = source.list(`releases/${vsn}`).filter((f) => f.endsWith(".rel") && f !== "start_clean.rel");
  if (inDir.length >= 1) return `releases/${vsn}/${inDir[0]}`;
  const top = source.list("releases").find((f) => f.endsWith(`-${vsn}.rel`));
  return top ? `releases/${top}` : undefined;
}

function readFrom(source: ReleaseSource, vsn: string, given?: string, sibling?: Release): Release {
  const relPath = given ?? relFileIn(source, vsn);
  if (!relPath)
    throw new GenAppupError(source.describe(`releases/${vsn}`), "has no .rel file (is this version in the release?)");
  const rel = readConsult(source, relPath);
  const [name, relVsn, erts, entries] = relShape(rel, source.describe(relPath));
  const apps = entries.map(
    (e) => sibling?.apps.find((a) => a.name === e.name && a.vsn === e.vsn) ?? readApp(source, e),
  );
  const releaseDir = `releases/${relVsn}`;
  const sysConfig = source.exists(`${releaseDir}/sys.config`)
    ? new TextDecoder("utf-8", { ignoreBOM: true }).decode(source.read(`${releaseDir}/sys.config`))
    : "";
  const providerState = sysConfig.includes("config_provider_init")
    ? configProviderInit(parseOneTerm(sysConfig, source.describe(`${releaseDir}/sys.config`)))
    : undefined;
  const exs = `${releaseDir}/runtime.exs`;
  const runtimeExs = source.exists(exs)
    ? new TextDecoder("utf-8", { ignoreBOM: true }).decode(source.read(exs))
    : undefined;
  return {
    name,
    vsn: relVsn,
    erts,
    origin: source.origin,
    relPath,
    apps,
    consolidated: beamsIn(source, `${releaseDir}/consolidated`),
    runtimeConfig: /^%% RUNTIME_CONFIG=true\s*$/m.test(sysConfig.slice(0, 200)),
    configProviders: !!runtimeExs || sysConfig.includes("config_provider_init"),
    ...(providerState ? { providerState } : {}),
    ...(runtimeExs !== undefined ? { runtimeExs } : {}),
    source,
  };
}

/** `elixir`'s `config_provider_init` in a sys.config term: `[{elixir, [{config_provider_init, State}]}]`. */
function configProviderInit(config: Term): Term | undefined {
  return propOf(propOf(config, "elixir"), "config_provider_init");
}

/** Parsed term files by their text: OTP's `.app` files are the same in every release read. */
const parsed = new Map<string, Term>();

function readConsult(source: ReleaseSource, rel: string): Term {
  const where = source.describe(rel);
  const text = decodeConsultFile(source.read(rel), where);
  const known = parsed.get(text);
  if (known) return known;
  const term = naming(where, () => parseOneTerm(text, where));
  if (parsed.size > 2000) parsed.clear();
  parsed.set(text, term);
  return term;
}

interface RelEntry {
  name: string;
  vsn: string;
  type: StartType;
  includedApps?: string[];
}

function relShape(rel: Term, where: string): [string, string, string, RelEntry[]] {
  const bad = (what: string): never => {
    throw new GenAppupError(
      where,
      `is not a release file: ${what} (expected {release, {Name, Vsn}, {erts, Vsn}, [Apps]})`,
    );
  };
  if (rel.t !== "tuple" || rel.v.length !== 4 || !isAtom(rel.v[0], "release"))
    return bad("not a 4-tuple tagged release");
  const [, id, erts, apps] = rel.v as [Term, Term, Term, Term];
  if (id.t !== "tuple" || id.v.length !== 2) return bad("bad {Name, Vsn}");
  const name = pathPart(textOf(id.v[0]) ?? bad("the release name is not a string"), "release name", bad);
  const vsn = pathPart(textOf(id.v[1]) ?? bad("the release version is not a string"), "release version", bad);
  if (erts.t !== "tuple" || !isAtom(erts.v[0], "erts")) return bad("bad {erts, Vsn}");
  const ertsVsn = textOf(erts.v[1]) ?? bad("the erts version is not a string");
  const entries = (elementsOf(apps) ?? bad("the application list is not a list")).map((e) => relEntry(e, bad));
  return [name, vsn, ertsVsn, entries];
}

/** {App, Vsn} | {App, Vsn, Type} | {App, Vsn, IncApps} | {App, Vsn, Type, IncApps} */
/**
 * Names and versions become paths (lib/APP-VSN, releases/VSN): one that could leave its directory
 * (a slash, `..`, a control character) is refused.
 */
function pathPart(s: string, what: string, bad: (what: string) => never): string {
  // eslint-disable-next-line no-control-regex
  if (!s || s === "." || s === ".." || /[/\\\x00-\x1f]/.test(s))
    return bad(`${what} ${JSON.stringify(s.slice(0, 40))} cannot be part of a path`);
  return s;
}

function relEntry(e: Term, bad: (what: string) => never): RelEntry {
  const show = () => JSON.stringify(e, (_k, v) => (typeof v === "bigint" ? Number(v) : v)).slice(0, 80);
  if (e.t !== "tuple" || e.v.length < 2 || e.v.length > 4 || e.v[0]!.t !== "atom")
    return bad(`bad application entry ${show()}`);
  const name = pathPart((e.v[0] as { v: string }).v, "application name", bad);
  const vsn = pathPart(textOf(e.v[1]) ?? bad(`the version of ${name} is not a string`), `version of ${name}`, bad);
  let type: StartType = "permanent";
  let includedApps: string[] | undefined;
  for (const extra of e.v.slice(2)) {
    if (extra.t === "atom" && START_TYPES.has(extra.v)) type = extra.v as StartType;
    else includedApps = atomsOf(extra) ?? bad(`bad start type or included applications for ${name}`);
  }
  return { name, vsn, type, ...(includedApps ? { includedApps } : {}) };
}

function readApp(source: ReleaseSource, e: RelEntry): Application {
  const dir = `lib/${e.name}-${e.vsn}`;
  if (!source.isDir(dir))
    throw new GenAppupError(source.describe(dir), `is missing: the .rel lists ${e.name} ${e.vsn}`);
  const appFile = `${dir}/ebin/${e.name}.app`;
  if (!source.exists(appFile)) throw new GenAppupError(source.describe(appFile), "is missing");
  const spec = appSpec(readConsult(source, appFile), e, source.describe(appFile));
  const appupPath = `${dir}/ebin/${e.name}.appup`;
  const appup = source.exists(appupPath)
    ? { path: appupPath, text: decodeConsultFile(source.read(appupPath), source.describe(appupPath)) }
    : undefined;
  return {
    name: e.name,
    vsn: e.vsn,
    type: e.type,
    ...(e.includedApps ? { includedApps: e.includedApps } : {}),
    // The beams are the modules the .app lists, as systools and release_handler take them: no
    // directory listing (a tenth of the run on a large release), and a listed module without its
    // beam is an error when read rather than a module silently seen as deleted.
    dir,
    spec,
    beams: spec.modules.map((m) => new ReleaseBeam(source, `${dir}/ebin/${m}.beam`, m, `${e.name}.app`)),
    ...(appup ? { appup } : {}),
  };
}

function appSpec(app: Term, e: RelEntry, where: string): AppSpec {
  const bad = (what: string): never => {
    throw new GenAppupError(where, `is not a valid .app file: ${what}`);
  };
  if (app.t !== "tuple" || app.v.length !== 3 || !isAtom(app.v[0], "application"))
    return bad("expected {application, Name, [Props]}");
  const named = app.v[1]!;
  if (named.t !== "atom") return bad("the application name is not an atom");
  if (named.v !== e.name) return bad(`it names ${named.v}, not ${e.name}`);
  const props = app.v[2]!;
  if (!elementsOf(props)) bad("the properties are not a list");
  const vsn = textOf(propOf(props, "vsn")) ?? bad('no {vsn, "..."}');
  if (vsn !== e.vsn) bad(`its vsn is ${JSON.stringify(vsn)} but the .rel says ${JSON.stringify(e.vsn)}`);
  const list = (key: string) =>
    propOf(props, key) === undefined ? [] : (atomsOf(propOf(props, key)) ?? bad(`${key} is not a list of atoms`));
  const mod = propOf(props, "mod");
  let callback: AppSpec["mod"];
  if (mod) {
    const [m, args] = mod.t === "tuple" && mod.v.length === 2 ? mod.v : [];
    if (m?.t !== "atom" || !args) return bad("mod is not {Module, Args}");
    callback = { module: m.v, args };
  }
  return {
    missing: ["description", "modules", "registered", "applications"].filter((k) => propOf(props, k) === undefined),
    description: textOf(propOf(props, "description")) ?? "",
    vsn,
    modules: list("modules"),
    registered: list("registered"),
    applications: list("applications"),
    includedApplications: list("included_applications"),
    optionalApplications: list("optional_applications"),
    ...(callback ? { mod: callback } : {}),
    env: propOf(props, "env") ?? { t: "list", v: [] },
  };
}

function beamsIn(source: ReleaseSource, dir: string): BeamFile[] {
  return source
    .list(dir)
    .filter((f) => f.endsWith(".beam"))
    .map((f) => new ReleaseBeam(source, `${dir}/${f}`, f.slice(0, -5)));
}

class ReleaseBeam implements BeamFile {
  private hash?: string;

  constructor(
    private readonly source: ReleaseSource,
    readonly path: string,
    readonly module: string,
    /** The .app file that lists the module, if the beam was not found by listing its directory. */
    private readonly listedIn?: string,
  ) {}

  read(): Uint8Array {
    return this.bytes(() => this.source.read(this.path));
  }

  md5(): string {
    this.hash ??= naming(this.source.describe(this.path), () =>
      beamMd5(
        this.bytes(() => this.source.readTransient(this.path, 0)),
        "",
      ),
    );
    return this.hash;
  }

  sameBytes(other: BeamFile): boolean {
    if (!(other instanceof ReleaseBeam)) return false;
    // One root holding both versions (as mix and relx keep them) shares the unchanged applications' files.
    if (this.source.describe(this.path) === other.source.describe(other.path)) return true;
    const mine = this.bytes(() => this.source.readTransient(this.path, 0));
    return (
      Buffer.compare(
        mine,
        other.bytes(() => other.source.readTransient(other.path, 1)),
      ) === 0
    );
  }

  private bytes(read: () => Uint8Array): Uint8Array {
    try {
      return read();
    } catch (e) {
      if (this.listedIn && !this.source.exists(this.path)) {
        throw new GenAppupError(
          this.source.describe(this.path),
          `is missing: ${this.listedIn} lists module ${this.module}`,
        );
      }
      throw e;
    }
  }
}
