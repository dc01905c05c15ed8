/**
 * The rules that tell the user, between one old release and the new one, what a hot upgrade
 * cannot do or will do differently than they may expect. Each rule is a function of the diff;
 * `checkRelease` runs them all.
 */
import type { AppChange } from "../diff/apps.js";
import type { ModuleChange } from "../diff/modules.js";
import type { Release } from "../read/release.js";
import { purgeModes, type InstructionOptions } from "./changes.js";
import { classify, lingers } from "./classify.js";
import { compareVersions } from "./versions.js";
import { envVarsRead, runtimeConfigApplies } from "./runtime-config.js";
import type { Beam } from "../read/beam.js";
import { OUTSIDE_STATE, callsIn, identityCodeChange, records, structFields } from "./state.js";
import { finding, type Finding } from "./findings.js";
import { instructionText, type Instruction, type Purge } from "./instructions.js";
import { childApplies, childrenOf, namedChanges } from "./supervisors.js";
import { atom, list } from "../term/term.js";

export interface CheckOptions extends InstructionOptions {
  /** Whether runtime configuration is computed again after the code loads (default true). */
  runtimeConfig?: boolean;
  /** A module changed in an application whose version did not: a warning, not an error. */
  allowUnbumped?: boolean;
  /** An application that kept its version in one release root, so cannot be compared: a warning. */
  allowUnverified?: boolean;
}

/** Everything about one old release the user must be told. */
export function checkRelease(
  from: Release,
  to: Release,
  apps: AppChange[],
  modules: ModuleChange[],
  opts: CheckOptions,
): Finding[] {
  const appKind = new Map(apps.map((a) => [a.name, a.kind]));
  let names: Set<string> | undefined; // every module of both releases, made only if a check needs it
  const releaseModules = () => (names ??= new Set(modules.map((m) => m.module)));
  return [
    ...modules.flatMap((m) => [
      ...unbumped(m, appKind, to, opts),
      ...movedFromRemoved(m, appKind),
      ...(m.kind === "changed" ? changedModule(m, opts, releaseModules) : []),
    ]),
    ...metadataOnly(modules),
    ...apps.flatMap(appFindings),
    ...unverified(from, to, apps, opts),
    ...config(to, opts),
    ...erts(from, to),
    ...newerOld(from, to),
  ];
}

type Changed = Extract<ModuleChange, { kind: "changed" }>;
type AppKinds = Map<string, AppChange["kind"]>;

function unbumped(m: ModuleChange, appKind: AppKinds, to: Release, opts: CheckOptions): Finding[] {
  if (m.kind === "unchanged" || appKind.get(m.app) !== "unchanged") return [];
  const vsn = to.apps.find((a) => a.name === m.app)?.vsn;
  const what = m.kind === "changed" ? "changed" : `was ${m.kind}`;
  const hint = opts.allowUnbumped ? "" : " (or pass --allow-unbumped)";
  return [
    finding(
      "unbumped_app",
      `module ${m.module} ${what} but application ${m.app} is still version ${vsn}: ` +
        `release_handler would not load it. Bump ${m.app}'s version${hint}`,
      { app: m.app, module: m.module, ...(opts.allowUnbumped ? { level: "warning" } : {}) },
    ),
  ];
}

function movedFromRemoved(m: ModuleChange, appKind: AppKinds): Finding[] {
  if (m.kind !== "changed" && m.kind !== "unchanged") return [];
  if (m.oldApp === m.app || appKind.get(m.oldApp) !== "removed") return [];
  return [
    finding(
      "moved_from_removed_app",
      `module ${m.module} moved from ${m.oldApp}, which the upgrade removes, to ${m.app}: ` +
        `removing ${m.oldApp} would unload it`,
      { app: m.oldApp, module: m.module },
    ),
  ];
}

/** Callback modules whose processes run another module's code, so supervisor child specs never name them. */
const UNSUSPENDED = new Map([
  ["Elixir.Phoenix.Channel", "Phoenix.Channel.Server"],
  ["Elixir.Phoenix.LiveView", "Phoenix.LiveView.Channel"],
  ["Elixir.Phoenix.LiveComponent", "Phoenix.LiveView.Channel"],
]);

function changedModule(m: Changed, opts: CheckOptions, releaseModules: () => ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const about = { app: m.app, module: m.module };
  out.push(...stateFindings(m), ...topSupervisor(m, releaseModules));
  const why = lingers(m.beam);
  if (why) out.push(lingering(m, why, purgeModes(m.module, m.beam, opts).post, about));
  const behaviour = m.beam.behaviours.find((b) => UNSUSPENDED.has(b));
  if (behaviour) {
    out.push(
      finding(
        "unsuspended_processes",
        `module ${m.module} (${behaviour}) changed: its processes run under ${UNSUSPENDED.get(behaviour)}, ` +
          `which release_handler neither suspends nor code_changes; ` +
          `they switch to the new code on their next call, with their old state`,
        about,
      ),
    );
  }
  if (m.beam.loadsNif || m.beam.onLoad) {
    out.push(
      finding(
        "nif_module",
        `module ${m.module} changed and ${m.beam.loadsNif ? "loads a NIF" : "has an on_load function"}: ` +
          `loading it again may fail; consider {restart_application, ${m.app}} in a hand-written appup`,
        about,
      ),
    );
  }
  return out;
}

