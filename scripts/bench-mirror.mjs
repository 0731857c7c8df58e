#!/usr/bin/env node
// A loopback npm registry mirror for the benchmarks, so the network is not what is measured:
// packuments made from package-lock.json files, tarballs from a folder of archives named as
// exfilscan's archive cache names them (`sha512-<hex>`). Missing archives are fetched once from
// registry.npmjs.org and checked against the lockfile's integrity (`--fill`), before serving.
//   node scripts/bench-mirror.mjs --archives DIR --lock A/package-lock.json [--lock B/…] [--fill]
// Prints `listening http://127.0.0.1:PORT` on stdout and serves until killed.
// Also a module: startMirror({ locks, archives }) → { base, close() } (in-process, for scripts
// whose children run asynchronously).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

/** Every registry package of the lockfiles: name, version, integrity, the archive's file and the packument entry. */
export function lockPackages(locks, archives) {
  const out = [];
  for (const lockFile of locks) {
    const lock = JSON.parse(readFileSync(lockFile, "utf8"));
    for (const [loc, e] of Object.entries(lock.packages ?? {})) {
      if (!loc.includes("node_modules/") || !e.version || !e.integrity || e.link) continue;
      const name = e.name ?? loc.slice(loc.lastIndexOf("node_modules/") + 13);
      const sri = e.integrity.split(" ").find((s) => s.startsWith("sha512-"));
      if (!sri) continue;
      const hex = Buffer.from(sri.slice(7), "base64").toString("hex");
      out.push({ name, version: e.version, integrity: e.integrity, hex, file: join(archives, `sha512-${hex}`), entry: e });
    }
  }
  return out;
}

/** Fetch the archives the folder lacks from the public registry, each checked against its integrity. */
export async function fillArchives(packages, log = () => {}) {
  mkdirSync(packages[0] ? join(packages[0].file, "..") : ".", { recursive: true });
  let fetched = 0;
  for (const p of packages) {
    if (existsSync(p.file)) continue;
    const url = `https://registry.npmjs.org/${p.name}/-/${p.name.split("/").pop()}-${p.version}.tgz`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const data = Buffer.from(await response.arrayBuffer());
    if (createHash("sha512").update(data).digest("hex") !== p.hex) throw new Error(`${url}: integrity differs from the lockfile`);
    writeFileSync(`${p.file}.tmp`, data);
    renameSync(`${p.file}.tmp`, p.file);
    fetched++;
  }
  if (fetched) log(`  mirror: fetched ${fetched} archives once into ${join(packages[0].file, "..")}`);
}

export async function startMirror({ locks, archives }) {
  const packages = lockPackages(locks, archives);
  const missing = packages.filter((p) => !existsSync(p.file));
  if (missing.length) throw new Error(`${missing.length} archives missing from ${archives} (first: ${missing[0].name}@${missing[0].version}); run with --fill once`);
  const packuments = new Map();
  const tarballs = new Map();
  for (const p of packages) {
    const path = `/${p.name}/-/${p.name.split("/").pop()}-${p.version}.tgz`;
    tarballs.set(path, p.file);
    const doc = packuments.get(p.name) ?? { name: p.name, "dist-tags": {}, versions: {} };
    const { resolved, integrity, dev, optional, devOptional, peer, link, hasInstallScript, inBundle, ...meta } = p.entry;
    doc.versions[p.version] = { ...meta, name: p.name, version: p.version, ...(hasInstallScript ? { scripts: { install: "true" } } : {}), dist: { tarball: `%BASE%${path}`, integrity } };
    const newest = doc["dist-tags"].latest;
    if (!newest || compareVersions(p.version, newest) > 0) doc["dist-tags"].latest = p.version;
    packuments.set(p.name, doc);
  }
  let base = "";
  const server = createServer((req, res) => {
    const url = decodeURIComponent(req.url.split("?")[0]);
    const doc = packuments.get(url.slice(1));
    if (doc) return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc).replaceAll("%BASE%", base));
    const file = tarballs.get(url);
    if (file) return res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(file));
    res.writeHead(404, { "content-type": "application/json" }).end("{}");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
  return { base, packages: packages.length, close: () => new Promise((r) => server.close(r)) };
}

function compareVersions(a, b) {
  const pa = a.split(/[.+-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pb = b.split(/[.+-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    if (pa[i] === undefined) return -1;
    if (pb[i] === undefined) return 1;
    return typeof pa[i] === "number" && typeof pb[i] === "number" ? pa[i] - pb[i] : String(pa[i]) < String(pb[i]) ? -1 : 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const locks = argv.flatMap((a, i) => (a === "--lock" ? [argv[i + 1]] : []));
  const archives = argv[argv.indexOf("--archives") + 1];
  if (!locks.length || !archives || argv.indexOf("--archives") < 0) {
    console.error("usage: bench-mirror.mjs --archives DIR --lock package-lock.json [--lock …] [--fill]");
    process.exit(2);
  }
  if (argv.includes("--fill")) await fillArchives(lockPackages(locks, archives), (l) => console.error(l));
  const mirror = await startMirror({ locks, archives });
  console.log(`listening ${mirror.base}`);
  process.on("SIGTERM", () => mirror.close().then(() => process.exit(0)));
}
