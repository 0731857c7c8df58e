#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only startup,js,python,logs,deps,guard] [-- --runs N]`
// Every figure is exfilscan next to a peer on the same input, in the same run, interleaved
// (A B A B …), as whole processes; the ratio is taken pair by pair and its median quoted.
// Prints a table and writes bench/results.json. Timing belongs here, never in tests.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, homedir, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { HAS_TIME, allBytes, fmt, interleave, pairRatio, readSet, runOnce, sourceSize, summarize, unpackNpmSet } from "./bench-lib.mjs";

const root = join(import.meta.dirname, "..");
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const quick = flag("--quick");
const only = value("--only", "startup,js,python,logs,deps,guard").split(",");
const runs = Number(value("--runs", quick ? 1 : 3));
const npmDir = value("--npm-dir", "/work/eval/npm-top");
const pythonDir = value("--python-dir", "/work/eval/debian-py/x");
const npmCount = Number(value("--npm-count", quick ? 20 : 150));
const pythonCount = Number(value("--python-count", quick ? 3 : 20));
const logLines = Number(value("--log-lines", quick ? 200_000 : 1_000_000));
// deps and guard: a pinned 313-package project, served by a loopback mirror (scripts/bench-mirror.mjs)
// from a folder of archives fetched once from registry.npmjs.org and checked against the lockfile.
const mirrorArchives = value("--mirror-archives", join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "exfilscan-bench", "archives"));
const guardProject = join(root, "bench", "guard-project");
const guardAdd = join(root, "bench", "guard-add");
const ADD_SPEC = "left-pad@1.3.0";
const cli = join(root, "dist", "cli.js");
const node = process.execPath;
const tmp = mkdtempSync(join(tmpdir(), "exfilscan-bench-"));
const log = (line) => process.stderr.write(`${line}\n`);

const results = {
  tool: "exfilscan",
  date: new Date().toISOString(),
  commit: spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).stdout?.toString().trim() || null,
  node: process.version,
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "", memoryGB: Math.round(totalmem() / 2 ** 30), loadavgAtStart: loadavg() },
  mode: quick ? "quick" : "full",
  runs,
  method: "whole processes, A and B in turn on the same input; CPU = user+sys and peak RSS from /usr/bin/time (largest process); medians of counted runs; ratios pair by pair",
  suites: {},
  notMeasured: {},
};
if (!HAS_TIME) log("note: /usr/bin/time not found: CPU time and peak RSS are not measured, wall time only");

function loadavg() {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return null;
  }
}

const exfilscan = (name, args, extra = {}) => ({ name, command: node, args: [cli, ...args], tmp, env: { EXFILSCAN_ADVISORY_STORE: join(tmp, "none.json") }, ...extra });
const peer = (name, command, args, extra = {}) => ({ name, command, args, tmp, ...extra });
const onPath = (command) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;

/** Read every file once so neither side of the first pair pays the disk. */
function warmCache(dirs) {
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) readFileSync(full);
    }
  };
  dirs.forEach(walk);
}

function record(key, suite, a, b, samples, input) {
  const sa = summarize(samples.a);
  const sb = b ? summarize(samples.b) : undefined;
  const entry = { label: suite, input, exfilscan: { command: [a.command, ...a.args.slice(0, 3), a.args.length > 3 ? "…" : ""].join(" ").trim(), ...sa } };
  if (b) {
    entry.peer = { name: b.name, command: [b.command, ...b.args.slice(0, 3), b.args.length > 3 ? "…" : ""].join(" ").trim(), ...sb };
    entry.ratio = { cpu: pairRatio(samples.a, samples.b, "cpu"), wall: pairRatio(samples.a, samples.b, "wall"), peakRss: pairRatio(samples.a, samples.b, "rssMB") };
  }
  results.suites[key] = entry;
  return entry;
}

function scanSummary(file) {
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    return {
      packages: report.targets.length,
      filesRead: report.targets.reduce((n, t) => n + t.files, 0),
      bytesRead: report.targets.reduce((n, t) => n + t.bytes, 0),
      highOrCritical: report.summary.critical + report.summary.high,
      fileErrors: report.errors.filter((e) => e.file).length,
      targetErrors: report.errors.filter((e) => !e.file).length,
    };
  } catch (error) {
    return { unreadable: String(error) };
  }
}

