#!/usr/bin/env node
// Ingest throughput of `exfilscan logs` into SQLite and PostgreSQL from 1, 2 and 4 concurrent
// writers (separate processes, one partition per host). The generated auth.log
// (gen-authlog.mjs, N lines in total) is written as 4 host logs of N/4 lines each; writer i
// of W ingests logs i, i+W, …. Uses the built CLI: run `npm run build` first.
// Usage: node scripts/bench-store.mjs <postgres://…/db-with-CREATEDB-rights> [lines=1000000]
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "cli.js");
const admin = process.argv[2];
const lines = Number(process.argv[3] ?? 1_000_000);
if (!admin?.startsWith("postgres")) throw new Error("usage: bench-store.mjs <postgres://…> [lines]");
const dir = mkdtempSync(join(tmpdir(), "exfilscan-bench-store-"));
const logs = [1, 2, 3, 4].map((i) => {
  const file = join(dir, `host${i}.log`);
  execFileSync(process.execPath, [join(root, "scripts", "gen-authlog.mjs"), String(lines / 4), file, String(i)]);
  writeFileSync(file, readFileSync(file, "utf8").replaceAll(" web1 ", ` host${i} `));
  return file;
});

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "ignore", "inherit"] });
    child.on("close", (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`exit ${code}: ${args.join(" ")}`))));
  });
}

const client = new pg.Client({ connectionString: admin });
await client.connect();
const common = ["logs", "--reference-time", "2025-01-01T00:00:00Z", "--format", "json"];
let events;
const rows = [];
for (const engine of ["sqlite", "postgres"]) {
  for (const writers of [1, 2, 4]) {
    let db;
    if (engine === "sqlite") db = join(dir, `w${writers}.db`);
    else {
      const name = `bench_w${writers}_${process.pid}`;
      await client.query(`CREATE DATABASE ${name}`);
      db = admin.replace(/\/[^/]*$/, `/${name}`);
    }
    await run(["db", "migrate", "--db", db]);
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: writers }, (_, w) => run([...common, "--db", db, "--output", join(dir, `out-${engine}-${writers}-${w}.json`), ...logs.filter((_, i) => i % writers === w)])));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const total = Array.from({ length: writers }, (_, w) => JSON.parse(readFileSync(join(dir, `out-${engine}-${writers}-${w}.json`), "utf8")).stats.events).reduce((a, b) => a + b, 0);
    events ??= total;
    if (total !== events) throw new Error(`${engine} with ${writers} writers ingested ${total} events, expected ${events}`);
    rows.push({ engine, writers, seconds: seconds.toFixed(1), eventsPerSecond: Math.round(total / seconds) });
    console.log(`${engine.padEnd(8)} ${writers} writer(s): ${total} events in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} events/s`);
  }
}
await client.end();
rmSync(dir, { recursive: true, force: true });
