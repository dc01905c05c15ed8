/**
 * What gen-appup tells the user about an upgrade, as data: every finding has a code from this
 * catalogue, a level, a message naming what it is about, and the remedy in words. The CLI, its
 * `--json` and the README's findings table all read the catalogue.
 *
 * Levels: an error stops the run (exit 1, nothing written); a warning is something a hot upgrade
 * will not do for the user (exit 3 with --strict); a note is for information.
 *
 * Findings versus errors: a `GenAppupError` is thrown when an input cannot be read or is not what
 * it claims to be (the fix is in that file); a finding is about the upgrade itself, between
 * well-formed releases.
 */
export type FindingLevel = "error" | "warning" | "note";

interface Entry {
  level: FindingLevel;
  /** What it means, in a sentence. */
  means: string;
  /** What to do. */
  remedy: string;
}

export const CATALOGUE = {
  unbumped_app: {
    level: "error",
    means: "a module changed in an application whose version did not: release_handler would not load it",
    remedy: "bump the application's version; --allow-unbumped makes this a warning",
  },
  newer_old_release: {
    level: "error",
    means: "the release to upgrade from is newer than the new one: OLD and NEW given the other way round?",
    remedy: "give the older release first; --allow newer_old_release if you mean to go to an older version",
  },
  unverified_app: {
    level: "error",
    means: "an application kept its version in one release root: the old files were overwritten, so not compared",
    remedy: "pass the old release's tarball (mix leaves _build/ENV/NAME-VSN.tar.gz); --allow-unverified warns",
  },
  moved_from_removed_app: {
    level: "error",
    means: "a module moved out of an application that the upgrade removes, which would unload it",
    remedy: "keep the old application for one more release, or restart instead of upgrading hot",
  },
  appup_missing_version: {
    level: "error",
    means: "an appup the new release ships has no up entry for a version being upgraded from",
    remedy: "add the entry to that appup, or delete the appup and let gen-appup write one",
  },
  cycle_api_change: {
    level: "warning",
    means: "modules that call each other change their API both ways: no load order keeps every call working",
    remedy: "keep the old function exported for one more release (deprecate before removing), then remove it",
  },
  appup_missing_module: {
    level: "error",
    means: "an appup the new release ships, or a hand-written one, has no instruction for a module that changed",
    remedy: "add an instruction for the module (load_module, update, add_module or delete_module) to that appup",
  },
  metadata_only: {
    level: "note",
    means: "beams differ only in their Meta chunk (written by another mix version): the code is the same",
    remedy: "nothing to do",
  },
  existing_appup: {
    level: "note",
    means: "an appup the new release ships (OTP's own, a dependency's, or hand-written) is used as it is",
    remedy: "nothing to do; delete it to have gen-appup generate one",
  },
  nif_module: {
    level: "warning",
    means: "a changed module loads a NIF or has an on_load function: loading it again may fail",
    remedy: "test the reload, or use {restart_application, App} in a hand-written appup (--appups DIR)",
  },
  top_supervisor_children: {
    level: "error",
    means: "an application's top supervisor, built in start/2, gets other children: no appup reaches it",
    remedy: "write the start_child / terminate_child applies given in a hand-written appup, or restart",
  },
  state_record_changed: {
    level: "error",
    means: "a process module's record changes fields while its code_change/3 returns the state as it is",
    remedy: "convert the old record in code_change/3 (add the new fields with their defaults)",
  },
  state_struct_changed: {
    level: "warning",
    means: "a process module's struct changes fields: if it is the state, code_change/3 must convert it",
    remedy: "convert the old struct in code_change/3, or check that the state is not this struct",
  },
  init_only_state: {
    level: "warning",
    means: "the new code sets up state outside the process (persistent_term, ETS) that only init/1 creates",
    remedy: "create it in code_change/3 too (or in an apply of a hand-written appup) before the new code needs it",
  },
  lingering_processes: {
    level: "warning",
    means: "processes may still run a module's old code when it is purged (a self-call loop, callers' funs)",
    remedy: "gen-appup soft-purges it; if a later install is refused (old_processes), wake them and retry",
  },
  processes_updated: {
    level: "note",
    means: "changed modules run in another module's processes (a transform rule): the appup updates that one too",
    remedy: "nothing to do; their code_change/3 runs (turn the Phoenix rules off with --no-phoenix)",
  },
  liveview_not_updated: {
    level: "warning",
    means: "a LiveView changed, but phoenix_live_view before 1.0.6 cannot code_change it safely",
    remedy: "upgrade phoenix_live_view to 1.0.6 or later; until then the view changes code at its next event",
  },
  unsuspended_processes: {
    level: "warning",
    means: "a changed Phoenix channel or LiveView: its processes run another module's code and are not suspended",
    remedy: "they switch code on their next message with their old state; make the new code accept it",
  },
  supervisor_children: {
    level: "note",
    means: "a changed supervisor adds or drops children: the appup starts and stops them, both ways",
    remedy: "nothing to do",
  },
  supervisor_children_unknown: {
    level: "error",
    means: "a changed supervisor names other modules, but its beam does not state its children or its name",
    remedy: "write a hand-written appup with the restart_child / terminate_child / delete_child applies given",
  },
  consolidated_protocols: {
    level: "note",
    means: "Elixir's consolidated protocols changed: the appup moves their code path and reloads them",
    remedy: "nothing to do",
  },
  consolidated_protocols_stale: {
    level: "warning",
    means: "Elixir's consolidated protocols changed, but the appup that would reload them is not generated",
    remedy: "reload them in your own appup, or restart: new protocol implementations stay unused until then",
  },
  runtime_config: {
    level: "warning",
    means: "configuration computed at boot (runtime.exs, config providers) is reset by install_release",
    remedy: "leave runtime configuration on (the default), or re-apply it after the upgrade, or restart",
  },
  runtime_config_kept: {
    level: "note",
    means: "configuration computed at boot is computed again by the appup, after the code loads, both ways",
    remedy: "nothing to do; --no-runtime-config turns it off (for tools that do it themselves)",
  },
  runtime_config_env: {
    level: "warning",
    means: "runtime.exs reads environment variables, and the upgrade runs it again on the running node",
    remedy: "keep the node's environment as at boot; if runtime.exs raises, the node restarts",
  },
  erts_changed: {
    level: "warning",
    means: "the ERTS version changes: the relup restarts the emulator, so the upgrade is not hitless",
    remedy: "deploy with a restart, or keep the ERTS version",
  },
  toolchain_changed: {
    level: "warning",
    means: "Elixir's own applications change version: they are not made to be hot-upgraded",
    remedy: "prefer a cold deploy when Elixir itself changes",
  },
  bad_vsn: {
    level: "warning",
    means: "an appup names another version than its application's (systools' bad_vsn)",
    remedy: "make the appup's first element the application's version",
  },
  pre_r15_emulator_upgrade: {
    level: "warning",
    means: "the old release's sasl predates R15: the emulator restart moves to the end (systools' warning)",
    remedy: "nothing to do, unless the old release can be upgraded first",
  },
  first_release: {
    level: "note",
    means: "there is no older version to upgrade from",
    remedy: "nothing to do: deploy it, later versions upgrade from it",
  },
  cold_deploy: {
    level: "note",
    means: "with --patch-only, a version that changes more than the patch version is deployed cold",
    remedy: "restart the node to move to this version",
  },
  app_added: {
    level: "note",
    means: "an application is added: the relup loads and starts it",
    remedy: "nothing to do",
  },
  app_removed: {
    level: "note",
    means: "an application is removed: the relup stops and unloads it",
    remedy: "nothing to do",
  },
} as const satisfies Record<string, Entry>;

export type FindingCode = keyof typeof CATALOGUE;

export interface Finding {
  level: FindingLevel;
  code: FindingCode;
  message: string;
  remedy: string;
  app?: string;
  module?: string;
}

/** A finding of `code` at its catalogue level (or `level`, where an option changes it). */
export function finding(
  code: FindingCode,
  message: string,
  about: { app?: string; module?: string; level?: FindingLevel } = {},
): Finding {
  const { level = CATALOGUE[code].level, ...where } = about;
  return { level, code, message, remedy: CATALOGUE[code].remedy, ...where };
}
