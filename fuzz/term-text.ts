/**
 * Random Erlang term text for the differential check against `file:consult`: mostly valid terms
 * written in every way erl_scan allows, with the characters and numbers where readers tend to
 * disagree (BOMs, line separators, C1 controls, surrogate escapes, float overflow, long atoms,
 * deep nesting), and a share of files with a character inserted, dropped or replaced.
 */
import type { Rng } from "./rng.js";

/** Characters that are whitespace to one reader and not to another, or not valid at all. */
const ODD_CHARS = [
  "\u0085", "\u0080", "\u009f", "\u00a0", "\u2028", "\u2029", "\ufeff", "\u1680", "\u3000", "\u000b", "\u000c",
  "\u0000", "\u007f", "\ufffe", "\uffff", "\u00ad", "\u00e9", "\u00df", "\u00f7", "\u00d7", "\u00c0", "\u{1f600}",
]; // prettier-ignore
const ESCAPES = [
  "\\n", "\\t", "\\s", "\\e", "\\d", "\\\\", "\\'", '\\"', "\\101", "\\7", "\\777", "\\x41", "\\xff", "\\x{41}",
  "\\x{1F600}", "\\x{D800}", "\\x{DFFF}", "\\x{FFFE}", "\\x{FFFF}", "\\x{10FFFF}", "\\x{110000}", "\\x{}", "\\xg",
  "\\^a", "\\^Z", "\\^?", "\\^[", "\\^1", "\\q", "\\ ", "\\x{0000041}",
]; // prettier-ignore
const RESERVED = ["after", "begin", "case", "catch", "end", "fun", "if", "of", "when", "not", "maybe", "else", "div"];
const FLOATS = [
  "1.0", "0.5", "3.14e2", "1.0e308", "1.7976931348623157e308", "1.8e308", "1.0e309", "1.0e400", "1.0e-320",
  "4.9e-324", "2.0e-324", "1.0e-400", "1_0.5", "1.0_1", "1.0e1_0", "0.0", "1.0E+3", "1.e3", "1.0e", "1__0.0",
]; // prettier-ignore
const INTS = [
  "0", "7", "255", "256", "1_000", "1__0", "1_", "16#ff", "16#FF_FF", "2#101", "36#zz", "37#1", "1#0", "8#9",
  "123456789012345678901234567890", "$a", "$\\n", "$\\x{1F600}", "$ ", "$\\x{D800}", "$\u00e9", "$\u{1f600}",
]; // prettier-ignore
const SEGMENT_TYPES = ["", "/utf8", "/utf16", "/float", "/binary", "/integer", "/little", "/signed-little", "/bits"];

export interface TextCase {
  text: string;
  /** Write as latin-1 with a coding comment (only when every character fits). */
  latin1: boolean;
}

export function termTextCase(rng: Rng): TextCase {
  const forms: string[] = [];
  const n = rng.chance(0.8) ? 1 : rng.int(4);
  for (let i = 0; i < n; i++) forms.push(term(rng, 0) + space(rng) + rng.pick([".\n", ".\n", ". ", ".%c\n", "."]));
  let text = forms.join(space(rng));
  if (rng.chance(0.02)) text = "\ufeff" + text;
  if (rng.chance(0.3)) text = mutate(rng, text);
  const latin1 = rng.chance(0.1) && [...text].every((c) => c.codePointAt(0)! <= 0xff);
  return { text: latin1 ? `%% coding: latin-1\n${text}` : text, latin1 };
}

