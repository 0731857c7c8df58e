// The staged-loader shape in Python (the JS model is src/analyzers/js/downloads.ts): what a
// request answers carries a *fetched* taint; written to a file (open(…, "wb").write,
// Path.write_bytes, urlretrieve, `curl -o`), the file is remembered here, apart from the
// credential staging (staging.ts); running that file (subprocess, os.system, os.startfile,
// ctypes) is a download-execution record. Fetched taint is never a credential: the collector
// drops flows whose source is fetched.
import type { PyNode } from "./ast.js";
import { location, type Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { FETCH_PREFIX, allTaints, isFetchedSource, mergeTaints, withStep, type SourceRecord, type Taint, type Value } from "./model.js";
import { downloadsOf, pipedRunsOf, runsOf } from "../common/shell-downloads.js";
import type { ShellCommand } from "../shell-words.js";
import { stagingKey } from "./staging.js";
import { stepArray } from "./steps.js";

/** The taint of what a request at `node` answers. */
export function fetchedTaint(frame: Frame, node: PyNode, note: string, destination: string | undefined): Taint {
  const loc = location(frame, node);
  const what = `fetches ${destination ?? "data"}`;
  // A stand-in source record: never emitted as a source fact.
  const source = { id: `${FETCH_PREFIX}${loc.file}:${loc.line}:${loc.column}|${destination ?? ""}`, kind: "env-dump", location: loc, note: what, ...(destination ? { detail: destination } : {}) } as SourceRecord;
  return { source, steps: { ...loc, note: `${what} (${note})` } };
}

/** Files written with fetched data, by staging key. */
const files = new WeakMap<Interpreter, Map<string, Taint[]>>();

/** `key` now holds whatever fetched data `taints` carry. */
export function writeFetched(ip: Interpreter, key: string | undefined, taints: Taint[]): void {
  const fetched = taints.filter((t) => isFetchedSource(t.source));
  if (!key || fetched.length === 0) return;
  let map = files.get(ip);
  if (!map) files.set(ip, (map = new Map()));
  if (map.size < 500 || map.has(key)) map.set(key, mergeTaints(map.get(key) ?? [], fetched));
}

/** The file named by `path` is run here: when it holds fetched data, that is a download-execution. */
export function runFile(ip: Interpreter, frame: Frame, node: PyNode, path: Value | string | undefined, how: string): void {
  const value = typeof path === "string" ? { str: path, taints: [] } : path;
  const key = stagingKey(value);
  const held = key ? files.get(ip)?.get(key) : undefined;
  if (!held) return;
  const shown = typeof path === "string" ? path : (value?.str ?? value?.partial ?? key!);
  emitExecutions(ip, frame, node, held, `runs ${shown}`, how, shown);
}

/** Code run straight from a response (`exec(urlopen(u).read())`): a download-execution without a file. */
export function runFetchedCode(ip: Interpreter, frame: Frame, node: PyNode, code: Value, how: string): void {
  emitExecutions(ip, frame, node, allTaints(code).filter((t) => isFetchedSource(t.source)), how, how);
}

/** One download-execution record per fetched taint run here (`path`: the file run; none when the code never was a file). */
function emitExecutions(ip: Interpreter, frame: Frame, node: PyNode, fetched: Taint[], step: string, how: string, path?: string): void {
  const loc = location(frame, node);
  for (const taint of withStep(fetched, { ...loc, note: step })) {
    const fetch = taint.source!;
    ip.emit(frame, { type: "download", location: loc, note: how, ...(path !== undefined ? { path } : {}), fetch: { location: fetch.location, note: fetch.note, ...(fetch.detail ? { destination: fetch.detail } : {}) }, steps: stepArray(taint.steps) });
  }
}

/** A command line's downloads (`curl -o x URL`) and runs (`./x`, `regsvr32 x.dll`), in order. */
export function shellDownloadsAndRuns(ip: Interpreter, frame: Frame, node: PyNode, commands: ShellCommand[], qname: string): void {
  for (const command of commands) {
    for (const download of downloadsOf(command)) {
      const taint = fetchedTaint(frame, node, `runs ${command.program} through ${qname}()`, download.url);
      writeFetched(ip, stagingKey({ str: download.file, taints: [] }), [taint]);
    }
    for (const run of runsOf(command)) runFile(ip, frame, node, run.file, run.how);
    // `curl … | sh`: fetched code run without a file (no path).
    for (const piped of pipedRunsOf(command)) {
      runFetchedCode(ip, frame, node, { taints: [fetchedTaint(frame, node, `runs ${piped.downloader} through ${qname}()`, piped.url)] }, piped.how);
    }
  }
}
