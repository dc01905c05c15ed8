/** Version strings: appup keys (exact strings or PCRE binaries) and "the highest version below". */
import { createRequire } from "node:module";

// CommonJS loaded with require, as in term-text.ts: cheaper than through Node's ESM loader.
const require = createRequire(import.meta.url);
const compare = require("semver/functions/compare.js") as typeof import("semver/functions/compare.js");
const valid = require("semver/functions/valid.js") as typeof import("semver/functions/valid.js");

/**
 * Whether a version regular expression (an appup key given as a binary) selects `vsn`, as
 * systools does: its first match must cover the whole version.
 */
export function matchesVersion(source: string, vsn: string): boolean {
  let re: RegExp;
  try {
    re = new RegExp(source, "u");
  } catch {
    return false;
  }
  const m = re.exec(vsn);
  return m !== null && m.index === 0 && m[0].length === vsn.length;
}

/** Orders versions: semantic versioning when both parse, else by numeric segments, else as text. */
export function compareVersions(a: string, b: string): number {
  const sa = valid(a, { loose: true });
  const sb = valid(b, { loose: true });
  if (sa && sb) return compare(sa, sb, { loose: true });
  const pa = a.split(/[.-]/),
    pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "",
      y = pb[i] ?? "";
    const nx = /^\d+$/.test(x) ? Number(x) : NaN,
      ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const c = !isNaN(nx) && !isNaN(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}

/** The highest of `versions` strictly below `vsn`, or undefined. */
export function highestBelow(versions: string[], vsn: string): string | undefined {
  return versions
    .filter((v) => compareVersions(v, vsn) < 0)
    .sort(compareVersions)
    .at(-1);
}
