// A command line run by the package (child_process or an npm script): the shell
// reader names its credential reads and sending programs; both become facts here, with
// a flow from each read to each sending program on the same command line.
import type { Location } from "../../core/types.js";

import type { Call } from "./calls.js";
import { FactCollector } from "./collector.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { analyzeShell } from "./shell.js";
import type { ShellCommand } from "../shell-words.js";
import { emitFlows } from "./flows.js";
import { shellDownloadsAndRuns } from "./downloads.js";
import { claimScript, scriptFilesOf, SCRIPT_LINE_BUDGET } from "../common/shell-downloads.js";
import { PACKAGE_DIR } from "./sources.js";
import { HOLE, UNKNOWN, markTaintLive, mergeTaints, unknownWith, withStep, type SinkHandle, type Taint, type Value } from "./values.js";

/** A line that sets a shell variable: `K=…`, `export K=…`, `local K=…`. */
const ASSIGNMENT = /^\s*(?:(?:export|local|readonly|declare)\s+)?([A-Za-z_][A-Za-z0-9_]*)=/;
const VARIABLE_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * What an assignment's commands print is only counts, statuses or words written out: every
 * command whose output is not piped on is `wc`, `grep -c`/`-q`/`-l`, `test`, or an echo of
 * literal words (`$(grep -c x ~/.aws/config || echo 0)`, `$(cat creds | wc -l)`).
 */
function printsOnlyCounts(commands: ShellCommand[]): boolean {
  const piped = new Set(commands.map((c) => c.input));
  const outputs = commands.filter((c) => !piped.has(c));
  return outputs.length > 0 && outputs.every((c) => {
    if (c.program === "wc" || c.program === "test" || c.program === "[") return true;
    if (c.program === "grep") return c.args.some((a) => /^-[A-Za-z]*[cqlL]|^--(count|quiet|silent|files-with(out)?-match(es)?)$/.test(a));
    return (c.program === "echo" || c.program === "printf") && !c.args.some((a) => a.includes("$") || a.includes("*"));
  });
}

/** Facts of one command line at `location` (an npm script's line, or the exec call). */
export function commandFacts(
  I: Interpreter,
  text: string,
  location: Location,
  frame: Frame,
): { sourceTaint: Taint[] | undefined; handles: SinkHandle[]; analysis: ReturnType<typeof analyzeShell> } {
  // Unknown parts (HOLE) are "*" in facts; node -e code keeps them for partial analysis.
  const analysis = analyzeShell(text, I.signatures);
  if (text.includes(HOLE)) {
    for (const sink of analysis.sinks) if (sink.destination) sink.destination = sink.destination.replaceAll(HOLE, "*");
    for (const source of analysis.sources) source.detail = source.detail.replaceAll(HOLE, "*");
    analysis.nodeFiles = analysis.nodeFiles.map((f) => f.replaceAll(HOLE, "*"));
  }
  // `curl -o x URL`, then `./x`: files written from the network and run (downloads.ts).
  shellDownloadsAndRuns(I, analysis.commands, location, frame.trigger);
  let sourceTaint: Taint[] | undefined;
  if (analysis.sources.length > 0) markTaintLive();
  for (const source of analysis.sources) {
    const fact = I.collector.addSource({ kind: source.kind, location, note: source.note, detail: source.detail, trigger: frame.trigger });
    const taint: Taint[] = [{ key: FactCollector.sourceKey(fact), source: fact, steps: [{ ...location, note: `${source.note}: ${source.detail}` }] }];
    sourceTaint = mergeTaints(sourceTaint, taint);
    // What it prints lands in these files (`> file`, a file its prompt names): read back or sent later.
    for (const file of source.writes ?? []) I.written.write(file, undefined, withStep(taint, { ...location, note: `writes it to ${file}` }));
  }
  // `K=$(cat ~/.ssh/id_rsa)`, then `curl -d "$K" …` on a later line of the same script.
  const variables = I.shellVariables.get(location.file) ?? new Map<string, Taint[]>();
  I.shellVariables.set(location.file, variables);
  let referenced: Taint[] | undefined;
  for (const match of text.matchAll(VARIABLE_REFERENCE)) referenced = mergeTaints(referenced, variables.get(match[1] ?? match[2]!));
  const assigned = ASSIGNMENT.exec(text)?.[1];
  if (assigned && analysis.sinks.length === 0) {
    // What it is given (a read, another variable: `B=$(echo "$K" | base64)`), unless only a count of it.
    const given = mergeTaints(sourceTaint, referenced);
    const kept = given && !printsOnlyCounts(analysis.commands) && withStep(given, { ...location, note: `kept in $${assigned}` });
    if (kept) variables.set(assigned, kept);
    else variables.delete(assigned);
  }
  const handles: SinkHandle[] = [];
  for (const sink of analysis.sinks) {
    const fact = I.collector.addSink({
      channel: sink.channel,
      location,
      note: `runs ${sink.program}`,
      trigger: frame.trigger,
      ...(sink.destination && sink.destination !== "*" ? { destination: sink.destination } : {}),
    });
    handles.push({ sink: fact, sendMethods: new Set(["write", "end"]) });
    // A file the package wrote credential data to earlier, sent by this program (`gh api --input f`).
    let sent = mergeTaints(sourceTaint, referenced);
    for (const file of sink.files ?? []) sent = mergeTaints(sent, I.written.taint(file, { ...location, note: `sends ${file}, a file written earlier` }));
    for (const t of sent ?? []) {
      I.collector.addFlow(t, fact, frame.trigger, { ...location, note: `sent by ${sink.program}${fact.destination ? ` to ${fact.destination}` : ""}` }, false);
    }
  }
  return { sourceTaint, handles, analysis };
}

