#!/usr/bin/env node
// Throughput of `exfilscan logs` on a generated 1,000,000-line auth.log (parsers, all
// detectors, SQLite state with batch commits). Uses the built module: run `npm run build` first.
// Usage: node scripts/bench-logs.mjs [lines=1000000] [--fail2ban] [--dist <built dir, default dist>]
//        [--log <existing auth.log>, instead of generating one] [--no-exfilscan]
// --dist measures another build (e.g. a copy of main's dist) on the same input, for before/after.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const dist = resolve(option("--dist") ?? join(root, "dist"));
const dir = mkdtempSync(join(tmpdir(), "exfilscan-bench-"));
let log = option("--log");
let lines;
if (log) {
  const bytes = readFileSync(log);
  lines = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
}
else {
  lines = Number(argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  log = join(dir, "auth.log");
  execFileSync(process.execPath, [join(root, "scripts", "gen-authlog.mjs"), String(lines), log, "42"]);
}
const measureExfilscan = !argv.includes("--no-exfilscan");
let cpuSeconds;
if (measureExfilscan) cpuSeconds = await exfilscan();

async function exfilscan() {
  const { analyzeLogs } = await import(join(dist, "logs", "analyze.js"));
  const { StateStore } = await import(join(dist, "logs", "store.js"));
  const { DETECTOR_DEFAULTS } = await import(join(dist, "logs", "detectors", "index.js"));
  const { defaultPenaltyConfig } = await import(join(dist, "logs", "penalties.js"));
  const { loadSignatures } = await import(join(dist, "rules", "signatures.js"));

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
  return cpuSeconds;
}

if (process.argv.includes("--fail2ban")) {
  // The same file through Debian's fail2ban-regex: its sshd filter with fail2ban 1.1's daemon
  // pattern (1.0's "_daemon = sshd" matches none of the generated "sshd-session" lines), so both
  // tools parse the same lines. CPU time of the child,
  // from this process's cutime+cstime (/proc/self/stat fields 16-17) before and after.
  const { spawnSync } = await import("node:child_process");
  const childTicks = () => {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return Number(fields[13]) + Number(fields[14]);
  };
  const before = childTicks();
  const f2bArgs = ["--print-no-missed", "--print-no-ignored", log, 'sshd[_daemon="sshd(?:-session)?"]'];
  // Its peak RSS from GNU time when installed (%M, KiB, on stderr).
  const timed = existsSync("/usr/bin/time");
  const started = process.hrtime.bigint();
  const f2b = timed
    ? spawnSync("/usr/bin/time", ["-f", "peak-rss-kib %M", "fail2ban-regex", ...f2bArgs], { encoding: "utf8", maxBuffer: 1 << 30 })
    : spawnSync("fail2ban-regex", f2bArgs, { encoding: "utf8", maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (f2b.error || (timed && f2b.status === 127)) console.log(`fail2ban-regex: ${f2b.error?.message ?? "not found"} (apt-get install fail2ban)`);
  else {
    const f2bCpu = (childTicks() - before) / 100;
    const rss = /peak-rss-kib (\d+)/.exec(f2b.stderr ?? "");
    const summary = [/Failregex: \d+ total/, /Lines: .*/].map((r) => r.exec(f2b.stdout)?.[0] ?? "").join("; ");
    console.log(`fail2ban-regex: ${summary}`);
    console.log(`fail2ban-regex time: ${wall.toFixed(2)} s; ${Math.round(lines / wall)} lines/s (wall), ${Math.round(lines / f2bCpu)} per CPU second (${f2bCpu.toFixed(2)} s CPU)${rss ? `; peak RSS ${(Number(rss[1]) / 1024).toFixed(0)} MiB` : ""}`);
    if (cpuSeconds !== undefined) console.log(`exfilscan per CPU second: ${(f2bCpu / cpuSeconds).toFixed(2)}x fail2ban-regex`);
  }
}
rmSync(dir, { recursive: true, force: true });