/**
 * An application callback module that builds its top supervisor in start/2 (Elixir's
 * `Supervisor.start_link(children, opts)`, which runs Supervisor.Default) and names other modules
 * now: start/2 does not run again on an upgrade, and no appup instruction reaches that supervisor.
 */
function topSupervisor(m: Changed, releaseModules: () => ReadonlySet<string>): Finding[] {
  const app = m.beam.behaviours.some((b) => b === "application" || b === "Elixir.Application");
  const builds = m.beam.imports.some(([mod, f, a]) => mod === "Elixir.Supervisor" && f === "start_link" && a === 2);
  if (!app || !builds) return [];
  const { added, dropped } = namedChanges(m.oldBeam, m.beam, releaseModules());
  if (!added.length && !dropped.length) return [];
  const name = childrenOf(m.beam, releaseModules()).name;
  const sup = name ?? "Sup";
  const start = added.map((c): Instruction => ({
    op: "apply",
    mfa: { module: "Elixir.Supervisor", fun: "start_child", args: list([atom(sup), atom(c)]) },
  }));
  const up = [...childApplies(sup, [], dropped.map(atom)).before, ...start].map(instructionText);
  return [
    finding(
      "top_supervisor_children",
      `${m.module} builds its top supervisor in start/2 and now names ${[...added, ...dropped].join(", ")} ` +
        `differently: start/2 does not run on an upgrade, so no child is started or stopped. ` +
        `${name ? "" : "With 'Sup' the supervisor's registered name, "}write a hand-written appup (--appups DIR) ` +
        `with, up: ${up.join(", ")}; down: the same for the other direction; or restart`,
      { app: m.app, module: m.module },
    ),
  ];
}

/** State the new code of a changed process module cannot read, or that it sets up only in init/1. */
function stateFindings(m: Changed): Finding[] {
  if (classify(m.beam) !== "process") return [];
  const about = { app: m.app, module: m.module };
  const out: Finding[] = [];
  const before = m.oldBeam.abstractCode,
    after = m.beam.abstractCode;
  if (before && after && identityCodeChange(after)) {
    const old = records(before);
    for (const [name, fields] of records(after)) {
      const was = old.get(name);
      if (!was || was.join() === fields.join()) continue;
      out.push(
        finding(
          "state_record_changed",
          `${m.module}'s record ${name} changes from {${was.join(", ")}} to {${fields.join(", ")}}, and its ` +
            `code_change/3 returns the state as it is: if the state is a #${name}{}, the new code cannot read it ` +
            `(badrecord), and the process crashes on its first call and restarts empty`,
          about,
        ),
      );
    }
  }
  const [was, now] = [structFields(m.oldBeam), structFields(m.beam)];
  if (was && now && was.join() !== now.join()) {
    out.push(
      finding(
        "state_struct_changed",
        `${m.module}'s struct changes fields from [${was.join(", ")}] to [${now.join(", ")}]: if the process ` +
          `state is this struct, its code_change/3 must convert it (the release's stripped beams do not show it)`,
        about,
      ),
    );
  }
  const added = initOnly(m.oldBeam, m.beam);
  if (added.length) {
    out.push(
      finding(
        "init_only_state",
        `the new ${m.module} calls ${added.join(", ")}${after ? " in init/1 but not in code_change/3" : ""}, ` +
          `which the old did not: state set up in init/1 does not exist for the processes that run through the ` +
          `upgrade, so their calls may fail until they restart`,
        about,
      ),
    );
  }
  return out;
}

/** Outside-process state the new code sets up (in init/1, when the abstract code shows it) and the old did not. */
function initOnly(old: Beam, now: Beam): string[] {
  const forms = now.abstractCode;
  const had = new Set(old.imports.map(([m, f, a]) => `${m}:${f}/${a}`));
  const has = forms
    ? [...callsIn(forms, "init", 1)].filter((c) => !callsIn(forms, "code_change", 3).has(c))
    : now.imports.map(([m, f, a]) => `${m}:${f}/${a}`);
  return OUTSIDE_STATE.filter((c) => has.includes(c) && !had.has(c));
}

function lingering(m: Changed, why: string, post: Purge, about: { app: string; module: string }): Finding {
  const then =
    post === "soft_purge"
      ? `soft_purge keeps them alive; while one still runs the old code, a later install_release is refused ` +
        `with {error,{old_processes,'${m.module}'}}: wake them (a message, a connection) and try again`
      : `brutal_purge (as asked) kills them when the old code is purged`;
  return finding(
    "lingering_processes",
    `processes may still run ${m.module}'s old code after the upgrade: ${why}; ${then}`,
    about,
  );
}

/**
 * OTP's and Elixir's applications: a new version whenever their code changes. Any other
 * application (the project's own, an umbrella child, a path dependency) may be rebuilt at the
 * same version.
 */
