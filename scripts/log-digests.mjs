#!/usr/bin/env node
// Byte-for-byte check that a change to `exfilscan logs` keeps its output: runs a built CLI on
// every fixture log (each alone, as test/logs/fixtures.test.ts does, with its sidecar's options,
// and all of fixtures/logs at once) and optionally on a big generated log, in three modes —
// `--events` (the ECS NDJSON stream), detection with a fresh SQLite state (`-f json`: alerts,
// counts, samples), and the same again on that state (the resumed run) — and records the
// sha256, size and exit code of each output. Two records are then compared.
// Usage:
//   node scripts/log-digests.mjs --dist <dir> --out <file.json> [--big <auth.log>] [--keep <dir>]
//   node scripts/log-digests.mjs --compare <before.json> <after.json>
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const value = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

if (args[0] === "--compare") {
  const [a, b] = [args[1], args[2]].map((f) => JSON.parse(readFileSync(f, "utf8")));
  let same = 0;
  const different = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) === JSON.stringify(b[key])) same++;
    else different.push(key);
  }
  console.log(`${same} outputs identical, ${different.length} different`);
  for (const key of different) console.log(`  differs: ${key}\n    before ${JSON.stringify(a[key])}\n    after  ${JSON.stringify(b[key])}`);
  process.exit(different.length ? 1 : 0);
}

const dist = value("--dist") && resolve(value("--dist"));
const out = value("--out");
if (!dist || !out) {
  console.error("usage: log-digests.mjs --dist <dir> --out <file.json> [--big <log>] [--keep <dir>] | --compare <a.json> <b.json>");
  process.exit(2);
}
const keep = value("--keep");
if (keep) mkdirSync(keep, { recursive: true });

/** Sidecar options → CLI flags (the same meaning test/logs/helpers.ts gives them). */
const FLAGS = {
  referenceTime: "--reference-time", openssh: "--openssh-version", penalties: "--penalties", netBlockSize: "--net-block-size",
  exempt: "--penalty-exempt", sshdLogLevel: "--sshd-log-level", listen: "--listen", learningWindow: "--learning-window",
  slowFailures: "--slow-failures", slowWindow: "--slow-window", recidiveCount: "--recidive-count", recidiveWindow: "--recidive-window",
  failures: "--failures", failureWindow: "--failure-window",
};

function fixtureFiles(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return fixtureFiles(full);
    return name.endsWith(".expect.json") ? [] : [full];
  });
}

function optionsOf(file) {
  try {
    const options = JSON.parse(readFileSync(`${file}.expect.json`, "utf8")).options ?? {};
    return Object.entries(options).flatMap(([k, v]) => [FLAGS[k] ?? `--unknown-${k}`, String(v)]);
  } catch {
    return [];
  }
}

/** Run the CLI, hash stdout and stderr as they stream (a 1M-line --events output is never held). */
function run(cliArgs, keepAs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dist, "cli.js"), ...cliArgs], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
    const hash = createHash("sha256");
    const errHash = createHash("sha256");
    let bytes = 0;
    const kept = keepAs ? [] : undefined;
    child.stdout.on("data", (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (kept && bytes < 64 << 20) kept.push(chunk);
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      errHash.update(chunk);
      if (stderr.length < 2000) stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (kept) writeFileSync(keepAs, Buffer.concat(kept));
      resolve({ exit: code, bytes, stdout: hash.digest("hex").slice(0, 24), stderr: errHash.digest("hex").slice(0, 24) });
    });
  });
}

// The CLI runs inside its own work dir with "--db state.db": the JSON report names the db as
// given, so every record names the same one.
const work = mkdtempSync(join(tmpdir(), "exfilscan-log-digests-"));
const fixturesRoot = join(root, "fixtures", "logs");
const inputs = fixtureFiles(fixturesRoot).map((file) => ({ name: relative(root, file), files: [file], flags: optionsOf(file) }));
inputs.push({ name: "fixtures/logs (all at once)", files: [fixturesRoot], flags: ["--reference-time", "2026-01-01T00:00:00Z"] });
const big = value("--big");
if (big) inputs.push({ name: `big:${big}`, files: [big], flags: ["--reference-time", "2025-01-01T00:00:00Z"] });

const record = {};
for (const input of inputs) {
  const slug = input.name.replace(/[^\w.-]+/g, "_");
  const db = "state.db";
  rmSync(join(work, db), { force: true });
  const started = Date.now();
  record[`${input.name} --events`] = await run(["logs", ...input.files, ...input.flags, "--events"], keep && join(keep, `${slug}.events.ndjson`));
  record[`${input.name} detect`] = await run(["logs", ...input.files, ...input.flags, "--db", db, "-f", "json"], keep && join(keep, `${slug}.detect.json`));
  record[`${input.name} detect (resumed)`] = await run(["logs", ...input.files, ...input.flags, "--db", db, "-f", "json"], keep && join(keep, `${slug}.resumed.json`));
  console.error(`${input.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
rmSync(work, { recursive: true, force: true });
writeFileSync(out, `${JSON.stringify(record, null, 1)}\n`);
console.error(`${Object.keys(record).length} outputs recorded in ${out}`);
