// `exfilscan logs` without the CLI: inputs → parsers → events (merged in time order across
// inputs) → detectors → alerts, with offsets, baseline, detector state and alerts written to
// the store in one transaction per batch.
import type { RuleMeta } from "../rules/schema.js";
import type { Alert } from "./alerts.js";
import type { DetectorOptions } from "./detectors/index.js";
import type { BaselineRow } from "../store/types.js";
import type { Cursor, HostEvent } from "./events.js";
import { detectParser, FORMAT_NAMES, parserByName } from "./parsers/index.js";
import type { LineStatus, LogParser } from "./parsers/types.js";
import { expandInputs, LineSource } from "./reader.js";
import { plausibleTimestamp } from "./time.js";
import type { LogStore, OffsetWrite } from "../store/types.js";
import { PartitionSet } from "./partitions.js";

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

interface Sourced {
  event: HostEvent;
  cursor: Cursor;
  source: Source;
}

interface Source {
  report: InputReport;
  lines: LineSource;
  parser: LogParser;
  fingerprint?: string;
  start: Cursor;
  consumed?: Cursor;
  end?: Cursor;
  track: boolean;
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
    const track = options.incremental && !file.stdin && fingerprint !== undefined;
    let start: Cursor = { offset: 0, line: 0 };
    if (track) {
      const decision = await options.store.resumePoint(fingerprint!, file.path, lines.identity);
      start = decision.cursor;
      if (start.line > 0) report.resumedAfterLine = start.line;
      if (decision.rotated) report.rotated = true;
      if (decision.replaced) report.replaced = decision.replaced;
    }
    sources.push({ report, lines, parser, ...(fingerprint ? { fingerprint } : {}), start, track });
  }
  return sources;
}

async function* sourceEvents(source: Source, options: AnalyzeOptions): AsyncGenerator<Sourced[]> {
  const file = source.report.input;
  const referenceMs = options.referenceMs ?? source.lines.identity?.mtimeMs ?? Date.now();
  const session = source.parser.open({ file, referenceMs, offsetMinutes: options.utcOffsetMinutes });
  const report = source.report;
  let last: Cursor = source.start;
  const sampleLimit = options.explainLimit ?? SAMPLE_LIMIT;
  try {
    for await (const batch of source.lines.lines(source.start)) {
      const out: Sourced[] = [];
      for (const record of batch) {
        report.lines++;
        last = { offset: record.end, line: record.number };
        if (!record.error && (isBlank(record.text) || (record.text.charCodeAt(0) === 35 /* # */ && source.parser.name !== "zeek"))) {
          report.skipped++;
          continue;
        }
        const produced: HostEvent[] = [];
        let status: LineStatus;
        let lineError: string | undefined = record.error;
        if (lineError) status = "unparseable";
        else {
          try {
            status = session.line(record.text, record.number, record.start, produced);
          } catch (error) {
            // A parser bug or a hostile line is an error on this line: the offset still moves past it.
            status = "unparseable";
            lineError = `line not read: ${(error as Error).message}`;
            produced.length = 0;
          }
          if (produced.some((e) => !plausibleTimestamp(e.timestamp))) {
            status = "unparseable";
            lineError = "timestamp out of range";
            produced.length = 0;
          }
        }
        report[status]++;
        if ((status === "unparseable" || status === "unmodelled") && report.samples.length < sampleLimit) {
          report.samples.push({ line: record.number, text: record.text.slice(0, 300), status, ...(lineError ? { error: lineError } : {}) });
        }
        if (produced.length) {
          const cursor = session.pendingCursor?.() ?? last;
          for (const event of produced) out.push({ event, cursor, source });
        }
      }
      if (out.length) yield out;
    }
  } catch (error) {
    // A corrupt gzip or an I/O error ends this input only; what was read before still counts.
    report.error = `read failed after line ${last.line}: ${(error as Error).message}`;
    return;
  }
  const tail: HostEvent[] = [];
  session.end(tail);
  source.end = last;
  if (tail.length) yield tail.map((event) => ({ event, cursor: last, source }));
}

/** k-way merge of per-input event streams by timestamp (each input is already in order). */
async function* mergeByTime(streams: AsyncGenerator<Sourced[]>[]): AsyncGenerator<Sourced> {
  const heads: { stream: AsyncGenerator<Sourced[]>; batch: Sourced[]; index: number }[] = [];
  for (const stream of streams) {
    const first = await stream.next();
    if (!first.done) heads.push({ stream, batch: first.value, index: 0 });
  }
  while (heads.length) {
    let best = 0;
    for (let i = 1; i < heads.length; i++) {
      if (heads[i]!.batch[heads[i]!.index]!.event.timestamp < heads[best]!.batch[heads[best]!.index]!.event.timestamp) best = i;
    }
    const head = heads[best]!;
    yield head.batch[head.index]!;
    if (++head.index >= head.batch.length) {
      const next = await head.stream.next();
      if (next.done) heads.splice(best, 1);
      else {
        head.batch = next.value;
        head.index = 0;
      }
    }
  }
}

export async function analyzeLogs(options: AnalyzeOptions): Promise<AnalyzeResult> {
  const result: AnalyzeResult = { inputs: [], alerts: [], newAlerts: 0, events: 0, readable: 0, errors: [] };
  const sources = await openSources(options, result);
  const partitions = new PartitionSet(options);
  let sinceCommit = 0;
  const batchSize = options.batchSize ?? 50_000;
  for await (const { event, cursor, source } of mergeByTime(sources.map((s) => sourceEvents(s, options)))) {
    source.consumed = cursor;
    if ((options.since !== undefined && event.timestamp < options.since) || (options.until !== undefined && event.timestamp >= options.until)) continue;
    source.report.events++;
    result.events++;
    options.onEvent?.(event);
    if (options.detect) await partitions.onEvent(event);
    if (++sinceCommit >= batchSize) {
      await partitions.commit(offsetsOf(sources, false));
      sinceCommit = 0;
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

function offsetsOf(sources: Source[], final: boolean): OffsetWrite[] {
  const offsets: OffsetWrite[] = [];
  for (const source of sources) {
    const cursor = final && source.end ? source.end : source.consumed;
    if (!source.track || !cursor || !source.fingerprint) continue;
    const identity = source.lines.identity;
    offsets.push({
      fingerprint: source.fingerprint, path: source.report.input, dev: identity?.dev ?? 0, ino: identity?.ino ?? 0,
      offset: cursor.offset, line: cursor.line, format: source.parser.name,
    });
  }
  return offsets;
}
