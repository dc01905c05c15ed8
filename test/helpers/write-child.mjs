// Writes a set of files with gen-appup's writeAll, for the kill test: `node write-child.mjs ROOT TAG COUNT`.
// Prints "ready" just before writing and "done MS" after.
import { performance } from "node:perf_hooks";
import { writeAll } from "../../dist/emit/write.js";

const [root, tag, count] = process.argv.slice(2);
const body = `${tag}\n`.repeat(2000);
const files = Array.from({ length: Number(count) }, (_, i) => ({ path: setPath(i), text: body }));
function setPath(i) {
  return i === 0 ? "releases/1/relup" : `lib/app${i}-1/ebin/app${i}.appup`;
}
process.stdout.write("ready\n");
const t0 = performance.now();
writeAll(root, files);
process.stdout.write(`done ${performance.now() - t0}\n`);