export const TOOLCHAIN_APPS: ReadonlySet<string> = new Set(
  (
    "asn1 common_test compiler crypto debugger dialyzer diameter edoc eldap erl_docgen erl_interface erts et " +
    "eunit ftp inets jinterface kernel megaco mnesia observer odbc os_mon parsetools public_key reltool " +
    "runtime_tools sasl snmp ssh ssl stdlib syntax_tools tftp tools wx xmerl elixir eex ex_unit iex logger mix"
  ).split(" "),
);

/**
 * Applications that kept their version in one release root: both versions share their lib
 * directory, which the new build overwrote, so a change in them cannot be seen.
 */
function unverified(from: Release, to: Release, apps: AppChange[], opts: CheckOptions): Finding[] {
  return apps
    .filter((a): a is Extract<AppChange, { kind: "unchanged" }> => a.kind === "unchanged")
    .filter((a) => !TOOLCHAIN_APPS.has(a.name))
    .filter((a) => from.source.describe(a.old.dir) === to.source.describe(a.new.dir))
    .map((a) =>
      finding(
        "unverified_app",
        `${a.name} ${a.new.vsn} is in both versions at ${to.source.describe(a.new.dir)}: a rebuild at the same ` +
          `version overwrote the old files, so a change in it cannot be seen. Compare against the old ` +
          `release's tarball${opts.allowUnverified ? "" : " (or pass --allow-unverified)"}`,
        { app: a.name, ...(opts.allowUnverified ? { level: "warning" as const } : {}) },
      ),
    );
}

/** Modules whose beams differ only in their `Meta` chunk, counted per application: not a change. */
function metadataOnly(modules: ModuleChange[]): Finding[] {
  const byApp = new Map<string, number>();
  for (const m of modules) if (m.kind === "unchanged" && m.metadataOnly) byApp.set(m.app, (byApp.get(m.app) ?? 0) + 1);
  return [...byApp].map(([app, n]) =>
    finding(
      "metadata_only",
      `${n} module${n === 1 ? "" : "s"} of ${app} differ only in the Meta chunk (mix before 1.16 strips it, later ` +
        `versions keep it): the same code, nothing to load`,
      { app },
    ),
  );
}

/** Elixir's own applications: they ship no appups. */
const ELIXIR_APPS = new Set(["elixir", "logger", "eex", "iex", "mix", "ex_unit"]);

function appFindings(a: AppChange): Finding[] {
  const about = { app: a.name };
  switch (a.kind) {
    case "upgraded":
      if (!ELIXIR_APPS.has(a.name)) return [];
      return [
        finding(
          "toolchain_changed",
          `${a.name} changes from ${a.old.vsn} to ${a.new.vsn}: Elixir itself is not made to be hot-upgraded ` +
            `(its modules are reloaded one by one, with no appup of its own); prefer a cold deploy`,
          about,
        ),
      ];
    case "added":
      return [finding("app_added", `application ${a.name} ${a.new.vsn} is added (the relup starts it)`, about)];
    case "removed":
      return [finding("app_removed", `application ${a.name} ${a.old.vsn} is removed (the relup stops it)`, about)];
    case "unchanged":
      return [];
  }
}

function config(to: Release, opts: CheckOptions): Finding[] {
  if (!to.configProviders) return [];
  if (opts.runtimeConfig === false || !runtimeConfigApplies(to)) {
    return [
      finding(
        "runtime_config",
        `${to.name} ${to.vsn} computes configuration at boot (runtime.exs or config providers): install_release ` +
          `resets application env to the build-time releases/${to.vsn}/sys.config, without it`,
      ),
    ];
  }
  const vars = envVarsRead(to.runtimeExs ?? "");
  return [
    finding(
      "runtime_config_kept",
      `${to.name} ${to.vsn} computes configuration at boot: its appup runs the config providers again once ` +
        `the code is loaded, both ways, as a boot of each version would`,
    ),
    ...(vars.length
      ? [
          finding(
            "runtime_config_env",
            `runtime.exs reads ${vars.join(", ")}: the running node must have them as it had at boot, since the ` +
              `upgrade runs runtime.exs again; if it raises, the relup fails and release_handler restarts the node`,
          ),
        ]
      : []),
  ];
}

function newerOld(from: Release, to: Release): Finding[] {
  if (compareVersions(from.vsn, to.vsn) <= 0) return [];
  return [
    finding(
      "newer_old_release",
      `the old release is ${from.name} ${from.vsn}, newer than the new one, ${to.vsn}: were OLD and NEW given the ` +
        `other way round? The way back to an older version is the down entries of the newer release's relup`,
    ),
  ];
}

function erts(from: Release, to: Release): Finding[] {
  if (from.erts === to.erts) return [];
  return [
    finding(
      "erts_changed",
      `ERTS changes from ${from.erts} to ${to.erts}: the relup restarts the emulator (restart_new_emulator), ` +
        `so the upgrade is not hitless`,
    ),
  ];
}
