// The verdict cache shared by runners (`deps --db`): two runners with separate local caches on
// one database (a real PostgreSQL, then a SQLite file), tampered rows, an unreachable database.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/types.js";
import { loadVerdictKey, verdictMac } from "../../src/deps/shared-cache.js";
import { CLI, ROOT } from "../helpers/cli.js";
import { startPostgres, type PostgresServer } from "../store/postgres-server.js";
import { LOCKFILES, materialize } from "./helpers.js";
import { TestRegistry } from "./registry-server.js";

const NPM_PKGS = join(LOCKFILES, "packages", "npm");
const registry = new TestRegistry([
  { ecosystem: "npm", name: "webkit-helpers", version: "1.0.0", dir: join(NPM_PKGS, "webkit-helpers") },
  { ecosystem: "npm", name: "tidy-format", version: "2.0.0", dir: join(NPM_PKGS, "tidy-format") },
  { ecosystem: "npm", name: "lodahs-utils", version: "4.17.22", dir: join(ROOT, "fixtures", "npm", "malicious", "env-dump-fetch") },
]);
const KEY = "0123456789abcdef0123456789abcdef";
let server: PostgresServer;
let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "exfilscan-shared-"));
  await registry.start();
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  server?.stop();
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: ScanReport;
}

/** One runner: its own empty (or given) local cache, the shared database through --db or EXFILSCAN_DB. */
function runner(project: string, db: string, options: { key?: string; cacheDir?: string; viaEnv?: boolean; format?: string } = {}): Promise<Run> {
  const cacheDir = options.cacheDir ?? mkdtempSync(join(dir, "cache-"));
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", HOME: cacheDir, XDG_CONFIG_HOME: cacheDir, PIP_INDEX_URL: "", npm_config_registry: "" };
  delete env["EXFILSCAN_DB"];
  delete env["EXFILSCAN_DB_KEY"];
  delete env["EXFILSCAN_DB_KEY_FILE"];
  if (options.key) env["EXFILSCAN_DB_KEY"] = options.key;
  if (options.viaEnv) env["EXFILSCAN_DB"] = db;
  const args = [CLI, "deps", "--registry", registry.base, "--cache-dir", cacheDir, "--advisory-store", join(cacheDir, "none.json"), "--workers", "1", "--format", options.format ?? "json", ...(options.viaEnv ? [] : ["--db", db])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: project, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr, report: (options.format ?? "json") === "json" ? (JSON.parse(stdout || "{}") as ScanReport) : ({} as ScanReport) }));
  });
}

const tarballHits = () => registry.hits.filter((h) => h.endsWith(".tgz")).length;
const findingsOf = (run: Run) => run.report.findings.map((f) => [f.ruleId, f.severity, f.package?.name, f.location.file, f.location.line, f.message]).sort();

interface VerdictSql {
  rows(): Promise<{ analysis_version: string; digest: string; result_json: string; result_sha256: string; written_by: string; mac: string | null }[]>;
  /** SQL with $1, $2 … placeholders, each used once and in order (rewritten to ? for SQLite). */
  exec(sql: string, params: unknown[]): Promise<void>;
  close(): Promise<void>;
}

const engines: { name: string; fresh: () => Promise<{ db: string; sql: () => Promise<VerdictSql> }> }[] = [
  {
    name: "postgres",
    fresh: async () => {
      const name = `shared${counter++}`;
      server.createDatabase(name);
      const { PostgresStore } = await import("../../src/store/postgres.js");
      await (await PostgresStore.open(server.url(name), { migrate: true })).close();
      return {
        db: server.url(name),
        sql: async () => {
          const client = new pg.Client({ connectionString: server.url(name) });
          await client.connect();
          return {
            rows: async () => (await client.query("SELECT * FROM verdicts ORDER BY digest")).rows,
            exec: async (sql, params) => void (await client.query(sql, params)),
            close: () => client.end(),
          };
        },
      };
    },
  },
  {
    name: "sqlite",
    fresh: async () => {
      const file = join(dir, `shared${counter++}.db`);
      return {
        db: file,
        sql: async () => {
          const db = new Database(file);
          return {
            rows: async () => db.prepare("SELECT * FROM verdicts ORDER BY digest").all() as never,
            exec: async (sql, params) => void db.prepare(sql.replace(/\$\d+/g, "?")).run(...params),
            close: async () => void db.close(),
          };
        },
      };
    },
  },
];

