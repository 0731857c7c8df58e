// Command lines run through os.system/subprocess: which program, where to, what files.
import { innerCommandLine, parseShell, type ShellCommand } from "../shell-words.js";
import { destinationOf } from "../common/shell-command.js";
import type { CompiledCommands } from "../../rules/signatures.js";

export type { ShellCommand };

/** Split a folded command line into simple commands, with `sh -c "…"` / `powershell -Command …` opened up. */
export function parseCommandLine(line: string, depth = 0): ShellCommand[] {
  const expanded: ShellCommand[] = [];
  for (const command of parseShell(line)) {
    // The real commands are in the string.
    const inner = depth < 4 ? innerCommandLine(command) : undefined;
    if (inner !== undefined) expanded.push(...parseCommandLine(inner, depth + 1));
    // `sh -c "$(curl …)"` stays too: what it runs is the substitution's output (its text here is "*").
    if (inner === undefined || command.runsOutputOf) expanded.push(command);
  }
  return expanded;
}

/** A URL or host the command talks to: the one reading both front-ends share (analyzers/common/shell-command.ts). */
export function commandDestination(commands: CompiledCommands, command: ShellCommand): string | undefined {
  return destinationOf(commands, command.program, command.args);
}

/** Words that may name local files (curl -F f=@path, -d @path, --upload-file path, plain args). */
export function fileArguments(command: ShellCommand): string[] {
  const files: string[] = [];
  for (const arg of command.args) {
    const at = /@([^;,\s]+)/.exec(arg);
    if (at && !/^[^@]*@[^:/]+:/.test(arg)) files.push(at[1]!);
    else if (!arg.startsWith("-")) files.push(arg.replace(/^[<>]/, ""));
  }
  return files;
}
