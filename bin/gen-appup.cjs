#!/usr/bin/env node
/**
 * Runs the CLI bundle (dist/cli/gen-appup.cjs) compiled through V8's code cache, kept beside it:
 * compiling is a sixth of a small run (the mix step) otherwise. The cache holds what one run
 * compiled, so it is written after a run of a command (not --version, --help or a usage error)
 * that found it missing or stale. V8 rejects a cache made by another Node, but knows the source
 * only by its length: the cache starts with the SHA-1 of the bundle it was made from, and one made
 * from another bundle is not used. A read-only install goes without. CommonJS, as is the bundle:
 * Node starts an ES module entry about 10 ms slower.
 */
"use strict";
const { createHash } = require("node:crypto");
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const { join } = require("node:path");
const { Script } = require("node:vm");

const file = join(__dirname, "../dist/cli/gen-appup.cjs");
const cache = `${file}.cache`;
const source = readFileSync(file, "utf8");
const id = createHash("sha1").update(source).digest();
let cachedData;
try {
  const saved = readFileSync(cache);
  if (saved.subarray(0, id.length).equals(id)) cachedData = saved.subarray(id.length);
} catch {
  /* none yet */
}
const script = new Script(Module.wrap(source), { filename: file, cachedData });
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, Module.createRequire(file), bundle, file, join(file, ".."));

// A reader that stops early (`| head -1`) closes the pipe: that is the end of the output, not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
const given = process.argv[2] === "--await-args" ? awaitedArgs() : Promise.resolve(process.argv.slice(2));
given.then(async (args) => {
  const code = await bundle.exports.main(args);
  process.exitCode = code;
  // As main reads them: help anywhere (before "--"), the version first.
  const options = args.includes("--") ? args.slice(0, args.indexOf("--")) : args;
  const help = options.includes("--help") || options.includes("-h");
  const command = code !== 2 && args.length > 0 && !help && !["-v", "--version"].includes(args[0]);
  if (!command || (cachedData && !script.cachedDataRejected)) return;
  try {
    const temp = `${cache}.${process.pid}`;
    writeFileSync(temp, Buffer.concat([id, script.createCachedData()]));
    renameSync(temp, cache); // whole or not at all, whoever writes it last
  } catch {
    /* not writable here: every run compiles */
  }
});

/**
 * Started ahead of its work (GenAppup.start/1, while mix assembles the release), the CLI reads its
 * arguments from stdin: their count on a line, then each one followed by a NUL byte. Stdin closed
 * first (the release was not made): nothing to do.
 */
function awaitedArgs() {
  return new Promise((resolve) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("end", () => process.exit(0));
    process.stdin.on("data", (chunk) => {
      text += chunk;
      const line = text.indexOf("\n");
      const parts = text.slice(line + 1).split("\0");
      const count = Number(text.slice(0, line));
      if (line < 0 || parts.length <= count) return;
      process.stdin.destroy();
      resolve(parts.slice(0, count));
    });
    setImmediate(bundle.exports.warmUp);
  });
}
