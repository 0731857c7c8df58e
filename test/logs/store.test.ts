// Offsets: re-running on the same, grown, rotated, compressed or truncated log never counts a line twice.
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateStore } from "../../src/logs/store.js";
import { run } from "./helpers.js";

const line = (n: number): string => `Aug 21 10:${String(Math.floor(n / 60)).padStart(2, "0")}:${String(n % 60).padStart(2, "0")} web1 sshd-session[${1000 + n}]: Failed password for root from 192.0.2.${n % 250} port ${40000 + n} ssh2\n`;
const lines = (from: number, to: number): string => Array.from({ length: to - from }, (_, i) => line(from + i)).join("");
const opts = { referenceTime: "2024-08-22T00:00:00Z" };

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "exfilscan-logs-"));
  db = join(dir, "state.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function ingest(...inputs: string[]): Promise<{ lines: number[]; result: Awaited<ReturnType<typeof run>>["result"] }> {
  const store = new StateStore(db);
  try {
    const { result, events } = await run(inputs, opts, { store });
    return { lines: events.map((e) => Number(e.sourcePort) - 40000), result };
  } finally {
    store.close();
  }
}

describe("offsets", () => {
  it("reads a log once, then only what was appended", async () => {
    const log = join(dir, "auth.log");
    writeFileSync(log, lines(0, 5));
    expect((await ingest(log)).lines).toEqual([0, 1, 2, 3, 4]);
    const again = await ingest(log);
    expect(again.lines).toEqual([]);
    expect(again.result.inputs[0]!.resumedAfterLine).toBe(5);
    appendFileSync(log, lines(5, 8));
    expect((await ingest(log)).lines).toEqual([5, 6, 7]);
  });

  it("follows logrotate: the renamed file resumes, the new file starts over, the gzipped copy adds nothing", async () => {
    const log = join(dir, "auth.log");
    writeFileSync(log, lines(0, 4));
    await ingest(log);
    appendFileSync(log, lines(4, 6)); // written after our run, before rotation
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines(100, 102));
    const rotated = await ingest(`${log}.1`, log);
    expect(rotated.lines.sort((a, b) => a - b)).toEqual([4, 5, 100, 101]);
    expect(rotated.result.inputs.map((i) => [i.rotated ?? false, i.replaced])).toEqual([[true, undefined], [false, "rotated"]]);
    writeFileSync(`${log}.2.gz`, gzipSync(readFileSync(`${log}.1`)));
    rmSync(`${log}.1`);
    const compressed = await ingest(`${log}.2.gz`, log);
    expect(compressed.lines).toEqual([]);
    expect(compressed.result.inputs[0]).toMatchObject({ gzip: true, rotated: true, resumedAfterLine: 6 });
  });

  it("starts over when the same inode was truncated (copytruncate)", async () => {
    const log = join(dir, "auth.log");
    writeFileSync(log, lines(0, 6));
    await ingest(log);
    writeFileSync(log, lines(200, 202)); // truncate in place, new content
    const after = await ingest(log);
    expect(after.lines).toEqual([200, 201]);
    expect(after.result.inputs[0]!.replaced).toBe("truncated");
  });

  it("reads the same log given twice in one run only once", async () => {
    const log = join(dir, "auth.log");
    writeFileSync(log, lines(0, 3));
    writeFileSync(join(dir, "copy.log"), lines(0, 3));
    const both = await ingest(log, join(dir, "copy.log"));
    expect(both.lines).toEqual([0, 1, 2]);
    expect(both.result.inputs[1]!.duplicateOf).toBe(log);
  });

  it("loses nothing and repeats only the unfinished batch when a run dies mid-ingest", async () => {
    const log = join(dir, "auth.log");
    writeFileSync(log, lines(0, 10));
    let seen = 0;
    // second database: crash after the 5th event, with batches of 3 committed
    const crashDb = join(dir, "crash.db");
    const crashing = new StateStore(crashDb);
    const { analyzeLogs } = await import("../../src/logs/analyze.js");
    const { detectorOptions } = await import("./helpers.js");
    const { loadSignatures } = await import("../../src/rules/signatures.js");
    await expect(
      analyzeLogs({
        inputs: [log], utcOffsetMinutes: 0, referenceMs: Date.parse("2024-08-22T00:00:00Z"), detectors: detectorOptions(), rules: loadSignatures().rules,
        store: crashing, incremental: true, detect: true, batchSize: 3,
        onEvent: () => {
          if (++seen === 5) throw new Error("power cut");
        },
      }),
    ).rejects.toThrow("power cut");
    crashing.close();
    const resumed = new StateStore(crashDb);
    try {
      const { events } = await run([log], opts, { store: resumed });
      expect(events.map((e) => Number(e.sourcePort) - 40000)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    } finally {
      resumed.close();
    }
  });

  it("keeps the baseline across runs and resets it on request", async () => {
    const log = join(dir, "auth.log");
    writeFileSync(log, "Aug 21 10:00:00 web1 sshd-session[1]: Accepted password for alice from 192.0.2.5 port 1 ssh2\n");
    await ingest(log);
    const store = new StateStore(db);
    try {
      expect((await store.loadBaseline()).map((r) => [r.side, r.user, r.host, r.peer])).toEqual([
        ["client", "alice", "192.0.2.5", "web1"],
        ["server", "alice", "web1", "192.0.2.5"],
      ]);
      expect(await store.learningStarts()).toEqual(new Map([["web1", Date.parse("2024-08-21T10:00:00Z")]]));
      expect(await store.reset(false)).toEqual({ baseline: 2, files: 0, alerts: 0 });
      expect(await store.loadBaseline()).toEqual([]);
      expect(await store.offsets()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
