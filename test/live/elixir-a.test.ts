import assert from "node:assert/strict";
import { test } from "node:test";
import { mixShop } from "../helpers/fixtures.js";
import { roundTrip } from "../helpers/roundtrip.js";

const CART = "'Elixir.Shop.Cart'";

test("a GenServer whose state changes shape, with code_change/3, up and down on a live node", () => {
  roundTrip({
    built: mixShop("genserver-state"),
    setup: [`${CART}:add(apple, 2)`],
    old: [[`${CART}:contents()`, "[{apple,2}]"]],
    upgraded: [
      [`${CART}:contents()`, "[{apple,2}]"],
      [`${CART}:add(apple, 1)`, "ok"],
      [`${CART}:contents()`, "[{apple,3}]"],
    ],
    downgraded: [
      [`${CART}:contents()`, "[{apple,3}]"],
      [`${CART}:add(pear, 1)`, "ok"],
      [`${CART}:contents()`, "[{apple,3},{pear,1}]"],
    ],
    appups: ({ shop }) => {
      assert.match(shop!, /\{"0\.1\.0",\s*\[\{update,'Elixir\.Shop\.Cart',\{advanced,\[\]\}\}\]\}/);
    },
  });
});

test("added and deleted modules", () => {
  roundTrip({
    built: mixShop("add-delete"),
    setup: [],
    old: [
      ["'Elixir.Shop.Legacy':greeting()", '<<"welcome (legacy)">>'],
      ["code:is_loaded('Elixir.Shop.Coupon')", "false"],
    ],
    upgraded: [
      ["'Elixir.Shop.Price':greeting()", '<<"welcome, here is 10% off">>'],
      ["code:is_loaded('Elixir.Shop.Legacy')", "false"],
    ],
    downgraded: [
      ["'Elixir.Shop.Legacy':greeting()", '<<"welcome (legacy)">>'],
      ["code:is_loaded('Elixir.Shop.Coupon')", "false"],
    ],
    appups: ({ shop }) => {
      const up = shop!.slice(0, shop!.indexOf("]}],"));
      assert.ok(
        up.indexOf("{add_module,'Elixir.Shop.Coupon'}") < up.indexOf("'Elixir.Shop.Price'"),
        "the added module is loaded before its caller",
      );
      assert.match(shop!, /\{delete_module,'Elixir\.Shop\.Legacy'\}/);
      assert.match(shop!, /\{add_module,'Elixir\.Shop\.Legacy'\}/, "the way down adds the deleted module back");
    },
  });
});

test("a dependency chain is loaded dependencies first", () => {
  roundTrip({
    built: mixShop("chain"),
    setup: [],
    old: [["'Elixir.Shop.Price':total([{apple,3}])", "165"]],
    upgraded: [
      ["'Elixir.Shop.Price':total([{apple,3}])", "180"],
      ["'Elixir.Shop.Price':version()", "2"],
    ],
    downgraded: [["'Elixir.Shop.Price':total([{apple,3}])", "165"]],
    appups: ({ shop }) => {
      const order = [...shop!.slice(0, shop!.indexOf("]}],")).matchAll(/'Elixir\.Shop\.(\w+)'/g)].map((m) => m[1]);
      assert.deepEqual([...new Set(order)], ["Round", "Tax", "Price"]);
    },
  });
});
