/**
 * Comparing our relup with systools': systools leaves the order of a dependency group's
 * members to the VM when no DepMods edge orders them (digraph_utils:topsort over ETS tables;
 * a change to the oracle module can flip it), so where bytes differ, the relups must be equal
 * once those groups are sorted, and our order must follow every DepMods edge.
 */
import { fromTerm, isDependencyInstruction, type Instruction } from "../../src/plan/instructions.js";
import { GENERATED_MARKER, entryFor, parseAppup, type Appup } from "../../src/plan/appup.js";
import type { Release } from "../../src/read/release.js";
import { elementsOf, textOf, type Term } from "../../src/term/term.js";
import { parseOneTerm } from "../../src/term/text.js";

/** Why our relup text is not systools', or undefined when it is, up to systools' undetermined order. */
/** Our relup's text as systools writes it: without the marker line. */
export function asSystools(ours: string): string {
  return ours.replace(`${GENERATED_MARKER}\n`, "");
}

export function relupMismatch(
  withMarker: string,
  theirs: string,
  to: Release,
  olds: Release[],
  appups: Map<string, Appup>,
): string | undefined {
  const ours = asSystools(withMarker);
  if (ours === theirs) return undefined;
  const undetermined = hasUndeterminedOrder(to, olds, appups);
  const same = canonical(parseOneTerm(ours, "ours")) === canonical(parseOneTerm(theirs, "systools"));
  if (!undetermined || !same) {
    const why = undetermined ? " (even after sorting the undetermined groups)" : ", and systools' order was determined";
    return `relups differ${why}`;
  }
  const broken = dependencyViolations(parseOneTerm(ours, "ours"), to, olds, appups);
  return broken.length ? `our order breaks dependencies: ${broken.join("; ")}` : undefined;
}

/** The appups of the new release's applications, by application. */
export function appupsOf(to: Release): Map<string, Appup> {
  return new Map(
    to.apps
      .filter((a) => a.appup)
      .map((a) => [a.name, parseAppup(parseOneTerm(a.appup!.text, a.appup!.path), a.appup!.path)]),
  );
}

const big = (_k: string, v: unknown) => (typeof v === "bigint" ? String(v) : v);

/** The appup scripts systools merges for one old release and direction. */
function scripts(to: Release, base: Release, appups: Map<string, Appup>, mode: "up" | "down"): Instruction[] {
  const out: Instruction[] = [];
  for (const app of to.apps) {
    const old = base.apps.find((a) => a.name === app.name);
    const appup = appups.get(app.name);
    if (!old || old.vsn === app.vsn || !appup) continue;
    out.push(...(entryFor(mode === "up" ? appup.up : appup.down, old.vsn)?.instructions ?? []));
  }
  return out;
}

/**
 * Whether some weak component of the DepMods graph has strongly connected components neither of
 * which reaches the other.
 */
function hasUndeterminedOrder(to: Release, olds: Release[], appups: Map<string, Appup>): boolean {
  return olds.some((base) =>
    (["up", "down"] as const).some((mode) => {
      const deps = new Map(
        scripts(to, base, appups, mode)
          .filter(isDependencyInstruction)
          .map((i) => [i.module, i.depMods]),
      );
      const reach = (m: string) => {
        const seen = new Set<string>(),
          todo = [m];
        while (todo.length) {
          for (const d of deps.get(todo.pop()!) ?? []) {
            if (!seen.has(d)) todo.push(d);
            seen.add(d);
          }
        }
        return seen;
      };
      const r = new Map([...deps.keys()].map((m) => [m, reach(m)]));
      const linked = (a: string, b: string) => r.get(a)!.has(b) || r.get(b)!.has(a);
      const weak = (a: string, b: string) => {
        const seen = new Set([a]),
          todo = [a];
        while (todo.length) {
          const x = todo.pop()!;
          for (const [m, ds] of deps) {
            // Both ways: a module that lists itself (a self-loop) still leads on to what it depends on.
            for (const y of [...(ds.includes(x) ? [m] : []), ...(m === x ? ds : [])]) {
              if (!seen.has(y)) todo.push(y);
              seen.add(y);
            }
          }
        }
        return seen.has(b);
      };
      const mods = [...deps.keys()];
      return mods.some((a, i) => mods.slice(i + 1).some((b) => weak(a, b) && !linked(a, b)));
    }),
  );
}

/** The relup with module lists and runs of load/remove+purge items sorted: systools' undetermined order removed. */
function canonical(relup: Term): string {
  const scriptsOf = (side: Term) => (elementsOf(side) ?? []).map((e) => (e as { v: Term[] }).v[2]!);
  const norm = (script: Term) => {
    const items = (elementsOf(script) ?? []).map((t) => fromTerm(t, "relup"));
    const out: string[] = [];
    let run: string[] = [];
    const flush = () => (out.push(...run.sort()), (run = []));
    for (let k = 0; k < items.length; k++) {
      const i = items[k]!;
      if (i.op === "load") run.push(`load ${i.module} ${i.prePurge} ${i.postPurge}`);
      else if (i.op === "remove" && items[k + 1]?.op === "purge") {
        run.push(`remove+purge ${i.module}`);
        k++;
      } else {
        flush();
        const key = (x: unknown) => JSON.stringify(x, big);
        const sorted =
          "modules" in i && Array.isArray(i.modules)
            ? { ...i, modules: [...i.modules].sort((a, b) => (key(a) < key(b) ? -1 : 1)) }
            : i;
        out.push(key(sorted));
      }
    }
    flush();
    return out;
  };
  const [vsn, up, dn] = (relup as { v: Term[] }).v;
  return JSON.stringify([textOf(vsn), scriptsOf(up!).map(norm), scriptsOf(dn!).map(norm)]);
}

/** Loads that come in the wrong order for the DepMods (up: dependencies first; down: dependents first). */
function dependencyViolations(relup: Term, to: Release, olds: Release[], appups: Map<string, Appup>): string[] {
  const out: string[] = [];
  const [, up, dn] = (relup as { v: Term[] }).v;
  for (const [mode, side] of [
    ["up", up!],
    ["down", dn!],
  ] as const) {
    for (const entry of elementsOf(side) ?? []) {
      const [key, , script] = (entry as { v: Term[] }).v;
      const base = olds.find((o) => o.vsn === textOf(key))!;
      const pos = new Map<string, number>();
      (elementsOf(script) ?? []).forEach((t, i) => {
        const ins = fromTerm(t, "relup");
        if (ins.op === "load" || ins.op === "remove") pos.set(ins.module, i);
      });
      const deps = scripts(to, base, appups, mode).filter(isDependencyInstruction);
      const reaches = (a: string, b: string, seen = new Set<string>()): boolean =>
        deps
          .find((d) => d.module === a)
          ?.depMods.some((x) => x === b || (!seen.has(x) && (seen.add(x), reaches(x, b, seen)))) ?? false;
      for (const i of deps) {
        for (const d of i.depMods) {
          if (reaches(d, i.module) || !pos.has(d) || !pos.has(i.module)) continue; // same cycle, or not loaded
          const ok = mode === "up" ? pos.get(d)! < pos.get(i.module)! : pos.get(d)! > pos.get(i.module)!;
          if (!ok) out.push(`${mode} ${textOf(key)}: ${i.module} and its dependency ${d}`);
        }
      }
    }
  }
  return out;
}
