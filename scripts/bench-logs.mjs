#!/usr/bin/env node
// Throughput of `exfilscan logs` on a generated 1,000,000-line auth.log (parsers, all
// detectors, SQLite state with batch commits). Uses the built module: run `npm run build` first.
// Usage: node scripts/bench-logs.mjs [lines=1000000] [--fail2ban]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lines = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
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
const cpuStart = process.cpuUsage();
const result = await analyzeLogs({
  inputs: [log], utcOffsetMinutes: 0, referenceMs: Date.UTC(2025, 0, 1),
  detectors: { ...DETECTOR_DEFAULTS, penalties: defaultPenaltyConfig("9.8") },
  rules: loadSignatures().rules, store, incremental: true, detect: true,
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
store.close();
const input = result.inputs[0];
const byRule = {};
for (const alert of result.alerts) byRule[alert.ruleId] = (byRule[alert.ruleId] ?? 0) + 1;
console.log(`input: ${input.lines} lines, ${(statSync(log).size / 1048576).toFixed(1)} MiB, ${input.recognised} recognised, ${input.events} events, ${input.skipped} skipped, ${input.unmodelled} unmodelled, ${input.unparseable} unparseable`);
console.log(`alerts: ${JSON.stringify(byRule)}`);
console.log(`time: ${seconds.toFixed(2)} s`);
console.log(`log lines/s: ${Math.round(input.lines / seconds)} (wall), ${Math.round(input.lines / cpuSeconds)} per CPU second (${cpuSeconds.toFixed(2)} s CPU)`);
console.log(`peak RSS: ${(peakRss / 1048576).toFixed(0)} MiB`);
if (process.argv.includes("--fail2ban")) {
  // The same file through Debian's fail2ban-regex: its sshd filter with fail2ban 1.1's daemon
  // pattern (1.0's "_daemon = sshd" matches none of the generated "sshd-session" lines), so both
  // tools parse the same lines. CPU time of the child,
  // from this process's cutime+cstime (/proc/self/stat fields 16-17) before and after.
  const { spawnSync } = await import("node:child_process");
  const { readFileSync } = await import("node:fs");
  const childTicks = () => {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return Number(fields[13]) + Number(fields[14]);
  };
  const before = childTicks();
  const f2b = spawnSync("fail2ban-regex", ["--print-no-missed", "--print-no-ignored", log, 'sshd[_daemon="sshd(?:-session)?"]'], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (f2b.error) console.log(`fail2ban-regex: ${f2b.error.message} (apt-get install fail2ban)`);
  else {
    const f2bCpu = (childTicks() - before) / 100;
    const summary = [/Failregex: \d+ total/, /Lines: .*/].map((r) => r.exec(f2b.stdout)?.[0] ?? "").join("; ");
    console.log(`fail2ban-regex: ${summary}; ${f2bCpu.toFixed(2)} s CPU, ${Math.round(input.lines / f2bCpu)} lines per CPU second`);
    console.log(`exfilscan per CPU second: ${(f2bCpu / cpuSeconds).toFixed(2)}x fail2ban-regex`);
  }
}
rmSync(dir, { recursive: true, force: true });
