// The same store and detector tests against both engines: SQLite (the default) and a real
// PostgreSQL started for this file.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeLogs } from "../../src/logs/analyze.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { PostgresStore, StoreUnavailableError } from "../../src/store/postgres.js";
import { verifyVerdict } from "../../src/store/rows.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import type { BatchWrite, LogStore } from "../../src/store/types.js";
import { detectorOptions } from "../logs/helpers.js";
import { FLEET_REFERENCE, writeFleetLogs } from "./fleet-logs.js";
import { startPostgres, type PostgresServer } from "./postgres-server.js";

let server: PostgresServer;
let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "exfilscan-store-"));
  server = await startPostgres();
}, 120_000);
afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const engines: { name: string; fresh: () => Promise<() => Promise<LogStore>> }[] = [
  { name: "sqlite", fresh: async () => { const file = join(dir, `s${counter++}.db`); return async () => new SqliteStore(file); } },
  {
    name: "postgres",
    fresh: async () => {
      const db = `t${counter++}`;
      server.createDatabase(db);
      await (await PostgresStore.open(server.url(db), { migrate: true })).close();
      return () => PostgresStore.open(server.url(db));
    },
  },
];

const rules = loadSignatures().rules;
const detectors = detectorOptions({ learningWindow: "1h" });

async function ingest(store: LogStore, inputs: string[], batchSize = 500): Promise<void> {
  await analyzeLogs({ inputs, utcOffsetMinutes: 0, referenceMs: Date.parse(FLEET_REFERENCE), detectors, rules, store, incremental: true, detect: true, batchSize });
}

async function view(store: LogStore): Promise<{ baseline: unknown[]; alerts: unknown[] }> {
  return { baseline: await store.loadBaseline(), alerts: (await store.listAlerts()).map((a) => [a.fingerprint, a.ruleId, a.timestamp, a.partition]) };
}

const batch = (id: string, version: number, offset: number, alerts: string[] = []): BatchWrite => ({
  id,
  offsets: [{ fingerprint: "f1", path: "/var/log/auth.log", dev: 1, ino: 2, offset, line: offset / 10, format: "syslog" }],
  partitions: [{ name: "web1", expectedVersion: version, learningStart: 1000, baseline: [{ side: "server", user: "alice", host: "web1", peer: "192.0.2.5", firstSeen: 1000, lastSeen: 2000, count: version + 1, evidence: "auth.log:1" }], state: [["d", { n: version }]] }],
  alerts: alerts.map((f) => ({ fingerprint: f, ruleId: "r", severity: "high", timestamp: "2024-08-21T10:00:00.000Z", json: "{}", partition: "web1" })),
});