// ---- start-up ---------------------------------------------------------------------
function startup() {
  const pkg = join(tmp, "tiny");
  mkdirSync(pkg);
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "tiny", version: "1.0.0", main: "index.js" }));
  writeFileSync(join(pkg, "index.js"), ['"use strict";', 'const path = require("path");', "", "function add(a, b) {", "  return a + b;", "}", "", "module.exports = {", "  add,", '  join: (x) => path.join(x, "y"),', "};", ""].join("\n"));
  const baseline = peer("node -e 0", node, ["-e", "0"]);
  const n = Math.max(runs, quick ? 3 : 5);
  for (const [key, label, args] of [
    ["startupVersion", "start-up: --version", ["--version"]],
    ["startupScan", "start-up: scan of one 11-line npm package", ["scan", pkg, "--offline", "-f", "json", "-o", join(tmp, "tiny.json")]],
  ]) {
    log(`${label} (${n} pairs after 1 warm-up)`);
    const a = exfilscan("exfilscan", args);
    const samples = interleave(a, baseline, n, 1, log);
    const entry = record(key, label, a, baseline, samples, { description: key === "startupScan" ? "one npm package, 2 files" : "no input" });
    const over = (k) => samples.a.map((s, i) => (s[k] !== null ? (s[k] - samples.b[i][k]) * 1000 : null));
    entry.overNodeMs = { cpu: summarize(over("cpu").map((cpu) => ({ cpu }))).cpu, wall: summarize(over("wall").map((wall) => ({ wall }))).wall };
  }
}

// ---- JavaScript vs js-x-ray -----------------------------------------------------------
function javascript() {
  const label = `JavaScript: ${npmCount} pinned npm packages vs js-x-ray`;
  if (!existsSync(npmDir)) return skip("js", label, `npm corpus not found at ${npmDir} (--npm-dir)`);
  if (!existsSync(join(root, "node_modules/@nodesecure/js-x-ray"))) return skip("js", label, "@nodesecure/js-x-ray not installed (npm ci)");
  const { dirs, problems } = unpackNpmSet(join(root, "bench/npm-set.txt"), npmDir, join(tmp, "npm"), npmCount);
  problems.forEach((p) => log(`  npm set: ${p}`));
  warmCache(dirs);
  const js = sourceSize(dirs, /\.(c|m)?js$/);
  const input = { packages: dirs.length, jsFiles: js.files, jsMB: js.bytes / 1e6, allMB: allBytes(dirs) / 1e6, pinProblems: problems };
  const out = join(tmp, "npm.json");
  const a = exfilscan("exfilscan", ["scan", ...dirs, "--offline", "-f", "json", "-o", out]);
  const b = peer("js-x-ray", node, [join(root, "scripts/bench-jsxray.mjs"), ...dirs]);
  log(`${label} (${fmt(input.jsMB, 1)} MB of .js/.cjs/.mjs; ${runs} pairs)`);
  const samples = interleave(a, b, runs, 0, log);
  const entry = record("js", label, a, b, samples, input);
  entry.exfilscan.report = scanSummary(out);
  try {
    entry.peer.report = JSON.parse(samples.b.at(-1).stdout);
  } catch {}
  throughput(entry, input.jsMB);
  // The floor under any analysis: acorn, the parser exfilscan uses, parsing the same files
  // once and doing nothing else, against the same peer (the "exfilscan" column is acorn here).
  const floor = peer("acorn parse only", node, [join(root, "scripts/bench-acorn.mjs"), ...dirs]);
  log(`JavaScript floor: acorn parse alone vs js-x-ray (${runs} pairs)`);
  const floorSamples = interleave(floor, b, runs, 0, log);
  const floorEntry = record("jsParseFloor", `JavaScript floor: acorn parse alone (exfilscan's parser, no analysis) on the same ${npmCount} packages vs js-x-ray`, floor, b, floorSamples, input);
  throughput(floorEntry, input.jsMB);
}

