// Inputs → lines with exact byte offsets. Files, directories (every regular file below),
// "-" for stdin; gzip is recognised by its magic bytes and decompressed on the fly. Lines
// are split by hand on the decompressed bytes (not readline) because resuming a file needs
// the byte offset of every line end, which readline does not report.
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Cursor } from "./events.js";

export interface InputFile {
  /** As given / found ("-" for stdin). */
  path: string;
  stdin: boolean;
}

export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface LineRecord {
  /** The line; empty when it was too long to keep (see error). */
  text: string;
  /** Set when the line could not be kept (longer than MAX_LINE_BYTES): a per-line error. */
  error?: string;
  number: number;
  start: number;
  /** offset just past the line's newline (or EOF) */
  end: number;
}

/** Expand directories (sorted, recursive); missing paths come back as errors. */
export async function expandInputs(args: string[]): Promise<{ files: InputFile[]; errors: { input: string; message: string }[] }> {
  const files: InputFile[] = [];
  const errors: { input: string; message: string }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && !entry.name.endsWith(".expect.json")) files.push({ path: full, stdin: false });
    }
  };
  for (const arg of args) {
    if (arg === "-") {
      files.push({ path: "-", stdin: true });
      continue;
    }
    try {
      const info = await stat(arg);
      if (info.isDirectory()) await walk(arg);
      else files.push({ path: arg, stdin: false });
    } catch (error) {
      errors.push({ input: arg, message: (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (error as Error).message });
    }
  }
  return { files, errors };
}

const HEAD_BYTES = 64 * 1024;
/**
 * Longest line kept (1 MiB): sshd logs at most 1 KiB a message (log.c MSGBUFSIZ), auditd
 * ~9 KiB a record, journald 4 KiB a field unless --all. A longer line is skipped with an
 * error, its bytes never joined or copied, so reading stays linear in the input size.
 */
export const MAX_LINE_BYTES = 1024 * 1024;
const HEAD_LINES = 40;

/** An opened input: its first lines are buffered (for detection and the fingerprint), the rest streams. */
export class LineSource {
  private constructor(
    readonly input: InputFile,
    readonly identity: FileIdentity | undefined,
    readonly gzip: boolean,
    private readonly buffered: Buffer[],
    private readonly rest: AsyncIterator<Buffer>,
    private readonly exhausted: boolean,
  ) {}

