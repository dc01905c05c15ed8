/** Patterns that broke hot upgrades of real libraries, reproduced in our own fixtures, each under client load. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mixShop } from "../helpers/fixtures.js";
import { roundTrip } from "../helpers/roundtrip.js";

test("a three-module cycle whose API changes both ways is loaded in an order no client call notices", () => {
  const OLD = "{{order,3},legacy}";
  roundTrip({
    built: mixShop("cycle-api"),
    setup: [],
    load: "fun() -> 'Elixir.Shop.Orders':place(3) end",
    old: [["'Elixir.Shop.Orders':place(3)", OLD]],
    upgraded: [["'Elixir.Shop.Orders':place(3)", "{{{order,3},eur},current}"]],
    downgraded: [["'Elixir.Shop.Orders':place(3)", OLD]],
    appups: ({ shop }) => {
      const [up, down] = shop!.split("]}],").map((side) => [...side.matchAll(/load_module,'Elixir\.Shop\.(\w+)'/g)]);
      const names = (ms: RegExpMatchArray[]) => ms.map((m) => m[1]).join(" ");
      // systools loads a cycle in the reverse of the listed order going up, as listed going down.
      assert.equal(names(up!), "Ledger Orders Billing", "up: Billing (gains charge/2) loads first");
      assert.equal(names(down!), "Ledger Orders Billing", "down: Ledger (gets legacy_total/0 back) loads first");
    },
  });
});

test("a call across applications is ordered by DepMods both ways", () => {
  roundTrip({
    built: mixShop("cross-app"),
    setup: [],
    load: "fun() -> 'Elixir.Shop.Checkout':reserve(apple) end",
    old: [["'Elixir.Shop.Checkout':reserve(apple)", "{reserved,50}"]],
    upgraded: [["'Elixir.Shop.Checkout':reserve(apple)", "{held,1,50}"]],
    downgraded: [["'Elixir.Shop.Checkout':reserve(apple)", "{reserved,50}"]],
    appups: ({ shop }) => {
      assert.match(shop!, /\{load_module,'Elixir\.Shop\.Checkout',\['Elixir\.Inventory\.Stock'\]\}/);
    },
  });
});
