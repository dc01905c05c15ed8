/**
 * The instruction vocabulary of appups and relups (OTP's appup(4) and relup(4)), as typed data.
 *
 * High-level (appup) instructions, in their fully expanded forms:
 *   {load_module, Mod, PrePurge, PostPurge, DepMods}
 *   {update, Mod, ModType, Timeout, Change, PrePurge, PostPurge, DepMods}
 *       shorthands: {update,M}, {update,M,supervisor}, {update,M,Change}, {update,M,Deps},
 *       {update,M,Change,Deps}, {update,M,Change,Pre,Post,Deps}, {update,M,Timeout,Change,Pre,Post,Deps}
 *   {add_module, Mod, DepMods}        {delete_module, Mod, DepMods}
 *   {add_application, App, Type}      {remove_application, App}      {restart_application, App}
 *   {apply, {M, F, A}}   point_of_no_return   restart_new_emulator   restart_emulator
 *   plus every low-level instruction, which an appup may also hold.
 * Low-level (relup) instructions:
 *   {load_object_code, {App, Vsn, [Mod]}}   point_of_no_return   {load, {Mod, PrePurge, PostPurge}}
 *   {remove, {Mod, PrePurge, PostPurge}}    {purge, [Mod]}       {suspend, [Mod | {Mod, Timeout}]}
 *   {resume, [Mod]}   {code_change, [{Mod, Extra}]}   {code_change, Mode, [{Mod, Extra}]}
 *   {stop, [Mod]}   {start, [Mod]}   {sync_nodes, Id, [Node] | {M, F, A}}   {apply, {M, F, A}}
 *   restart_new_emulator   restart_emulator
 *
 * `fromTerm` accepts every form systools accepts (its check_syntax) and expands shorthands the
 * way systools_rc does; `toTerm` writes the shortest form that expands back to the same value.
 */
import { GenAppupError } from "../errors.js";
import { atom, atomsOf, elementsOf, int, list, tuple, type Term } from "../term/term.js";
import { termLine } from "../term/print.js";

export type Purge = "soft_purge" | "brutal_purge";
export type Timeout = "default" | "infinity" | number;
export type ModType = "static" | "dynamic";
/** `soft`, or `{advanced, Extra}`. */
export type Change = { kind: "soft" } | { kind: "advanced"; extra: Term };
export type StartType = "permanent" | "transient" | "temporary" | "load" | "none";
export type Mfa = { module: string; fun: string; args: Term };

export type Instruction =
  | { op: "load_module"; module: string; prePurge: Purge; postPurge: Purge; depMods: string[] }
  | {
      op: "update";
      module: string;
      modType: ModType;
      timeout: Timeout;
      change: Change;
      prePurge: Purge;
      postPurge: Purge;
      depMods: string[];
      supervisor?: true;
    }
  | { op: "add_module"; module: string; depMods: string[] }
  | { op: "delete_module"; module: string; depMods: string[] }
  | { op: "add_application"; app: string; type: StartType }
  | { op: "remove_application"; app: string }
  | { op: "restart_application"; app: string }
  | { op: "apply"; mfa: Mfa }
  | { op: "point_of_no_return" }
  | { op: "restart_new_emulator" }
  | { op: "restart_emulator" }
  | LowLevel;

export type LowLevel =
  | { op: "load_object_code"; app: string; vsn: string; modules: string[] }
  | { op: "load"; module: string; prePurge: Purge; postPurge: Purge }
  | { op: "remove"; module: string; prePurge: Purge; postPurge: Purge }
  | { op: "purge"; modules: string[] }
  | { op: "suspend"; modules: { module: string; timeout: Timeout }[] }
  | { op: "resume"; modules: string[] }
  | { op: "code_change"; mode?: "up" | "down"; modules: { module: string; extra: Term }[] }
  | { op: "stop"; modules: string[] }
  | { op: "start"; modules: string[] }
  | { op: "sync_nodes"; id: Term; nodes: Term }
  | { op: "apply"; mfa: Mfa }
  | { op: "point_of_no_return" }
  | { op: "restart_new_emulator" }
  | { op: "restart_emulator" };

