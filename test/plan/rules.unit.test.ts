/** Transform rules and the built-in Phoenix rules, instruction by instruction, on releases made in memory. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { instructionText } from "../../src/plan/instructions.js";
import { planUpgrade, type PlanOptions } from "../../src/plan/plan.js";
import { memoryRelease } from "../helpers/memory.js";
import { phoenixRelease } from "../helpers/phoenix.js";

function webAppup(lv: string, opts: PlanOptions = {}) {
  const p = planUpgrade(
    [memoryRelease(phoenixRelease("0.1.0", lv, "1"))],
    memoryRelease(phoenixRelease("0.2.0", lv, "2")),
    opts,
  );
  const appup = p.appups.find((a) => a.app === "web")!.appup;
  const texts = (side: "up" | "down") => appup[side][0]!.instructions.map(instructionText);
  return { up: texts("up"), down: texts("down"), findings: p.findings.map((f) => `${f.level}:${f.code}:${f.module}`) };
}

test("phoenix_live_view 1.0.6: the LiveView's channel and the channel's server are updated with them", () => {
  const { up, down, findings } = webAppup("1.0.6");
  // Each process module and its callback modules name each other: one suspend covers their loads.
  assert.deepEqual(up, [
    "{update,'Elixir.Phoenix.Channel.Server',{advanced,[]},['Elixir.Web.RoomChannel']}",
    "{load_module,'Elixir.Web.RoomChannel',['Elixir.Phoenix.Channel.Server']}",
    "{update,'Elixir.Phoenix.LiveView.Channel',{advanced,[]},['Elixir.Web.CounterLive']}",
    "{load_module,'Elixir.Web.CounterLive',['Elixir.Phoenix.LiveView.Channel']}",
    "{load_module,'Elixir.Web.Util'}",
  ]);
  assert.deepEqual(down, [
    "{load_module,'Elixir.Web.Util'}",
    "{update,'Elixir.Phoenix.LiveView.Channel',{advanced,[]},['Elixir.Web.CounterLive']}",
    "{load_module,'Elixir.Web.CounterLive',['Elixir.Phoenix.LiveView.Channel']}",
    "{update,'Elixir.Phoenix.Channel.Server',{advanced,[]},['Elixir.Web.RoomChannel']}",
    "{load_module,'Elixir.Web.RoomChannel',['Elixir.Phoenix.Channel.Server']}",
  ]);
  assert.deepEqual(findings, [
    "note:processes_updated:Elixir.Phoenix.LiveView.Channel",
    "note:processes_updated:Elixir.Phoenix.Channel.Server",
  ]);
});

test("phoenix_live_view before 1.0.6: the LiveView is only loaded, and a warning says why", () => {
  const { up, findings } = webAppup("0.20.17");
  assert.deepEqual(up, [
    "{update,'Elixir.Phoenix.Channel.Server',{advanced,[]},['Elixir.Web.RoomChannel']}",
    "{load_module,'Elixir.Web.RoomChannel',['Elixir.Phoenix.Channel.Server']}",
    "{load_module,'Elixir.Web.CounterLive'}",
    "{load_module,'Elixir.Web.Util'}",
  ]);
  assert.deepEqual(findings, [
    "note:processes_updated:Elixir.Phoenix.Channel.Server",
    "warning:liveview_not_updated:Elixir.Web.CounterLive",
  ]);
});

test("--no-phoenix leaves them alone; a user rule by name pattern; versions in Extra", () => {
  const off = webAppup("1.0.6", { phoenix: false });
  assert.deepEqual(off.up, [
    "{load_module,'Elixir.Web.CounterLive'}",
    "{load_module,'Elixir.Web.RoomChannel'}",
    "{load_module,'Elixir.Web.Util'}",
  ]);
  assert.deepEqual(off.findings, [
    "warning:unsuspended_processes:Elixir.Web.CounterLive",
    "warning:unsuspended_processes:Elixir.Web.RoomChannel",
  ]);
  const ruled = webAppup("1.0.6", {
    phoenix: false,
    rules: [{ when: "Elixir.Web.*Live", update: "Elixir.Phoenix.LiveView.Channel" }],
    extraVersions: true,
  });
  assert.equal(
    ruled.up[0],
    `{update,'Elixir.Phoenix.LiveView.Channel',{advanced,[{from,"0.1.0"},{to,"0.2.0"}]},['Elixir.Web.CounterLive']}`,
  );
  assert.equal(
    ruled.down[2],
    `{update,'Elixir.Phoenix.LiveView.Channel',{advanced,[{from,"0.2.0"},{to,"0.1.0"}]},['Elixir.Web.CounterLive']}`,
  );
});

test("--endpoint-manifest: a changed static manifest makes the endpoint read it again, last, both ways", () => {
  const model = (vsn: string, manifest: string) => {
    const r = phoenixRelease(vsn, "1.0.6", vsn);
    const web = r.apps.find((a) => a.name === "web")!;
    web.modules["Elixir.Web.Endpoint"] = { behaviours: ["Elixir.Phoenix.Endpoint"] };
    web.files = { "priv/static/cache_manifest.json": manifest };
    return memoryRelease(r);
  };
  const poke = "{apply,{'Elixir.Web.Endpoint',config_change,[[],[]]}}";
  const entries = (m1: string, m2: string) => {
    const appup = planUpgrade([model("0.1.0", m1)], model("0.2.0", m2), { endpointManifest: true }).appups.find(
      (a) => a.app === "web",
    )!.appup;
    return [appup.up[0]!.instructions.at(-1)!, appup.down[0]!.instructions.at(-1)!].map(instructionText);
  };
  assert.deepEqual(entries('{"a":1}', '{"a":2}'), [poke, poke]);
  assert.notEqual(entries('{"a":1}', '{"a":1}')[0], poke, "an unchanged manifest needs nothing");
});