const project = () => materialize("npm-v3", { registry: registry.base, sri: (id: string) => registry.sri(id) });
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
/** Several CLI runs per test on a shared, loaded machine. */
const SLOW = 300_000;

describe.each(engines)("shared verdict cache on $name", ({ fresh }) => {
  it("runner A analyses and writes back; runner B, with an empty local cache, takes every package from the shared cache with the same findings", async () => {
    const { db } = await fresh();
    const app = project();
    const a1 = await runner(app, db, { key: KEY, viaEnv: true });
    expect(a1.code, a1.stderr).toBe(1);
    expect(a1.report.deps).toMatchObject({ packages: 3, scanned: 3, fromCache: 0 });
    expect(a1.report.deps?.sharedCache).toMatchObject({ reachable: true, signed: true, hits: 0, written: 3, rejected: 0, problems: [] });
    expect(findingsOf(a1).some(([rule, severity, name]) => rule === "credential-exfiltration" && severity === "critical" && name === "lodahs-utils")).toBe(true);
    const fetched = tarballHits();
    const b = await runner(app, db, { key: KEY });
    expect(b.code, b.stderr).toBe(1);
    expect(b.report.deps).toMatchObject({ packages: 3, scanned: 0, fromCache: 3, notAnalysed: [] });
    expect(b.report.deps?.sharedCache).toMatchObject({ hits: 3, written: 0, rejected: 0 });
    expect(tarballHits()).toBe(fetched); // nothing downloaded, nothing analysed
    expect(findingsOf(b)).toEqual(findingsOf(a1));
    const text = await runner(app, db, { key: KEY, format: "text" });
    expect(text.stdout).toMatch(/3 packages: 0 scanned, 3 from cache/);
    expect(text.stdout).toContain(`: 3 from shared cache, 0 written back, entries signed with the fleet key`);
  }, SLOW);

  it("tampered rows are not used (payload changed, MAC of another digest, of another analysis version, or missing): analysed again, repaired", async () => {
    const { db, sql } = await fresh();
    const app = project();
    const a = await runner(app, db, { key: KEY });
    expect(a.report.deps?.sharedCache?.written).toBe(3);
    const q = await sql();
    try {
      const rows = await q.rows();
      const byName = new Map(rows.map((r) => [(JSON.parse(r.result_json) as { target: { name: string } }).target.name, r]));
      const stealer = byName.get("lodahs-utils")!;
      const helpers = byName.get("webkit-helpers")!;
      const tidy = byName.get("tidy-format")!;
      // 1. The stealer's verdict rewritten as clean, its sha256 recomputed: only the MAC can tell.
      const clean = JSON.stringify({ ...JSON.parse(stealer.result_json), findings: [] });
      await q.exec("UPDATE verdicts SET result_json = $1, result_sha256 = $2 WHERE digest = $3", [clean, sha256(clean), stealer.digest]);
      // 2. A clean package's signed row copied onto webkit-helpers' digest (digest mismatch).
      await q.exec("UPDATE verdicts SET result_json = $1, result_sha256 = $2, written_by = $3, mac = $4 WHERE digest = $5", [tidy.result_json, tidy.result_sha256, tidy.written_by, tidy.mac, helpers.digest]);
      // 3. tidy-format's row carrying a valid MAC for another analysis version (an old row relabelled).
      const other = verdictMac(Buffer.from(KEY), { analysisVersion: "0000000000000000", digest: tidy.digest, resultJson: tidy.result_json, resultSha256: tidy.result_sha256, writtenBy: tidy.written_by });
      await q.exec("UPDATE verdicts SET mac = $1 WHERE digest = $2", [other, tidy.digest]);
      const c = await runner(app, db, { key: KEY });
      expect(c.report.deps).toMatchObject({ scanned: 3, fromCache: 0 });
      expect(c.report.deps?.sharedCache).toMatchObject({ hits: 0, rejected: 3, written: 3 });
      expect(c.stderr).toMatch(/entry for sha512-\S+ ignored, the package is analysed again: signature does not match/);
      expect(findingsOf(c)).toEqual(findingsOf(a));
      // The rows were repaired by C's own analysis.
      expect((await runner(app, db, { key: KEY })).report.deps?.sharedCache).toMatchObject({ hits: 3, rejected: 0 });
      // 4. A missing MAC (a writer without the key) is not used by a runner that has one.
      await q.exec("UPDATE verdicts SET mac = NULL WHERE digest = $1", [stealer.digest]);
      const d = await runner(app, db, { key: KEY });
      expect(d.report.deps?.sharedCache).toMatchObject({ hits: 2, rejected: 1, written: 1 });
      expect(d.stderr).toContain("unsigned (written without the fleet's verdict key)");
      expect(findingsOf(d)).toEqual(findingsOf(a));
      // 5. Damage the store itself catches (payload without its sha256), with or without a key.
      await q.exec("UPDATE verdicts SET result_json = $1 WHERE digest = $2", [clean, stealer.digest]);
      const e = await runner(app, db);
      expect(e.report.deps?.sharedCache).toMatchObject({ signed: false, hits: 2, rejected: 1 });
      expect(e.stderr).toContain("payload does not match its recorded sha256");
      expect(findingsOf(e)).toEqual(findingsOf(a));
    } finally {
      await q.close();
    }
  }, SLOW);

  it("without a key, entries are unsigned and trusted as stored: a self-consistent lie is used (what the key prevents)", async () => {
    const { db, sql } = await fresh();
    const app = project();
    const a = await runner(app, db);
    expect(a.report.deps?.sharedCache).toMatchObject({ signed: false, written: 3 });
    const q = await sql();
    try {
      const stealer = (await q.rows()).find((r) => r.result_json.includes("lodahs-utils"))!;
      expect(stealer.mac).toBeNull();
      const clean = JSON.stringify({ ...JSON.parse(stealer.result_json), findings: [] });
      await q.exec("UPDATE verdicts SET result_json = $1, result_sha256 = $2 WHERE digest = $3", [clean, sha256(clean), stealer.digest]);
    } finally {
      await q.close();
    }
    const unkeyed = await runner(app, db);
    expect(unkeyed.report.deps?.sharedCache?.hits).toBe(3);
    expect(findingsOf(unkeyed).some(([, , name]) => name === "lodahs-utils")).toBe(false);
    const keyed = await runner(app, db, { key: KEY });
    expect(keyed.report.deps?.sharedCache).toMatchObject({ hits: 0, rejected: 3 });
    expect(findingsOf(keyed)).toEqual(findingsOf(a));
  }, SLOW);
});