/** Instructions systools orders by their DepMods ("dependency instructions"). */
export type DependencyInstruction = Extract<
  Instruction,
  { op: "load_module" | "update" | "add_module" | "delete_module" }
>;

export function isDependencyInstruction(i: Instruction): i is DependencyInstruction {
  return i.op === "load_module" || i.op === "update" || i.op === "add_module" || i.op === "delete_module";
}

// ---- to Erlang terms ----------------------------------------------------------------------

const atoms = (names: string[]) => list(names.map(atom));
const timeoutTerm = (t: Timeout) => (typeof t === "number" ? int(t) : atom(t));
const changeTerm = (c: Change) => (c.kind === "soft" ? atom("soft") : tuple(atom("advanced"), c.extra));
const mfaTerm = (m: Mfa) => tuple(atom(m.module), atom(m.fun), m.args);
const defaultPurge = (i: { prePurge: Purge; postPurge: Purge }) =>
  i.prePurge === "brutal_purge" && i.postPurge === "brutal_purge";

export function toTerm(i: Instruction): Term {
  switch (i.op) {
    case "load_module":
      if (!defaultPurge(i))
        return tuple(atom(i.op), atom(i.module), atom(i.prePurge), atom(i.postPurge), atoms(i.depMods));
      return i.depMods.length ? tuple(atom(i.op), atom(i.module), atoms(i.depMods)) : tuple(atom(i.op), atom(i.module));
    case "update":
      return updateTerm(i);
    case "add_module":
    case "delete_module":
      return i.depMods.length ? tuple(atom(i.op), atom(i.module), atoms(i.depMods)) : tuple(atom(i.op), atom(i.module));
    case "add_application":
      return tuple(atom(i.op), atom(i.app), atom(i.type));
    case "remove_application":
    case "restart_application":
      return tuple(atom(i.op), atom(i.app));
    case "apply":
      return tuple(atom("apply"), mfaTerm(i.mfa));
    case "point_of_no_return":
    case "restart_new_emulator":
    case "restart_emulator":
      return atom(i.op);
    case "load_object_code":
      return tuple(atom(i.op), tuple(atom(i.app), strTerm(i.vsn), atoms(i.modules)));
    case "load":
    case "remove":
      return tuple(atom(i.op), tuple(atom(i.module), atom(i.prePurge), atom(i.postPurge)));
    case "purge":
    case "resume":
    case "stop":
    case "start":
      return tuple(atom(i.op), atoms(i.modules));
    case "suspend":
      return tuple(
        atom(i.op),
        list(
          i.modules.map((m) =>
            m.timeout === "default" ? atom(m.module) : tuple(atom(m.module), timeoutTerm(m.timeout)),
          ),
        ),
      );
    case "code_change": {
      const mods = list(i.modules.map((m) => tuple(atom(m.module), m.extra)));
      return i.mode ? tuple(atom(i.op), atom(i.mode), mods) : tuple(atom(i.op), mods);
    }
    case "sync_nodes":
      return tuple(atom(i.op), i.id, i.nodes);
  }
}

function updateTerm(i: Extract<Instruction, { op: "update" }>): Term {
  const m = atom(i.module);
  if (i.supervisor) return tuple(atom("update"), m, atom("supervisor"));
  const change = changeTerm(i.change);
  if (i.modType === "dynamic" && i.timeout === "default" && defaultPurge(i)) {
    return i.depMods.length ? tuple(atom("update"), m, change, atoms(i.depMods)) : tuple(atom("update"), m, change);
  }
  if (i.modType === "dynamic" && i.timeout === "default")
    return tuple(atom("update"), m, change, atom(i.prePurge), atom(i.postPurge), atoms(i.depMods));
  return tuple(
    atom("update"),
    m,
    atom(i.modType),
    timeoutTerm(i.timeout),
    change,
    atom(i.prePurge),
    atom(i.postPurge),
    atoms(i.depMods),
  );
}

