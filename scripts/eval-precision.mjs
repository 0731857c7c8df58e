#!/usr/bin/env node
// False positives of exfilscan on popular benign packages (issue 9):
// the top npm packages and Debian python3-* packages.
//
//   node scripts/eval-precision.mjs [--npm-count 150] [--fetch | --fetch-only] [--cli dist/cli.js] [--jobs N] [--json-out FILE]
//
// npm tarballs are cached as <cache>/<name with / as __>.tgz (fetched with
// `npm pack` when --fetch is given and the file is absent). Debian packages are
// listed in test/real-world/debian-python.txt (--debian-list), downloaded with
// `apt-get download` into <debian>/debs and unpacked with `dpkg -x` into
// <debian>/x/<pkg> (with --fetch); their usr/lib/python3/dist-packages tree is
// scanned. --fetch-only fills the caches and exits. Nothing is installed or
// executed. Prints the packages with high/critical findings and with any
// credential finding, each with rule and location.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { condense, severityRank, summarizePrecision } from "./eval-lib.mjs";

const root = join(import.meta.dirname, "..");
const { values: opts } = parseArgs({
  options: {
    "npm-list": { type: "string", default: "/work/shared/corpora/top-npm-1000.txt" },
    "npm-count": { type: "string", default: "150" },
    "npm-cache": { type: "string", default: "/work/eval/npm-top" },
    debian: { type: "string", default: "/work/eval/debian-py" },
    "debian-list": { type: "string", default: join(root, "test/real-world/debian-python.txt") },
    "skip-npm": { type: "boolean", default: false },
    "skip-debian": { type: "boolean", default: false },
    fetch: { type: "boolean", default: false },
    "fetch-only": { type: "boolean", default: false },
    cli: { type: "string", default: join(root, "dist/cli.js") },
    "json-out": { type: "string" },
    out: { type: "string" },
    timeout: { type: "string", default: "300" },
    jobs: { type: "string", default: "1" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opts.help) {
  console.log("usage: eval-precision.mjs [--npm-count N] [--npm-list FILE] [--npm-cache DIR] [--debian DIR] [--debian-list FILE] [--skip-npm] [--skip-debian] [--fetch] [--fetch-only] [--cli dist/cli.js] [--jobs N] [--timeout SECONDS] [--out FILE] [--json-out FILE]");
  process.exit(0);
}
const cli = resolve(opts.cli);

async function scan(target) {
  const r = await run(process.execPath, [cli, "scan", target, "--format", "json", "--fail-on", "critical"], { timeout: Number(opts.timeout) * 1000 });
  if (r.error) return { ...condense(null, r.error), hits: [] };
  try {
    const report = JSON.parse(r.stdout);
    const hits = (report.findings ?? []).map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      source: f.source ?? null,
      location: f.location ? `${f.location.file}:${f.location.line ?? ""}` : "",
      message: f.message,
    }));
    return { ...condense(report, null), hits };
  } catch {
    return { ...condense(null, `exit ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`), hits: [] };
  }
}

