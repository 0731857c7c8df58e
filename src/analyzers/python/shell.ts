// Command lines run through os.system/subprocess: which program, where to, what files.
import { parseShell, type ShellCommand } from "../shell-words.js";
import { destinationOf, destinationStyle } from "../common/shell-command.js";
import type { CompiledCommands } from "../../rules/signatures.js";

export type { ShellCommand };

/** Split a folded command line into simple commands, with `sh -c "…"` opened up. */
export function parseCommandLine(line: string): ShellCommand[] {
  const expanded: ShellCommand[] = [];
  for (const command of parseShell(line)) {
    // `sh -c "…"` / `bash -c "…"`: the real commands are in the string.
    const c = command.args.indexOf("-c");
    if (/^(ba|z|da|k)?sh$/.test(command.program) && c >= 0 && command.args[c + 1] !== undefined) {
      expanded.push(...parseCommandLine(command.args[c + 1]!));
    } else expanded.push(command);
  }
  return expanded;
}

/**
 * A URL or host the command talks to (the first one found), by the program's
 * `destination` in signatures/commands.yaml. This reading places host arguments and
 * remote specs itself; for the other styles it reads the command as the JS front-end
 * does (analyzers/common/shell-command.ts: `socat - TCP:host:port`); a program without
 * a style (or a mail recipient) has no destination here but a URL.
 */
export function commandDestination(commands: CompiledCommands, command: ShellCommand): string | undefined {
  for (const arg of command.args) {
    const url = /(?:https?|ftp|wss?):\/\/[^\s'"]+/i.exec(arg);
    if (url) return url[0];
  }
  const style = destinationStyle(commands, command.program);
  if (style === undefined || style === "mail-recipient") return undefined;
  if (style === "host-argument" || style === "dns-query") {
    return command.args.find((a) => !a.startsWith("-") && /[a-z0-9]\.[a-z0-9]|^\*/i.test(a));
  }
  if (style === "remote-host") {
    return command.args.find((a) => /^[^/\s]+:/.test(a) && !a.startsWith("-"))?.replace(/:.*$/, "");
  }
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
