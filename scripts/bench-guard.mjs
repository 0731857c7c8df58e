#!/usr/bin/env node
// Added latency of `exfilscan guard -- npm install` over plain `npm install`, against a
// loopback registry mirror (no network): packuments made from a project's package-lock.json,
// tarballs from an exfilscan archive cache filled by an earlier `exfilscan deps` of it.
//   node scripts/bench-guard.mjs --project DIR --cache-dir DIR [--add name@version] [--runs 3]
// The project is copied to a temp folder; the mirror and every child end with the script.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startMirror } from "./bench-mirror.mjs";

const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
const project = resolve(arg("--project"));
const cacheDir = resolve(arg("--cache-dir"));
const runs = Number(arg("--runs", "3"));
const add = arg("--add");
const cli = resolve(new URL("../dist/cli.js", import.meta.url).pathname);

// The loopback mirror of scripts/bench-mirror.mjs, serving the archives of the exfilscan cache.
const mirror = await startMirror({ locks: [join(project, "package-lock.json")], archives: join(cacheDir, "archives") });
const base = mirror.base;
const work = mkdtempSync(join(tmpdir(), "exfilscan-bench-guard-"));
const env = { ...process.env, npm_config_registry: `${base}/`, npm_config_cache: join(work, "npm-cache"), npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", npm_config_ignore_scripts: "true", EXFILSCAN_CACHE_DIR: cacheDir, XDG_STATE_HOME: join(work, "state") };
const run = (argv, cwd) => new Promise((done) => {
  const t = process.hrtime.bigint();
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  child.on("close", (code) => done({ code, ms: Number(process.hrtime.bigint() - t) / 1e6, err }));
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// One copy of the project, installed once; every measured command leaves the tree as it was
// (npm install on an installed tree; --check-only never changes the project).
const dir = join(work, "project");
cpSync(project, dir, { recursive: true, filter: (p) => !p.includes("node_modules") });
async function measure(argv) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const r = await run(argv, dir);
    if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.err.slice(-800)}`);
    out.push(r.ms);
  }
  return median(out);
}
try {
  const ci = await run(["npm", "ci"], dir);
  if (ci.code !== 0) throw new Error(`npm ci: ${ci.err.slice(-800)}`);
  const guardCmd = ["node", cli, "guard", "--"];
  await measure([...guardCmd, "npm", "install"]); // fills the verdict cache for this tree, if it was not
  const plain = await measure(["npm", "install"]);
  const guarded = await measure([...guardCmd, "npm", "install"]);
  const check = await measure(["node", cli, "guard", "--check-only", "--", "npm", "install"]);
  const rows = [["npm install (300+ package tree already installed)", plain, guarded]];
  let addCheck;
  if (add) addCheck = await measure(["node", cli, "guard", "--check-only", "--", "npm", "install", add]);
  const version = await measure(["node", cli, "--version"]);
  console.log(`packages in lockfile: ${mirror.packages}; median of ${runs} runs; loopback mirror ${base}`);
  console.log("| command | plain npm (ms) | exfilscan guard (ms) | added (ms) |\n|---|---|---|---|");
  for (const [label, p, g] of rows) console.log(`| ${label} | ${p.toFixed(0)} | ${g.toFixed(0)} | ${(g - p).toFixed(0)} |`);
  console.log(`guard --check-only -- npm install: ${check.toFixed(0)} ms (the check alone)`);
  if (add) console.log(`guard --check-only -- npm install ${add}: ${addCheck.toFixed(0)} ms (the check the guard adds before the same npm install)`);
  console.log(`exfilscan --version: ${version.toFixed(0)} ms (start-up, included in every guard figure)`);
} finally {
  await mirror.close();
  rmSync(work, { recursive: true, force: true });
}
