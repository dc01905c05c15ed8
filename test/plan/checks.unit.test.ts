/** Every finding rule, on releases made in memory; and the catalogue the README's table is made from. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CATALOGUE, type FindingCode } from "../../src/plan/findings.js";
import { planUpgrade } from "../../src/plan/plan.js";
import { upgrade } from "../../src/upgrade.js";
import { instructionText } from "../../src/plan/instructions.js";
import { atom, list, tuple, type Term } from "../../src/term/term.js";
import { parseTerms } from "../../src/term/text.js";
import { findingsTable } from "../../scripts/findings-table.js";
import { memoryRelease, type AppModel, type ReleaseModel } from "../helpers/memory.js";

const app = (name: string, vsn: string, modules: AppModel["modules"] = {}): AppModel => ({ name, vsn, modules });
const rel = (vsn: string, apps: AppModel[], more: Partial<ReleaseModel> = {}) =>
  memoryRelease({ name: "r", vsn, apps, ...more });

function codes(from: ReleaseModel["apps"], to: ReleaseModel["apps"], more: Partial<ReleaseModel> = {}) {
  return planUpgrade([rel("1", from)], rel("2", to, more)).findings.map((f) => `${f.level}:${f.code}`);
}

test("unbumped_app: an error, or a warning with allowUnbumped, naming app and module", () => {
  const from = rel("1", [app("a", "1.0", { m: {} })]);
  const to = rel("2", [app("a", "1.0", { m: { code: "new" } })]);
  const [f] = planUpgrade([from], to).findings;
  assert.equal(f!.code, "unbumped_app");
  assert.equal(f!.level, "error");
  assert.deepEqual([f!.app, f!.module], ["a", "m"]);
  assert.match(f!.message, /module m changed but application a is still version 1\.0/);
  assert.equal(f!.remedy, CATALOGUE.unbumped_app.remedy);
  assert.equal(planUpgrade([from], to, { allowUnbumped: true }).findings[0]!.level, "warning");
});

test("moved_from_removed_app, app_added, app_removed", () => {
  assert.deepEqual(codes([app("a", "1", { m: {} }), app("b", "1")], [app("b", "2", { m: {} }), app("c", "1")]), [
    "error:moved_from_removed_app",
    "note:app_added",
    "note:app_removed",
  ]);
});

test("nif_module (load_nif or on_load), unsuspended_processes, supervisor_children_unknown", () => {
  const nif = { calls: [["erlang", "load_nif", 2]] as [string, string, number][] };
  const sup = (children: string[]) => ({
    behaviours: ["supervisor"],
    literals: [list(children.map((c) => tuple(atom(c), tuple(atom(c), atom("start_link"), list([])))))],
  });
  const found = codes(
    [app("a", "1", { n: nif, o: {}, ch: {}, sup: sup(["w1"]), w1: {}, w2: {} })],
    [
      app("a", "2", {
        n: { ...nif, code: "2" },
        o: { onLoad: ["init", 0], code: "2" },
        ch: { behaviours: ["Elixir.Phoenix.Channel"], code: "2" },
        sup: sup(["w2"]),
        w1: {},
        w2: {},
      }),
    ],
  );
  assert.deepEqual(found, [
    "warning:nif_module",
    "warning:nif_module",
    "warning:unsuspended_processes",
    "error:supervisor_children_unknown",
  ]);
});

test("toolchain_changed, runtime_config, erts_changed", () => {
  assert.deepEqual(codes([app("elixir", "1.14.0")], [app("elixir", "1.15.0")], { runtimeExs: true, erts: "14.0" }), [
    "warning:toolchain_changed",
    "warning:runtime_config",
    "warning:erts_changed",
  ]);
});

test("runtime_config_kept and runtime_config_env: the appup runs the config providers again, last, both ways", () => {
  const sysConfig = (vsn: string) =>
    `[{elixir,[{config_provider_init,#{'__struct__' => 'Elixir.Config.Provider',` +
    `config_path => {system,<<"RELEASE_SYS_CONFIG">>,<<".config">>},extra_config => [],` +
    `providers => [{'Elixir.Config.Reader',{{system,<<"RELEASE_ROOT">>,<<"/releases/${vsn}/runtime.exs">>},[]}}],` +
    `reboot_system_after_config => true}}]}].`;
  const runtimeExs = 'import Config\nconfig :r, a: System.get_env("A"), b: System.fetch_env!("B")\n';
  const from = rel("1", [app("r", "1", { m: {} })], { runtimeExs, sysConfig: sysConfig("1") });
  const to = rel("2", [app("r", "2", { m: { code: "2" } })], { runtimeExs, sysConfig: sysConfig("2") });
  const p = planUpgrade([from], to);
  assert.deepEqual(
    p.findings.map((f) => `${f.level}:${f.code}`),
    ["note:runtime_config_kept", "warning:runtime_config_env"],
  );
  assert.match(p.findings[1]!.message, /runtime\.exs reads A, B:/);
  const texts = (side: "up" | "down") => p.appups[0]!.appup[side][0]!.instructions.map(instructionText);
  const last = (vsn: string) => [
    '{apply,{os,unsetenv,["ELIXIR_CONFIG_PROVIDER_BOOTED"]}}',
    "{apply,{application,unset_env,[elixir,config_provider_booted]}}",
    `{apply,{application,set_env,[elixir,config_provider_init,#{'__struct__' => 'Elixir.Config.Provider',` +
      `config_path => {system,<<"RELEASE_ROOT">>,<<"/releases/${vsn}/sys.config">>},extra_config => [],` +
      `providers => [{'Elixir.Config.Reader',{{system,<<"RELEASE_ROOT">>,<<"/releases/${vsn}/runtime.exs">>},[]}}],` +
      `reboot_system_after_config => false}]}}`,
    "{apply,{'Elixir.Config.Provider',boot,[]}}",
  ];
  assert.deepEqual(texts("up"), ["{load_module,m}", ...last("2")]);
  assert.deepEqual(texts("down"), ["{load_module,m}", ...last("1")]);
  assert.deepEqual(
    planUpgrade([from], to, { runtimeConfig: false }).findings.map((f) => f.code),
    ["runtime_config"],
  );
});

test("newer_old_release: OLD and NEW given the other way round", () => {
  const found = planUpgrade(
    [rel("2.0.0", [app("a", "2", { m: {} })])],
    rel("1.0.0", [app("a", "1", { m: { code: "1" } })]),
  );
  assert.deepEqual(
    found.findings.map((f) => `${f.level}:${f.code}`),
    ["error:newer_old_release"],
  );
});

test("existing_appup and appup_missing_version", () => {
  const appup = '{"2",[{"0.9",[]}],[{"0.9",[]}]}.';
  assert.deepEqual(codes([app("a", "1", { m: {} })], [{ ...app("a", "2", { m: { code: "2" } }), appup }]), [
    "note:existing_appup",
    "error:appup_missing_version",
  ]);
});

test("unverified_app: an application of neither OTP nor Elixir that kept its version in one release root", () => {
  const apps = (vsn: string) => [
    app("kernel", "8.5", { k: {} }),
    app("dep", "1.0", { d: {} }),
    app("r", vsn, { m: {} }),
  ];
  const from = rel("1", apps("1"), { origin: "root" });
  const to = rel("2", apps("2"), { origin: "root" });
  const found = planUpgrade([from], to).findings;
  assert.deepEqual(
    found.map((f) => [f.level, f.code, f.app]),
    [["error", "unverified_app", "dep"]],
  );
  assert.equal(planUpgrade([from], to, { allowUnverified: true }).findings[0]!.level, "warning");
});

test("state_record_changed, state_struct_changed, init_only_state", () => {
  const server = { behaviours: ["gen_server"], exports: [["code_change", 3]] as [string, number][] };
  const forms = (fields: string, codeChange: string, init = "{tuple,2,[{atom,2,ok},{record,2,state,[]}]}") =>
    parseTerms(
      `{attribute,1,record,{state,[${fields}]}}.
       {function,2,init,1,[{clause,2,[{var,2,'_'}],[],[${init}]}]}.
       {function,3,code_change,3,[{clause,3,[{var,3,'_'},{var,3,'S'},{var,3,'_'}],[],[${codeChange}]}]}.`,
      "forms",
    );
  const identity = "{tuple,3,[{atom,3,ok},{var,3,'S'}]}";
  const items = "{record_field,1,{atom,1,items}}";
  const count = "{record_field,1,{atom,1,count},{integer,1,0}}";
  const put = "{call,2,{remote,2,{atom,2,persistent_term},{atom,2,put}},[{atom,2,k},{integer,2,1}]}";
  assert.deepEqual(
    codes(
      [app("a", "1", { s: { ...server, forms: forms(items, identity) } })],
      [app("a", "2", { s: { ...server, forms: forms(`${items},${count}`, identity, put), code: "2" } })],
    ),
    ["error:state_record_changed", "warning:init_only_state"],
  );
  const converting = "{tuple,3,[{atom,3,ok},{record,3,state,[]}]}";
  assert.deepEqual(
    codes(
      [app("a", "1", { s: { ...server, forms: forms(items, identity) } })],
      [app("a", "2", { s: { ...server, forms: forms(`${items},${count}`, converting), code: "2" } })],
    ),
    [],
    "a code_change/3 that builds the new record",
  );
  const struct = (fields: string[]) => ({
    ...server,
    literals: [
      { t: "map", v: [[atom("__struct__"), atom("s")], ...fields.map((f) => [atom(f), atom("nil")])] } as Term,
    ],
  });
  assert.deepEqual(
    codes([app("a", "1", { s: struct(["a"]) })], [app("a", "2", { s: { ...struct(["a", "b"]), code: "2" } })]),
    ["warning:state_struct_changed"],
  );
});

test("top_supervisor_children: an Application.start/2 that builds its supervisor with other children", () => {
  const start = (children: string[], code: string) => ({
    behaviours: ["Elixir.Application"],
    calls: [["Elixir.Supervisor", "start_link", 2]] as [string, string, number][],
    literals: [list(children.map(atom))],
    code,
  });
  assert.deepEqual(
    codes(
      [app("a", "1", { "Elixir.A.App": start(["Elixir.A.One"], "1"), "Elixir.A.One": {}, "Elixir.A.Two": {} })],
      [
        app("a", "2", {
          "Elixir.A.App": start(["Elixir.A.One", "Elixir.A.Two"], "2"),
          "Elixir.A.One": {},
          "Elixir.A.Two": {},
        }),
      ],
    ),
    ["error:top_supervisor_children"],
  );
});

test("metadata_only: beams that differ only in their Meta chunk are the same code", () => {
  const meta = list([tuple(atom("enabled_features"), list([]))]);
  assert.deepEqual(codes([app("kernel", "8.5", { k: {} })], [app("kernel", "8.5", { k: { meta } })]), [
    "note:metadata_only",
  ]);
});

test("appup_missing_module: a shipped or hand-written appup that leaves a changed module alone", () => {
  const appup = '{"2",[{"1",[{load_module,m}]}],[{"1",[]}]}.';
  const found = codes(
    [app("a", "1", { m: {}, n: {} })],
    [{ ...app("a", "2", { m: { code: "2" }, n: { code: "2" } }), appup }],
  );
  assert.deepEqual(found, ["note:existing_appup", "error:appup_missing_module"]);
  const restarts = '{"2",[{"1",[{restart_application,a}]}],[{"1",[]}]}.';
  assert.deepEqual(codes([app("a", "1", { m: {} })], [{ ...app("a", "2", { m: { code: "2" } }), appup: restarts }]), [
    "note:existing_appup",
  ]);
});

test("consolidated_protocols: reloaded by a generated appup, or stale", () => {
  const proto = (code: string) => ({ consolidated: { "Elixir.P": { code } } });
  const from = rel("1", [app("r", "1", { m: {} })], proto("1"));
  const carried = planUpgrade([from], rel("2", [app("r", "2", { m: {} })], proto("2")));
  assert.deepEqual(
    carried.findings.map((f) => `${f.level}:${f.code}`),
    ["note:consolidated_protocols"],
  );
  assert.match(carried.appups[0]!.appup.up[0]!.instructions.at(-1)!.op, /apply/);
  const shipped = { ...app("r", "2", { m: {} }), appup: '{"2",[{"1",[]}],[{"1",[]}]}.' };
  const stale = planUpgrade([from], rel("2", [shipped], proto("2")));
  assert.deepEqual(
    stale.findings.map((f) => `${f.level}:${f.code}`),
    ["note:existing_appup", "warning:consolidated_protocols_stale"],
  );
});

test("first_release, cold_deploy, bad_vsn; exit codes follow the levels", () => {
  const to = rel("0.2.0", [app("a", "2", { m: { code: "2" } })]);
  assert.deepEqual(
    upgrade([], to, { dryRun: true }).findings.map((f) => f.code),
    ["first_release"],
  );
  const old = memoryRelease({ name: "r", vsn: "0.1.0", apps: [app("a", "1", { m: {} })] });
  const cold = upgrade([old], to, { dryRun: true, patchOnly: true });
  assert.deepEqual(
    cold.findings.map((f) => f.code),
    ["cold_deploy"],
  );
  const appup = '{"3",[{"1",[{load_module,m}]}],[{"1",[{load_module,m}]}]}.';
  const badVsn = rel("0.2.0", [{ ...app("a", "2", { m: { code: "2" } }), appup }]);
  const r = upgrade([old], badVsn, { dryRun: true, strict: true });
  assert.deepEqual(
    r.findings.map((f) => f.code),
    ["existing_appup", "bad_vsn", "bad_vsn"],
  );
  assert.equal(r.exitCode, 3);
  assert.equal(upgrade([old], badVsn, { dryRun: true }).exitCode, 0);
});

test("every catalogue code is tested in the pure tier, and the README's findings table is the catalogue's", () => {
  const here = new URL(".", import.meta.url);
  const source = ["checks.unit.test.ts", "plan.unit.test.ts", "rules.unit.test.ts"]
    .map((f) => readFileSync(new URL(f, here), "utf8"))
    .join("");
  const untested = (Object.keys(CATALOGUE) as FindingCode[]).filter(
    (c) => c !== "pre_r15_emulator_upgrade" && ![`:${c}"`, `"${c}"`, `:${c}:`].some((said) => source.includes(said)),
  );
  assert.deepEqual(untested, []);
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  assert.ok(readme.includes(findingsTable()), "README.md's findings table: run `npm run findings-table`");
});
