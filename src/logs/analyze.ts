// `exfilscan logs` without the CLI: inputs → parsers → events (merged in time order across
// inputs) → detectors → alerts, with offsets, baseline, detector state and alerts written to
// the store in one transaction per batch.
import type { RuleMeta } from "../rules/schema.js";
import type { Alert } from "./alerts.js";
import type { DetectorOptions } from "./detectors/index.js";
import type { BaselineRow } from "../store/types.js";
import type { Cursor, HostEvent } from "./events.js";
import { detectParser, FORMAT_NAMES, parserByName } from "./parsers/index.js";
import type { LineStatus, LogParser, ParseSession } from "./parsers/types.js";
import { expandInputs, LineSource } from "./reader.js";
import { plausibleTimestamp } from "./time.js";
import type { LogStore, OffsetWrite } from "../store/types.js";
import { partitionOf, PartitionSet } from "./partitions.js";

export interface AnalyzeOptions {
  inputs: string[];
  /** Parser name; detected per input when absent. */
  format?: string;
  since?: number;
  until?: number;
  /** Minutes east of UTC for zone-less timestamps (RFC 3164). */
  utcOffsetMinutes: number;
  /** Newest time RFC 3164 logs can hold, for year inference (default: each file's mtime). */
  referenceMs?: number;
  detectors: DetectorOptions;
  rules: Map<string, RuleMeta>;
  store: LogStore;
  /** Baseline every partition starts from when not incremental (correlate reads it from a state database). */
  seed?: { baseline: BaselineRow[]; start?: number };
  /** Resume from stored offsets and save them, load and save detector state. */
  incremental: boolean;
  /** Run the detectors (false: only parse, e.g. for --events). */
  detect: boolean;
  onEvent?: (event: HostEvent) => void;
  batchSize?: number;
  /** How many unrecognised lines to keep per input (default 5). */
  explainLimit?: number;
}

export interface InputReport {
  input: string;
  format?: string;
  gzip?: boolean;
  lines: number;
  recognised: number;
  skipped: number;
  /** sshd lines that produced no event (listed in samples; all of them with --explain-unparsed). */
  unmodelled: number;
  unparseable: number;
  events: number;
  /** Lines no parser rule understood: up to 5, or `explainLimit`. */
  samples: { line: number; text: string; status: "unmodelled" | "unparseable"; error?: string }[];
  /** Line the read resumed after (a previous run consumed up to it). */
  resumedAfterLine?: number;
  /** The content was read before under another name/inode (rotated or compressed). */
  rotated?: boolean;
  /** This path held other content before (rotation or truncation): read from the start. */
  replaced?: "rotated" | "truncated";
  duplicateOf?: string;
  /** Why the input was not read, when that is not an error (e.g. not a log format exfilscan reads). */
  note?: string;
  error?: string;
}

export interface AnalyzeResult {
  inputs: InputReport[];
  alerts: Alert[];
  /** Alerts the store did not hold yet. */
  newAlerts: number;
  events: number;
  /** Inputs that could be read (at least opened and recognised). */
  readable: number;
  errors: { input: string; message: string }[];
  /** Set when new-ssh-destination was still learning at the newest event: it could not alert yet. */
  learning?: { start: string; until: string; newest: string };
}

/**
 * Events of one input in file order, with where a resumed read may restart after each
 * (parallel arrays: no wrapper object an event).
 */
interface EventBatch {
  source: Source;
  events: HostEvent[];
  offsets: number[];
  lines: number[];
}

interface Source {
  report: InputReport;
  lines: LineSource;
  parser: LogParser;
  fingerprint?: string;
  start: Cursor;
  /** Where the last event handed to the detectors came from (-1: none yet). */
  consumedOffset: number;
  consumedLine: number;
  end?: Cursor;
  track: boolean;
  session?: ParseSession;
  /** Just past the last line the session has read (set before each batch goes out). */
  readCursor?: Cursor;
  /**
   * Where the events handed on since the last commit can be had again, when they are read
   * again instead of held: the rest of the batch in hand at the commit (`held`), then what a
   * copy of the session gives from `cursor` (just past that batch, where the session stood).
   */
  checkpoint?: { session: ParseSession; cursor: Cursor; held: HostEvent[] };
  /** Events handed on since the checkpoint (all of them, before --since/--until). */
  delivered: number;
}

const SAMPLE_LIMIT = 5;

