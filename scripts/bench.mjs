#!/usr/bin/env node
// `npm run bench`: throughput figures on real code that every clone has (its own
// node_modules) plus any larger corpus found in /tmp (see README "Benchmarks").
// Figures are printed, never asserted: timing belongs here, not in tests.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { spawnSync } from "node:child_process";
import { loadSignatures } from "../dist/rules/signatures.js";
import { scanTargets } from "../dist/scan.js";

const root = join(import.meta.dirname, "..");
const signatures = loadSignatures();

function packageDirs(base) {
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((name) => {
    if (name.startsWith(".")) return [];
    const dir = join(base, name);
    if (!statSync(dir).isDirectory()) return [];
    return name.startsWith("@") ? packageDirs(dir) : [dir];
  });
}

function archives(base, pattern) {
  return existsSync(base) ? readdirSync(base).filter((n) => pattern.test(n)).map((n) => join(base, n)) : [];
}

const SOURCE = /\.(c|m)?[jt]sx?$|\.py$/;

/** Bytes of JS/TS/Python source under directory targets (archives are not unpacked here). */
function sourceBytes(targets) {
  let total = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules" && entry.name !== ".git") walk(full);
      else if (entry.isFile() && SOURCE.test(entry.name)) total += statSync(full).size;
    }
  };
  for (const target of targets) if (statSync(target).isDirectory()) walk(target);
  return total;
}

async function measure(label, targets) {
  if (targets.length === 0) return console.log(`${label}: skipped (corpus not present)`);
  const start = performance.now();
  const report = await scanTargets(targets, { signatures });
  const seconds = (performance.now() - start) / 1000;
  const bytes = report.targets.reduce((n, t) => n + t.bytes, 0);
  const files = report.targets.reduce((n, t) => n + t.files, 0);
  const serious = report.summary.critical + report.summary.high;
  const parseErrors = report.errors.filter((e) => e.file).length;
  const source = sourceBytes(targets);
  console.log(
    `${label}: ${report.targets.length} packages, ${files} files, ${(bytes / 1e6).toFixed(1)} MB read in ${seconds.toFixed(2)} s = ` +
      `${(bytes / 1e6 / seconds).toFixed(1)} MB/s` +
      (source ? ` (${(source / 1e6).toFixed(1)} MB of JS/TS/Python source = ${(source / 1e6 / seconds).toFixed(1)} MB/s of source)` : "") +
      `; high/critical: ${serious}; file errors: ${parseErrors}; target errors: ${report.errors.length - parseErrors}`,
  );
}

console.log(`exfilscan bench — node ${process.version}, ${new Date().toISOString()}`);
await measure("package source, npm (this clone's node_modules)", packageDirs(join(root, "node_modules")));
await measure("package source, npm (/tmp/top200 tarballs, if present)", archives("/tmp/top200", /\.tgz$/));
await measure("package source, Python (/tmp/debpy/trees, if present)", packageDirs("/tmp/debpy/trees"));
await measure("package source, fixtures", [
  ...packageDirs(join(root, "fixtures/npm/malicious")),
  ...packageDirs(join(root, "fixtures/npm/benign")),
  ...packageDirs(join(root, "fixtures/pypi/malicious")),
  ...packageDirs(join(root, "fixtures/pypi/benign")),
]);

const logsBench = join(root, "scripts/bench-logs.mjs");
if (existsSync(logsBench)) spawnSync(process.execPath, [logsBench], { stdio: "inherit" });

console.log("lockfile scan (cold/warm): not measured — the `deps` command is not built yet");
console.log("guard latency: not measured — the `guard` command is not built yet");
console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
