/**
 * Transform rules: "when a module with behaviour X (or a name matching a pattern) changes, also
 * update process module P". Some processes run another module's code: a LiveView's process runs
 * Phoenix.LiveView.Channel, a channel's Phoenix.Channel.Server; release_handler suspends and
 * code_changes only the processes whose supervisor child specs name a changed module, so without
 * a rule they switch code at their next message, with their old state. Updating P with them (and
 * naming each other in DepMods) makes P's code_change/3 reach them.
 *
 * Built in, when the release contains Phoenix: channels with Phoenix.Channel.Server, and LiveViews
 * with Phoenix.LiveView.Channel from phoenix_live_view 1.0.6 on (before it, the channel's
 * code_change mishandles a view that defines code_change/3: the view crashes and remounts empty).
 */
import type { Release } from "../read/release.js";
import type { Instructed } from "./changes.js";
import { compareVersions } from "./versions.js";

export interface TransformRule {
  /** A behaviour (`Elixir.Phoenix.LiveView`), or a module name where `*` stands for any text. */
  when: string;
  /** The process module to update with the matching modules. */
  update: string;
}

const PHOENIX_CHANNEL: TransformRule = {
  when: "Elixir.Phoenix.Channel",
  update: "Elixir.Phoenix.Channel.Server",
};
export const LIVEVIEW_SAFE_FROM = "1.0.6";
const LIVEVIEWS = ["Elixir.Phoenix.LiveView", "Elixir.Phoenix.LiveComponent"];

/** The built-in Phoenix rules that hold for the release, and the LiveView version when its rule does not. */
export function phoenixRules(to: Release): { rules: TransformRule[]; unsafeLiveView?: string } {
  const vsn = (app: string) => to.apps.find((a) => a.name === app)?.vsn;
  const rules: TransformRule[] = vsn("phoenix") ? [PHOENIX_CHANNEL] : [];
  const lv = vsn("phoenix_live_view");
  if (!lv) return { rules };
  if (compareVersions(lv, LIVEVIEW_SAFE_FROM) < 0) return { rules, unsafeLiveView: lv };
  return { rules: [...rules, ...LIVEVIEWS.map((when) => ({ when, update: "Elixir.Phoenix.LiveView.Channel" }))] };
}

/** Whether a LiveView or LiveComponent: what the unsafe LiveView versions leave alone. */
export function isLiveView(m: Instructed): boolean {
  return m.kind !== "deleted" && m.beam.behaviours.some((b) => LIVEVIEWS.includes(b));
}

/** The process modules to update with `mine`'s changed and added modules, by the rules: host to guests. */
export function hostsOf(mine: Instructed[], rules: TransformRule[]): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const m of mine) {
    if (m.kind === "deleted") continue;
    for (const rule of rules) {
      if (rule.update === m.module || !matches(rule, m.module, m.beam.behaviours)) continue;
      hosts.set(rule.update, [...(hosts.get(rule.update) ?? []), m.module]);
    }
  }
  return hosts;
}

function matches(rule: TransformRule, module: string, behaviours: string[]): boolean {
  if (behaviours.includes(rule.when)) return true;
  const pattern = new RegExp(`^${rule.when.split("*").map(escape).join(".*")}$`);
  return pattern.test(module);
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/** The file Phoenix's endpoint reads its digested static paths from, in an application's directory. */
export const STATIC_MANIFEST = "priv/static/cache_manifest.json";
