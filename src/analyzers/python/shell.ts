// Command lines run through os.system/subprocess: which program, where to, what files.
import { parseShell, type ShellCommand } from "../shell-words.js";
import { destinationOf } from "../common/shell-command.js";

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
 * A URL or host the command talks to (the first one found); for a command this reading
 * does not place, what the command means to the JS front-end too
 * (analyzers/common/shell-command.ts: `socat - TCP:host:port`).
 */
export function commandDestination(command: ShellCommand): string | undefined {
  for (const arg of command.args) {
    const url = /(?:https?|ftp|wss?):\/\/[^\s'"]+/i.exec(arg);
    if (url) return url[0];
  }
  if (/^(nc|ncat|netcat|telnet|nslookup|dig|host)$/.test(command.program)) {
    const host = command.args.find((a) => !a.startsWith("-") && /[a-z0-9]\.[a-z0-9]|^\*/i.test(a));
    if (host) return host;
  }
  if (/^(scp|rsync|sftp)$/.test(command.program)) {
    const remote = command.args.find((a) => /^[^/\s]+:/.test(a) && !a.startsWith("-"));
    if (remote) return remote.replace(/:.*$/, "");
  }
  return /^(socat|git|gh|ping)$/.test(command.program) ? destinationOf(command.program, command.args) : undefined;
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
