/** Applications of the new `.rel` against one old `.rel`. */
import type { Application, Release } from "../read/release.js";

export type AppChangeKind = "added" | "removed" | "upgraded" | "unchanged";

export interface AppChange {
  name: string;
  kind: AppChangeKind;
  old?: Application;
  new?: Application;
}

/** New-release applications in `.rel` order, then the removed ones in the old `.rel` order. */
export function diffApps(from: Release, to: Release): AppChange[] {
  const olds = new Map(from.apps.map((a) => [a.name, a]));
  const news = new Set(to.apps.map((a) => a.name));
  const changes: AppChange[] = to.apps.map((app) => {
    const old = olds.get(app.name);
    if (!old) return { name: app.name, kind: "added", new: app };
    return { name: app.name, kind: old.vsn === app.vsn ? "unchanged" : "upgraded", old, new: app };
  });
  for (const old of from.apps) if (!news.has(old.name)) changes.push({ name: old.name, kind: "removed", old });
  return changes;
}
