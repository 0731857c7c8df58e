#!/usr/bin/env node
// Rewrites README.md's rule table (between <!-- rules:start --> and <!-- rules:end -->)
// from signatures/rules/*.yaml, using the built dist: `npm run build && node scripts/update-readme-rules.mjs`.
// test/signatures/rules-command.test.ts fails when the table is stale.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist", "rules");
if (!existsSync(join(dist, "rule-docs.js"))) {
  process.stderr.write("update-readme-rules: dist/ is missing; run `npm run build` first\n");
  process.exit(2);
}
const { loadSignatures } = await import(join(dist, "signatures.js"));
const { renderRuleTable, replaceRuleSection } = await import(join(dist, "rule-docs.js"));

const readmePath = join(root, "README.md");
const before = readFileSync(readmePath, "utf8");
const after = replaceRuleSection(before, renderRuleTable(loadSignatures().rules.values()));
if (after === before) {
  process.stdout.write("README.md rule table is up to date\n");
} else {
  writeFileSync(readmePath, after);
  process.stdout.write("README.md rule table updated\n");
}
