/** Planning rules on releases made in memory: classification, DepMods, order, the way down, hand-written appups. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { instructionText } from "../../src/plan/instructions.js";
import { planUpgrade, type PlanOptions } from "../../src/plan/plan.js";
import { atom, int, list, tuple, type Term } from "../../src/term/term.js";

const map = (pairs: [Term, Term][]): Term => ({ t: "map", v: pairs });
import { parseAppup } from "../../src/plan/appup.js";
import { parseOneTerm } from "../../src/term/text.js";
import { memoryRelease, type ModuleSpec } from "../helpers/memory.js";

const SERVER: ModuleSpec = { behaviours: ["gen_server"], exports: [["code_change", 3]] };

/** One application `app` at 0.1.0 and 0.2.0: the instructions up and down, one per line. */
function plan(before: Record<string, ModuleSpec>, after: Record<string, ModuleSpec>, opts: PlanOptions = {}) {
  const from = memoryRelease({ name: "r", vsn: "1", apps: [{ name: "app", vsn: "0.1.0", modules: before }] });
  const to = memoryRelease({ name: "r", vsn: "2", apps: [{ name: "app", vsn: "0.2.0", modules: after }] });
  const p = planUpgrade([from], to, opts);
  const appup = p.appups.find((a) => a.app === "app")!.appup;
  return {
    up: appup.up[0]!.instructions.map(instructionText),
    down: appup.down[0]!.instructions.map(instructionText),
    findings: p.findings,
  };
}

test("each kind of module gets its instruction: plain, process, supervisor, added, deleted", () => {
  const { up, down } = plan(
    { a: { code: "1" }, s: { ...SERVER, code: "1" }, sup: { behaviours: ["supervisor"], code: "1" }, gone: {} },
    { a: { code: "2" }, s: { ...SERVER, code: "2" }, sup: { behaviours: ["supervisor"], code: "2" }, fresh: {} },
  );
  assert.deepEqual(up, [
    "{load_module,a}",
    "{add_module,fresh}",
    "{delete_module,gone}",
    "{update,s,{advanced,[]}}",
    "{update,sup,supervisor}",
  ]);
  assert.deepEqual(down, [
    "{update,sup,supervisor}",
    "{update,s,{advanced,[]}}",
    "{add_module,gone}",
    "{delete_module,fresh}",
    "{load_module,a}",
  ]);
});

test("process modules: code_change/3, code_change/4 and system_code_change/4; Elixir supervisors", () => {
  const { up } = plan(
    { g: {}, st: {}, sp: {}, ex: {}, dyn: {} },
    {
      g: { exports: [["code_change", 3]] },
      st: { behaviours: ["gen_statem"], exports: [["code_change", 4]] },
      sp: { exports: [["system_code_change", 4]] },
      ex: { behaviours: ["Elixir.Supervisor"], code: "2" },
      dyn: { behaviours: ["Elixir.DynamicSupervisor"], exports: [["code_change", 3]] },
    },
  );
  assert.deepEqual(up, [
    "{update,dyn,supervisor}",
    "{update,ex,supervisor}",
    "{update,g,{advanced,[]}}",
    "{update,sp,{advanced,[]}}",
    "{update,st,{advanced,[]}}",
  ]);
});

test("purge and Extra options reach load_module and update, never the supervisor", () => {
  const { up } = plan(
    { a: {}, s: SERVER, sup: { behaviours: ["supervisor"] } },
    { a: { code: "x" }, s: { ...SERVER, code: "x" }, sup: { behaviours: ["supervisor"], code: "x" } },
    { purge: { pre: "soft_purge", post: "soft_purge" }, extra: tuple(atom("x"), int(1)) },
  );
  assert.deepEqual(up, [
    "{load_module,a,soft_purge,soft_purge,[]}",
    "{update,s,{advanced,{x,1}},soft_purge,soft_purge,[]}",
    "{update,sup,supervisor}",
  ]);
});