export function runShellCommand(I: Interpreter, text: string, data: Value[], call: Call): Value {
  const location = I.location(call.node, call.frame);
  const { sourceTaint, handles, analysis } = commandFacts(I, text, location, call.frame);
  handles.forEach((handle, index) => {
    // `git push https://user:${token}@host/repo.git`: the URL's user part is the push's own
    // login (basic auth); the command line is its credential slot, not data it uploads.
    // Files copied on the same line still reach the push through the reads above.
    const sink = analysis.sinks[index];
    if (sink?.program === "git push" && /^[a-z]+:\/\/(?=[^/@\s]*@)[^/@\s\uE000]*\uE000/i.test(sink.rawDestination ?? "")) emitFlows(I, handle, [], call, data, false);
    else emitFlows(I, handle, data, call, [], false);
  });
  for (const code of analysis.nodeCode) I.runSnippet(code, call.node, call.frame, "node -e");
  for (const file of analysis.nodeFiles) runNodeFile(I, file, call);
  // A shell or batch script of the package run at install (`exec("sh preinstall.sh")`): its lines are command lines too.
  if (call.frame.trigger === "install") for (const file of scriptFilesOf(analysis.commands)) runShellScript(I, file, call, 0);
  const output = unknownWith(sourceTaint);
  const callback = call.args.find((a) => a.fn);
  if (callback) I.invokeCallback(callback, [UNKNOWN, output, UNKNOWN], call.node, call.frame);
  return handles[0] ? { handle: handles[0], taint: sourceTaint } : output;
}

/** Each line of a package's shell or batch script, run as a command line of this call (scripts it runs in turn, three deep). */
function runShellScript(I: Interpreter, file: string, call: Call, depth: number): void {
  const script = I.loader.packageText(call.frame.unit, file.startsWith(PACKAGE_DIR + "/") ? file.slice(PACKAGE_DIR.length + 1) : file);
  if (!script) return;
  const lines = script.text.split("\n");
  if (!claimScriptRead(I, script.file, lines.length)) return;
  // In a batch file a backslash separates folders; the shell reader would take it for an escape.
  const batch = /\.(bat|cmd)$/i.test(script.file);
  lines.forEach((raw, index) => {
    const line = batch ? raw.trim().replace(/\\/g, "/") : raw.trim();
    if (!line || line.startsWith("#") || /^(@?rem\b|::)/i.test(line)) return;
    const { analysis } = commandFacts(I, line, { file: script.file, line: index + 1, column: 1 }, call.frame);
    for (const code of analysis.nodeCode) I.runSnippet(code, call.node, call.frame, `${script.file}:${index + 1}`);
    for (const node of analysis.nodeFiles) runNodeFile(I, node, call);
    if (depth < 2) for (const inner of scriptFilesOf(analysis.commands)) if (inner !== file) runShellScript(I, inner, call, depth + 1);
  });
}

/**
 * A node program run on a file: a file the package wrote with known text (a decoded second
 * stage in a temp file) runs as code of this call; otherwise a file of the package.
 */
export function runNodeFile(I: Interpreter, file: string, call: Call): void {
  const staged = I.written.text(file);
  if (staged !== undefined) {
    I.runSnippet(staged, call.node, call.frame, `node ${file}, a file it wrote`);
    return;
  }
  const path = file.startsWith(PACKAGE_DIR + "/") ? file.slice(PACKAGE_DIR.length + 1) : file;
  I.loader.runFile(call.frame.unit, path, call.frame);
}

/** Whether this package's analysis reads script `file` now: once each, within the line budget (said when over it). */
export function claimScriptRead(I: Interpreter, file: string, lines: number): boolean {
  const claim = claimScript(I, file, lines);
  if (claim === "over-budget") I.collector.addParseProblem({ file, message: `script not read: over ${SCRIPT_LINE_BUDGET} lines of scripts run at install for one package` });
  return claim === "ok";
}
