// npm lifecycle scripts: the commands npm runs on install, located at their line in
// package.json. Shell pipelines become facts there; `node file.js`, `node -e "…"`,
// `sh script.sh` and `npm run x` are followed to the code they start.
import type { Location } from "../../core/types.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { runSnippet } from "./dynamic-code.js";
import { claimScriptRead, commandFacts } from "./shell-calls.js";
import { scriptFilesOf } from "../common/shell-downloads.js";

/** Scripts npm runs when the package is installed as a dependency (prepare: from git). */
export const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"] as const;

export interface ScriptEntry {
  name: string;
  command: string;
  location: Location;
}

/** Every script of package.json with the line of its key. Linear in the manifest's size, whatever the number of scripts. */
export function readScripts(text: string, scripts: Record<string, unknown> | undefined): Map<string, ScriptEntry> {
  const out = new Map<string, ScriptEntry>();
  if (!scripts || typeof scripts !== "object") return out;
  const scriptsAt = text.search(/"scripts"\s*:/);
  const keys = keyOffsets(text, scriptsAt < 0 ? 0 : scriptsAt);
  const lines = lineStarts(text);
  for (const [name, command] of Object.entries(scripts)) {
    if (typeof command !== "string") continue;
    out.set(name, { name, command, location: locationAt(lines, keys.get(name) ?? 0) });
  }
  return out;
}

/** The offset of the first `"key":` of each key at or after `from` (JSON string keys, decoded). */
export function keyOffsets(text: string, from: number): Map<string, number> {
  const out = new Map<string, number>();
  const key = /"((?:[^"\\\n]|\\.)*)"\s*:/g;
  key.lastIndex = from;
  for (let match = key.exec(text); match; match = key.exec(text)) {
    let name = match[1]!;
    try {
      if (name.includes("\\")) name = JSON.parse(`"${name}"`) as string;
    } catch {
      continue;
    }
    if (!out.has(name)) out.set(name, match.index);
  }
  return out;
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

export function locationAt(lines: number[], index: number): Location {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lines[mid]! <= index) low = mid;
    else high = mid - 1;
  }
  return { file: "package.json", line: low + 1, column: index - lines[low]! + 1 };
}

export interface ScriptHost {
  interpreter: Interpreter;
  files: ReadonlyMap<string, Buffer>;
  scripts: Map<string, ScriptEntry>;
  /** A frame for code that runs at install, reporting at `location`. */
  frameAt(location: Location): Frame;
  runFile(path: string, frame: Frame): void;
}

/** Analyse one command line of a script (or of a shell file it runs). */
export function runScriptCommand(host: ScriptHost, command: string, location: Location, label: string, depth = 0): void {
  const I = host.interpreter;
  const frame = host.frameAt(location);
  const { analysis } = commandFacts(I, command, location, frame);
  for (const code of analysis.nodeCode) runSnippet(I, code, undefined, frame, label, location);
  for (const file of analysis.nodeFiles) host.runFile(file, frame);
  if (depth >= 3) return;
  // `sh x.sh`, and scripts run by name (`./x.sh`, `x.bat`, `cmd /c x.cmd`).
  for (const shellFile of new Set([...analysis.shellFiles, ...scriptFilesOf(analysis.commands)])) {
    const path = shellFile.replace(/^\.\//, "");
    const content = host.files.get(path);
    if (!content) continue;
    const lines = content.toString("utf8").split("\n");
    if (!claimScriptRead(I, path, lines.length)) continue;
    lines.forEach((line, index) => {
      if (line.trim() && !line.trim().startsWith("#")) {
        // In a batch file a backslash separates folders; the shell reader would take it for an escape.
        const text = /\.(bat|cmd)$/i.test(path) ? line.replace(/\r$/, "").replace(/\\/g, "/") : line.replace(/\r$/, "");
        runScriptCommand(host, text, { file: path, line: index + 1, column: 1 }, `${path}:${index + 1}`, depth + 1);
      }
    });
  }
  for (const name of analysis.npmScripts) {
    const script = host.scripts.get(name);
    if (script) runScriptCommand(host, script.command, script.location, `scripts.${name}`, depth + 1);
  }
}