test("DepMods: modules a beam calls and names as data, in the same appup only; dependencies load first", () => {
  const { up, down } = plan(
    { api: {}, price: SERVER, tax: {}, other: {} },
    {
      api: {
        calls: [
          ["tax", "rate", 0],
          ["lists", "map", 2],
        ],
        code: "2",
      },
      // A server called by its module name: named in a literal, not called.
      price: { ...SERVER, literals: [tuple(atom("api"), atom("rate"))], code: "2" },
      tax: { code: "2" },
      other: {},
    },
  );
  assert.deepEqual(up, ["{load_module,tax}", "{load_module,api,[tax]}", "{update,price,{advanced,[]},[api]}"]);
  assert.deepEqual(down, [...up].reverse());
});

test("a dependency cycle stays together, in name order; a deleted module waits for its old callers", () => {
  const { up } = plan(
    { b: { calls: [["c", "f", 0]] }, c: { calls: [["b", "f", 0]] }, old: {}, user: { calls: [["old", "f", 0]] } },
    { b: { calls: [["c", "f", 0]], code: "2" }, c: { calls: [["b", "f", 0]], code: "2" }, user: { code: "2" } },
  );
  assert.deepEqual(up, [
    "{load_module,b,[c]}",
    "{load_module,c,[b]}",
    "{load_module,user}",
    "{delete_module,old,[user]}",
  ]);
});

test("beams that differ in bytes but not in beam_lib:md5 are no change; an unchanged app gets no appup", () => {
  const from = memoryRelease({ name: "r", vsn: "1", apps: [{ name: "app", vsn: "0.1.0", modules: { a: {} } }] });
  const to = memoryRelease({ name: "r", vsn: "2", apps: [{ name: "app", vsn: "0.1.0", modules: { a: {} } }] });
  assert.deepEqual(planUpgrade([from], to).appups, []);
  // Attributes (here a behaviour) are not in beam_lib:md5: the code is the same.
  const attrs = memoryRelease({
    name: "r",
    vsn: "2",
    apps: [{ name: "app", vsn: "0.2.0", modules: { a: { behaviours: ["x"] } } }],
  });
  const p = planUpgrade([from], attrs);
  assert.deepEqual(p.appups[0]!.appup.up[0]!.instructions, []);
  assert.deepEqual(p.appups[0]!.counts, [{ vsn: "0.1.0", added: 0, changed: 0, deleted: 0 }]);
});

test("a hand-written appup wins for its version; a shipped appup is used as it is", () => {
  const from = memoryRelease({ name: "r", vsn: "1", apps: [{ name: "app", vsn: "0.1.0", modules: { a: {} } }] });
  const model = { name: "app", vsn: "0.2.0", modules: { a: { code: "2" } } };
  const text = '{"0.2.0",[{"0.1.0",[{load_module,a,[]},{apply,{m,f,[]}}]}],[{"0.1.0",[]}]}.';
  const to = memoryRelease({ name: "r", vsn: "2", apps: [model] });
  const handWritten = { path: "/x/app/0.1.0_to_0.2.0.appup", appup: parseAppup(parseOneTerm(text, "x"), "x") };
  const p = planUpgrade([from], to, { overrides: new Map([["app/0.1.0", handWritten]]) });
  assert.equal(p.appups[0]!.appup.up[0]!.handWritten, handWritten.path);
  assert.deepEqual(p.appups[0]!.appup.up[0]!.instructions.map(instructionText), [
    "{load_module,a}",
    "{apply,{m,f,[]}}",
  ]);

  const shipping = memoryRelease({ name: "r", vsn: "2", apps: [{ ...model, appup: text }] });
  const s = planUpgrade([from], shipping);
  assert.equal(s.appups[0]!.shipped, "mem:r-2:lib/app-0.2.0/ebin/app.appup");
  assert.deepEqual(
    s.findings.map((f) => f.code),
    ["existing_appup"],
  );
});

