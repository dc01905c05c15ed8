/**
 * The CLI as one file, dist/cli/gen-appup.js, with its dependencies in it: Node then reads and
 * links one module instead of about fifty and the CommonJS files of typescript-parsec and semver,
 * a third of a small run's time (the mix step). The library stays as tsc wrote it (dist/index.js).
 * The sources load the CommonJS dependencies through createRequire (cheaper than ESM interop when
 * unbundled); here that becomes a plain require, so that esbuild bundles them.
 */
import { build } from "esbuild";
import { readFile } from "node:fs/promises";

const plainRequire = {
  name: "plain-require",
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async ({ path }) => {
      const text = await readFile(path, "utf8");
      const contents = text
        .replace(/^const require = createRequire\(import\.meta\.url\);$/m, "")
        .replace(/createRequire\(\s*import\.meta\.url,?\s*\)\(/g, "require(");
      return { contents, loader: "js" };
    });
  },
};

await build({
  entryPoints: ["dist/cli/main.js"],
  outfile: "dist/cli/gen-appup.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  plugins: [plainRequire],
  // Bundled CommonJS calls require for Node's own modules: give the ESM bundle one.
  banner: { js: 'import { createRequire as __cr } from "node:module";\nconst require = __cr(import.meta.url);' },
  logLevel: "warning",
});
