// What a shell command means, shared by both front-ends (npm scripts and child_process in
// JS; os.system and subprocess in Python): how a program's arguments are read, where a
// sending program sends to, which commands print a stored credential. The tables are
// signatures/commands.yaml (and sinks.yaml `shellPrograms`); this file is the one small
// interface both front-ends read them through.

import type { CompiledCommands, CredentialCommand, ProgramMeaning, Signatures } from "../../rules/signatures.js";
import { metadataEndpoint } from "./cloud-metadata.js";
import type { DestinationStyle, SinkChannel, SourceKind } from "../../rules/schema.js";

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

/** An unknown part of a command line: "*" (Python's folding) or HOLE (JS's). */
const isHole = (word: string): boolean => word === "*" || word === "\uE000";

/**
 * The host or URL a sending program talks to, the one reading of both front-ends: an
 * argument that is a URL; else the program's `destination` style; else (no style) its
 * first positional word; else a URL inside an argument (`--url=https://…`). Unknown parts
 * stay as the front-end wrote them ("*" or HOLE).
 */
export function destinationOf(commands: CompiledCommands, program: string, args: string[]): string | undefined {
  const url = args.find((a) => /^[a-z][a-z0-9+.-]*:\/\//i.test(a) && !a.startsWith("file:"));
  if (url) return url;
  return styledDestination(commands, program, args) ?? args.map((a) => /(?:https?|ftp|wss?):\/\/[^\s'"]+/i.exec(a)?.[0]).find(Boolean);
}

function styledDestination(commands: CompiledCommands, program: string, args: string[]): string | undefined {
  const plain = positionals(commands, program, args);
  const style = destinationStyle(commands, program);
  if (typeof style === "object") return style.host;
  switch (style) {
    case "socat-address":
      return args.map((a) => /^(?:tcp|tcp4|tcp6|udp|udp4|openssl|ssl)[^:]*:([^:,]+)/i.exec(a)?.[1]).find(Boolean);
    case "remote-host": {
      // scp/rsync `[user@]host:path`, or sftp's `user@host`: the host, never the login name.
      const remote = plain.map((a) => /^(?:[^@/\s]+@)?([^:/\s]+):/.exec(a)?.[1]).find(Boolean);
      return remote ?? plain.map((a) => /^[^@\s]+@([^:/\s]+)$/.exec(a)?.[1]).find(Boolean);
    }
    case "dns-query":
      // dig @resolver name: the resolver is who answers, the queried name carries the data.
      return plain.find((a) => !a.startsWith("@") && (a.includes(".") || isHole(a)));
    case "host-argument":
      // nc host port: the first word that is not a port; an unknown host stays unknown (not the port after it).
      return plain.find((a) => !a.includes("=") && !/^\d+$/.test(a));
    case "git-push": {
      // git push <repository> [refspec]: a URL (handled above), scp-like `user@host:path`, or a remote name.
      const repository = plain[0] === "push" ? plain[1] : undefined;
      return repository ? scpHost(repository) : undefined;
    }
    case "mail-recipient":
      return plain.find((a) => a.includes("@"));
    default:
      return plain.find((a) => !isHole(a) && !a.includes("=")) ?? plain[0];
  }
}

export interface PrintedCredential {
  kind: SourceKind;
  note: string;
  detail: string;
}

/**
 * The credential a command prints (signatures/commands.yaml `credentialCommands`, first
 * match): `gh auth token`, `security find-generic-password -w`, … The same answer for both
 * front-ends; the detail is the command line with the program's folded name.
 */
export function credentialCommand(signatures: Pick<Signatures, "commands" | "cloudMetadata">, program: string, args: string[]): PrintedCredential | undefined {
  const commands = signatures.commands;
  const folded = program.replace(/^.*[\\/]/, "").replace(/\.exe$/i, "");
  const line = [folded, ...args].join(" ");
  let words: string[] | undefined;
  for (const entry of commands.credentialCommands) {
    if (!matches(entry, folded, args, line, () => (words ??= positionals(commands, folded, args)))) continue;
    if (entry.metadataService && !args.some((a) => metadataEndpoint(signatures.cloudMetadata, a))) continue;
    const detail = entry.detail === "program" ? folded : line;
    return { kind: entry.kind, note: entry.note.replaceAll("{program}", folded), detail: detail.slice(0, 120) };
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