function strTerm(s: string): Term {
  return { t: "list", v: Array.from(s, (c) => int(c.codePointAt(0)!)) };
}

// ---- from Erlang terms (systools' check_syntax and expand_script) -------------------------

const PURGES = new Set(["soft_purge", "brutal_purge"]);
const START_TYPES = new Set(["none", "load", "temporary", "transient", "permanent"]);

/** Parses one appup or relup instruction, expanding shorthands; throws `bad_instruction` with the term. */
export function fromTerm(t: Term, where: string): Instruction {
  const bad = (): never => {
    throw new GenAppupError(where, `bad instruction ${termLine(t)}`);
  };
  if (t.t === "atom") {
    if (t.v === "point_of_no_return" || t.v === "restart_new_emulator" || t.v === "restart_emulator")
      return { op: t.v };
    return bad();
  }
  if (t.t !== "tuple" || t.v[0]?.t !== "atom") return bad();
  const [, ...args] = t.v;
  const name = (x: Term | undefined) => (x?.t === "atom" ? x.v : bad());
  const purge = (x: Term | undefined) => (x?.t === "atom" && PURGES.has(x.v) ? (x.v as Purge) : bad());
  const mods = (x: Term | undefined) => atomsOf(x) ?? bad();
  const timeout = (x: Term | undefined): Timeout => {
    if (x?.t === "atom" && (x.v === "default" || x.v === "infinity")) return x.v;
    if (x?.t === "int" && x.v > 0n) return Number(x.v);
    return bad();
  };
  const change = (x: Term | undefined): Change => {
    if (x?.t === "atom" && x.v === "soft") return { kind: "soft" };
    if (x?.t === "tuple" && x.v.length === 2 && x.v[0]?.t === "atom" && x.v[0].v === "advanced")
      return { kind: "advanced", extra: x.v[1]! };
    return bad();
  };
  const isChange = (x: Term | undefined) =>
    (x?.t === "atom" && x.v === "soft") || (x?.t === "tuple" && x.v[0]?.t === "atom" && x.v[0].v === "advanced");
  const mfa = (x: Term | undefined): Mfa => {
    if (x?.t !== "tuple" || x.v.length !== 3 || !elementsOf(x.v[2])) return bad();
    return { module: name(x.v[0]), fun: name(x.v[1]), args: x.v[2]! };
  };
  const op = t.v[0].v;
  const n = args.length;
  switch (op) {
    case "load_module":
      if (n === 1)
        return { op, module: name(args[0]), prePurge: "brutal_purge", postPurge: "brutal_purge", depMods: [] };
      if (n === 2)
        return {
          op,
          module: name(args[0]),
          prePurge: "brutal_purge",
          postPurge: "brutal_purge",
          depMods: mods(args[1]),
        };
      if (n === 4)
        return {
          op,
          module: name(args[0]),
          prePurge: purge(args[1]),
          postPurge: purge(args[2]),
          depMods: mods(args[3]),
        };
      return bad();
    case "update":
      return parseUpdate(args, { name, purge, mods, timeout, change, isChange, bad });
    case "add_module":
    case "delete_module":
      if (n === 1 || n === 2) return { op, module: name(args[0]), depMods: n === 2 ? mods(args[1]) : [] };
      return bad();
    case "add_application": {
      const type = n === 2 ? name(args[1]) : "permanent";
      if ((n !== 1 && n !== 2) || !START_TYPES.has(type)) return bad();
      return { op, app: name(args[0]), type: type as StartType };
    }
    case "remove_application":
    case "restart_application":
      return n === 1 ? { op, app: name(args[0]) } : bad();
    case "apply":
      return n === 1 ? { op, mfa: mfa(args[0]) } : bad();
    case "load_object_code": {
      const spec = args[0];
      if (n !== 1 || spec?.t !== "tuple" || spec.v.length !== 3) return bad();
      const vsn =
        spec.v[1]?.t === "list"
          ? String.fromCodePoint(...spec.v[1].v.map((c) => (c.t === "int" ? Number(c.v) : bad())))
          : bad();
      return { op, app: name(spec.v[0]), vsn, modules: mods(spec.v[2]) };
    }
    case "load":
    case "remove": {
      const spec = args[0];
      if (n !== 1 || spec?.t !== "tuple" || spec.v.length !== 3) return bad();
      return { op, module: name(spec.v[0]), prePurge: purge(spec.v[1]), postPurge: purge(spec.v[2]) };
    }
    case "purge":
    case "resume":
    case "stop":
    case "start":
      return n === 1 ? { op, modules: mods(args[0]) } : bad();
    case "suspend": {
      const items = n === 1 ? (elementsOf(args[0]) ?? bad()) : bad();
      return {
        op,
        modules: items.map((x) =>
          x.t === "atom"
            ? { module: x.v, timeout: "default" as Timeout }
            : x.t === "tuple" && x.v.length === 2
              ? { module: name(x.v[0]), timeout: timeout(x.v[1]) }
              : bad(),
        ),
      };
    }
    case "code_change": {
      const mode = n === 2 ? name(args[0]) : undefined;
      if ((n !== 1 && n !== 2) || (mode !== undefined && mode !== "up" && mode !== "down")) return bad();
      const items = elementsOf(args[n - 1]) ?? bad();
      const modules = items.map((x) =>
        x.t === "tuple" && x.v.length === 2 ? { module: name(x.v[0]), extra: x.v[1]! } : bad(),
      );
      return mode ? { op, mode, modules } : { op, modules };
    }
    case "sync_nodes":
      return n === 2 ? { op, id: args[0]!, nodes: args[1]! } : bad();
    default:
      return bad();
  }
}

