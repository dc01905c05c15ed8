/**
 * Purge: processes that wait in a changed module's code (acceptors blocked in accept, a client
 * inside a pool's checkout) must not be killed when the old code is purged.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { tempDir } from "../helpers/erlang.js";
import { copyRoot, rebarShop } from "../helpers/fixtures.js";
import { LiveNode } from "../helpers/live.js";
import { roundTrip } from "../helpers/roundtrip.js";
import { genAppup, upgradeTarball } from "../helpers/upgrade.js";

const BUSY = "rshop_acceptor:ask(rshop_listener:port(busy))";

test("a busy listener's acceptors and a client inside a pool's checkout live through the round trip", () => {
  roundTrip({
    built: rebarShop("rebar-purge"),
    setup: [
      "rshop_listener:start(busy, 0)",
      // A client holding a pool worker across the upgrade: it runs its fun inside rshop_pool's old code.
      "begin P = spawn(fun() -> R = rshop_pool:checkout(fun(W) -> receive go -> {done, W} end end), " +
        "persistent_term:put(pool_result, R), receive stop -> ok end end), register(pool_client, P) end",
    ],
    load: `fun() -> R = ${BUSY}, timer:sleep(20), R end`,
    old: [[BUSY, '<<"v1 ping">>']],
    upgraded: [
      ["begin pool_client ! go, timer:sleep(200), persistent_term:get(pool_result) end", "{done,{worker,1}}"],
      ["is_process_alive(whereis(pool_client))", "true"],
      [BUSY, '<<"v2 ping">>'],
    ],
    downgraded: [[BUSY, '<<"v1 ping">>']],
    appups: ({ rshop }) => {
      assert.match(rshop!, /\{load_module,rshop_acceptor,soft_purge,soft_purge,\[\]\}/);
      assert.match(rshop!, /\{load_module,rshop_pool,soft_purge,soft_purge,\[\]\}/);
    },
  });
});

test("idle acceptors (fixed port, port 0) are not killed; the downgrade waits for them, as said", async () => {
  const built = rebarShop("rebar-purge");
  const root = copyRoot(built, tempDir("purge"));
  const r = genAppup([root, "--json"]);
  const findings = (JSON.parse(r.stdout) as { findings: { code: string; module?: string }[] }).findings;
  assert.deepEqual(
    findings.filter((f) => f.code === "lingering_processes").map((f) => f.module),
    ["rshop_acceptor", "rshop_pool"],
  );
  const fixed = await freePort();
  const node = LiveNode.deploy(built.tarballs["0.1.0"]!, "rshop", "0.1.0");
  try {
    node.start();
    node.eval(`rshop_listener:start(fixed, ${fixed})`, "rshop_listener:start(zero, 0)");
    const listeners = "{whereis(fixed), rshop_listener:port(fixed), whereis(zero), rshop_listener:port(zero)}";
    const [before] = node.eval(listeners);
    const [unpacked, installed, permanent] = node.upgrade(upgradeTarball(root, "0.2.0"), "0.2.0");
    assert.deepEqual([unpacked, permanent], ['{ok,"0.2.0"}', "ok"]);
    assert.match(installed!, /^\{ok,"0\.1\.0",\[\]\}$/);
    assert.equal(node.eval(listeners)[0], before, "same listeners on the same ports: no acceptor was killed");
    // They still wait in the old code: soft_purge refuses to purge it under them.
    assert.equal(node.downgrade("0.1.0")[0], "{error,{old_processes,rshop_acceptor}}");
    assert.equal(node.eval(listeners)[0], before);
    // Woken by a connection each, they loop into the new code; then the downgrade goes through.
    const wake = (name: string) => `[rshop_acceptor:ask(rshop_listener:port(${name})) || _ <- [1, 2]]`;
    assert.deepEqual(node.eval(wake("fixed"), wake("zero")), [
      '[<<"v1 ping">>,<<"v1 ping">>]',
      '[<<"v1 ping">>,<<"v1 ping">>]',
    ]);
    assert.match(node.downgrade("0.1.0")[0]!, /^\{ok,"0\.1\.0",\[\]\}$/);
    assert.equal(node.eval(listeners)[0], before);
  } finally {
    node.stop();
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}