/** Empty or whitespace only, without building a trimmed copy of every line. */
function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  return (first === 32 || first === 9 || first === 13 || first === 12 || first === 11 || first === 0xa0 || first === 0xfeff) && text.trim() === "";
}

async function openSources(options: AnalyzeOptions, result: AnalyzeResult): Promise<Source[]> {
  const { files, errors } = await expandInputs(options.inputs);
  for (const e of errors) result.errors.push(e);
  const forced = options.format ? parserByName(options.format) : undefined;
  const sources: Source[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const report: InputReport = { input: file.path, lines: 0, recognised: 0, skipped: 0, unmodelled: 0, unparseable: 0, events: 0, samples: [] };
    result.inputs.push(report);
    let lines: LineSource;
    try {
      lines = await LineSource.open(file);
    } catch (error) {
      report.error = (error as Error).message;
      result.errors.push({ input: file.path, message: report.error });
      continue;
    }
    report.gzip = lines.gzip;
    const fingerprint = lines.fingerprint();
    const identityKey = lines.identity ? `inode:${lines.identity.dev}:${lines.identity.ino}` : undefined;
    const duplicate = (identityKey && seen.get(identityKey)) ?? (fingerprint && seen.get(`content:${fingerprint}`));
    if (duplicate) {
      report.duplicateOf = duplicate; // the same log twice in one run must not count twice
      continue;
    }
    if (identityKey) seen.set(identityKey, file.path);
    if (fingerprint) seen.set(`content:${fingerprint}`, file.path);
    const parser = forced ?? detectParser(lines.firstLines());
    if (!parser) {
      if (lines.firstLines().every((l) => l.trim() === "")) {
        report.format = "empty";
        result.readable++;
        continue;
      }
      // Not a log exfilscan reads (dpkg.log, a README): said, not an error, unless it is all there was.
      report.format = "unrecognised";
      report.note = `not a log format exfilscan reads (${FORMAT_NAMES.join(", ")}); skipped — force one with --log-format`;
      continue;
    }
    report.format = parser.name;
    result.readable++;
    // A stream (stdin, a FIFO) has no file identity: nothing to resume from next time.
    const track = options.incremental && lines.identity !== undefined && fingerprint !== undefined;
    let start: Cursor = { offset: 0, line: 0 };
    if (track) {
      const decision = await options.store.resumePoint(fingerprint!, file.path, lines.identity);
      start = decision.cursor;
      if (start.line > 0) report.resumedAfterLine = start.line;
      if (decision.rotated) report.rotated = true;
      if (decision.replaced) report.replaced = decision.replaced;
    }
    sources.push({ report, lines, parser, ...(fingerprint ? { fingerprint } : {}), start, consumedOffset: -1, consumedLine: 0, track, delivered: 0 });
  }
  return sources;
}

function openSession(source: Source, options: AnalyzeOptions): ParseSession {
  const referenceMs = options.referenceMs ?? source.lines.identity?.mtimeMs ?? Date.now();
  return source.parser.open({ file: source.report.input, referenceMs, offsetMinutes: options.utcOffsetMinutes });
}

/** Why the last line parseLine() called unparseable was (undefined: not parseable as the format). */
let lineError: string | undefined;

/**
 * One line through the session, its events appended to `produced` (which may hold earlier
 * lines' events: what this line added is taken back when it turns out unparseable); "blank"
 * for blank and comment lines. Shared by the read and the re-read. The caller's array is
 * appended to rather than emptied a line, since emptying an array frees its backing store
 * and the next push allocates a new one (a line).
 */
function parseLine(session: ParseSession, text: string, number: number, start: number, produced: HostEvent[], recordError: string | undefined, zeek: boolean, plain: boolean): LineStatus | "blank" {
  lineError = recordError;
  if (recordError !== undefined) return "unparseable";
  if (isBlank(text) || (text.charCodeAt(0) === 35 /* # */ && !zeek)) return "blank";
  const before = produced.length;
  let status: LineStatus;
  try {
    status = session.line(text, number, start, produced, plain);
  } catch (error) {
    // A parser bug or a hostile line is an error on this line: the offset still moves past it.
    lineError = `line not read: ${(error as Error).message}`;
    produced.length = before;
    return "unparseable";
  }
  for (let k = before; k < produced.length; k++) {
    if (!plausibleTimestamp(produced[k]!.timestamp)) {
      lineError = "timestamp out of range";
      produced.length = before;
      return "unparseable";
    }
  }
  return status;
}

