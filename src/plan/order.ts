/**
 * A dependency order over modules: dependencies before dependents, strongly connected
 * components (dependency cycles) kept together, and a deterministic tie-break.
 *
 * Tarjan's algorithm finds the components; Kahn's algorithm then orders the condensed graph,
 * always taking the ready component whose first module sorts lowest. (The `toposort` package
 * would only do the second half and throws on cycles, so it does not earn a place here.)
 */

/** `deps.get(m)` lists the modules `m` depends on; every name must be a key. */
export type DepGraph = ReadonlyMap<string, readonly string[]>;

/** Strongly connected components, each sorted by name. */
export function components(graph: DepGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    // Iterative DFS: a frame is a node and the position in its dependency list.
    const frames: [string, number][] = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (frames.length) {
      const frame = frames[frames.length - 1]!;
      const [v, i] = frame;
      const deps = graph.get(v) ?? [];
      if (i < deps.length) {
        frame[1]++;
        const w = deps[i]!;
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          frames.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        out.push(scc.sort());
      }
    }
  }
  return out;
}

/** All modules, dependencies first; modules of one cycle are adjacent, in name order. */
export function dependencyOrder(graph: DepGraph): string[] {
  return dependencyGroups(graph).flat();
}

/**
 * The strongly connected components, dependencies first (Kahn's algorithm over the condensed
 * graph, taking the ready component whose first module sorts lowest); each in name order.
 */
export function dependencyGroups(graph: DepGraph): string[][] {
  const sccs = components(graph);
  const sccOf = new Map<string, number>();
  sccs.forEach((scc, i) => scc.forEach((m) => sccOf.set(m, i)));
  const waitingOn = sccs.map(() => new Set<number>());
  const dependents = sccs.map(() => new Set<number>());
  for (const [m, deps] of graph) {
    for (const d of deps) {
      const a = sccOf.get(m)!,
        b = sccOf.get(d);
      if (b === undefined || a === b) continue;
      waitingOn[a]!.add(b);
      dependents[b]!.add(a);
    }
  }
  const ready = sccs.map((_, i) => i).filter((i) => waitingOn[i]!.size === 0);
  const order: string[][] = [];
  while (ready.length) {
    ready.sort((x, y) => (sccs[x]![0]! < sccs[y]![0]! ? -1 : 1));
    const i = ready.shift()!;
    order.push(sccs[i]!);
    for (const j of dependents[i]!) {
      waitingOn[j]!.delete(i);
      if (waitingOn[j]!.size === 0) ready.push(j);
    }
  }
  return order;
}

/**
 * `nodes` in an order that puts `a` before `b` for every edge [a, b], ties broken by name; the
 * edges that no order can satisfy (those inside a cycle of edges) are returned apart.
 */
export function constrainedOrder(
  nodes: string[],
  edges: [string, string][],
): { order: string[]; broken: [string, string][] } {
  const before = new Map(nodes.map((n) => [n, new Set<string>()]));
  for (const [a, b] of edges) if (a !== b) before.get(b)!.add(a);
  const order: string[] = [];
  const left = new Set([...nodes].sort());
  while (left.size) {
    // The first node by name that waits on nothing left; inside a cycle of edges, the first by name.
    const next = [...left].find((n) => [...before.get(n)!].every((p) => !left.has(p))) ?? [...left][0]!;
    order.push(next);
    left.delete(next);
  }
  const at = new Map(order.map((n, i) => [n, i]));
  return { order, broken: edges.filter(([a, b]) => a !== b && at.get(a)! > at.get(b)!) };
}
