/**
 * A throwaway npm registry on loopback for the npx route: it serves one package (a tarball made by
 * `npm pack`) and passes every other request to the public registry. Prints its port when ready.
 * Usage: node registry.mjs TARBALL PACKAGE_JSON
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const [tarball, packageJson] = process.argv.slice(2);
const bytes = readFileSync(tarball);
const pkg = JSON.parse(readFileSync(packageJson, "utf8"));

const server = createServer(async (req, res) => {
  const base = `http://127.0.0.1:${server.address().port}`;
  if (req.url === `/${pkg.name}`) {
    const dist = {
      tarball: `${base}/${pkg.name}.tgz`,
      integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
      shasum: createHash("sha1").update(bytes).digest("hex"),
    };
    const version = { ...pkg, _id: `${pkg.name}@${pkg.version}`, dist };
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({ name: pkg.name, "dist-tags": { latest: pkg.version }, versions: { [pkg.version]: version } }),
    );
  } else if (req.url === `/${pkg.name}.tgz`) {
    res.end(bytes);
  } else {
    const upstream = await fetch(`https://registry.npmjs.org${req.url}`, {
      headers: { accept: req.headers.accept ?? "application/json" },
    });
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
