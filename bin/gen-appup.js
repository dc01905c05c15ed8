#!/usr/bin/env node
import { main } from "../dist/cli/gen-appup.js";

// A reader that stops early (`| head -1`) closes the pipe: that is the end of the output, not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