describe("shared verdict cache unreachable", () => {
  const closedPort = async () => {
    const { createServer } = await import("node:net");
    return new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
  };

  it.each([
    ["postgres", async () => `postgres://exfilscan:secret@127.0.0.1:${await closedPort()}/nothing`],
    ["sqlite", async () => {
      const file = join(dir, `not-a-dir-${counter++}`);
      writeFileSync(file, "x");
      return join(file, "state.db");
    }],
  ])("%s: a warning, every package analysed locally, the summary says so, findings unchanged", async (_engine, spec) => {
    const db = await spec();
    const app = project();
    const run = await runner(app, db, { key: KEY });
    expect(run.code, run.stderr).toBe(1);
    expect(run.report.deps).toMatchObject({ packages: 3, scanned: 3, fromCache: 0, notAnalysed: [] });
    expect(run.report.deps?.sharedCache).toMatchObject({ reachable: false, hits: 0, written: 0 });
    expect(run.stderr).toMatch(/shared verdict cache \S+ not used: .*every package is analysed here/);
    expect(run.stderr).not.toContain("secret");
    expect(run.report.findings.some((f) => f.package?.name === "lodahs-utils" && f.severity === "critical")).toBe(true);
    const text = await runner(app, db, { format: "text" });
    expect(text.stdout).toContain("unreachable, not used: every package was analysed here");
  }, SLOW);
});

describe("the fleet's verdict key", () => {
  it("comes from a key file before EXFILSCAN_DB_KEY; a short or empty key is a usage error", () => {
    const file = join(dir, "key");
    writeFileSync(file, `${KEY}\n`);
    expect(loadVerdictKey(file, { EXFILSCAN_DB_KEY: "another-key-that-is-long" })?.toString()).toBe(KEY);
    expect(loadVerdictKey(undefined, { EXFILSCAN_DB_KEY_FILE: file })?.toString()).toBe(KEY);
    expect(loadVerdictKey(undefined, { EXFILSCAN_DB_KEY: KEY })?.toString()).toBe(KEY);
    expect(loadVerdictKey(undefined, {})).toBeUndefined();
    expect(() => loadVerdictKey(undefined, { EXFILSCAN_DB_KEY: "short" })).toThrow(/too short/);
    writeFileSync(file, "\n");
    expect(() => loadVerdictKey(file, {})).toThrow(/is empty/);
    expect(() => loadVerdictKey(join(dir, "missing"), {})).toThrow(/cannot read the verdict key file/);
  });
});
