/**
 * What the plan tells the user plainly: errors stop the run (exit 1), warnings are things a hot
 * upgrade will not do for them (exit 3 with --strict), notes are for information.
 */
export type FindingLevel = "error" | "warning" | "note";

export type FindingCode =
  | "unbumped_app" // code changed, application version did not: release_handler would not load it
  | "moved_from_removed_app" // a module moved out of an application the upgrade removes
  | "existing_appup" // an appup shipped in the new release is used as it is
  | "appup_missing_version" // ... but it has no entry for an old version
  | "nif_module" // a changed module loads a NIF or has on_load
  | "unsuspended_processes" // a changed Phoenix channel or LiveView: its processes are not suspended
  | "supervisor_children" // a changed supervisor names other modules: children it adds are not started
  | "consolidated_protocols" // Elixir protocol consolidation changed: the relup does not reload it
  | "runtime_config" // install_release resets application env to the build-time sys.config
  | "erts_changed" // the relup restarts the emulator
  | "toolchain_changed" // Elixir's own applications change version
  | "bad_vsn" // an appup's version is not the application's (systools' warning)
  | "pre_r15_emulator_upgrade"
  | "first_release" // nothing to upgrade from
  | "cold_deploy" // --patch-only and more than the patch version changes
  | "app_added"
  | "app_removed";

export interface Finding {
  level: FindingLevel;
  code: FindingCode;
  message: string;
  app?: string;
  module?: string;
}