// ---- Python vs bandit -------------------------------------------------------------
function python() {
  const label = `Python: ${pythonCount} Debian python3-* packages vs bandit`;
  if (!existsSync(pythonDir)) return skip("python", label, `Debian trees not found at ${pythonDir} (--python-dir)`);
  const dirs = readSet(join(root, "bench/python-set.txt")).map((n) => join(pythonDir, n)).filter(existsSync);
  // Fewer than the whole set (--quick, --python-count): the smallest trees of the set.
  const chosen = pythonCount < dirs.length ? dirs.sort((x, y) => sourceSize([x], /\.py$/).bytes - sourceSize([y], /\.py$/).bytes).slice(0, pythonCount) : dirs;
  if (chosen.length === 0) return skip("python", label, "none of bench/python-set.txt is in the Debian trees");
  warmCache(chosen);
  const py = sourceSize(chosen, /\.py$/);
  const input = { packages: chosen.length, names: chosen.map((d) => d.split("/").pop()), pyFiles: py.files, pyMB: py.bytes / 1e6, allMB: allBytes(chosen) / 1e6 };
  const out = join(tmp, "py.json");
  const a = exfilscan("exfilscan", ["scan", ...chosen, "--offline", "-f", "json", "-o", out]);
  const b = onPath("bandit") ? peer("bandit", "bandit", ["-r", ...chosen, "-f", "json", "-o", join(tmp, "bandit.json"), "-q"]) : undefined;
  if (!b) log("  bandit not installed (apt-get install bandit): exfilscan alone");
  log(`${label} (${fmt(input.pyMB, 1)} MB of .py; ${runs} pairs)`);
  const samples = interleave(a, b, runs, 0, log);
  const entry = record("python", label, a, b, samples, input);
  if (!b) entry.peerSkipped = "bandit not installed";
  entry.exfilscan.report = scanSummary(out);
  throughput(entry, input.pyMB);
}

// ---- logs vs fail2ban-regex ---------------------------------------------------------
// The generated log is OpenSSH 9.8+ (program tag "sshd-session"); Debian's fail2ban 1.0 sshd
// filter has _daemon = sshd and would match none of it, so it gets fail2ban 1.1's daemon
// pattern: both tools then parse the same lines (bench-logs.mjs prints how many each matched).
const F2B_FILTER = 'sshd[_daemon="sshd(?:-session)?"]';
function logs() {
  const label = `logs: generated ${logLines.toLocaleString("en")}-line auth.log vs fail2ban-regex`;
  const file = join(tmp, "auth.log");
  spawnSync(node, [join(root, "scripts/gen-authlog.mjs"), String(logLines), file, "42"]);
  readFileSync(file);
  const db = join(tmp, "state.db");
  const fresh = () => ["", "-wal", "-shm"].forEach((s) => rmSync(db + s, { force: true }));
  const a = exfilscan("exfilscan", ["logs", file, "--db", db, "-f", "json", "-o", join(tmp, "logs.json")], { before: fresh });
  const b = onPath("fail2ban-regex") ? peer("fail2ban-regex", "fail2ban-regex", ["--print-no-missed", "--print-no-ignored", file, F2B_FILTER]) : undefined;
  if (!b) log("  fail2ban-regex not installed (apt-get install fail2ban): exfilscan alone");
  log(`${label} (${runs} pairs; exfilscan with every parser, detector and a fresh SQLite state)`);
  const samples = interleave(a, b, runs, 0, log);
  const entry = record("logs", label, a, b, samples, { lines: logLines, MiB: readFileSync(file).length / 2 ** 20 });
  if (!b) entry.peerSkipped = "fail2ban-regex not installed";
  for (const side of [entry.exfilscan, entry.peer].filter(Boolean)) {
    side.linesPerCpuSecond = side.cpu ? logLines / side.cpu : null;
    side.linesPerSecond = logLines / side.wall;
  }
}

// ---- deps and guard against a loopback mirror -----------------------------------------
let mirror;
/** The mirror child process (its own process: the measured runs are synchronous and would starve an in-process server). */
async function startMirror() {
  if (mirror) return mirror;
  const child = spawn(node, [join(root, "scripts/bench-mirror.mjs"), "--archives", mirrorArchives, "--lock", join(guardProject, "package-lock.json"), "--lock", join(guardAdd, "package-lock.json"), "--fill"], { stdio: ["ignore", "pipe", "inherit"] });
  const base = await new Promise((done, fail) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening (\S+)/.exec(out);
      if (m) done(m[1]);
    });
    child.on("exit", (code) => fail(new Error(`bench-mirror exited ${code}`)));
  });
  child.stdout.removeAllListeners("data");
  child.removeAllListeners("exit");
  mirror = { base, child };
  return mirror;
}

