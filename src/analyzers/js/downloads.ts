// The staged-loader shape at install time: data fetched from the network is written to a file
// and that file is run. A response of a request made at install carries a *fetched* taint
// (the credential taint machinery moves it through buffers, chunks, decoders and into written
// files: written-files.ts records it under the file's path); running a file whose recorded
// taint is fetched becomes a DownloadExecutionFact. Fetched taint is never a credential: the
// collector keeps it out of flows (FactCollector.addFlow) and dynamic-code's sealing ignores it.
import type { Location } from "../../core/types.js";
import type { DownloadExecutionFact, SinkFact, SourceFact, Trigger } from "../facts.js";
import { downloadsOf, pipedRunsOf, runsOf } from "../common/shell-downloads.js";
import type { ShellCommand } from "../shell-words.js";
import type { Interpreter } from "./interpreter.js";
import type { Call } from "./calls.js";
import { FETCH_PREFIX, HOLE, deepTaint, isFetched, markTaintLive, withStep, type Taint, type Value } from "./values.js";

interface FetchRecord {
  location: Location;
  note: string;
  destination?: string;
}

/** The fetched data of one request, by key (the request's location and destination). */
const fetches = new WeakMap<Interpreter, Map<string, FetchRecord>>();

function recordsOf(I: Interpreter): Map<string, FetchRecord> {
  let map = fetches.get(I);
  if (!map) fetches.set(I, (map = new Map()));
  return map;
}

/** Taint of what a request made at install, import or by a file run by hand answers (undefined in functions only called: a loader library loads code). */
export function fetchedTaint(I: Interpreter, location: Location, note: string, destination: string | undefined, trigger: Trigger): Taint[] | undefined {
  if (trigger === "call") return undefined;
  markTaintLive();
  const key = `${FETCH_PREFIX}${location.file}:${location.line}:${location.column}|${destination ?? ""}`;
  recordsOf(I).set(key, { location, note, ...(destination ? { destination } : {}) });
  // A stand-in source: never registered as a fact (addFlow skips fetched taint).
  const source = { kind: "env-dump", location, note: `fetches ${destination ?? "data"}`, trigger } as SourceFact;
  return [{ key, source, steps: [{ ...location, note: `fetches ${destination ?? "data"} (${note})` }] }];
}

/** What a sink's response is at install: fetched data. */
export function responseOf(I: Interpreter, sink: SinkFact): Value | undefined {
  if (sink.channel !== "http" && sink.channel !== "ftp") return undefined;
  const taint = fetchedTaint(I, sink.location, sink.note, sink.destination, sink.trigger);
  return taint ? { taint } : undefined;
}

/** Fetched keys among the taint of a value. */
export function fetchedKeys(taint: Taint[] | undefined): string[] {
  return (taint ?? []).filter(isFetched).map((t) => t.key);
}

/** The bytes of these fetches were compared with a digest that does not come from the network. */
export function verifyFetches(I: Interpreter, keys: Iterable<string>): void {
  for (const key of keys) I.collector.verifyDownload(key);
}

/** The file at `path` is run here: when it holds fetched data, that is a download-execution. */
export function runWrittenFile(I: Interpreter, path: string, how: string, location: Location, trigger: Trigger): void {
  const shown = path.replaceAll(HOLE, "*");
  const taint = I.written.taint(path, { ...location, note: `runs ${shown}` })?.filter(isFetched);
  for (const t of taint ?? []) addExecution(I, t, shown, how.replaceAll(HOLE, "*"), location, trigger);
}

function addExecution(I: Interpreter, t: Taint, path: string | undefined, how: string, location: Location, trigger: Trigger): void {
  const fetch = recordsOf(I).get(t.key);
  if (!fetch) return;
  const fact: DownloadExecutionFact = { location, trigger, note: how, ...(path ? { path } : {}), fetch, steps: t.steps };
  I.collector.addDownloadExecution(t.key, fact);
}

/** Code run straight from a response (`eval(body)`, `new Function(text)`): a download-execution without a file. */
export function runFetchedCode(I: Interpreter, code: Value[], how: string, location: Location, trigger: Trigger): void {
  for (const value of code) {
    const fetched = deepTaint(value)?.filter(isFetched);
    for (const t of withStep(fetched, { ...location, note: how }) ?? []) addExecution(I, t, undefined, how, location, trigger);
  }
}

/**
 * One command line's downloads and runs, in order: `curl -o x URL` makes x hold fetched data
 * (the command's own request), and a later command (on this line or a later one) that runs x
 * is a download-execution.
 */
export function shellDownloadsAndRuns(I: Interpreter, commands: ShellCommand[], location: Location, trigger: Trigger): void {
  for (const command of commands) {
    for (const download of downloadsOf(command)) {
      const destination = download.url.replaceAll("\uE000", "*");
      const taint = fetchedTaint(I, location, `runs ${command.program}`, destination, trigger);
      if (taint) I.written.write(download.file, undefined, withStep(taint, { ...location, note: `${command.program} writes it to ${download.file}` }));
    }
    for (const run of runsOf(command)) runWrittenFile(I, run.file, run.how, location, trigger);
    // `curl … | sh`: fetched code run without a file (no path).
    for (const piped of pipedRunsOf(command)) {
      const taint = fetchedTaint(I, location, `runs ${piped.downloader}`, piped.url.replaceAll(HOLE, "*"), trigger);
      if (taint) runFetchedCode(I, [{ taint }], piped.how, location, trigger);
    }
  }
}

/** Data written into a file stream (`res.pipe(fs.createWriteStream(p))`, `stream.write(chunk)`): the file now holds it. */
export function writeToFile(I: Interpreter, stream: Value, data: Value, call: Call): void {
  const taint = deepTaint(data)?.filter((t) => !t.latent);
  if (!taint?.length || stream.writesTo === undefined) return;
  I.written.write(stream.writesTo, undefined, withStep(taint, I.step(call.node, call.frame, `written to ${stream.writesTo.replaceAll(HOLE, "*")}`)));
}

/** hash.update(data): a digest of fetched data remembers which fetches it covers. */
export function hashUpdate(hash: Value, data: Value | undefined): void {
  if (!hash.digestOf || !data) return;
  for (const key of fetchedKeys(deepTaint(data))) hash.digestOf.add(key);
}

const EQUALITY = new Set(["==", "!=", "===", "!=="]);

/** A digest of fetched data compared with one that is not fetched (a constant, a file the package ships) verifies the fetch. */
export function digestCompared(I: Interpreter, operator: string, a: Value, b: Value): void {
  if (!EQUALITY.has(operator)) return;
  const [digest, other] = a.digestOf?.size ? [a, b] : [b, a];
  if (!digest.digestOf?.size || other.digestOf || fetchedKeys(deepTaint(other)).length) return;
  verifyFetches(I, digest.digestOf);
}
