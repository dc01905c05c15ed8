/** Applications of the new `.rel` against one old `.rel`. */
import type { Application, Release } from "../read/release.js";

export type AppChange =
  | { kind: "added"; name: string; new: Application }
  | { kind: "removed"; name: string; old: Application }
  | { kind: "upgraded"; name: string; old: Application; new: Application }
  | { kind: "unchanged"; name: string; old: Application; new: Application };

export type AppChangeKind = AppChange["kind"];

/** New-release applications in `.rel` order, then the removed ones in the old `.rel` order. */
export function diffApps(from: Release, to: Release): AppChange[] {
  const olds = new Map(from.apps.map((a) => [a.name, a]));
  const news = new Set(to.apps.map((a) => a.name));
  const changes: AppChange[] = to.apps.map((app): AppChange => {
    const old = olds.get(app.name);
    if (!old) return { kind: "added", name: app.name, new: app };
    return { kind: old.vsn === app.vsn ? "unchanged" : "upgraded", name: app.name, old, new: app };
  });
  for (const old of from.apps) if (!news.has(old.name)) changes.push({ kind: "removed", name: old.name, old });
  return changes;
}
