/**
 * The README's findings table, made from the catalogue: `npm run findings-table` prints it,
 * and a unit test checks that README.md holds it as printed.
 */
import { CATALOGUE } from "../src/plan/findings.js";

export function findingsTable(): string {
  const rows = Object.entries(CATALOGUE).map(([code, e]) => `| \`${code}\` | ${e.level} | ${e.means} | ${e.remedy} |`);
  return ["| code | level | what it means | what to do |", "|---|---|---|---|", ...rows].join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) console.log(findingsTable());
