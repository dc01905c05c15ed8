import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { components, constrainedOrder, dependencyOrder } from "../../src/plan/order.js";

/** Random dependency graphs over up to 12 modules, cycles and self-edges included. */
const graphs = fc
  .integer({ min: 1, max: 12 })
  .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 3 })))
  .map(([n, edges]) => {
    const g = new Map<string, string[]>(Array.from({ length: n }, (_, i) => [`m${i}`, []]));
    for (const [a, b] of edges) if (!g.get(`m${a}`)!.includes(`m${b}`)) g.get(`m${a}`)!.push(`m${b}`);
    return g;
  });

test("every module comes after its dependencies, except within a cycle, whose members stay together", () => {
  fc.assert(
    fc.property(graphs, (g) => {
      const order = dependencyOrder(g);
      assert.deepEqual([...order].sort(), [...g.keys()].sort());
      const pos = new Map(order.map((m, i) => [m, i]));
      const scc = new Map<string, number>();
      components(g).forEach((c, i) => c.forEach((m) => scc.set(m, i)));
      for (const [m, deps] of g)
        for (const d of deps) if (scc.get(m) !== scc.get(d)) assert.ok(pos.get(d)! < pos.get(m)!, `${d} before ${m}`);
      for (const c of components(g)) {
        const at = c.map((m) => pos.get(m)!).sort((a, b) => a - b);
        assert.equal(at.at(-1)! - at[0]!, c.length - 1, `cycle ${c.join(",")} is contiguous`);
      }
    }),
    { numRuns: 2000 },
  );
});

test("the order is deterministic: it does not depend on the order the graph was given in", () => {
  fc.assert(
    fc.property(graphs, fc.nat(), (g, seed) => {
      const keys = [...g.keys()];
      const shuffled = keys.map((k, i) => keys[(i * 7 + seed) % keys.length]!).filter((k, i, a) => a.indexOf(k) === i);
      const rest = keys.filter((k) => !shuffled.includes(k));
      const g2 = new Map([...shuffled, ...rest].map((k) => [k, [...g.get(k)!].reverse()]));
      assert.deepEqual(dependencyOrder(g2), dependencyOrder(g));
    }),
    { numRuns: 500 },
  );
});

test("constrained order: every satisfiable edge holds, ties by name, edges inside a cycle of edges reported", () => {
  assert.deepEqual(constrainedOrder(["c", "b", "a"], []), { order: ["a", "b", "c"], broken: [] });
  assert.deepEqual(constrainedOrder(["a", "b", "c"], [["c", "a"]]).order, ["b", "c", "a"]);
  const cyclic = constrainedOrder(
    ["a", "b"],
    [
      ["a", "b"],
      ["b", "a"],
    ],
  );
  assert.deepEqual(cyclic.order, ["a", "b"]);
  assert.deepEqual(cyclic.broken, [["b", "a"]]);
});
