/**
 * `npm run demo`: a hot upgrade of the bundled example, start to finish.
 *
 * Builds examples/bank at 0.1.0 and 0.2.0 with `mix release`, runs gen-appup, rehearses the
 * upgrade on a scratch node with `gen-appup verify`, starts 0.1.0,
 * deposits money, upgrades the running node to 0.2.0 with release_handler (the balance, an
 * integer in 0.1.0, becomes a map in 0.2.0), and downgrades it back. Every step is a command a
 * user would run; the node is always stopped at the end.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const work = join(root, ".cache/demo");
const project = join(work, "bank");
const release = join(project, "_build/prod/rel/bank");
const deploy = join(work, "deploy");
const env = {
  ...process.env,
  MIX_ENV: "prod",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  RELEASE_NODE: `bank_demo_${process.pid}@127.0.0.1`,
  RELEASE_DISTRIBUTION: "name",
  RELEASE_COOKIE: "gen_appup_demo",
};

const say = (text: string) => console.log(`\n\x1b[1m== ${text}\x1b[0m`);
const show = (cmd: string, args: string[]) =>
  console.log(
    `$ ${[cmd, ...args].map((a) => (/[\s'"$()]/.test(a) ? `'${a.replaceAll("'", "'\\''")}'` : a)).join(" ")}`,
  );
function run(cmd: string, args: string[], cwd: string, quiet = false): string {
  if (!quiet) show(cmd, args);
  const out = execFileSync(cmd, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (!quiet) process.stdout.write(out);
  return out;
}
const rpc = (code: string) => run(join(deploy, "bin/bank"), ["rpc", code], deploy);

function main(): void {
  say("1. Build version 0.1.0 of the example (a bank account GenServer) with mix release");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(join(root, "examples/bank-0.1.0"), project, { recursive: true });
  run("mix", ["release", "--overwrite", "--quiet"], project);

  say("2. Deploy it: extract the tarball into a fresh directory and start the node");
  mkdirSync(deploy);
  run("tar", ["xzf", join(project, "_build/prod/bank-0.1.0.tar.gz"), "-C", deploy], work);
  console.log("(release_handler keeps its state in releases/RELEASES, which mix does not write: create it once.)");
  run(
    "erl",
    [
      "-noshell",
      "-eval",
      `ok = release_handler:create_RELEASES("${deploy}", "${deploy}/releases", ` +
        `"${deploy}/releases/0.1.0/bank.rel", []), halt().`,
    ],
    deploy,
  );
  run(join(deploy, "bin/bank"), ["daemon"], deploy);
  waitForNode();

  try {
    say("3. Put state into the running node: deposit 500 cents");
    rpc('Bank.Account.deposit(500); IO.inspect(Bank.Account.statement(), label: "statement")');

    say("4. Build version 0.2.0: the balance becomes a map with a history, a new Bank.Fees module, a new money format");
    rmSync(join(project, "lib"), { recursive: true });
    cpSync(join(root, "examples/bank-0.2.0/lib"), join(project, "lib"), { recursive: true });
    copyFileSync(join(root, "examples/bank-0.2.0/mix.exs"), join(project, "mix.exs"));
    run("mix", ["release", "--overwrite", "--quiet"], project);

    say(
      "5. gen-appup: the release root now holds 0.1.0 and 0.2.0; write the appup and the relup, also into the tarball",
    );
    run(process.execPath, [join(root, "bin/gen-appup.cjs"), release, "--tar"], work);

    say("5b. Rehearse it before it ships: gen-appup verify boots 0.1.0 on a scratch node and upgrades it under load");
    run(
      process.execPath,
      [
        join(root, "bin/gen-appup.cjs"),
        "verify",
        join(project, "_build/prod/bank-0.1.0.tar.gz"),
        release,
        "--eval",
        "is_binary('Elixir.Bank.Account':statement())",
        "--load",
        "fun() -> 'Elixir.Bank.Account':statement() end",
      ],
      work,
    );

    say("6. Ship the 0.2.0 tarball (it now holds the appup, the relup and releases/bank-0.2.0.rel) to the node");
    run("cp", [join(project, "_build/prod/bank-0.2.0.tar.gz"), join(deploy, "releases/")], work);

    say("7. Hot-upgrade the running node: unpack, install, make permanent");
    rpc(
      [
        'IO.inspect(:release_handler.unpack_release(~c"bank-0.2.0"), label: "unpack_release")',
        'IO.inspect(:release_handler.install_release(~c"0.2.0"), label: "install_release")',
        'IO.inspect(:release_handler.make_permanent(~c"0.2.0"), label: "make_permanent")',
      ].join("; "),
    );

    say(
      "8. Same process, same money, new code: the 500 cents survived and print in the new format; " +
        "deposits now pay a fee",
    );
    rpc(
      'IO.inspect(Bank.Account.statement(), label: "statement"); Bank.Account.deposit(20_000); ' +
        'IO.inspect({Bank.Account.balance(), Bank.Account.history()}, label: "{balance, history}")',
    );

    say("9. And back: downgrade the node to 0.1.0 with install_release; the balance is an integer again");
    rpc(
      'IO.inspect(:release_handler.install_release(~c"0.1.0"), label: "install_release"); ' +
        'IO.inspect(Bank.Account.statement(), label: "statement")',
    );
    say("Done: the node was upgraded and downgraded while running, and its state survived both ways.");
  } finally {
    run(join(deploy, "bin/bank"), ["stop"], deploy, true);
  }
}

function waitForNode(): void {
  for (let i = 0; i < 120; i++) {
    try {
      execFileSync(join(deploy, "bin/bank"), ["rpc", "IO.puts(:ok)"], { env, stdio: "ignore" });
      return;
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  throw new Error("the node did not start");
}

main();