interface Parsers {
  name: (x: Term | undefined) => string;
  purge: (x: Term | undefined) => Purge;
  mods: (x: Term | undefined) => string[];
  timeout: (x: Term | undefined) => Timeout;
  change: (x: Term | undefined) => Change;
  isChange: (x: Term | undefined) => boolean;
  bad: () => never;
}

function parseUpdate(args: Term[], p: Parsers): Instruction {
  const module = p.name(args[0]);
  const base = {
    op: "update" as const,
    module,
    modType: "dynamic" as ModType,
    timeout: "default" as Timeout,
    prePurge: "brutal_purge" as Purge,
    postPurge: "brutal_purge" as Purge,
  };
  switch (args.length) {
    case 1:
      return { ...base, change: { kind: "soft" }, depMods: [] };
    case 2: {
      const x = args[1];
      if (x?.t === "atom" && x.v === "supervisor")
        return {
          ...base,
          modType: "static",
          change: { kind: "advanced", extra: list([]) },
          depMods: [],
          supervisor: true,
        };
      if (p.isChange(x)) return { ...base, change: p.change(x), depMods: [] };
      return { ...base, change: { kind: "soft" }, depMods: p.mods(x) };
    }
    case 3:
      return { ...base, change: p.change(args[1]), depMods: p.mods(args[2]) };
    case 5:
      return {
        ...base,
        change: p.change(args[1]),
        prePurge: p.purge(args[2]),
        postPurge: p.purge(args[3]),
        depMods: p.mods(args[4]),
      };
    case 6:
      return {
        ...base,
        timeout: p.timeout(args[1]),
        change: p.change(args[2]),
        prePurge: p.purge(args[3]),
        postPurge: p.purge(args[4]),
        depMods: p.mods(args[5]),
      };
    case 7: {
      const modType = p.name(args[1]);
      if (modType !== "static" && modType !== "dynamic") return p.bad();
      return {
        ...base,
        modType,
        timeout: p.timeout(args[2]),
        change: p.change(args[3]),
        prePurge: p.purge(args[4]),
        postPurge: p.purge(args[5]),
        depMods: p.mods(args[6]),
      };
    }
    default:
      return p.bad();
  }
}

/** One instruction as Erlang text on one line, for messages and JSON. */
export function instructionText(i: Instruction): string {
  return termLine(toTerm(i));
}
