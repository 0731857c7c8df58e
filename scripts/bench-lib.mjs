// Helpers of `npm run bench`: whole-process timing (wall, CPU, peak RSS from the kernel's
// accounting through /usr/bin/time), A/B interleaving, medians, pinned corpus preparation.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const TIME = "/usr/bin/time";
export const HAS_TIME = existsSync(TIME);

/**
 * Run a command to completion; returns wall/user/sys seconds and peak RSS (MB) of the
 * largest process. Output goes to `stdoutFile` when given (else it is read and dropped).
 */
export function runOnce(command, args, options = {}) {
  options.before?.();
  const timeFile = join(options.tmp, "time.txt");
  const started = process.hrtime.bigint();
  const result = HAS_TIME
    ? spawnSync(TIME, ["-f", "%e %U %S %M", "-o", timeFile, command, ...args], spawnOptions(options))
    : spawnSync(command, args, spawnOptions(options));
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw result.error;
  const sample = { code: result.status, wall, user: null, sys: null, cpu: null, rssMB: null, stdout: result.stdout?.toString() ?? "" };
  if (HAS_TIME) {
    const line = readFileSync(timeFile, "utf8").trim().split("\n").pop();
    const [, user, sys, rssKB] = line.split(" ").map(Number);
    Object.assign(sample, { user, sys, cpu: user + sys, rssMB: rssKB / 1024 });
  }
  return sample;
}

function spawnOptions(options) {
  return { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "ignore"] };
}

/** A B A B …: `warmup` uncounted pairs first, then `runs` counted pairs; ratios pair by pair. */
export function interleave(a, b, runs, warmup, log) {
  const samples = { a: [], b: [] };
  for (let i = 0; i < warmup + runs; i++) {
    const sa = runOnce(a.command, a.args, a);
    const sb = b ? runOnce(b.command, b.args, b) : undefined;
    const counted = i >= warmup;
    log?.(`  ${counted ? `run ${i - warmup + 1}/${runs}` : "warm-up"}: ${a.name} ${fmt(sa.cpu ?? sa.wall)} s` + (sb ? `, ${b.name} ${fmt(sb.cpu ?? sb.wall)} s` : ""));
    if (!counted) continue;
    samples.a.push(sa);
    if (sb) samples.b.push(sb);
  }
  return samples;
}

export function median(values) {
  const v = values.filter((x) => x !== null && Number.isFinite(x)).sort((x, y) => x - y);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Medians of each figure over the counted runs. */
export function summarize(samples) {
  const pick = (key) => median(samples.map((s) => s[key]));
  return { runs: samples.length, wall: pick("wall"), user: pick("user"), sys: pick("sys"), cpu: pick("cpu"), peakRssMB: pick("rssMB"), exitCodes: [...new Set(samples.map((s) => s.code))] };
}

/** Median of the pair-by-pair ratios a/b of one figure (robust to the machine's drift). */
export function pairRatio(a, b, key) {
  const ratios = a.map((s, i) => (s[key] !== null && b[i]?.[key] ? s[key] / b[i][key] : null));
  return median(ratios);
}

export function fmt(x, digits = 2) {
  return x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(digits);
}

/** Lines of a pinned set file, comments and blanks dropped. */
export function readSet(file) {
  return readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
}

/**
 * Unpack the pinned npm tarballs (name sha256 per line) into `into`; returns the package
 * directories and the names that were missing or whose bytes differ from the pin.
 */
export function unpackNpmSet(setFile, corpusDir, into, limit) {
  const dirs = [];
  const problems = [];
  for (const line of readSet(setFile).slice(0, limit)) {
    const [file, sha] = line.split(/\s+/);
    const path = join(corpusDir, file);
    if (!existsSync(path)) {
      problems.push(`${file}: missing`);
      continue;
    }
    const digest = createHash("sha256").update(readFileSync(path)).digest("hex");
    if (sha && digest !== sha) problems.push(`${file}: sha256 differs from the pin`);
    const dir = join(into, file.replace(/\.tgz$/, ""));
    mkdirSync(dir, { recursive: true });
    const untar = spawnSync("tar", ["-xzf", path, "-C", dir, "--no-same-owner", "--no-same-permissions"]);
    if (untar.status !== 0) {
      problems.push(`${file}: tar failed`);
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const top = readdirSync(dir);
    dirs.push(top.length === 1 && statSync(join(dir, top[0])).isDirectory() ? join(dir, top[0]) : dir);
  }
  return { dirs, problems };
}

/** Files and bytes under directories whose names match `pattern` (node_modules and .git skipped). */
export function sourceSize(dirs, pattern) {
  let files = 0;
  let bytes = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules" && entry.name !== ".git") walk(full);
      else if (entry.isFile() && pattern.test(entry.name)) {
        files += 1;
        bytes += statSync(full).size;
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return { files, bytes };
}

/** Bytes of every regular file (what a scanner that reads everything would read). */
export function allBytes(dirs) {
  return sourceSize(dirs, /(?:)/).bytes;
}