  static async open(input: InputFile): Promise<LineSource> {
    let raw: AsyncIterable<Buffer>;
    let identity: FileIdentity | undefined;
    let gzip = false;
    // A stream (stdin, a FIFO, a device) cannot be read at an offset: its first chunk is peeked
    // for the gzip magic and put back. It has no identity to resume by, like stdin.
    let stream = input.stdin;
    if (input.stdin) {
      raw = process.stdin as AsyncIterable<Buffer>;
    } else {
      const info = await stat(input.path);
      stream = !info.isFile();
      if (stream) {
        // A synchronous read would block the process on a FIFO.
        raw = createReadStream(input.path, { highWaterMark: 64 * 1024 });
      } else {
        identity = { dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
        const handle = await open(input.path, "r");
        const magic = Buffer.alloc(2);
        try {
          await handle.read(magic, 0, 2, 0);
        } finally {
          await handle.close();
        }
        gzip = magic[0] === 0x1f && magic[1] === 0x8b;
        raw = fileChunks(input.path, info.size);
      }
    }
    let iterator = raw[Symbol.asyncIterator]();
    const buffered: Buffer[] = [];
    if (stream) {
      const first = await iterator.next();
      if (!first.done) {
        const chunk = first.value as Buffer;
        gzip = chunk[0] === 0x1f && chunk[1] === 0x8b;
        const rest = iterator;
        iterator = (async function* () {
          yield chunk;
          for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value as Buffer;
        })();
      }
    }
    if (gzip) {
      const source = iterator;
      const compressed = Readable.from({ [Symbol.asyncIterator]: () => source });
      iterator = compressed.pipe(createGunzip())[Symbol.asyncIterator]();
    }
    let size = 0;
    let newlines = 0;
    let exhausted = false;
    // Up to HEAD_BYTES or HEAD_LINES, but past a long first line (a hostile journald record, up
    // to MAX_LINE_BYTES) to the end of the next, so detection and the fingerprint see a line.
    while (newlines < HEAD_LINES && (size < HEAD_BYTES || (newlines < 2 && size < MAX_LINE_BYTES + HEAD_BYTES))) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const chunk = next.value as Buffer;
      buffered.push(chunk);
      size += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) newlines++;
    }
    return new LineSource(input, identity, gzip, buffered, iterator, exhausted);
  }

  /** Stop reading (a re-read that has what it needs): closes the underlying stream. */
  async close(): Promise<void> {
    await this.rest.return?.();
  }

  /** Up to `count` first lines, for format detection. */
  firstLines(count = HEAD_LINES): string[] {
    const text = Buffer.concat(this.buffered).toString("utf8");
    const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
    if (!this.exhausted) lines.pop(); // the last piece may be cut
    return lines.slice(0, count);
  }

  /**
   * sha256 of the first complete data lines (up to 4 KiB; "#" header and blank lines left
   * out, since every Zeek log starts with the same "#separator" line): the same content under
   * another name or inode is the same log. undefined while no complete data line exists.
   */
  fingerprint(): string | undefined {
    const head = Buffer.concat(this.buffered);
    const hash = createHash("sha256");
    let taken = 0;
    let lines = 0;
    for (let start = 0; start < head.length && taken < 4096 && lines < 4; ) {
      let end = head.indexOf(10, start);
      if (end < 0) {
        if (!this.exhausted) break;
        end = head.length;
      }
      const line = head.subarray(start, Math.min(end, start + 4096 - taken));
      start = end + 1;
      if (line.length === 0 || line[0] === 0x23 /* # */ || line.toString("latin1").trim() === "") continue;
      hash.update(line).update("\n");
      taken += line.length;
      lines++;
    }
    return lines === 0 ? undefined : hash.digest("hex").slice(0, 32);
  }

  /** Lines from a cursor (a previous run's end), with offsets in decompressed bytes. */
  async *lines(from: Cursor = { offset: 0, line: 0 }, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<LineRecord[]> {
    for await (const batch of this.batches(from, maxLineBytes)) {
      const records: LineRecord[] = [];
      let start = batch.start;
      for (let i = 0; i < batch.texts.length; i++) {
        const error = batch.errors?.get(i);
        records.push({ text: batch.texts[i]!, ...(error !== undefined ? { error } : {}), number: batch.first + i, start, end: batch.ends[i]! });
        start = batch.ends[i]!;
      }
      yield records;
    }
  }

  /**
   * The lines of each chunk read, as parallel arrays (no object a line): what `lines()`
   * gives, for the hot loop of `exfilscan logs`.
   */
  async *batches(from: Cursor = { offset: 0, line: 0 }, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<LineBatch> {
    // The unfinished last line, as the pieces it arrived in (joined once, when it ends), or
    // only counted once it is too long to keep.
    let pieces: Buffer[] = [];
    let pending = 0;
    let overlong = false;
    let lineStart = from.offset; // offset of the first byte of the unfinished line
    let position = 0; // offset of the next chunk's first byte
    let lineNumber = from.line;
    const self = this;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (const chunk of self.buffered) yield chunk;
      if (self.exhausted) return;
      for (let next = await self.rest.next(); !next.done; next = await self.rest.next()) yield next.value as Buffer;
    }
    let batch: LineBatch = newBatch(lineNumber + 1, lineStart);
    /** The unfinished line ends with `chunk[from, to)`. */
    const finishPending = (chunk: Buffer, from: number, to: number, end: number): void => {
      lineNumber++;
      const length = pending + to - from;
      if (overlong || length > maxLineBytes) {
        pushError(batch, `line longer than ${maxLineBytes} bytes (${length} bytes): skipped`, end);
      } else {
        const data = Buffer.concat([...pieces, chunk.subarray(from, to)], length);
        const textEnd = data.length > 0 && data[data.length - 1] === 13 ? data.length - 1 : data.length;
        const ascii = isAscii(data);
        if (!ascii || data.indexOf(13) >= 0) batch.plain = false;
        batch.texts.push(data.toString(ascii ? "latin1" : "utf8", 0, textEnd));
        batch.ends.push(end);
      }
      pieces = [];
      pending = 0;
      overlong = false;
      lineStart = end;
    };
    for await (let chunk of chunks()) {
      // Skip what a previous run consumed.
      if (position + chunk.length <= from.offset) {
        position += chunk.length;
        continue;
      }
      if (position < from.offset) {
        chunk = chunk.subarray(from.offset - position);
        position = from.offset;
      }
      let start = 0;
      let nl = chunk.indexOf(10);
      if (nl >= 0 && (pending > 0 || overlong)) {
        finishPending(chunk, 0, nl, position + nl + 1);
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      // An ASCII chunk is decoded as Latin-1 (the same text, without UTF-8's checks); without a
      // CR either, its lines are "plain": no line break inside a line for a parser to look for.
      const ascii = isAscii(chunk);
      const encoding = ascii ? "latin1" : "utf8";
      const plain = ascii && chunk.indexOf(13) < 0;
      if (!plain) batch.plain = false;
      // Lines wholly inside this chunk: decoded straight from it, no copy or view of their bytes.
      for (; nl >= 0; nl = chunk.indexOf(10, start)) {
        lineNumber++;
        const end = position + nl + 1;
        if (nl - start > maxLineBytes) pushError(batch, `line longer than ${maxLineBytes} bytes (${nl - start} bytes): skipped`, end);
        else {
          const textEnd = nl > start && chunk[nl - 1] === 13 ? nl - 1 : nl;
          batch.texts.push(ascii && FAST_LATIN1 ? (chunk as unknown as Latin1Slicer).latin1Slice(start, textEnd) : chunk.toString(encoding, start, textEnd));
          batch.ends.push(end);
        }
        lineStart = end;
        start = nl + 1;
        // A batch of about BATCH_BYTES: its lines and events are what a young-generation
        // collection finds alive (and copies), so a big read is handed on in small batches.
        if (end - batch.start >= BATCH_BYTES) {
          yield batch;
          batch = newBatch(lineNumber + 1, lineStart);
          if (!plain) batch.plain = false;
        }
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        if (!overlong && pending + rest.length > maxLineBytes) {
          overlong = true;
          pieces = [];
        }
        if (!overlong) pieces.push(rest);
        pending += rest.length;
      }
      position += chunk.length;
      if (batch.texts.length) {
        yield batch;
        batch = newBatch(lineNumber + 1, lineStart);
      }
    }
    if (pending > 0) {
      // A last line without newline still counts (EOF ends it).
      finishPending(Buffer.alloc(0), 0, 0, position);
      yield batch;
    }
  }
}

/** Consecutive lines: line `first + i` is `texts[i]`, from the end of the line before it (or `start`) to `ends[i]`. */
export interface LineBatch {
  first: number;
  start: number;
  texts: string[];
  ends: number[];
  /** Lines that could not be kept (their text is ""), by index. */
  errors: Map<number, string> | undefined;
  /** Every line is ASCII without a CR: no CR, U+2028 or U+2029 inside any of them. */
  plain: boolean;
}

function newBatch(first: number, start: number): LineBatch {
  return { first, start, texts: [], ends: [], errors: undefined, plain: true };
}

/**
 * Buffer's own Latin-1 decoder, what toString("latin1", start, end) ends in, called directly: a
 * line a call, toString's argument checks and encoding lookup were a visible part of reading.
 */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}
