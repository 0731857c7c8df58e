#!/usr/bin/env node
// Added latency of `exfilscan guard -- npm install` over plain `npm install`, against a
// loopback registry mirror (no network): packuments made from a project's package-lock.json,
// tarballs from an exfilscan archive cache filled by an earlier `exfilscan deps` of it.
//   node scripts/bench-guard.mjs --project DIR --cache-dir DIR [--add name@version] [--runs 3]
// The project is copied to a temp folder; the mirror and every child end with the script.
import { spawnSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
const project = resolve(arg("--project"));
const cacheDir = resolve(arg("--cache-dir"));
const runs = Number(arg("--runs", "3"));
const add = arg("--add");
const cli = resolve(new URL("../dist/cli.js", import.meta.url).pathname);

const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"));
const packuments = new Map();
const tarballs = new Map();
for (const [loc, e] of Object.entries(lock.packages)) {
  if (!loc.includes("node_modules/") || !e.version || !e.integrity) continue;
  const name = e.name ?? loc.slice(loc.lastIndexOf("node_modules/") + 13);
  const hex = Buffer.from(e.integrity.split(" ")[0].slice(7), "base64").toString("hex");
  const file = join(cacheDir, "archives", `sha512-${hex}`);
  if (!existsSync(file)) throw new Error(`${name}@${e.version} is not in ${cacheDir}: run exfilscan deps on the project first`);
  const path = `/${name}/-/${name.split("/").pop()}-${e.version}.tgz`;
  tarballs.set(path, file);
  const doc = packuments.get(name) ?? { name, "dist-tags": {}, versions: {} };
  const { resolved, integrity, dev, optional, devOptional, peer, link, hasInstallScript, ...meta } = e;
  doc.versions[e.version] = { ...meta, name, version: e.version, ...(hasInstallScript ? { scripts: { install: "true" } } : {}), dist: { tarball: `%BASE%${path}`, integrity } };
  if (!doc["dist-tags"].latest || e.version > doc["dist-tags"].latest) doc["dist-tags"].latest = e.version;
  packuments.set(name, doc);
}
let base = "";
const server = createServer((req, res) => {
  const url = decodeURIComponent(req.url.split("?")[0]);
  const doc = packuments.get(url.slice(1));
  if (doc) return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc).replaceAll("%BASE%", base));
  const file = tarballs.get(url);
  if (file) return res.writeHead(200).end(readFileSync(file));
  res.writeHead(404).end("{}");
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
base = `http://127.0.0.1:${server.address().port}`;

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
  console.log(`packages in lockfile: ${tarballs.size}; median of ${runs} runs; loopback mirror ${base}`);
  console.log("| command | plain npm (ms) | exfilscan guard (ms) | added (ms) |\n|---|---|---|---|");
  for (const [label, p, g] of rows) console.log(`| ${label} | ${p.toFixed(0)} | ${g.toFixed(0)} | ${(g - p).toFixed(0)} |`);
  console.log(`guard --check-only -- npm install: ${check.toFixed(0)} ms (the check alone)`);
  if (add) console.log(`guard --check-only -- npm install ${add}: ${addCheck.toFixed(0)} ms (the check the guard adds before the same npm install)`);
  console.log(`exfilscan --version: ${version.toFixed(0)} ms (start-up, included in every guard figure)`);
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