test("several old versions: one entry each, in the order given", () => {
  const mk = (vsn: string, app: string, code: string) =>
    memoryRelease({ name: "r", vsn, apps: [{ name: "app", vsn: app, modules: { a: { code } } }] });
  const p = planUpgrade([mk("1", "0.1.0", "1"), mk("2", "0.1.1", "2")], mk("3", "0.2.0", "3"));
  assert.deepEqual(
    p.appups[0]!.appup.up.map((e) => e.from),
    [
      { kind: "exact", vsn: "0.1.0" },
      { kind: "exact", vsn: "0.1.1" },
    ],
  );
  assert.deepEqual(p.from, [
    { name: "r", vsn: "1" },
    { name: "r", vsn: "2" },
  ]);
});

test("a cycle whose new code calls a function only the new callee exports: the callee loads first both ways", () => {
  // systools loads a cycle in the reverse of the listed order on the way up, in the listed order on the way down.
  const { up, down, findings } = plan(
    { x: { exports: [["f", 0]], calls: [["y", "g", 0]] }, y: { exports: [["g", 0]], calls: [["x", "f", 0]] } },
    {
      x: {
        exports: [
          ["f", 0],
          ["fresh", 0],
        ],
        calls: [["y", "g", 0]],
      },
      y: { exports: [["g", 0]], calls: [["x", "fresh", 0]] },
    },
  );
  assert.deepEqual(up, ["{load_module,y,[x]}", "{load_module,x,[y]}"]);
  assert.deepEqual(down, up, "the same list: loads x first up, y first down (old y never called fresh)");
  assert.deepEqual(findings, []);
});

test("a cycle whose old code calls a function the new callee drops: the callee goes back first on the way down", () => {
  const { up, down } = plan(
    {
      x: {
        exports: [
          ["f", 0],
          ["old", 0],
        ],
        calls: [["y", "g", 0]],
      },
      y: { calls: [["x", "old", 0]] },
    },
    { x: { exports: [["f", 0]], calls: [["y", "g", 0]] }, y: { calls: [["x", "f", 0]] } },
  );
  assert.deepEqual(up, ["{load_module,x,[y]}", "{load_module,y,[x]}"]);
  assert.deepEqual(down, up);
});

test("a cycle renaming a function both ways has no safe order: a warning names the call", () => {
  const { findings } = plan(
    { x: { exports: [["old", 0]], calls: [["y", "g", 0]] }, y: { calls: [["x", "old", 0]] } },
    { x: { exports: [["fresh", 0]], calls: [["y", "g", 0]] }, y: { calls: [["x", "fresh", 0]] } },
  );
  assert.deepEqual(
    findings.map((f) => [f.level, f.code, f.module]),
    [["warning", "cycle_api_change", "y"]],
  );
  assert.match(
    findings[0]!.message,
    /y calls x:(fresh|old)\/0, which (only the new x exports|the new x no longer exports)/,
  );
});

test("DepMods name changed modules of other applications; the protocols reload mirrors on the way down", () => {
  const from = memoryRelease({
    name: "r",
    vsn: "1",
    apps: [
      { name: "lib", vsn: "1", modules: { n: {} } },
      { name: "r", vsn: "1", modules: { m: {} } },
    ],
    consolidated: { "Elixir.P": { code: "1" } },
  });
  const to = memoryRelease({
    name: "r",
    vsn: "2",
    apps: [
      { name: "lib", vsn: "2", modules: { n: { code: "2" } } },
      { name: "r", vsn: "2", modules: { m: { calls: [["n", "f", 0]], code: "2" } } },
    ],
    consolidated: { "Elixir.P": { code: "2" } },
  });
  const r = planUpgrade([from], to).appups.find((a) => a.app === "r")!.appup;
  assert.deepEqual(
    r.up[0]!.instructions.map((i) => i.op),
    ["load_module", "apply"],
  );
  assert.equal(instructionText(r.up[0]!.instructions[0]!), "{load_module,m,[n]}");
  assert.deepEqual(
    r.down[0]!.instructions.map((i) => i.op),
    ["apply", "load_module"],
  );
});