function term(rng: Rng, depth: number): string {
  if (depth === 0 && rng.chance(0.01)) return deep(rng);
  const leafOnly = depth > 4;
  switch (leafOnly ? rng.int(5) : rng.int(10)) {
    case 0:
      return atom(rng);
    case 1:
      return sign(rng) + rng.pick(INTS);
    case 2:
      return sign(rng) + rng.pick(FLOATS);
    case 3:
      return string(rng) + (rng.chance(0.2) ? space(rng) + string(rng) : "");
    case 4:
      return rng.chance(0.5) ? atom(rng) : `fun ${atom(rng)}:${atom(rng)}/${rng.pick(["0", "2", "255", "256", "-1"])}`;
    case 5:
      return `[${items(rng, depth)}${rng.chance(0.2) ? ` | ${term(rng, depth + 1)}` : ""}]`;
    case 6:
      return `{${items(rng, depth)}}`;
    case 7: {
      const pairs = Array.from({ length: rng.int(4) }, () => `${term(rng, depth + 1)} => ${term(rng, depth + 1)}`);
      return `#{${pairs.join(", ")}}`;
    }
    case 8:
      return binary(rng);
    default:
      return `[${items(rng, depth)}]`;
  }
}

function items(rng: Rng, depth: number): string {
  return Array.from({ length: rng.int(5) }, () => term(rng, depth + 1)).join("," + space(rng));
}

function deep(rng: Rng): string {
  const n = rng.pick([900, 1500, 3000, 6000]);
  const [open, close] = rng.pick([
    ["[", "]"],
    ["{", "}"],
    ["[a|", "]"],
    ["#{k => ", "}"],
  ]);
  return open!.repeat(n) + "x" + close!.repeat(n);
}

function sign(rng: Rng): string {
  return rng.pick(["", "", "", "-", "- ", "+", "--"]);
}

function atom(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
      return rng.pick(RESERVED);
    case 1:
      return `'${chars(rng, "'")}'`;
    case 2:
      return `'${"a".repeat(rng.pick([254, 255, 256]))}'`;
    case 3:
      return rng.pick(["ok", "\u00e9t\u00e9", "\u00dfa", "a@b", "a_B9", "node@host", "\u00e0\u00ff"]);
    default:
      return rng.pick(["ok", "error", "kernel", "stdlib", "load_module", "brutal_purge", "true"]);
  }
}

function string(rng: Rng): string {
  return `"${chars(rng, '"')}"`;
}

function chars(rng: Rng, quote: string): string {
  let s = "";
  for (let i = rng.int(8); i > 0; i--) {
    const r = rng.int(10);
    if (r < 5) s += rng.pick(["a", "b", " ", "1", "\u00e9", "\u4e2d"]);
    else if (r < 8) s += rng.pick(ESCAPES);
    else s += rng.pick(ODD_CHARS).replace(quote, "");
  }
  return s;
}

function binary(rng: Rng): string {
  const segs = Array.from({ length: rng.int(4) }, () => {
    const value = rng.pick(["1", "255", "256", "-1", '"ab"', '"\u00e9"', '"\u4e2d"', "1.5", "$a", "16#ffff"]);
    const size = rng.chance(0.3) ? `:${rng.pick(["0", "1", "3", "8", "16", "32", "64", "4"])}` : "";
    return value + size + rng.pick(SEGMENT_TYPES);
  });
  return `<<${segs.join(",")}>>`;
}

function space(rng: Rng): string {
  const r = rng.int(20);
  if (r < 12) return rng.pick(["", " ", " ", "\n", "\t", "  "]);
  if (r < 15) return rng.pick([" % a comment\n", "%\n", "\r\n"]);
  return rng.pick(ODD_CHARS);
}

/** One character inserted, dropped or replaced, once or a few times. */
function mutate(rng: Rng, text: string): string {
  const cs = [...text];
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const at = rng.int(cs.length + 1);
    const c = rng.chance(0.5) ? rng.pick(ODD_CHARS) : rng.pick([..."[]{}|,.#=><$\"'\\%-+:/ _0aZ"]);
    const op = rng.int(3);
    if (op === 0) cs.splice(at, 0, c);
    else if (op === 1) cs.splice(at, 1);
    else cs.splice(at, 1, c);
  }
  return cs.join("");
}