/** Same npm configuration for both sides: the mirror, a private npm cache and HOME, no audit/fund/scripts. */
function mirrorEnv(base, extra = {}) {
  mkdirSync(join(tmp, "home"), { recursive: true });
  return {
    HOME: join(tmp, "home"),
    XDG_STATE_HOME: join(tmp, "state"),
    npm_config_registry: `${base}/`,
    npm_config_cache: join(tmp, "npm-cache"),
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    npm_config_ignore_scripts: "true",
    npm_config_loglevel: "error",
    EXFILSCAN_ADVISORY_STORE: join(tmp, "none.json"),
    ...extra,
  };
}

function copyProject(into) {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  for (const name of ["package.json", "package-lock.json"]) cpSync(join(guardProject, name), join(into, name));
  return into;
}

const lockCount = () => Object.keys(JSON.parse(readFileSync(join(guardProject, "package-lock.json"), "utf8")).packages).filter((k) => k).length;

function checkCodes(label, samples) {
  for (const side of ["a", "b"]) {
    const codes = [...new Set((samples[side] ?? []).map((s) => s.code))];
    if (codes.some((c) => c !== 0)) throw new Error(`${label}: a run exited ${codes.join(", ")}`);
  }
}

/** Pair-by-pair a − b in ms, median (CPU and wall). */
function overPeer(samples) {
  const over = (k) => samples.a.map((s, i) => (s[k] !== null ? (s[k] - samples.b[i][k]) * 1000 : null));
  return { cpu: summarize(over("cpu").map((cpu) => ({ cpu }))).cpu, wall: summarize(over("wall").map((wall) => ({ wall }))).wall };
}

async function deps() {
  const packages = lockCount();
  const { base } = await startMirror();
  const env = mirrorEnv(base);
  const project = copyProject(join(tmp, "deps-project"));
  const out = join(tmp, "deps.json");
  const depsArgs = (cache) => ["deps", project, "--cache-dir", cache, "--quiet", "--format", "json", "--allow-unanalysed", "-o", out];
  // Cold: an empty exfilscan cache (fetch, verify, unpack, analyse every package) next to npm
  // installing the same tree with an empty npm cache (fetch, verify, unpack; no scripts).
  const cold = join(tmp, "deps-cold-cache");
  const npmDir = copyProject(join(tmp, "deps-npm-ci"));
  const label = `deps cold: ${packages}-package lockfile (bench/guard-project), loopback mirror`;
  const a = exfilscan("exfilscan deps, empty cache", depsArgs(cold), { env, before: () => rmSync(cold, { recursive: true, force: true }) });
  const b = peer("npm ci, empty npm cache", "npm", ["ci"], { cwd: npmDir, env: { ...env, npm_config_cache: join(tmp, "npm-cold-cache") }, before: () => ["node_modules", "../npm-cold-cache"].forEach((d) => rmSync(join(npmDir, d), { recursive: true, force: true })) });
  log(`${label} (${runs} pairs)`);
  const coldSamples = interleave(a, b, runs, 0, log);
  checkCodes(label, coldSamples);
  const coldEntry = record("depsCold", label, a, b, coldSamples, { packages, lockfile: "bench/guard-project/package-lock.json" });
  coldEntry.exfilscan.report = scanSummary(out);
  // Warm: the same command again on a filled cache, next to node -e 0.
  const warm = join(tmp, "deps-warm-cache");
  runOnce(node, [cli, ...depsArgs(warm)], { tmp, env });
  const warmLabel = `deps warm: the same lockfile rescanned`;
  const n = Math.max(runs, quick ? 3 : 5);
  const wa = exfilscan("exfilscan deps, warm cache", depsArgs(warm), { env });
  const wb = peer("node -e 0", node, ["-e", "0"]);
  log(`${warmLabel} (${n} pairs after 1 warm-up)`);
  const warmSamples = interleave(wa, wb, n, 1, log);
  checkCodes(warmLabel, warmSamples);
  const warmEntry = record("depsWarm", warmLabel, wa, wb, warmSamples, { packages });
  warmEntry.overNodeMs = overPeer(warmSamples);
}

