// A commit that finds its partition moved by another writer replays the batch on the fresh
// state. For one file with a copyable parser session the batch is read again from the last
// commit's checkpoint (no event is held); the outcome must be what a run without the other
// writer gives: the same alerts and the same stored detector state.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateStore } from "../../src/logs/store.js";
import type { BatchWrite, LogStore } from "../../src/store/types.js";
import { run } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "exfilscan-replay-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Guessers from seven addresses, two failures a connection, across many batches (over one 256 KiB read chunk); a year rollover inside. */
function authLog(): string {
  const out: string[] = [];
  const start = Date.parse("2023-12-31T23:30:00Z");
  const stamp = (ms: number): string => {
    const d = new Date(ms);
    const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()]!;
    const p = (n: number): string => String(n).padStart(2, "0");
    return `${mon} ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  };
  for (let i = 0; i < 1500; i++) {
    const at = start + i * 3_000;
    const ip = `198.51.100.${i % 7}`;
    const pid = 2000 + i;
    const port = 40000 + i;
    const h = `${stamp(at)} web1 sshd-session[${pid}]:`;
    out.push(`${h} Failed password for root from ${ip} port ${port} ssh2`);
    out.push(`${h} Failed password for root from ${ip} port ${port} ssh2`);
    // Names no address, 30 connections later: its peer comes from the pid, session state the
    // re-read must start from (a fresh session would leave it without a source).
    if (i >= 30 && i % 3 === 0) out.push(`${stamp(at)} web1 sshd-session[${pid - 30}]: Disconnecting: Too many authentication failures for root [preauth]`);
    out.push(`${h} Connection closed by authenticating user root ${ip} port ${port} [preauth]`);
    if (i % 50 === 0) out.push(`${stamp(at)} web1 CRON[${pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`);
  }
  return `${out.join("\n")}\n`;
}

/** The store, with another writer committing the same partition (unchanged) just before our commits number `at`. */
function contested(file: string, at: number[]): { store: LogStore; conflicts: () => number; close: () => void } {
  const ours = new StateStore(file);
  const other = new StateStore(file);
  let calls = 0;
  let conflicts = 0;
  const store = new Proxy(ours, {
    get(target, key, receiver) {
      if (key !== "commitBatch") {
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (batch: BatchWrite) => {
        if (at.includes(++calls)) {
          for (const name of batch.partitions.map((p) => p.name)) {
            const snapshot = await other.loadPartition(name);
            await other.commitBatch({
              id: `other:${calls}`, offsets: [], alerts: [],
              partitions: [{ name, expectedVersion: snapshot.version, ...(snapshot.learningStart !== undefined ? { learningStart: snapshot.learningStart } : {}), baseline: [], state: [...snapshot.state] }],
            });
          }
        }
        const outcome = await target.commitBatch(batch);
        if (outcome.status === "conflict") conflicts++;
        return outcome;
      };
    },
  }) as LogStore;
  return { store, conflicts: () => conflicts, close: () => (ours.close(), other.close()) };
}

async function outcome(log: string, db: string, at: number[]): Promise<{ alerts: string; state: string; conflicts: number; events: number }> {
  const { store, conflicts, close } = contested(db, at);
  try {
    const { result } = await run([log], { referenceTime: "2024-01-02T00:00:00Z" }, { store: store as unknown as StateStore, batchSize: 150 });
    const state = (await store.loadPartition("web1")).state;
    return { alerts: JSON.stringify(result.alerts), state: JSON.stringify([...state]), conflicts: conflicts(), events: result.events };
  } finally {
    close();
  }
}

describe("replay after a conflicting commit", () => {
  it.each([
    ["a plain file", "auth.log", (text: string): string | Buffer => text],
    ["a gzipped file", "auth.log.1.gz", (text: string): string | Buffer => gzipSync(text)],
  ])("of %s gives the alerts and state of an uncontested run", async (_name, fileName, encode) => {
    const log = join(dir, fileName);
    writeFileSync(log, encode(authLog()));
    const reference = await outcome(log, join(dir, "reference.db"), []);
    const replayed = await outcome(log, join(dir, "contested.db"), [3, 7, 8, 20]);
    expect(reference.conflicts).toBe(0);
    expect(replayed.conflicts).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(reference.alerts).length).toBeGreaterThan(3);
    expect(replayed.alerts).toBe(reference.alerts);
    expect(replayed.state).toBe(reference.state);
    expect(replayed.events).toBe(reference.events);
  });
});