async function* sourceEvents(source: Source, options: AnalyzeOptions): AsyncGenerator<EventBatch> {
  const session = (source.session ??= openSession(source, options));
  const report = source.report;
  const zeek = source.parser.name === "zeek";
  let lastOffset = source.start.offset;
  let lastLine = source.start.line;
  const sampleLimit = options.explainLimit ?? SAMPLE_LIMIT;
  try {
    for await (const batch of source.lines.batches(source.start)) {
      const out: EventBatch = { source, events: [], offsets: [], lines: [] };
      // Each line's events are appended straight to the batch.
      const produced = out.events;
      const { texts, ends, errors } = batch;
      let lineStart = batch.start;
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i]!;
        const number = batch.first + i;
        const start = lineStart;
        lineStart = lastOffset = ends[i]!;
        lastLine = number;
        report.lines++;
        const before = produced.length;
        const status = parseLine(session, text, number, start, produced, errors?.get(i), zeek, batch.plain);
        if (status === "blank") {
          report.skipped++;
          continue;
        }
        // a counter by name (report[status]++) is a keyed store V8 cannot specialise: one per line
        if (status === "recognised") report.recognised++;
        else if (status === "skipped") report.skipped++;
        else if (status === "unmodelled") report.unmodelled++;
        else report.unparseable++;
        if ((status === "unparseable" || status === "unmodelled") && report.samples.length < sampleLimit) {
          report.samples.push({ line: number, text: text.slice(0, 300), status, ...(lineError ? { error: lineError } : {}) });
        }
        if (produced.length > before) {
          const pending = session.pendingCursor?.();
          const offset = pending ? pending.offset : lastOffset;
          const line = pending ? pending.line : lastLine;
          for (let k = before; k < produced.length; k++) {
            out.offsets.push(offset);
            out.lines.push(line);
          }
        }
      }
      if (out.events.length) {
        source.readCursor = { offset: lastOffset, line: lastLine };
        yield out;
      }
    }
  } catch (error) {
    // A corrupt gzip or an I/O error ends this input only; what was read before still counts.
    report.error = `read failed after line ${lastLine}: ${(error as Error).message}`;
    return;
  }
  const tail: HostEvent[] = [];
  session.end(tail);
  source.end = source.readCursor = { offset: lastOffset, line: lastLine };
  if (tail.length) yield { source, events: tail, offsets: tail.map(() => lastOffset), lines: tail.map(() => lastLine) };
}

const MERGED_BATCH = 4096;

/**
 * k-way merge of per-input event streams by timestamp (each input is already in order), in
 * batches; the earliest input wins a tie. One input passes through as it is.
 */
async function* mergeByTime(streams: AsyncGenerator<EventBatch>[]): AsyncGenerator<EventBatch> {
  if (streams.length === 1) {
    yield* streams[0]!;
    return;
  }
  const heads: { stream: AsyncGenerator<EventBatch>; batch: EventBatch; index: number }[] = [];
  for (const stream of streams) {
    const first = await stream.next();
    if (!first.done) heads.push({ stream, batch: first.value, index: 0 });
  }
  let out: EventBatch | undefined;
  while (heads.length) {
    let best = 0;
    for (let i = 1; i < heads.length; i++) {
      if (heads[i]!.batch.events[heads[i]!.index]!.timestamp < heads[best]!.batch.events[heads[best]!.index]!.timestamp) best = i;
    }
    const head = heads[best]!;
    // A run of one input's events goes out as one batch (a batch names one source).
    if (out && (out.source !== head.batch.source || out.events.length >= MERGED_BATCH)) {
      yield out;
      out = undefined;
    }
    out ??= { source: head.batch.source, events: [], offsets: [], lines: [] };
    out.events.push(head.batch.events[head.index]!);
    out.offsets.push(head.batch.offsets[head.index]!);
    out.lines.push(head.batch.lines[head.index]!);
    if (++head.index >= head.batch.events.length) {
      // The merged batch goes out before the next read, as each event did before.
      yield out;
      out = undefined;
      const next = await head.stream.next();
      if (next.done) heads.splice(best, 1);
      else {
        head.batch = next.value;
        head.index = 0;
      }
    }
  }
  if (out) yield out;
}

