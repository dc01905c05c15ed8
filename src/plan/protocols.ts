/**
 * Elixir's consolidated protocols live in releases/VSN/consolidated, a code path of their own that
 * no relup moves and no .app lists, so load_module cannot reach them: after a hot upgrade a new
 * `defimpl` would raise Protocol.UndefinedError. The appup of the release's application therefore
 * ends with one `{apply, {erl_eval, exprs, [Exprs, []]}}` that, on the node, swaps the code path
 * to the target version's consolidated directory and loads the changed protocols from it. The
 * expressions are the abstract format of:
 *
 *   Root = code:root_dir(),
 *   Dir = filename:join([Root, "releases", To, "consolidated"]),
 *   code:del_path(filename:join([Root, "releases", From, "consolidated"])),
 *   code:add_patha(Dir),
 *   [begin code:purge(M), code:load_abs(filename:join(Dir, atom_to_list(M))) end || M <- Protocols]
 *
 * Nothing in it can fail the upgrade: a protocol that does not load keeps its old code.
 */
import { atom, int, list, str, tuple, type Term } from "../term/term.js";
import type { Release } from "../read/release.js";
import { entryFor } from "./appup.js";
import { finding, type Finding } from "./findings.js";
import type { Instruction } from "./instructions.js";
import type { AppupPlan } from "./plan.js";

const L = int(1);
const a = (name: string) => tuple(atom("atom"), L, atom(name));
const s = (text: string) => tuple(atom("string"), L, str(text));
const v = (name: string) => tuple(atom("var"), L, atom(name));
const call = (m: string, f: string, args: Term[]) =>
  tuple(atom("call"), L, tuple(atom("remote"), L, a(m), a(f)), list(args));
const cons = (items: Term[]) =>
  items.reduceRight<Term>((tail, e) => tuple(atom("cons"), L, e, tail), tuple(atom("nil"), L));
const match = (name: string, e: Term) => tuple(atom("match"), L, v(name), e);
const consolidated = (vsn: string) =>
  call("filename", "join", [cons([v("Root"), s("releases"), s(vsn), s("consolidated")])]);

/** The instruction that moves a node's consolidated protocols from version `from` to `to`. */
export function reloadProtocols(from: string, to: string, protocols: string[]): Instruction {
  const load = tuple(
    atom("block"),
    L,
    list([
      call("code", "purge", [v("M")]),
      call("code", "load_abs", [call("filename", "join", [v("Dir"), call("erlang", "atom_to_list", [v("M")])])]),
    ]),
  );
  const exprs = list([
    match("Root", call("code", "root_dir", [])),
    match("Dir", consolidated(to)),
    call("code", "del_path", [consolidated(from)]),
    call("code", "add_patha", [v("Dir")]),
    tuple(atom("lc"), L, load, list([tuple(atom("generate"), L, v("M"), cons(protocols.map(a)))])),
  ]);
  return { op: "apply", mfa: { module: "erl_eval", fun: "exprs", args: list([exprs, list([])]) } };
}

/** Consolidated protocols to reload on the way up (new or changed in `to`) and down (new or changed in `from`). */
export function protocolChanges(from: Release, to: Release): { up: string[]; down: string[] } {
  const md5s = (r: Release) => new Map(r.consolidated.map((b) => [b.module, b.md5()]));
  const before = md5s(from),
    after = md5s(to);
  const differ = (a: Map<string, string>, b: Map<string, string>) =>
    [...a].filter(([m, h]) => b.get(m) !== h).map(([m]) => m);
  return { up: differ(after, before), down: differ(before, after) };
}

/** Whether the appup of `carrier` reloads the protocols (it is generated), or nothing does. */
export function protocolFinding(from: Release, to: Release, carrier: AppupPlan | undefined, up: string[]): Finding {
  const names = up.join(", ") || "removed ones";
  const oldVsn = carrier && from.apps.find((a) => a.name === carrier.app)?.vsn;
  const entry = carrier && oldVsn !== undefined ? entryFor(carrier.appup.up, oldVsn) : undefined;
  if (carrier && !carrier.shipped && entry && !entry.handWritten) {
    return finding(
      "consolidated_protocols",
      `consolidated protocols changed (${names}): the appup of ${carrier.app} moves the code path to ` +
        `releases/${to.vsn}/consolidated and reloads them, last`,
      { app: carrier.app },
    );
  }
  const why = carrier ? ` (the appup of ${carrier.app} is not generated, so it cannot)` : "";
  return finding(
    "consolidated_protocols_stale",
    `consolidated protocols changed (${names}) from ${from.vsn}: they live in releases/${to.vsn}/consolidated, ` +
      `which no relup reloads${why}; new protocol implementations stay unused until a restart`,
  );
}
