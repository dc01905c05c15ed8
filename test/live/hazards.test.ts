/** Patterns that broke hot upgrades of real libraries, reproduced in our own fixtures, each under client load. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mixShop, rebarShop } from "../helpers/fixtures.js";
import { LiveNode } from "../helpers/live.js";
import { roundTrip } from "../helpers/roundtrip.js";

test("a three-module cycle whose API changes both ways is loaded in an order no client call notices", () => {
  const OLD = "{{order,3},legacy}";
  roundTrip({
    built: mixShop("patch-0.1.1", "hazards"),
    from: ["0.1.0", "0.1.1"],
    setup: [],
    load: "fun() -> 'Elixir.Shop.Orders':place(3) end",
    denseLoad: true,
    restarted: ["Elixir.Shop.Door", "Elixir.Shop.Bell"],
    old: [["'Elixir.Shop.Orders':place(3)", OLD]],
    upgraded: [["'Elixir.Shop.Orders':place(3)", "{{{order,3},eur},current}"]],
    downgraded: [["'Elixir.Shop.Orders':place(3)", OLD]],
    appups: ({ shop }) => {
      const cycle = /load_module,'Elixir\.Shop\.(Orders|Billing|Ledger)'/g;
      const [up, down] = shop!.split("]}],").map((side) => [...side.matchAll(cycle)].map((m) => m[1]).join(" "));
      // systools loads a cycle in the reverse of the listed order going up, as listed going down (per version).
      const listed = "Ledger Orders Billing Ledger Orders Billing";
      assert.equal(up, listed, "up: Billing (gains charge/2) loads first");
      assert.equal(down, listed, "down: Ledger (gets legacy_total/0 back) loads first");
    },
  });
});

test("a call across applications is ordered by DepMods both ways", () => {
  roundTrip({
    built: mixShop("patch-0.1.1", "hazards"),
    from: ["0.1.0", "0.1.1"],
    setup: [],
    load: "fun() -> 'Elixir.Shop.Checkout':reserve(apple) end",
    denseLoad: true,
    restarted: ["Elixir.Shop.Door", "Elixir.Shop.Bell"],
    old: [["'Elixir.Shop.Checkout':reserve(apple)", "{reserved,50}"]],
    upgraded: [["'Elixir.Shop.Checkout':reserve(apple)", "{held,1,50}"]],
    downgraded: [["'Elixir.Shop.Checkout':reserve(apple)", "{reserved,50}"]],
    appups: ({ shop }) => {
      assert.match(shop!, /\{load_module,'Elixir\.Shop\.Checkout',\['Elixir\.Inventory\.Stock'\]\}/);
    },
  });
});

const running = (sup: string) => `lists:sort([Id || {Id, P, _, _} <- supervisor:which_children(${sup}), is_pid(P)])`;

test("an Elixir supervisor that adds and drops a child: each runs in its own version, both ways", () => {
  const SUP = "'Elixir.Shop.Supervisor'";
  roundTrip({
    built: mixShop("patch-0.1.1", "hazards"),
    from: ["0.1.0", "0.1.1"],
    setup: [],
    load: "fun() -> 'Elixir.Shop.Cart':contents() end",
    restarted: ["Elixir.Shop.Door", "Elixir.Shop.Bell"],
    old: [[running(SUP), "['Elixir.Shop.Cart','Elixir.Shop.Door']"]],
    upgraded: [
      [running(SUP), "['Elixir.Shop.Bell','Elixir.Shop.Cart']"],
      ["whereis('Elixir.Shop.Door')", "undefined"],
      ["'Elixir.Shop.Bell':ring()", "1"],
    ],
    downgraded: [
      [running(SUP), "['Elixir.Shop.Cart','Elixir.Shop.Door']"],
      ["whereis('Elixir.Shop.Bell')", "undefined"],
      ["'Elixir.Shop.Door':status()", "{closed,0}"],
    ],
    appups: ({ shop }) => {
      const compact = shop!.replace(/\s+/g, "");
      const restart = /\{apply,\{supervisor,restart_child,\['Elixir\.Shop\.Supervisor','Elixir\.Shop\.Bell'\]\}\}/;
      assert.match(compact, restart);
      assert.match(
        compact,
        /\{apply,\{supervisor,terminate_child,\['Elixir\.Shop\.Supervisor','Elixir\.Shop\.Door'\]\}\}/,
      );
    },
  });
});

test("an Erlang supervisor whose constant init/1 adds and drops a child, both ways", () => {
  roundTrip({
    built: rebarShop("rebar-children"),
    setup: ["rshop_counter:bump()"],
    load: "fun() -> rshop_counter:value() end",
    restarted: ["rshop_clock", "rshop_ticker"],
    old: [[running("rshop_sup"), "[rshop_basket,rshop_clock,rshop_counter,rshop_rates]"]],
    upgraded: [
      [running("rshop_sup"), "[rshop_basket,rshop_counter,rshop_rates,rshop_ticker]"],
      ["rshop_ticker:tick()", "1"],
      ["rshop_counter:value()", "1"],
    ],
    downgraded: [
      [running("rshop_sup"), "[rshop_basket,rshop_clock,rshop_counter,rshop_rates]"],
      ["rshop_clock:now()", "1"],
      ["code:is_loaded(rshop_ticker)", "false"],
    ],
  });
});

test("a record gaining a field and state moved into persistent_term, converted by code_change/3 both ways", () => {
  roundTrip({
    built: rebarShop("rebar-state-ok"),
    setup: ["rshop_basket:add(apple)", "rshop_basket:add(pear)"],
    load: "fun() -> {rshop_basket:items(), rshop_rates:rate()} end",
    old: [["{rshop_basket:items(), rshop_rates:rate()}", "{[apple,pear],5}"]],
    upgraded: [
      ["rshop_basket:count()", "2"],
      ["rshop_basket:add(fig)", "ok"],
      ["{rshop_basket:items(), rshop_basket:count(), rshop_rates:rate()}", "{[apple,pear,fig],3,5}"],
    ],
    downgraded: [["{rshop_basket:items(), rshop_rates:rate()}", "{[apple,pear,fig],5}"]],
  });
});

test("runtime configuration survives both ways, and cold restarts: each version's env is a fresh boot's", () => {
  const built = mixShop("runtime-config", "runtime-config-2");
  const env = { SHOP_GREETING: "hi", SHOP_PORT: "4321", SHOP_TAG: "t1" };
  const ENV = "lists:sort(application:get_all_env(shop))";
  const fresh = (vsn: string) => {
    const node = LiveNode.deploy(built.tarballs[vsn]!, "shop", vsn, { env });
    try {
      node.start();
      return node.eval(ENV)[0]!;
    } finally {
      node.stop();
    }
  };
  const boots = Object.fromEntries(["0.1.0", "0.2.0", "0.3.0"].map((v) => [v, fresh(v)]));
  assert.match(boots["0.2.0"]!, /\{greeting,<<"hi">>\}/, "runtime.exs ran at boot");
  assert.match(boots["0.3.0"]!, /\{tag,<<"t1">>\}/);
  roundTrip({
    built,
    // 0.1.0 has no runtime configuration: the way up runs 0.3.0's, the way down leaves 0.1.0's build-time env.
    from: ["0.1.0", "0.2.0"],
    env,
    coldRestarts: true,
    setup: [],
    load: `fun() -> ${ENV} end`,
    old: (vsn) => [[ENV, boots[vsn]!]],
    upgraded: [[ENV, boots["0.3.0"]!]],
    downgraded: (vsn) => [[ENV, boots[vsn]!]],
  });
});

test("a transform rule updates a process module the default plan leaves alone: its callback state converts", () => {
  roundTrip({
    built: mixShop("transform-base", "transform"),
    from: ["0.2.0"],
    args: ["--rule", "Elixir.Shop.Widget=Elixir.Shop.Host"],
    setup: ["'Elixir.Shop.Host':bump()", "'Elixir.Shop.Host':bump()"],
    load: "fun() -> 'Elixir.Shop.Host':render() end",
    old: [["'Elixir.Shop.Host':render()", '<<"count 2">>']],
    upgraded: [
      ["'Elixir.Shop.Host':render()", '<<"count 2 (v3)">>'],
      ["'Elixir.Shop.Host':bump()", "ok"],
    ],
    downgraded: [["'Elixir.Shop.Host':render()", '<<"count 3">>']],
    appups: ({ shop }) => {
      assert.match(shop!, /\{update,'Elixir\.Shop\.Host',\{advanced,\[\]\},\['Elixir\.Shop\.Widget'\]\}/);
    },
  });
});