async function npmTargets() {
  const names = readFileSync(opts["npm-list"], "utf8").split("\n").map((s) => s.trim()).filter(Boolean).slice(0, Number(opts["npm-count"]));
  mkdirSync(opts["npm-cache"], { recursive: true });
  const cached = (name) => join(opts["npm-cache"], `${name.replaceAll("/", "__")}.tgz`);
  if (opts.fetch) {
    // `npm pack` fetches one name after the other, so time goes to network
    // latency: many names per call and a few calls at once. A batch that
    // fails as a whole (one unknown name) is retried one name at a time.
    const missing = names.filter((n) => !existsSync(cached(n)));
    const batches = [];
    for (let i = 0; i < missing.length; i += 25) batches.push(missing.slice(i, i + 25));
    const worker = async () => {
      for (let b = batches.shift(); b; b = batches.shift()) if (!(await npmPack(b))) for (const name of b) await npmPack([name]);
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  }
  return names.map((name) => ({ ecosystem: "npm", name, target: existsSync(cached(name)) ? cached(name) : null }));
}

async function npmPack(names) {
  const tmp = mkdtempSync(join(opts["npm-cache"], ".tmp-"));
  try {
    const { status, stdout } = await run("npm", ["pack", "--json", ...names], { cwd: tmp, timeout: 600_000 });
    if (status !== 0) return false;
    for (const p of JSON.parse(stdout)) {
      if (p.filename && existsSync(join(tmp, p.filename))) renameSync(join(tmp, p.filename), join(opts["npm-cache"], `${p.name.replaceAll("/", "__")}.tgz`));
    }
    return true;
  } catch {
    return false;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// execFile as a promise: exit status, output, and an error text when the
// process did not run to its end (not started, timed out, output too large).
function run(cmd, args, options) {
  return new Promise((done) => {
    execFile(cmd, args, { ...options, encoding: "utf8", maxBuffer: 512 << 20 }, (err, stdout, stderr) => {
      const exited = !err || typeof err.code === "number";
      const error = exited ? null : err.killed ? `timeout after ${(options.timeout ?? 0) / 1000}s` : err.message;
      done({ status: err ? (exited ? err.code : 1) : 0, stdout, stderr, error });
    });
  });
}

function debianTargets() {
  const names = readFileSync(opts["debian-list"], "utf8").split("\n").map((s) => s.replace(/#.*/, "").trim()).filter(Boolean);
  const debs = join(opts.debian, "debs");
  mkdirSync(debs, { recursive: true });
  const debOf = (name) => readdirSync(debs).find((f) => f.startsWith(`${name}_`) && f.endsWith(".deb"));
  if (opts.fetch) {
    // One `apt-get download` for all absent names; if it fails as a whole
    // (one name unknown), one name at a time so the others still arrive.
    const missing = names.filter((n) => !existsSync(join(opts.debian, "x", n)) && !debOf(n));
    if (missing.length && spawnSync("apt-get", ["download", ...missing], { cwd: debs, timeout: 1_800_000 }).status !== 0)
      for (const name of missing) if (!debOf(name)) spawnSync("apt-get", ["download", name], { cwd: debs, timeout: 300_000 });
  }
  const out = [];
  for (const name of names) {
    const x = join(opts.debian, "x", name);
    const deb = debOf(name);
    if (!existsSync(x) && opts.fetch && deb) {
      mkdirSync(x, { recursive: true });
      spawnSync("dpkg", ["-x", join(debs, deb), x], { timeout: 120_000 });
    }
    const py = join(x, "usr/lib/python3/dist-packages");
    if (existsSync(x)) out.push({ ecosystem: "debian", name, target: existsSync(py) ? py : x });
    else out.push({ ecosystem: "debian", name, target: null });
  }
  return out;
}

if (opts["fetch-only"]) opts.fetch = true;
const targets = [...(opts["skip-npm"] ? [] : await npmTargets()), ...(opts["skip-debian"] ? [] : debianTargets())];
const absent = targets.filter((t) => !t.target).map((t) => `${t.ecosystem}:${t.name}`);
if (opts["fetch-only"]) {
  console.log(`fetched: ${targets.length - absent.length} of ${targets.length} present${absent.length ? `; absent: ${absent.join(" ")}` : ""}`);
  process.exit(0);
}
const results = { npm: [], debian: [] };
// --jobs scans at once; results keep the order of the lists.
const scanned = new Array(targets.length);
let next = 0;
let done = 0;
const worker = async () => {
  for (let i = next++; i < targets.length; i = next++) {
    const t = targets[i];
    if (t.target) scanned[i] = { name: t.name, ...(await scan(t.target)) };
    if (process.stderr.isTTY) process.stderr.write(`\r${++done}/${targets.length} ${t.name}`.padEnd(60).slice(0, 79));
  }
};
await Promise.all(Array.from({ length: Math.max(1, Number(opts.jobs) || 1) }, worker));
for (const [i, t] of targets.entries()) if (scanned[i]) results[t.ecosystem].push(scanned[i]);
if (process.stderr.isTTY) process.stderr.write("\n");

const summary = { cli, measuredAt: new Date().toISOString(), npm: summarizePrecision(results.npm), debian: summarizePrecision(results.debian), absent };
const lines = [];
for (const eco of ["npm", "debian"]) {
  const s = summary[eco];
  if (!s.packages) continue;
  lines.push(`${eco}: ${s.packages} packages scanned, ${s.highOrCritical.length} with high/critical, ${s.credential.length} with a credential finding (any severity), ${s.errors.length} scan errors`);
  for (const p of s.highOrCritical) for (const f of p.findings) lines.push(`  HIGH+ ${p.name}: ${f.severity} ${f.ruleId} @ ${f.location}: ${f.message}`);
  for (const p of s.credential) for (const f of p.findings) if (severityRank(f.severity) < severityRank("high")) lines.push(`  CRED  ${p.name}: ${f.severity} ${f.ruleId} [${f.source}] @ ${f.location}: ${f.message}`);
  for (const e of s.errors) lines.push(`  ERROR ${e.name}: ${String(e.error).slice(0, 200)}`);
}
if (absent.length) lines.push(`not in the cache (run with --fetch): ${absent.length}: ${absent.slice(0, 30).join(" ")}${absent.length > 30 ? " ..." : ""}`);
const text = lines.join("\n");
if (opts["json-out"]) writeFileSync(opts["json-out"], JSON.stringify(summary, null, 2) + "\n");
if (opts.out) writeFileSync(opts.out, text + "\n");
else console.log(text);