const FAST_LATIN1 = typeof (Buffer.prototype as unknown as Partial<Latin1Slicer>).latin1Slice === "function";

/** About this many bytes of lines a batch (64 KiB: 256 KiB left a quarter more for each young-generation collection to copy). */
const BATCH_BYTES = 64 * 1024;
/** A regular file is read synchronously this much at a time (a stream's 64 KiB reads each cost a thread-pool round trip and promises). */
const READ_BYTES = 1024 * 1024;

/** A regular file's bytes in READ_BYTES chunks, read synchronously; return() closes it. */
function fileChunks(path: string, size: number): AsyncIterable<Buffer> {
  // Sized to the file (at least 16 KiB, for what is appended while it is read): many small
  // logs each keep their first read while they wait their turn.
  let left = size;
  return {
    [Symbol.asyncIterator]() {
      let fd: number | undefined = openSync(path, "r");
      const close = (): void => {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
      };
      return {
        async next(): Promise<IteratorResult<Buffer>> {
          if (fd === undefined) return { done: true, value: undefined };
          const want = Math.min(READ_BYTES, Math.max(16 * 1024, left));
          const chunk = Buffer.allocUnsafeSlow(want);
          let read: number;
          try {
            read = readSync(fd, chunk, 0, want, null);
          } catch (error) {
            close();
            throw error;
          }
          if (read === 0) {
            close();
            return { done: true, value: undefined };
          }
          left -= read;
          return { done: false, value: read === want ? chunk : chunk.subarray(0, read) };
        },
        async return(): Promise<IteratorResult<Buffer>> {
          close();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

function pushError(batch: LineBatch, error: string, end: number): void {
  (batch.errors ??= new Map()).set(batch.texts.length, error);
  batch.texts.push("");
  batch.ends.push(end);
}
