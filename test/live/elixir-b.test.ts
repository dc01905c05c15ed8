import assert from "node:assert/strict";
import { test } from "node:test";
import { mixShop } from "../helpers/fixtures.js";
import { roundTrip } from "../helpers/roundtrip.js";

test("a dependency cycle is upgraded as one group", () => {
  roundTrip({
    built: mixShop("cycle"),
    setup: [],
    old: [["'Elixir.Shop.Ping':ping(3)", "pong"]],
    upgraded: [["'Elixir.Shop.Ping':ping(3)", "{pong,2}"]],
    downgraded: [["'Elixir.Shop.Ping':ping(4)", "ping"]],
    appups: ({ shop }) => {
      assert.match(shop!, /\{load_module,'Elixir\.Shop\.Ping',\['Elixir\.Shop\.Pong'\]\}/);
      assert.match(shop!, /\{load_module,'Elixir\.Shop\.Pong',\['Elixir\.Shop\.Ping'\]\}/);
    },
  });
});

const SUP_FLAGS = "begin S = sys:get_state('Elixir.Shop.Supervisor'), {element(6, S), element(7, S)} end";
const CHILDREN = "[P || {_, P, _, _} <- lists:sort(supervisor:which_children('Elixir.Shop.Supervisor'))]";
const SAME_CHILDREN: [string, string] = [`persistent_term:get(gen_appup_children) =:= ${CHILDREN}`, "true"];

test("a changed supervisor takes its new flags and keeps its children running", () => {
  roundTrip({
    built: mixShop("supervisor"),
    setup: [`persistent_term:put(gen_appup_children, ${CHILDREN})`],
    old: [[SUP_FLAGS, "{3,5}"], SAME_CHILDREN],
    upgraded: [[SUP_FLAGS, "{10,5}"], SAME_CHILDREN],
    downgraded: [[SUP_FLAGS, "{3,5}"], SAME_CHILDREN],
    appups: ({ shop }) => {
      assert.match(shop!, /\{update,'Elixir\.Shop\.Supervisor',supervisor\}/);
      assert.doesNotMatch(shop!, /supervisor,\[/, "never {update, M, supervisor, DepMods}");
    },
  });
});

test("a path dependency whose version changes, under an application with no module change", () => {
  roundTrip({
    built: mixShop("path-dep"),
    setup: ["'Elixir.Shop.Cart':add(pear, 2)"],
    old: [["'Elixir.Inventory.Stock':price(apple)", "50"]],
    upgraded: [
      ["'Elixir.Inventory.Stock':price(apple)", "60"],
      ["'Elixir.Shop.Cart':total()", "176"],
    ],
    downgraded: [["'Elixir.Shop.Cart':total()", "165"]],
    appups: ({ shop, inventory }) => {
      assert.match(
        shop!,
        /\{"0\.1\.1",\s*\[\{"0\.1\.0",\[\]\}\],\s*\[\{"0\.1\.0",\[\]\}\]\}/,
        "an empty appup for the unchanged application",
      );
      assert.match(inventory!, /\{load_module,'Elixir\.Inventory\.Stock'\}/);
    },
  });
});

test("a gen_statem keeps its state and converts its data with code_change/4", () => {
  const DOOR = "'Elixir.Shop.Door'";
  roundTrip({
    built: mixShop("gen-statem"),
    setup: [`${DOOR}:open()`, `${DOOR}:visit()`],
    old: [[`${DOOR}:status()`, "{open,1}"]],
    upgraded: [
      [`${DOOR}:status()`, "{open,1,v2}"],
      [`${DOOR}:visit()`, "ok"],
      [`${DOOR}:status()`, "{open,2,v2}"],
    ],
    downgraded: [[`${DOOR}:status()`, "{open,2}"]],
    appups: ({ shop }) => assert.match(shop!, /\{update,'Elixir\.Shop\.Door',\{advanced,\[\]\}\}/),
  });
});

test("consolidated protocols are reloaded: a new defimpl works after the upgrade, is gone after the downgrade", () => {
  const RENDER = "try 'Elixir.Shop.Format':render(abc) catch error:E -> maps:get('__struct__', E) end";
  roundTrip({
    built: mixShop("findings"),
    setup: [],
    restarted: ["Elixir.Shop.Clock"], // the supervisor's new child, started by the appup
    old: [
      [RENDER, "'Elixir.Protocol.UndefinedError'"],
      ["'Elixir.Shop.Native':speed()", "1"],
    ],
    upgraded: [
      [RENDER, '<<"abc">>'],
      ["'Elixir.Shop.Format':render(1234)", '<<"$12.34">>'],
      ["'Elixir.Shop.Native':speed()", "2"],
      ['lists:any(fun(P) -> lists:suffix("releases/0.2.0/consolidated", P) end, code:get_path())', "true"],
    ],
    downgraded: [
      [RENDER, "'Elixir.Protocol.UndefinedError'"],
      ["'Elixir.Shop.Native':speed()", "1"],
    ],
    appups: ({ shop }) => assert.match(shop!, /\{apply,\s*\{erl_eval,exprs,/),
  });
});
