// A fleet as users run it: several `exfilscan logs` processes, one per host, write to one
// PostgreSQL at once over logs whose lines interleave in time; one is killed with SIGKILL
// mid-ingest and run again. The final baseline and alerts must equal a clean single-process
// run over all the logs, and equal the same run on the SQLite store.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../../src/store/postgres.js";
import { SqliteStore } from "../../src/store/sqlite.js";
import type { LogStore } from "../../src/store/types.js";
import { FLEET_REFERENCE, writeFleetLogs } from "./fleet-logs.js";
import { startPostgres, type PostgresServer } from "./postgres-server.js";

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");
let server: PostgresServer;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "exfilscan-fleet-"));
  server = await startPostgres();
}, 120_000);
afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr })));
  return { child, done };
}

const LOGS_ARGS = ["logs", "--reference-time", FLEET_REFERENCE, "--learning-window", "1h", "--format", "json", "--output", "/dev/null", "--fail-on", "critical"];

async function finished(run: ReturnType<typeof cli>): Promise<void> {
  const { code, stderr } = await run.done;
  expect(stderr).toBe("");
  expect(code).toBe(0);
}

async function view(store: LogStore): Promise<{ baseline: unknown[]; alerts: unknown[] }> {
  try {
    return { baseline: await store.loadBaseline(), alerts: (await store.listAlerts()).map((a) => [a.fingerprint, a.partition, JSON.parse(a.json)]) };
  } finally {
    await store.close();
  }
}

describe("a fleet of `logs` processes on one PostgreSQL", () => {
  it("survives a SIGKILL mid-ingest and ends equal to one clean run", async () => {
    const logs = writeFleetLogs(dir, 4, 3000);
    server.createDatabase("fleet");
    server.createDatabase("reference");
    for (const db of ["fleet", "reference"]) await finished(cli(["db", "migrate", "--db", server.url(db)]));

    const fleetUrl = server.url("fleet");
    // host2 is the victim: small batches so it is killed between two of its commits.
    const runs = logs.map((log, i) => cli([...LOGS_ARGS, "--batch-size", i === 1 ? "50" : "500", log], { EXFILSCAN_DB: fleetUrl }));
    const watcher = await PostgresStore.open(fleetUrl);
    let committed = 0;
    try {
      for (let poll = 0; poll < 3000 && committed === 0; poll++) {
        committed = (await watcher.offsets()).find((o) => o.path === logs[1])?.offset ?? 0;
        if (committed === 0) await new Promise((r) => setTimeout(r, 10));
      }
      runs[1]!.child.kill("SIGKILL");
      expect((await runs[1]!.done).signal).toBe("SIGKILL");
      const atKill = (await watcher.offsets()).find((o) => o.path === logs[1])?.offset ?? 0;
      expect(atKill, "the victim must have committed part of its log, not all of it").toBeGreaterThan(0);
      expect(atKill, "the victim finished before it was killed").toBeLessThan(statSync(logs[1]!).size);
    } finally {
      await watcher.close();
    }
    await Promise.all(runs.filter((_, i) => i !== 1).map(finished));
    await finished(cli([...LOGS_ARGS, "--db", fleetUrl, logs[1]!])); // restarted: resumes from its last committed offset

    await finished(cli([...LOGS_ARGS, "--db", server.url("reference"), ...logs]));
    const sqliteDb = join(dir, "reference.db");
    await finished(cli([...LOGS_ARGS, "--db", sqliteDb, ...logs]));

    const fleet = await view(await PostgresStore.open(fleetUrl));
    expect(fleet.alerts.length).toBeGreaterThan(10);
    expect(fleet).toEqual(await view(await PostgresStore.open(server.url("reference"))));
    expect(fleet).toEqual(await view(new SqliteStore(sqliteDb)));
  }, 300_000);
});
