/**
 * The CLI as one CommonJS file, dist/cli/gen-appup.cjs, with its dependencies in it: Node then
 * reads one file instead of about fifty modules and the CommonJS files of typescript-parsec and
 * semver, and bin/gen-appup.cjs can compile it through V8's code cache. Both are most of a small
 * run's time (the mix step). The library stays as tsc wrote it (dist/index.js).
 *
 * The sources load CommonJS dependencies through createRequire (cheaper than ESM interop when
 * not bundled): here that becomes a plain require, which esbuild bundles; import.meta.url becomes
 * the bundle's own URL.
 */
import { build } from "esbuild";
import { readFile } from "node:fs/promises";

const asCommonJs = {
  name: "as-commonjs",
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async ({ path }) => {
      const text = await readFile(path, "utf8");
      const contents = text
        .replace(/^const require = createRequire\(import\.meta\.url\);$/m, "")
        .replace(/createRequire\(\s*import\.meta\.url,?\s*\)\(/g, "require(")
        .replaceAll("import.meta.url", "__bundleUrl");
      return { contents, loader: "js" };
    });
  },
};

await build({
  entryPoints: ["dist/cli/main.js"],
  outfile: "dist/cli/gen-appup.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  plugins: [asCommonJs],
  banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
});
