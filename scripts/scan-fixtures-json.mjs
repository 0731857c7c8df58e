#!/usr/bin/env node
// Scan every package fixture (npm, pypi, guard, diff) with the built CLI and print the JSON report
// without run-to-run noise, to compare a refactoring before/after:
//   npm run build && node scripts/scan-fixtures-json.mjs > /tmp/before.json   (then again after; cmp)
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
const root = process.argv[2] ?? ".";
const targets = [];
for (const eco of ["npm", "pypi"]) for (const kind of ["benign", "malicious"]) {
  const dir = join(root, "fixtures", eco, kind);
  for (const name of readdirSync(dir).sort()) if (statSync(join(dir, name)).isDirectory()) targets.push(join("fixtures", eco, kind, name));
}
for (const sub of ["guard/npm", "guard/pypi", "diff/npm/benign", "diff/npm/malicious", "diff/pypi/benign", "diff/pypi/malicious"]) {
  const dir = join(root, "fixtures", sub);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) if (statSync(join(dir, name)).isDirectory()) targets.push(join("fixtures", sub, name));
}
let out;
try {
  out = execFileSync("node", ["dist/cli.js", "scan", "--workers", "1", "-f", "json", "--advisory-store", "/nonexistent-store.db", ...targets], { cwd: root, maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] }).toString();
} catch (e) { out = e.stdout.toString(); process.stderr.write(`exit ${e.status}\n`); }
const report = JSON.parse(out);
// fixtures/npm/malicious/dns-hex-exfil folds Math.random() into its destination (nondeterministic): mask it.
report.findings = report.findings.map((f) => {
  const text = JSON.stringify(f);
  if (!text.includes("dns-metrics")) return f;
  const masked = JSON.parse(text.replace(/0\.[a-z0-9]{6}\.q\.dns-metrics/g, "0.RANDOM.q.dns-metrics"));
  masked.fingerprint = "masked";
  return masked;
});
const strip = (v) => Array.isArray(v) ? v.map(strip) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).filter(([k]) => !/^(durationMs|elapsedMs|generatedAt|startedAt|timing|seconds)$/i.test(k)).map(([k, x]) => [k, strip(x)])) : v;
process.stdout.write(JSON.stringify(strip(report), null, 1) + "\n");
process.stderr.write(`${targets.length} targets, ${report.findings.length} findings\n`);
