// The Node floor: read every beam listed in the file named by argv[2] and md5 it, nothing more.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const files = readFileSync(process.argv[2], "utf8").trim().split("\n");
for (const f of files) createHash("md5").update(readFileSync(f)).digest();
