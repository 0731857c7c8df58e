// What a shell command means, shared by both front-ends (npm scripts and child_process in
// JS; os.system and subprocess in Python): how a program's arguments are read, where a
// sending program sends to, which commands print a stored credential. The tables are
// signatures/commands.yaml (and sinks.yaml `shellPrograms`); this file is the one small
// interface both front-ends read them through.

import type { CompiledCommands, CredentialCommand, ProgramMeaning } from "../../rules/signatures.js";
import type { DestinationStyle, FrontEnd, SinkChannel, SourceKind } from "../../rules/schema.js";

/** How `program`'s arguments are read; undefined when signatures/commands.yaml does not list it. */
export function programMeaning(commands: CompiledCommands, program: string): ProgramMeaning | undefined {
  return commands.programs[program];
}

export function positionals(commands: CompiledCommands, program: string, args: string[]): string[] {
  const valueFlags = commands.programs[program]?.valueFlags;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith("<") || arg.startsWith(">") || /^\d?>/.test(arg)) continue;
    if (arg.startsWith("-")) {
      if (valueFlags?.has(arg)) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/**
 * The channel a command sends over, from signatures/sinks.yaml `shellPrograms`: a
 * "program subcommand" entry (`git push`, `gh gist`) is looked up before the program's
 * own, so only the subcommand that sends is a sink. A program with `sendsOnlyWith`
 * (`ping -p`) sends only when that flag is given.
 */
export function shellProgramChannel(commands: CompiledCommands, programs: Record<string, SinkChannel>, program: string, args: string[]): { channel: SinkChannel; program: string } | undefined {
  const sub = positionals(commands, program, args)[0];
  if (sub !== undefined) {
    const named = `${program} ${sub}`;
    const channel = Object.prototype.hasOwnProperty.call(programs, named) ? programs[named] : undefined;
    if (channel) return { channel, program: named };
  }
  const flag = commands.programs[program]?.sendsOnlyWith;
  if (flag !== undefined && !args.some((a) => a === flag || (a.startsWith(flag) && a.length > flag.length))) return undefined;
  const channel = Object.prototype.hasOwnProperty.call(programs, program) ? programs[program] : undefined;
  return channel ? { channel, program } : undefined;
}

/** Where `program`'s destination is (signatures/commands.yaml `destination`), when no argument is a URL. */
export function destinationStyle(commands: CompiledCommands, program: string): DestinationStyle | { host: string } | undefined {
  return commands.programs[program]?.destination;
}

/** The host or URL a sending program talks to (the JS reading; the Python one keeps its own for some styles). */
export function destinationOf(commands: CompiledCommands, program: string, args: string[]): string | undefined {
  const url = args.find((a) => /^[a-z][a-z0-9+.-]*:\/\//i.test(a) && !a.startsWith("file:"));
  if (url) return url;
  const plain = positionals(commands, program, args);
  const style = destinationStyle(commands, program);
  if (typeof style === "object") return style.host;
  switch (style) {
    case "socat-address":
      return args.map((a) => /^(?:tcp|tcp4|tcp6|udp|udp4|openssl|ssl)[^:]*:([^:,]+)/i.exec(a)?.[1]).find(Boolean);
    case "remote-host": {
      const remote = plain.map((a) => /^(?:[^@/\s]+@)?([^:/\s]+):/.exec(a)?.[1]).find(Boolean);
      return remote ?? plain.map((a) => /^[^@\s]+@([^:/\s]+)$/.exec(a)?.[1]).find(Boolean);
    }
    case "dns-query":
      return plain.find((a) => !a.startsWith("@") && a.includes("."));
    case "git-push": {
      // git push <repository> [refspec]: a URL (handled above), scp-like `user@host:path`, or a remote name.
      const repository = plain[0] === "push" ? plain[1] : undefined;
      return repository ? scpHost(repository) : undefined;
    }
    case "mail-recipient":
      return plain.find((a) => a.includes("@"));
    default:
      return plain.find((a) => a !== "*" && a !== "\uE000" && !a.includes("=")) ?? plain[0];
  }
}

export interface PrintedCredential {
  kind: SourceKind;
  note: string;
  detail: string;
}

/**
 * The credential a command prints (signatures/commands.yaml `credentialCommands`, first
 * match): `gh auth token`, `security find-generic-password -w`, … `reader` picks the entries
 * a front-end reads (`only:`) and today's spelling of the detail.
 */
export function credentialCommand(commands: CompiledCommands, reader: FrontEnd, program: string, args: string[]): PrintedCredential | undefined {
  const folded = program.replace(/^.*[\\/]/, "").replace(/\.exe$/i, "");
  const line = [folded, ...args].join(" ");
  let words: string[] | undefined;
  for (const entry of commands.credentialCommands) {
    if (entry.only !== undefined && entry.only !== reader) continue;
    if (!matches(entry, program, args, line, () => (words ??= positionals(commands, program, args)))) continue;
    const detail = entry.detail === "program" ? program : reader === "js" ? `${program} ${args.join(" ")}` : line;
    return { kind: entry.kind, note: entry.note.replaceAll("{program}", program), detail: detail.slice(0, 120) };
  }
  return undefined;
}

function matches(entry: CredentialCommand, program: string, args: string[], line: string, wordsOf: () => string[]): boolean {
  if (entry.programs && !entry.programs.has(program)) return false;
  if (entry.line && !entry.line.test(line)) return false;
  if (entry.anyArg && !args.some((a) => entry.anyArg!.test(a))) return false;
  if (entry.noWords && wordsOf().length > 0) return false;
  if (entry.words && !entry.words.every((pattern, i) => wordsOf()[i] !== undefined && pattern.test(wordsOf()[i]!))) return false;
  if (entry.anyWord && !wordsOf().some((w) => entry.anyWord!.test(w))) return false;
  return true;
}

/**
 * The host of an scp-like `user@host:path` whose host has a dot inside it (what
 * `/^(?:[^@/\s]+@)?([^:/\s]+\.[^:/\s]+):/` matched, without its quadratic backtracking).
 */
function scpHost(text: string): string | undefined {
  for (const pattern of [/^[^@/\s]+@([^:/\s]+):/, /^([^:/\s]+):/]) {
    const host = pattern.exec(text)?.[1];
    if (host !== undefined && host.slice(1, -1).includes(".")) return host;
  }
  return undefined;
}
