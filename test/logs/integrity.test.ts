// Host-log integrity (#16): a hostile or broken line is an error on that line — with its file
// and line number — never the end of the run, and the stored offset always moves past it.
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LineSource, type LineRecord } from "../../src/logs/reader.js";
import { StateStore } from "../../src/logs/store.js";
import { YearInference } from "../../src/logs/time.js";
import { run } from "./helpers.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "exfilscan-integrity-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const journal = (micros: string, message: string, extra = ""): string =>
  `{"__REALTIME_TIMESTAMP":"${micros}","_COMM":"sshd","_PID":"7","_HOSTNAME":"h"${extra},"MESSAGE":${message}}`;
const failed = (ip: string): string => JSON.stringify(`Failed password for root from ${ip} port 4000 ssh2`);

describe("out-of-range timestamps", () => {
  it("journald 1e23 µs is an error on its line; the lines around it are read, and a stored run never trips on it again", async () => {
    const file = join(dir, "j.json");
    writeFileSync(file, [
      journal("1724234400000000", failed("192.0.2.1")),
      journal("100000000000000000000000", failed("192.0.2.2")),
      journal("99999999999999999", failed("192.0.2.3")),
      journal("1724234401000000", failed("192.0.2.4")),
    ].join("\n") + "\n");
    const store = new StateStore(":memory:");
    try {
      const { result, events } = await run([file], {}, { store });
      expect(events.map((e) => e.sourceIp)).toEqual(["192.0.2.1", "192.0.2.4"]);
      expect(result.inputs[0]).toMatchObject({ lines: 4, unparseable: 2 });
      expect(result.inputs[0]!.samples.map((s) => s.line)).toEqual([2, 3]);
      const again = await run([file], {}, { store });
      expect(again.result.inputs[0]).toMatchObject({ resumedAfterLine: 4, lines: 0 });
    } finally {
      store.close();
    }
  });

  it("auditd msg=audit(1e17 s) is an error on its line", async () => {
    const file = join(dir, "audit.log");
    const record = (stamp: string, serial: number): string[] => [
      `type=SYSCALL msg=audit(${stamp}:${serial}): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=1 a2=10 a3=0 items=0 ppid=1 pid=2 auid=1000 uid=1000 comm="ssh" exe="/usr/bin/ssh" key=(null)`,
      `type=SOCKADDR msg=audit(${stamp}:${serial}): saddr=020000160A0000140000000000000000`,
      `type=EOE msg=audit(${stamp}:${serial}): `,
    ];
    writeFileSync(file, [...record("1724234400.000", 1), ...record("100000000000000000.000", 2), ...record("1724234402.000", 3)].join("\n") + "\n");
    const { result, events } = await run([file], { learningWindow: "0s" });
    expect(events.map((e) => e.id)).toEqual(["1", "3"]);
    expect(result.inputs[0]).toMatchObject({ unparseable: 2 }); // SYSCALL and SOCKADDR; its EOE only ends the group
    expect(result.errors).toEqual([]);
  });
});

describe("hostile nesting", () => {
  it("a journald MESSAGE nested 100k deep neither overflows the stack nor stops the offset", async () => {
    const file = join(dir, "deep.json");
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    writeFileSync(file, [journal("1724234400000000", deep), journal("1724234401000000", failed("192.0.2.9"))].join("\n") + "\n");
    const store = new StateStore(":memory:");
    try {
      const { result, events } = await run([file], {}, { store });
      expect(result.errors).toEqual([]);
      expect(events.map((e) => e.sourceIp)).toEqual(["192.0.2.9"]);
      expect(result.inputs[0]).toMatchObject({ lines: 2, unparseable: 1 });
      expect((await run([file], {}, { store })).result.inputs[0]).toMatchObject({ resumedAfterLine: 2 });
    } finally {
      store.close();
    }
  });
});

describe("year inference (RFC 3164)", () => {
  it("never places a line more than a day past the reference, even across a rollover", () => {
    const ref = Date.parse("2025-01-02T12:00:00Z");
    const years = new YearInference(ref);
    const jul = years.resolve("Jul", 1, 0, 0, 0)!;
    const jan = years.resolve("Jan", 5, 0, 0, 0)!; // a rollover would make this 2025-01-05: after the file was written
    expect(new Date(jul).toISOString()).toBe("2024-07-01T00:00:00.000Z");
    expect(new Date(jan).toISOString()).toBe("2024-01-05T00:00:00.000Z");
    for (const month of ["Feb", "Dec", "Jan", "Mar"]) expect(years.resolve(month, 28, 23, 59, 59)!).toBeLessThanOrEqual(ref + 86_400_000);
  });

  it("does not take a reference of 1970 or 9999 (a broken mtime) as the year", () => {
    for (const ref of [0, Date.UTC(9999, 0, 1), Number.NaN]) {
      const at = new YearInference(ref).resolve("Aug", 21, 10, 0, 0)!;
      const year = new Date(at).getUTCFullYear();
      expect(year).toBeGreaterThanOrEqual(new Date().getUTCFullYear() - 1);
      expect(year).toBeLessThanOrEqual(new Date().getUTCFullYear());
    }
  });
});

describe("over-long lines", () => {
  async function lines(path: string, max?: number): Promise<LineRecord[]> {
    const source = await LineSource.open({ path, stdin: false });
    const out: LineRecord[] = [];
    for await (const batch of source.lines({ offset: 0, line: 0 }, max)) out.push(...batch);
    return out;
  }

  it("skips a line longer than the cap with an error, keeps exact offsets, and reads on", async () => {
    const file = join(dir, "long.log");
    writeFileSync(file, `short\n${"x".repeat(5000)}\nafter\ntail-without-newline-${"y".repeat(3000)}`);
    const got = await lines(file, 1024);
    expect(got.map((l) => [l.number, l.text.slice(0, 6), l.start, l.end, Boolean(l.error)])).toEqual([
      [1, "short", 0, 6, false],
      [2, "", 6, 5007, true],
      [3, "after", 5007, 5013, false],
      [4, "", 5013, 5013 + 21 + 3000, true],
    ]);
    expect(got[1]!.error).toMatch(/longer than 1024 bytes \(5000 bytes\)/);
  });

  it("a 64 MiB line in a syslog file is one line error; the run goes on and reports it", async () => {
    const file = join(dir, "auth.log");
    const out = createWriteStream(file);
    out.write("Aug 21 10:00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2\n");
    const block = "A".repeat(1 << 20);
    for (let i = 0; i < 64; i++) out.write(block);
    out.write("\nAug 21 10:00:01 h sshd[2]: Failed password for root from 192.0.2.2 port 2 ssh2\n");
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const { result, events } = await run([file], { referenceTime: "2024-08-22T00:00:00Z" });
    expect(events.map((e) => e.sourceIp)).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(result.inputs[0]).toMatchObject({ lines: 3, unparseable: 1 });
    expect(result.inputs[0]!.samples[0]).toMatchObject({ line: 2, error: expect.stringMatching(/longer than/) });
  });
});