describe.each(engines)("$name store", ({ fresh }) => {
  it("commits a batch once: a stale version is a conflict, a retried batch id is recognised, offsets only grow, alerts are kept once", async () => {
    const store = await (await fresh())();
    try {
      expect(await store.commitBatch(batch("run:0", 0, 100, ["a1"]))).toEqual({ status: "committed", newAlerts: new Set(["a1"]) });
      expect(await store.commitBatch(batch("run:0", 0, 100, ["a1"]))).toEqual({ status: "duplicate" });
      expect(await store.commitBatch(batch("other:0", 0, 50, ["a1", "a2"]))).toEqual({ status: "conflict", partitions: ["web1"] });
      expect(await store.commitBatch(batch("run:1", 1, 50, ["a1", "a2"]))).toEqual({ status: "committed", newAlerts: new Set(["a2"]) });
      const snapshot = await store.loadPartition("web1");
      expect(snapshot).toMatchObject({ version: 2, learningStart: 1000, state: new Map([["d", { n: 1 }]]) });
      expect(snapshot.baseline.map((r) => r.count)).toEqual([2]);
      expect((await store.offsets()).map((o) => o.offset)).toEqual([100]);
      expect(await store.alertCount()).toBe(2);
      expect(await store.loadPartition("never")).toMatchObject({ version: 0, baseline: [], state: new Map() });
    } finally {
      await store.close();
    }
  });

  it("updates a stored alert raised again under its fingerprint (an episode that went on): not new, newest version kept, also within one batch", async () => {
    const store = await (await fresh())();
    const version = (json: string, severity = "high") => ({ fingerprint: "e1", ruleId: "ssh-brute-force", severity, timestamp: "2024-08-21T10:00:00.000Z", json, partition: "web1" });
    const write = (id: string, expectedVersion: number, alerts: ReturnType<typeof version>[]): BatchWrite => ({
      id, offsets: [], partitions: [{ name: "web1", expectedVersion, baseline: [], state: [] }], alerts,
    });
    try {
      expect(await store.commitBatch(write("run:0", 0, [version('{"blocks":1}'), version('{"blocks":2}')]))).toEqual({ status: "committed", newAlerts: new Set(["e1"]) });
      expect((await store.listAlerts()).map((a) => a.json)).toEqual(['{"blocks":2}']);
      expect(await store.commitBatch(write("run:1", 1, [version('{"blocks":5}', "critical")]))).toEqual({ status: "committed", newAlerts: new Set() });
      expect(await store.listAlerts()).toEqual([{ fingerprint: "e1", ruleId: "ssh-brute-force", severity: "critical", timestamp: "2024-08-21T10:00:00.000Z", json: '{"blocks":5}', partition: "web1" }]);
      expect(await store.alertCount()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("keeps every host's detector state when two short runs write at once (#16), equal to one run over both logs", async () => {
    const logs = writeFleetLogs(mkdtempSync(join(dir, "logs-")), 2, 1200);
    const open = await fresh();
    const [a, b] = [await open(), await open()];
    try {
      await Promise.all([ingest(a, [logs[0]!]), ingest(b, [logs[1]!])]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const reference = await (await fresh())();
    const concurrent = await open();
    try {
      await ingest(reference, logs);
      for (const host of ["host1", "host2"]) {
        const state = (await concurrent.loadPartition(host)).state;
        expect(JSON.stringify(state.get("ssh-brute-force"))).toContain(host);
        expect(state).toEqual((await reference.loadPartition(host)).state);
      }
      const got = await view(concurrent);
      expect(got.alerts.length).toBeGreaterThan(4);
      expect(got).toEqual(await view(reference));
    } finally {
      await Promise.all([reference.close(), concurrent.close()]);
    }
  });

  it("two writers on the same host's partition conflict, replay, and lose no count", async () => {
    const logsDir = mkdtempSync(join(dir, "same-"));
    const [first] = writeFleetLogs(logsDir, 1, 800);
    // the same host's log split in two files, ingested at once in small batches
    const { readFileSync, writeFileSync } = await import("node:fs");
    const lines = readFileSync(first!, "utf8").trimEnd().split("\n");
    const halves = [lines.filter((_, i) => i % 2 === 0), lines.filter((_, i) => i % 2 === 1)].map((part, i) => {
      const file = join(logsDir, `half${i}.log`);
      writeFileSync(file, `${part.join("\n")}\n`);
      return file;
    });
    const open = await fresh();
    const [a, b] = [await open(), await open()];
    try {
      await Promise.all([ingest(a, [halves[0]!], 25), ingest(b, [halves[1]!], 25)]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const reference = await (await fresh())();
    const concurrent = await open();
    try {
      await ingest(reference, [first!]);
      const counts = async (s: LogStore): Promise<unknown[]> => (await s.loadBaseline()).map(({ evidence: _e, ...r }) => r);
      expect(await counts(concurrent)).toEqual(await counts(reference));
      expect((await concurrent.loadPartition("host1")).version).toBeGreaterThan(2);
    } finally {
      await Promise.all([reference.close(), concurrent.close()]);
    }
  });

  it("answers the fleet view: first time a user reached a destination anywhere, and from where", async () => {
    const logs = writeFleetLogs(mkdtempSync(join(dir, "fleet-")), 3, 400);
    const store = await (await fresh())();
    try {
      await ingest(store, logs);
      const fleet = await store.fleetDestinations();
      const bob = fleet.filter((f) => f.user === "bob" && f.peer === "host1");
      expect(bob).toHaveLength(1);
      const rows = (await store.loadBaseline()).filter((r) => r.side === "client" && r.user === "bob" && r.peer === "host1");
      expect(bob[0]!.firstSeen).toBe(Math.min(...rows.map((r) => r.firstSeen)));
      expect(bob[0]!.hosts).toBe(new Set(rows.map((r) => r.host)).size);
      expect(rows.map((r) => r.host)).toContain(bob[0]!.firstHost);
    } finally {
      await store.close();
    }
  });
});

describe("postgres store errors", () => {
  it("fails closed with a clear error when the server is unreachable, without printing the password", async () => {
    const url = server.url("postgres").replace(/:(\d+)\//, ":1/").replace("exfilscan@", "exfilscan:s3cret@");
    const error = await PostgresStore.open(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/cannot reach the state database postgres:\/\/exfilscan@127\.0\.0\.1:1\/postgres \(ECONNREFUSED\).*resumes from the last committed offset/);
    expect((error as Error).message).not.toContain("s3cret");
  });

  it("asks for `db migrate` on a database without the schema", async () => {
    server.createDatabase("empty1");
    await expect(PostgresStore.open(server.url("empty1"))).rejects.toThrow(/schema is at version 0.*exfilscan db migrate/);
  });
});

describe.each(engines)("$name verdict cache", ({ fresh }) => {
  it("serves a stored verdict to another client, and ignores rows that are poisoned, damaged or of another analysis version", async () => {
    const open = await fresh();
    const writer = await open();
    const reader = await open();
    try {
      const resultJson = JSON.stringify({ target: { kind: "npm", name: "a" }, findings: [], errors: [] });
      const sha = createHash("sha256").update(resultJson).digest("hex");
      await writer.putVerdict({ analysisVersion: "v1", digest: "sha512-AAA", resultJson, resultSha256: sha, writtenBy: "runner-1" });
      const hit = await reader.getVerdict("v1", "sha512-AAA");
      expect(hit.status).toBe("hit");
      expect(hit.status === "hit" && hit.row.resultJson).toBe(resultJson);
      expect((await reader.getVerdict("v2", "sha512-AAA")).status).toBe("miss");
      expect((await reader.getVerdict("v1", "sha512-BBB")).status).toBe("miss");
      // a payload changed after it was recorded
      await writer.putVerdict({ analysisVersion: "v1", digest: "sha512-CCC", resultJson: resultJson.replace("[]", '[{"x":1}]'), resultSha256: sha, writtenBy: "x" });
      expect(await reader.getVerdict("v1", "sha512-CCC")).toMatchObject({ status: "rejected", reason: expect.stringContaining("sha256") });
      // a payload that is not a result
      const bogus = JSON.stringify({ verdict: "clean" });
      await writer.putVerdict({ analysisVersion: "v1", digest: "sha512-DDD", resultJson: bogus, resultSha256: createHash("sha256").update(bogus).digest("hex"), writtenBy: "x" });
      expect(await reader.getVerdict("v1", "sha512-DDD")).toMatchObject({ status: "rejected", reason: expect.stringContaining("not a package result") });
      // Many digests in one query; a batch written twice (a retried or concurrent runner) is one row each, the MAC kept.
      const rows = ["sha512-EEE", "sha256-FFF", "sha512-EEE"].map((digest, i) => ({ analysisVersion: "v1", digest, resultJson, resultSha256: sha, writtenBy: `r${i}`, mac: "ab".repeat(32) }));
      await Promise.all([writer.putVerdicts(rows), reader.putVerdicts([...rows].reverse())]);
      await writer.putVerdicts(rows);
      const found = await reader.getVerdicts("v1", ["sha512-AAA", "sha512-EEE", "sha256-FFF", "sha512-CCC", "sha512-ZZZ"]);
      expect([...found.keys()].sort()).toEqual(["sha256-FFF", "sha512-AAA", "sha512-CCC", "sha512-EEE"]);
      expect(found.get("sha512-EEE")).toMatchObject({ status: "hit", row: { writtenBy: "r2", mac: "ab".repeat(32) } });
      expect(found.get("sha512-AAA")).toMatchObject({ status: "hit", row: { writtenBy: "runner-1" } });
      expect((found.get("sha512-AAA") as { row: object }).row).not.toHaveProperty("mac");
      expect(found.get("sha512-CCC")?.status).toBe("rejected");
    } finally {
      await writer.close();
      await reader.close();
    }
  });
});

it("rejects a verdict row whose stored digest is not the one it is filed under", () => {
  const resultJson = JSON.stringify({ target: {}, findings: [], errors: [] });
  const row = { analysis_version: "v1", digest: "sha512-OTHER", result_json: resultJson, result_sha256: createHash("sha256").update(resultJson).digest("hex"), written_by: "x" };
  expect(verifyVerdict(row, "v1", "sha512-AAA")).toMatchObject({ status: "rejected", reason: expect.stringContaining("computed from sha512-OTHER") });
  expect(verifyVerdict(row, "v1", "sha512-OTHER").status).toBe("hit");
});
