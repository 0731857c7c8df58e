// npm lifecycle scripts: the commands npm runs on install, located at their line in
// package.json. Shell pipelines become facts there; `node file.js`, `node -e "…"`,
// `sh script.sh` and `npm run x` are followed to the code they start.
import type { Location } from "../../core/types.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { runSnippet } from "./dynamic-code.js";
import { commandFacts } from "./shell-calls.js";

/** Scripts npm runs when the package is installed as a dependency (prepare: from git). */
export const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"] as const;

export interface ScriptEntry {
  name: string;
  command: string;
  location: Location;
}

/** Every script of package.json with the line of its key. */
export function readScripts(text: string, scripts: Record<string, unknown> | undefined): Map<string, ScriptEntry> {
  const out = new Map<string, ScriptEntry>();
  if (!scripts || typeof scripts !== "object") return out;
  const scriptsAt = text.search(/"scripts"\s*:/);
  for (const [name, command] of Object.entries(scripts)) {
    if (typeof command !== "string") continue;
    out.set(name, { name, command, location: locate(text, name, scriptsAt < 0 ? 0 : scriptsAt) });
  }
  return out;
}

function locate(text: string, name: string, from: number): Location {
  const escaped = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`${escaped}\\s*:`, "g");
  pattern.lastIndex = from;
  const match = pattern.exec(text) ?? new RegExp(`${escaped}\\s*:`).exec(text);
  const index = match?.index ?? 0;
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  const column = index - before.lastIndexOf("\n");
  return { file: "package.json", line, column };
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
  for (const shellFile of analysis.shellFiles) {
    const path = shellFile.replace(/^\.\//, "");
    const content = host.files.get(path);
    if (!content) continue;
    content
      .toString("utf8")
      .split("\n")
      .forEach((line, index) => {
        if (line.trim() && !line.trim().startsWith("#")) {
          runScriptCommand(host, line, { file: path, line: index + 1, column: 1 }, `${path}:${index + 1}`, depth + 1);
        }
      });
  }
  for (const name of analysis.npmScripts) {
    const script = host.scripts.get(name);
    if (script) runScriptCommand(host, script.command, script.location, `scripts.${name}`, depth + 1);
  }
}
