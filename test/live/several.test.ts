import assert from "node:assert/strict";
import { test } from "node:test";
import { mixShop, rebarShop } from "../helpers/fixtures.js";
import { roundTrip } from "../helpers/roundtrip.js";

const PEARS = "'Elixir.Shop.Price':total([{pear,3}])";

test("two old versions upgrade to one new version (one appup entry and one relup entry each)", () => {
  const built = mixShop("patch-0.1.1", "chain");
  assert.deepEqual(built.versions, ["0.1.0", "0.1.1", "0.2.0"]);
  roundTrip({
    built,
    from: ["0.1.0", "0.1.1"],
    setup: [],
    old: (vsn) => [[PEARS, vsn === "0.1.0" ? "248" : "247"]],
    upgraded: [[PEARS, "270"]],
    downgraded: (vsn) => [["'Elixir.Shop.Round':cents(2.5)", vsn === "0.1.0" ? "3" : "2"]],
    appups: ({ shop }) => {
      assert.match(shop!, /\{"0\.2\.0",\s*\[\{"0\.1\.0",/);
      assert.match(shop!, /\{"0\.1\.1",\s*\[\{load_module,'Elixir\.Shop\.Round'\}/);
    },
  });
});

test("an Erlang release built by rebar3/relx", () => {
  roundTrip({
    built: rebarShop("rebar"),
    setup: ["rshop_counter:bump()", "rshop_counter:bump()"],
    old: [["rshop_counter:value()", "2"]],
    upgraded: [
      ["rshop_counter:value()", "2"],
      ["rshop_counter:bumps()", "0"],
      ["rshop_counter:bump()", "12"],
      ["rshop_counter:bumps()", "1"],
    ],
    downgraded: [
      ["rshop_counter:value()", "12"],
      ["rshop_counter:bump()", "13"],
    ],
    appups: ({ rshop }) => {
      const up = rshop!.slice(0, rshop!.indexOf("]}],"));
      assert.ok(
        up.indexOf("rshop_math") < up.indexOf("{update,rshop_counter"),
        "the counter's dependency is loaded first",
      );
      assert.match(up, /\{update,rshop_counter,\{advanced,\[\]\},\[rshop_math\]\}/);
    },
  });
});
