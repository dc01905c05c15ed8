/**
 * Runtime configuration across a hot upgrade. install_release resets every application's env to
 * the target release's build-time releases/VSN/sys.config before it runs the relup, so whatever
 * Elixir's config providers (runtime.exs) computed at boot is gone. The target's appup therefore
 * ends with the applies that run the providers again, as a boot of the target version would:
 *
 *   os:unsetenv("ELIXIR_CONFIG_PROVIDER_BOOTED")      newer Elixir refuses a second run otherwise
 *   application:unset_env(elixir, config_provider_booted)
 *   application:set_env(elixir, config_provider_init, State)
 *   'Elixir.Config.Provider':boot()
 *
 * State is the target release's own provider state (from its sys.config) with config_path set to
 * the target's sys.config (resolved through RELEASE_ROOT, which mix's scripts set) and rebooting
 * turned off: boot/0 then reads that file, runs the providers (the target's runtime.exs) and puts
 * the result into the env, persistently. The same applies, naming the old version, end the way
 * down. If a provider raises, the relup fails and release_handler restarts the node.
 */
import type { Release } from "../read/release.js";
import { atom, bin, list, mapPairs, str, tuple, type Term } from "../term/term.js";
import type { Instruction } from "./instructions.js";

/** The applies that compute `target`'s runtime configuration again, or undefined when it has no providers. */
export function runtimeConfigApplies(target: Release): Instruction[] | undefined {
  const state = target.providerState;
  if (state?.t !== "map") return undefined;
  const configPath = tuple(atom("system"), bin("RELEASE_ROOT"), bin(`/releases/${target.vsn}/sys.config`));
  const init = withKeys(state, [
    ["config_path", configPath],
    ["reboot_system_after_config", atom("false")],
  ]);
  const apply = (module: string, fun: string, args: Term[]): Instruction => ({
    op: "apply",
    mfa: { module, fun, args: list(args) },
  });
  return [
    apply("os", "unsetenv", [str("ELIXIR_CONFIG_PROVIDER_BOOTED")]),
    apply("application", "unset_env", [atom("elixir"), atom("config_provider_booted")]),
    apply("application", "set_env", [atom("elixir"), atom("config_provider_init"), init]),
    apply("Elixir.Config.Provider", "boot", []),
  ];
}

function withKeys(map: Term & { t: "map" }, values: [string, Term][]): Term {
  const given = new Map(values);
  const kept = map.v.filter(([k]) => !(k.t === "atom" && given.has(k.v)));
  return { t: "map", v: mapPairs([...kept, ...values.map(([k, v]): [Term, Term] => [atom(k), v])]) };
}

/** The environment variables a runtime.exs reads (System.get_env/fetch_env/fetch_env! with a literal name). */
export function envVarsRead(runtimeExs: string): string[] {
  const names = [...runtimeExs.matchAll(/System\.(?:get_env|fetch_env!?)\(\s*"([^"]+)"/g)].map((m) => m[1]!);
  return [...new Set(names)].sort();
}