test("supervisor children stated by the beams are started and stopped both ways (Erlang and Elixir forms)", () => {
  const spec = (id: string) =>
    map([
      [atom("id"), atom(id)],
      [atom("start"), tuple(atom(id), atom("start_link"), list([]))],
    ]);
  const erlangSup = (ids: string[], code: string): ModuleSpec => ({
    behaviours: ["supervisor"],
    calls: [["supervisor", "start_link", 3]],
    literals: [tuple(atom("local"), atom("sup")), tuple(atom("ok"), tuple(map([]), list(ids.map(spec))))],
    code,
  });
  const { up, down, findings } = plan(
    { sup: erlangSup(["a", "b"], "1"), a: {}, b: {} },
    { sup: erlangSup(["a", "c"], "2"), a: {}, c: {} },
  );
  assert.deepEqual(up, [
    "{add_module,c}",
    "{apply,{supervisor,terminate_child,[sup,b]}}",
    "{apply,{supervisor,delete_child,[sup,b]}}",
    "{update,sup,supervisor}",
    "{apply,{supervisor,restart_child,[sup,c]}}",
    "{delete_module,b,[sup]}",
  ]);
  assert.deepEqual(down, [
    "{add_module,b,[sup]}",
    "{apply,{supervisor,terminate_child,[sup,c]}}",
    "{apply,{supervisor,delete_child,[sup,c]}}",
    "{update,sup,supervisor}",
    "{apply,{supervisor,restart_child,[sup,b]}}",
    "{delete_module,c}",
  ]);
  assert.deepEqual(
    findings.map((f) => [f.level, f.code]),
    [["note", "supervisor_children"]],
  );

  const elixirSup = (children: string[], code: string): ModuleSpec => ({
    behaviours: ["Elixir.Supervisor"],
    calls: [
      ["Elixir.Supervisor", "init", 2],
      ["Elixir.Supervisor", "start_link", 3],
    ],
    literals: [
      list([tuple(atom("strategy"), atom("one_for_one"))]),
      list(children.map((c) => (c === "E.B" ? tuple(atom(c), int(1)) : atom(c)))),
      list([tuple(atom("name"), atom("E.Sup"))]),
    ],
    code,
  });
  const ex = plan(
    { "E.Sup": elixirSup(["E.A"], "1"), "E.A": {}, "E.B": {} },
    {
      "E.Sup": elixirSup(["E.A", "E.B"], "2"),
      "E.A": {},
      "E.B": {},
    },
  );
  assert.deepEqual(ex.up, ["{update,'E.Sup',supervisor}", "{apply,{supervisor,restart_child,['E.Sup','E.B']}}"]);
  assert.deepEqual(ex.down, [
    "{apply,{supervisor,terminate_child,['E.Sup','E.B']}}",
    "{apply,{supervisor,delete_child,['E.Sup','E.B']}}",
    "{update,'E.Sup',supervisor}",
  ]);
});

test("modules whose processes may linger in old code are soft-purged, and said so; per-module modes win", () => {
  const looping: ModuleSpec = { exports: [["loop", 1]], calls: [["acceptor", "loop", 1]] };
  const { up, findings } = plan(
    { acceptor: looping, pool: { callsFun: true }, plain: {} },
    { acceptor: { ...looping, code: "2" }, pool: { callsFun: true, code: "2" }, plain: { code: "2" } },
  );
  assert.deepEqual(up, [
    "{load_module,acceptor,soft_purge,soft_purge,[]}",
    "{load_module,plain}",
    "{load_module,pool,soft_purge,soft_purge,[]}",
  ]);
  assert.deepEqual(
    findings.map((f) => [f.level, f.code, f.module]),
    [
      ["warning", "lingering_processes", "acceptor"],
      ["warning", "lingering_processes", "pool"],
    ],
  );
  assert.match(findings[0]!.message, /refused with \{error,\{old_processes,'acceptor'\}\}/);
  const given = plan(
    { pool: { callsFun: true } },
    { pool: { callsFun: true, code: "2" } },
    {
      modulePurge: new Map([["pool", { pre: "brutal_purge", post: "brutal_purge" }]]),
    },
  );
  assert.deepEqual(given.up, ["{load_module,pool}"]);
  assert.match(given.findings[0]!.message, /brutal_purge \(as asked\) kills them/);
});