async function guard() {
  const packages = lockCount();
  const { base } = await startMirror();
  const cache = join(tmp, "guard-cache");
  const env = mirrorEnv(base, { EXFILSCAN_CACHE_DIR: cache });
  const dir = copyProject(join(tmp, "guard-project"));
  const ci = runOnce("npm", ["ci"], { tmp, cwd: dir, env });
  if (ci.code !== 0) throw new Error("guard suite: npm ci from the mirror failed");
  // Fills exfilscan's verdict cache (and the fast path's record) for this tree; npm's cache is warm from npm ci.
  runOnce(node, [cli, "guard", "--", "npm", "install"], { tmp, cwd: dir, env });
  const n = Math.max(runs, quick ? 3 : 5);
  const plain = peer("npm install", "npm", ["install"], { cwd: dir, env });
  for (const [key, label, extra] of [
    ["guardInstalled", `guard: npm install on the installed ${packages}-package tree, warm caches`, {}],
    ["guardInstalledFull", "guard: the same, fast path off (EXFILSCAN_GUARD_FAST=0: the full check, its report reused)", { EXFILSCAN_GUARD_FAST: "0" }],
  ]) {
    const a = exfilscan("exfilscan guard -- npm install", ["guard", "--", "npm", "install"], { cwd: dir, env: { ...env, ...extra } });
    log(`${label} (${n} pairs after 1 warm-up)`);
    const samples = interleave(a, plain, n, 1, log);
    checkCodes(label, samples);
    record(key, label, a, plain, samples, { packages }).overNodeMs = overPeer(samples);
  }
  // The check alone (what the guard adds before npm runs), next to a bare Node start-up.
  const checkLabel = "guard --check-only -- npm install (the fast path alone, no npm run)";
  const ca = exfilscan("exfilscan guard --check-only -- npm install", ["guard", "--check-only", "--", "npm", "install"], { cwd: dir, env });
  runOnce(ca.command, ca.args, ca); // records this argument list's clean verdict
  const cb = peer("node -e 0", node, ["-e", "0"]);
  log(`${checkLabel} (${n} pairs after 1 warm-up)`);
  const checkSamples = interleave(ca, cb, n, 1, log);
  checkCodes(checkLabel, checkSamples);
  record("guardCheck", checkLabel, ca, cb, checkSamples, { packages }).overNodeMs = overPeer(checkSamples);
  // Adding one new package: each run starts from the installed tree without it.
  const restore = () => {
    for (const name of ["package.json", "package-lock.json"]) cpSync(join(guardProject, name), join(dir, name));
    rmSync(join(dir, "node_modules", "left-pad"), { recursive: true, force: true });
  };
  const label = `guard: npm install ${ADD_SPEC} (one new package) into that tree`;
  const a = exfilscan(`exfilscan guard -- npm install ${ADD_SPEC}`, ["guard", "--", "npm", "install", ADD_SPEC], { cwd: dir, env, before: restore });
  const b = peer(`npm install ${ADD_SPEC}`, "npm", ["install", ADD_SPEC], { cwd: dir, env, before: restore });
  log(`${label} (${n} pairs after 1 warm-up)`);
  const samples = interleave(a, b, n, 1, log);
  checkCodes(label, samples);
  record("guardAdd", label, a, b, samples, { packages, added: ADD_SPEC }).overNodeMs = overPeer(samples);
  restore();
}

