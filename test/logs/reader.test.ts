import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LineSource, type LineRecord } from "../../src/logs/reader.js";
import { run } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "exfilscan-reader-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function allLines(path: string, from = { offset: 0, line: 0 }): Promise<LineRecord[]> {
  const source = await LineSource.open({ path, stdin: false });
  const out: LineRecord[] = [];
  for await (const batch of source.lines(from)) out.push(...batch);
  return out;
}

describe("line reader", () => {
  it("gives exact byte offsets, strips CRLF, keeps a last line without newline", async () => {
    const file = join(dir, "a.log");
    writeFileSync(file, "one\r\ntwö\nthree");
    expect(await allLines(file)).toEqual([
      { text: "one", number: 1, start: 0, end: 5 },
      { text: "twö", number: 2, start: 5, end: 10 },
      { text: "three", number: 3, start: 10, end: 15 },
    ]);
    expect((await allLines(file, { offset: 5, line: 1 })).map((l) => [l.number, l.text])).toEqual([[2, "twö"], [3, "three"]]);
  });

  it("decompresses gzip by magic bytes, whatever the name", async () => {
    const file = join(dir, "rotated.1");
    writeFileSync(file, gzipSync("alpha\nbeta\n"));
    const source = await LineSource.open({ path: file, stdin: false });
    expect(source.gzip).toBe(true);
    expect(source.firstLines()).toEqual(["alpha", "beta", ""]);
    expect((await allLines(file)).map((l) => l.text)).toEqual(["alpha", "beta"]);
  });

  it("splits lines across chunk boundaries of a large file", async () => {
    const file = join(dir, "big.log");
    const body = Array.from({ length: 30_000 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`).join("\n") + "\n";
    writeFileSync(file, body);
    const read = await allLines(file);
    expect(read).toHaveLength(30_000);
    expect(read[29_999]!.text.startsWith("line 29999 ")).toBe(true);
    expect(read[29_999]!.end).toBe(Buffer.byteLength(body));
  });

  it("reads a file of several reads: UTF-8 across a read boundary, batches plain only when ASCII without CR", async () => {
    const file = join(dir, "mixed.log");
    const lines = Array.from({ length: 150_000 }, (_, i) => `line ${i} ${"x".repeat(i % 40)}`);
    lines[1000] = "carriage\rreturn inside";
    lines[40_000] = "ünïcode line";
    const body = `${lines.join("\n")}\n`;
    // a two-byte character split by the first 1 MiB read
    const split = Buffer.from(body.slice(0, 1_048_575)).length;
    const bytes = Buffer.concat([Buffer.from(body).subarray(0, split), Buffer.from("é\n"), Buffer.from(body).subarray(split)]);
    writeFileSync(file, bytes);
    const expected = bytes.toString("utf8").split("\n").slice(0, -1);
    const source = await LineSource.open({ path: file, stdin: false });
    const texts: string[] = [];
    let plainBatches = 0;
    for await (const batch of source.batches()) {
      const asciiNoCr = batch.texts.every((t) => /^[\x00-\x7f]*$/.test(t) && !t.includes("\r"));
      if (batch.plain) {
        plainBatches++;
        expect(asciiNoCr).toBe(true);
      }
      texts.push(...batch.texts);
    }
    expect(texts).toEqual(expected);
    expect(plainBatches).toBeGreaterThan(10);
  });

  // A FIFO cannot be read at an offset (the gzip test used to read position 0: ESPIPE).
  it.each([
    ["plain", (text: string) => Buffer.from(text)],
    ["gzip", (text: string) => gzipSync(text)],
  ])("reads a %s named pipe as a stream, with no identity to resume by", async (_kind, encode) => {
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const file = join(dir, "content");
    const body = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n") + "\n";
    writeFileSync(file, encode(body));
    const writer = spawn("sh", ["-c", 'cat "$1" > "$2"', "sh", file, fifo]);
    const exited = new Promise((resolve) => writer.on("exit", resolve));
    const source = await LineSource.open({ path: fifo, stdin: false });
    expect(source.identity).toBeUndefined();
    const texts: string[] = [];
    for await (const batch of source.lines({ offset: 0, line: 0 })) texts.push(...batch.map((l) => l.text));
    expect(await exited).toBe(0);
    expect(texts).toEqual(body.split("\n").slice(0, -1));
  });
});

describe("bad input is counted, never fatal", () => {
  it("counts and samples unparseable lines in a mostly valid log", async () => {
    const file = join(dir, "auth.log");
    const good = "Aug 21 10:00:00 web1 sshd-session[1]: Invalid user x from 192.0.2.1 port 1\n";
    writeFileSync(file, good.repeat(5) + "\u0000\u0001garbage\n" + "{not json}\n" + good);
    const { result, events } = await run([file], { referenceTime: "2024-08-22T00:00:00Z" });
    expect(events).toHaveLength(6);
    expect(result.inputs[0]).toMatchObject({ format: "syslog", unparseable: 2, samples: [{ line: 6, text: "\u0000\u0001garbage" }, { line: 7, text: "{not json}" }] });
  });

  it("reports a missing input as an error of that input only, and an unrecognised one as skipped", async () => {
    const junk = join(dir, "junk.bin");
    writeFileSync(junk, Buffer.from([0, 1, 2, 3, 255, 254, 10, 0, 0]));
    const good = join(dir, "auth.log");
    writeFileSync(good, "Aug 21 10:00:00 web1 sshd-session[1]: Invalid user x from 192.0.2.1 port 1\n");
    const { result, events } = await run([junk, join(dir, "missing.log"), good], { referenceTime: "2024-08-22T00:00:00Z" });
    expect(events).toHaveLength(1);
    expect(result.readable).toBe(1);
    expect(result.errors.map((e) => [e.input.split("/").pop(), e.message])).toEqual([["missing.log", "no such file or directory"]]);
    expect(result.inputs.find((i) => i.input === junk)).toMatchObject({ format: "unrecognised", note: expect.stringMatching(/not a log format/) });
  });

  it("treats a truncated gzip as an error of that input, keeping what was read before", async () => {
    const broken = join(dir, "auth.log.3.gz");
    const body = "Aug 21 10:00:00 web1 sshd-session[1]: Invalid user x from 192.0.2.1 port 1\n".repeat(20_000);
    const gz = gzipSync(body);
    writeFileSync(broken, gz.subarray(0, Math.floor(gz.length / 2)));
    const { result, events } = await run([broken], { referenceTime: "2024-08-22T00:00:00Z" });
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(20_000);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toMatch(/^read failed after line \d+: .*(unexpected end|incorrect|invalid)/i);
  });
});
