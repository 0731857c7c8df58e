#!/usr/bin/env node
// Recall of exfilscan on real credential stealers (issue 9).
//
//   node scripts/eval-real.mjs --corpus /work/eval/corpus [--cli dist/cli.js] [--json] [--out FILE]
//
// The corpus is either the plain layout <npm|pypi>/<name>/<version>/<files> or
// DataDog's malicious-software-packages-dataset layout
// <npm|pypi>/malicious_intent/<name>/<version>/*.zip (ZipCrypto, password
// "infected"), extracted with `unzip -P` into a temporary directory outside the
// repository and removed after the scan. Nothing is ever executed or imported:
// each sample is handed to `exfilscan scan <dir> --format json`.
// Labels (test/real-world/labels.tsv) decide what is in scope.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { condense, discoverSamples, formatSummary, parseLabels, sampleKey, summarize } from "./eval-lib.mjs";

const root = join(import.meta.dirname, "..");
const { values: opts } = parseArgs({
  options: {
    corpus: { type: "string", default: "/work/eval/corpus" },
    labels: { type: "string", default: join(root, "test/real-world/labels.tsv") },
    cli: { type: "string", default: join(root, "dist/cli.js") },
    json: { type: "boolean", default: false },
    out: { type: "string" },
    "json-out": { type: "string" },
    results: { type: "string" },
    timeout: { type: "string", default: "180" },
    only: { type: "string" },
    rescore: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opts.help) {
  console.log("usage: eval-real.mjs [--corpus DIR] [--labels FILE] [--cli dist/cli.js] [--json] [--out FILE] [--json-out FILE] [--results FILE.jsonl] [--only SUBSTRING] [--timeout SECONDS] [--rescore FILE.jsonl]");
  process.exit(0);
}

const cli = resolve(opts.cli);
const timeoutMs = Number(opts.timeout) * 1000;

function scanDir(dir) {
  const r = spawnSync(process.execPath, [cli, "scan", dir, "--format", "json", "--fail-on", "critical"], {
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 256 << 20,
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.error) return condense(null, r.error.code === "ETIMEDOUT" ? `timeout after ${opts.timeout}s` : r.error.message);
  try {
    const report = JSON.parse(r.stdout);
    if (r.status === 2 && !(report.findings ?? []).length) {
      const msg = (report.errors ?? []).map((e) => e.message).join("; ") || r.stderr.trim().slice(0, 300);
      return condense(null, `exit 2: ${msg}`);
    }
    return condense(report, null);
  } catch {
    return condense(null, `exit ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  }
}

function scanSample(s) {
  if (s.layout === "plain") return scanDir(s.dir);
  if (!s.zips.length) return condense(null, "no .zip in sample directory");
  const tmp = mkdtempSync(join(tmpdir(), "exfilscan-real-"));
  try {
    for (const z of s.zips) {
      const u = spawnSync("unzip", ["-q", "-o", "-P", "infected", join(s.dir, z), "-d", tmp], { encoding: "utf8", timeout: 120_000 });
      if (u.error || u.status > 1) return condense(null, `unzip ${z}: ${u.error?.message ?? u.stderr.trim().slice(0, 200)}`);
    }
    return scanDir(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const { labels, errors } = parseLabels(readFileSync(opts.labels, "utf8"));
if (errors.length) {
  console.error(`labels: ${errors.join("\n")}`);
  process.exit(2);
}
let results = [];
if (opts.rescore) {
  // Re-summarize saved results (--results) against this labels file, keeping
  // only the samples it names: a subset file gives that subset's recall.
  const named = new Set(labels.map((l) => sampleKey(l.ecosystem, l.name, l.version)));
  results = readFileSync(opts.rescore, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((r) => named.has(sampleKey(r.ecosystem, r.name, r.version)));
} else {
  let samples = discoverSamples(resolve(opts.corpus));
  if (opts.only) samples = samples.filter((s) => `${s.ecosystem}/${s.name}/${s.version}`.includes(opts.only));
  if (!samples.length) {
    console.error(`no samples under ${opts.corpus}`);
    process.exit(2);
  }
  for (const [i, s] of samples.entries()) {
    if (process.stderr.isTTY) process.stderr.write(`\r${i + 1}/${samples.length} ${s.ecosystem}/${s.name}`.padEnd(70).slice(0, 79));
    results.push({ ecosystem: s.ecosystem, name: s.name, version: s.version, ...scanSample(s) });
  }
  if (process.stderr.isTTY) process.stderr.write("\n");
}
if (opts.results) writeFileSync(opts.results, results.map((r) => JSON.stringify(r)).join("\n") + "\n");
const summary = summarize(results, labels);
const stamp = { cli, corpus: resolve(opts.corpus), measuredAt: new Date().toISOString() };
if (opts["json-out"]) writeFileSync(opts["json-out"], JSON.stringify({ ...stamp, ...summary }, null, 2) + "\n");
const text = opts.json ? JSON.stringify({ ...stamp, ...summary }, null, 2) : formatSummary(summary);
if (opts.out) writeFileSync(opts.out, text + "\n");
else console.log(text);