function writeResults() {
  results.machine.loadavgAtEnd = loadavg();
  mkdirSync(join(root, "bench"), { recursive: true });
  const file = resolve(root, value("--out", quick ? "bench/results-quick.json" : "bench/results.json"));
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

function throughput(entry, mb) {
  for (const side of [entry.exfilscan, entry.peer].filter(Boolean)) {
    side.sourceMBPerCpuSecond = side.cpu ? mb / side.cpu : null;
    side.sourceMBPerSecond = mb / side.wall;
    side.cpuOverWall = side.cpu ? side.cpu / side.wall : null;
  }
}

function skip(key, label, reason) {
  log(`${label}: skipped (${reason})`);
  results.suites[key] = { label, skipped: reason };
}

// ---- run and print --------------------------------------------------------------
// `--table-from bench/results.json`: print a stored run as a Markdown table (docs/benchmarks.md), run nothing.
if (argv.includes("--table-from")) {
  Object.assign(results, JSON.parse(readFileSync(value("--table-from"), "utf8")));
  printTable(true);
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}
const suites = { startup, js: javascript, python, logs, deps, guard };
try {
  for (const name of only) {
    if (!suites[name]) throw new Error(`unknown suite ${name} (${Object.keys(suites).join(", ")})`);
    await suites[name]();
    writeResults(); // a run stopped later keeps the suites already measured
  }
} finally {
  mirror?.child.kill();
  if (!flag("--keep")) rmSync(tmp, { recursive: true, force: true });
}
const resultsFile = writeResults();
printTable();
console.log(`\nwritten: ${resultsFile}`);

function printTable(markdown = false) {
  const rows = [["figure", "exfilscan", "peer", "exfilscan / peer"]];
  for (const entry of Object.values(results.suites)) {
    if (entry.skipped) {
      rows.push([entry.label, `skipped: ${entry.skipped}`, "", ""]);
      continue;
    }
    const x = entry.exfilscan;
    const p = entry.peer;
    rows.push([entry.label, "", p ? p.name : entry.peerSkipped ?? "", ""]);
    if (entry.overNodeMs) {
      rows.push(["  CPU s (user+sys) / wall s", `${fmt(x.cpu, 3)} / ${fmt(x.wall, 3)}`, `${fmt(p.cpu, 3)} / ${fmt(p.wall, 3)}`, `${fmt(entry.ratio.cpu)}x / ${fmt(entry.ratio.wall)}x`]);
      rows.push([`  over ${p.name}, ms (CPU / wall)`, `${fmt(entry.overNodeMs.cpu, 0)} / ${fmt(entry.overNodeMs.wall, 0)}`, "", ""]);
    } else {
      rows.push(["  CPU s (user+sys)", fmt(x.cpu), fmt(p?.cpu), fmt(entry.ratio?.cpu)]);
      rows.push(["  wall s", fmt(x.wall), fmt(p?.wall), fmt(entry.ratio?.wall)]);
    }
    if (x.sourceMBPerCpuSecond !== undefined) {
      const inv = (r) => (r ? 1 / r : null);
      rows.push(["  source MB/s per CPU s (files analysed)", fmt(x.sourceMBPerCpuSecond), fmt(p?.sourceMBPerCpuSecond), p ? `${fmt(inv(entry.ratio.cpu))}x` : ""]);
      rows.push(["  source MB/s wall", fmt(x.sourceMBPerSecond), fmt(p?.sourceMBPerSecond), p ? `${fmt(inv(entry.ratio.wall))}x` : ""]);
      rows.push(["  CPU / wall (cores used)", fmt(x.cpuOverWall), fmt(p?.cpuOverWall), ""]);
    }
    if (x.linesPerCpuSecond !== undefined) {
      const inv = (r) => (r ? 1 / r : null);
      rows.push(["  log lines/s per CPU s", fmt(x.linesPerCpuSecond, 0), fmt(p?.linesPerCpuSecond, 0), p ? `${fmt(inv(entry.ratio.cpu))}x` : ""]);
      rows.push(["  log lines/s wall", fmt(x.linesPerSecond, 0), fmt(p?.linesPerSecond, 0), p ? `${fmt(inv(entry.ratio.wall))}x` : ""]);
    }
    rows.push(["  peak RSS MB", fmt(x.peakRssMB, 0), fmt(p?.peakRssMB, 0), fmt(entry.ratio?.peakRss)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  console.log(`exfilscan bench (${results.mode}, ${results.runs} run${results.runs === 1 ? "" : "s"} per heavy figure) — node ${results.node}, ${results.machine.cpus} CPUs, load ${results.machine.loadavgAtStart}→${results.machine.loadavgAtEnd}, ${results.date}, ${results.commit}`);
  if (markdown) {
    console.log("");
    rows.forEach((row, i) => {
      console.log(`| ${row.map((c) => String(c).replace(/^ +/, "↳ ").replace(/\|/g, "\\|")).join(" | ")} |`);
      if (i === 0) console.log(`|${row.map(() => "---").join("|")}|`);
    });
  } else for (const row of rows) console.log(row.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd());
  for (const [what, why] of Object.entries(results.notMeasured)) console.log(`${what}: ${why}`);
}
