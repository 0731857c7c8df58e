#!/usr/bin/env node
// False positives of exfilscan on popular benign packages (issue 9):
// the top npm packages and Debian python3-* packages.
//
//   node scripts/eval-precision.mjs [--npm-count 150] [--fetch] [--cli dist/cli.js] [--json-out FILE]
//
// npm tarballs are cached as <cache>/<name with / as __>.tgz (fetched with
// `npm pack` when --fetch is given and the file is absent). Debian packages are
// listed one per line in <debian>/list.txt, downloaded with `apt-get download`
// into <debian>/debs and unpacked with `dpkg -x` into <debian>/x/<pkg> (with
// --fetch); their usr/lib/python3/dist-packages tree is scanned. Nothing is
// installed or executed. Prints the packages with high/critical findings and
// with any credential finding, each with rule and location.
import { spawnSync } from "node:child_process";
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
    "skip-npm": { type: "boolean", default: false },
    "skip-debian": { type: "boolean", default: false },
    fetch: { type: "boolean", default: false },
    cli: { type: "string", default: join(root, "dist/cli.js") },
    "json-out": { type: "string" },
    out: { type: "string" },
    timeout: { type: "string", default: "300" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opts.help) {
  console.log("usage: eval-precision.mjs [--npm-count N] [--npm-list FILE] [--npm-cache DIR] [--debian DIR] [--skip-npm] [--skip-debian] [--fetch] [--cli dist/cli.js] [--out FILE] [--json-out FILE]");
  process.exit(0);
}
const cli = resolve(opts.cli);

function scan(target) {
  const r = spawnSync(process.execPath, [cli, "scan", target, "--format", "json", "--fail-on", "critical"], {
    encoding: "utf8",
    timeout: Number(opts.timeout) * 1000,
    maxBuffer: 512 << 20,
  });
  if (r.error) return { ...condense(null, r.error.message), hits: [] };
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

function npmTargets() {
  const names = readFileSync(opts["npm-list"], "utf8").split("\n").map((s) => s.trim()).filter(Boolean).slice(0, Number(opts["npm-count"]));
  mkdirSync(opts["npm-cache"], { recursive: true });
  const out = [];
  for (const name of names) {
    const file = join(opts["npm-cache"], `${name.replaceAll("/", "__")}.tgz`);
    if (!existsSync(file) && opts.fetch) {
      const tmp = mkdtempSync(join(opts["npm-cache"], ".tmp-"));
      const r = spawnSync("npm", ["pack", name, "--silent"], { cwd: tmp, encoding: "utf8", timeout: 120_000 });
      const packed = r.status === 0 ? r.stdout.trim().split("\n").pop() : null;
      if (packed && existsSync(join(tmp, packed))) renameSync(join(tmp, packed), file);
      rmSync(tmp, { recursive: true, force: true });
    }
    out.push({ ecosystem: "npm", name, target: existsSync(file) ? file : null });
  }
  return out;
}

function debianTargets() {
  const listFile = join(opts.debian, "list.txt");
  const names = existsSync(listFile) ? readFileSync(listFile, "utf8").split("\n").map((s) => s.trim()).filter(Boolean) : [];
  const debs = join(opts.debian, "debs");
  mkdirSync(debs, { recursive: true });
  const out = [];
  for (const name of names) {
    const x = join(opts.debian, "x", name);
    if (!existsSync(x) && opts.fetch) {
      if (!readdirSync(debs).some((f) => f.startsWith(`${name}_`))) spawnSync("apt-get", ["download", name], { cwd: debs, timeout: 120_000 });
      const deb = readdirSync(debs).find((f) => f.startsWith(`${name}_`) && f.endsWith(".deb"));
      if (deb) {
        mkdirSync(x, { recursive: true });
        spawnSync("dpkg", ["-x", join(debs, deb), x], { timeout: 120_000 });
      }
    }
    const py = join(x, "usr/lib/python3/dist-packages");
    if (existsSync(x)) out.push({ ecosystem: "debian", name, target: existsSync(py) ? py : x });
    else out.push({ ecosystem: "debian", name, target: null });
  }
  return out;
}

const targets = [...(opts["skip-npm"] ? [] : npmTargets()), ...(opts["skip-debian"] ? [] : debianTargets())];
const results = { npm: [], debian: [] };
const absent = [];
for (const [i, t] of targets.entries()) {
  if (process.stderr.isTTY) process.stderr.write(`\r${i + 1}/${targets.length} ${t.name}`.padEnd(60).slice(0, 79));
  if (!t.target) {
    absent.push(`${t.ecosystem}:${t.name}`);
    continue;
  }
  results[t.ecosystem].push({ name: t.name, ...scan(t.target) });
}
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