export async function analyzeLogs(options: AnalyzeOptions): Promise<AnalyzeResult> {
  const result: AnalyzeResult = { inputs: [], alerts: [], newAlerts: 0, events: 0, readable: 0, errors: [] };
  const sources = await openSources(options, result);
  // One file whose session can be copied: a conflicting commit reads the batch again from the
  // last commit's checkpoint instead of every partition holding its events (GC time: the
  // 50,000 held events survived each young-generation collection).
  const only = sources.length === 1 ? sources[0]! : undefined;
  if (only && only.track && !only.lines.input.stdin && options.detect) {
    only.session = openSession(only, options);
    if (only.session.clone) only.checkpoint = { session: only.session.clone(), cursor: only.start, held: [] };
  }
  const rereadable = only?.checkpoint ? only : undefined;
  const partitions = new PartitionSet(rereadable ? { ...options, reread: (name) => rereadSince(rereadable, options, name) } : options);
  let sinceCommit = 0;
  const batchSize = options.batchSize ?? 50_000;
  const { since, until, onEvent, detect } = options;
  for await (const batch of mergeByTime(sources.map((s) => sourceEvents(s, options)))) {
    const { source, events, offsets, lines } = batch;
    const report = source.report;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      source.consumedOffset = offsets[i]!;
      source.consumedLine = lines[i]!;
      source.delivered++;
      if ((since !== undefined && event.timestamp < since) || (until !== undefined && event.timestamp >= until)) continue;
      report.events++;
      result.events++;
      onEvent?.(event);
      if (detect) {
        const loading = partitions.onEvent(event);
        if (loading) await loading;
      }
      if (++sinceCommit >= batchSize) {
        await partitions.commit(offsetsOf(sources, false));
        sinceCommit = 0;
        if (rereadable) {
          // The session has read the whole batch in hand: its rest is held, the lines after it read again.
          rereadable.checkpoint = { session: rereadable.session!.clone!(), cursor: rereadable.readCursor!, held: events.slice(i + 1) };
          rereadable.delivered = 0;
        }
      }
    }
  }
  partitions.finish();
  const learning = partitions.learning();
  if (options.detect && learning) result.learning = learning;
  for (const source of sources) if (source.report.error) result.errors.push({ input: source.report.input, message: source.report.error });
  await partitions.commit(offsetsOf(sources, true));
  result.newAlerts = partitions.newAlerts;
  result.alerts = partitions.alerts().sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.ruleId.localeCompare(b.ruleId));
  return result;
}

/**
 * The events of `partition` that `source` handed on since its checkpoint, read again from the
 * file with a copy of the checkpoint's session: exactly the events the first read gave.
 */
async function rereadSince(source: Source, options: AnalyzeOptions, partition: string): Promise<HostEvent[]> {
  const checkpoint = source.checkpoint!;
  const session = checkpoint.session.clone!();
  const wanted = source.delivered;
  const events: HostEvent[] = [];
  const zeek = source.parser.name === "zeek";
  for (let k = 0; k < checkpoint.held.length && events.length < wanted; k++) events.push(checkpoint.held[k]!);
  if (events.length < wanted) {
    const lines = await LineSource.open(source.lines.input);
    const produced: HostEvent[] = [];
    try {
      read: for await (const batch of lines.batches(checkpoint.cursor)) {
        let lineStart = batch.start;
        for (let i = 0; i < batch.texts.length; i++) {
          const start = lineStart;
          lineStart = batch.ends[i]!;
          parseLine(session, batch.texts[i]!, batch.first + i, start, produced, batch.errors?.get(i), zeek, batch.plain);
          for (let k = 0; k < produced.length && events.length < wanted; k++) events.push(produced[k]!);
          produced.length = 0;
          if (events.length >= wanted) break read;
        }
      }
    } finally {
      await lines.close();
    }
    if (events.length < wanted) {
      session.end(produced);
      for (let k = 0; k < produced.length && events.length < wanted; k++) events.push(produced[k]!);
    }
  }
  const { since, until } = options;
  return events.filter((e) => partitionOf(e) === partition && !((since !== undefined && e.timestamp < since) || (until !== undefined && e.timestamp >= until)));
}

function offsetsOf(sources: Source[], final: boolean): OffsetWrite[] {
  const offsets: OffsetWrite[] = [];
  for (const source of sources) {
    const cursor = final && source.end ? source.end : source.consumedOffset >= 0 ? { offset: source.consumedOffset, line: source.consumedLine } : undefined;
    if (!source.track || !cursor || !source.fingerprint) continue;
    const identity = source.lines.identity;
    offsets.push({
      fingerprint: source.fingerprint, path: source.report.input, dev: identity?.dev ?? 0, ino: identity?.ino ?? 0,
      offset: cursor.offset, line: cursor.line, format: source.parser.name,
    });
  }
  return offsets;
}
