#!/usr/bin/env node
// Throughput of `exfilscan logs` on a generated 1,000,000-line auth.log (parsers, all
// detectors, SQLite state with batch commits). Uses the built module: run `npm run build` first.
// Usage: node scripts/bench-logs.mjs [lines=1000000]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lines = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "exfilscan-bench-"));
const log = join(dir, "auth.log");
execFileSync(process.execPath, [join(root, "scripts", "gen-authlog.mjs"), String(lines), log, "42"]);

const { analyzeLogs } = await import(join(root, "dist", "logs", "analyze.js"));
const { StateStore } = await import(join(root, "dist", "logs", "store.js"));
const { DETECTOR_DEFAULTS } = await import(join(root, "dist", "logs", "detectors", "index.js"));
const { defaultPenaltyConfig } = await import(join(root, "dist", "logs", "penalties.js"));
const { loadSignatures } = await import(join(root, "dist", "rules", "signatures.js"));

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const store = new StateStore(join(dir, "state.db"));
const started = process.hrtime.bigint();
const result = await analyzeLogs({
  inputs: [log], utcOffsetMinutes: 0, referenceMs: Date.UTC(2025, 0, 1),
  detectors: { ...DETECTOR_DEFAULTS, penalties: defaultPenaltyConfig("9.8") },
  rules: loadSignatures().rules, store, incremental: true, detect: true,
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
store.close();
const input = result.inputs[0];
const byRule = {};
for (const alert of result.alerts) byRule[alert.ruleId] = (byRule[alert.ruleId] ?? 0) + 1;
console.log(`input: ${input.lines} lines, ${(statSync(log).size / 1048576).toFixed(1)} MiB, ${input.events} events, ${input.skipped} skipped, ${input.unparseable} unparseable`);
console.log(`alerts: ${JSON.stringify(byRule)}`);
console.log(`time: ${seconds.toFixed(2)} s`);
console.log(`log lines/s: ${Math.round(input.lines / seconds)}`);
console.log(`peak RSS: ${(peakRss / 1048576).toFixed(0)} MiB`);
rmSync(dir, { recursive: true, force: true });
