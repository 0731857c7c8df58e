// A small shell command-line reader for npm scripts and child_process commands: enough
// to name the programs run, their network destinations, the credential files and
// secret variables they touch, and the node scripts / inline code they start.
import type { SinkChannel, SourceKind } from "../facts.js";
import { classifyCredentialPath, isSecretEnvName, type Signatures } from "../../rules/signatures.js";

export interface ShellCommand {
  program: string;
  args: string[];
}

export interface ShellSource {
  kind: SourceKind;
  note: string;
  detail: string;
}

export interface ShellSink {
  channel: SinkChannel;
  program: string;
  destination?: string;
}

export interface ShellAnalysis {
  commands: ShellCommand[];
  sources: ShellSource[];
  sinks: ShellSink[];
  /** `node file.js` (and `-r file`) */
  nodeFiles: string[];
  /** `node -e "code"` */
  nodeCode: string[];
  /** `sh script.sh` */
  shellFiles: string[];
  /** `npm run x`, `yarn x` */
  npmScripts: string[];
}

const SEPARATORS = new Set(["|", "||", "&&", ";", "&", "\n", "(", ")"]);
const WRAPPERS = new Set(["sudo", "nohup", "exec", "time", "command", "xargs", "eval", "then", "do", "else", "!"]);

/** Split a command line into simple commands (pipelines and $(…) substitutions included). */
export function parseShell(text: string, depth = 0): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let word = "";
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    const command = toCommand(words);
    if (command) commands.push(command);
    words = [];
  };
  const substitute = (inner: string): void => {
    if (depth < 4) commands.push(...parseShell(inner, depth + 1));
    word += "*";
    inWord = true;
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end;
      word += text.slice(i + 1, stop);
      inWord = true;
      i = stop + 1;
    } else if (ch === '"') {
      i++;
      inWord = true;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) {
          // In double quotes a backslash escapes only $ ` " \ and newline: `"a\nb"` keeps its backslash.
          const next = text[i + 1]!;
          if (next !== "\n") word += '$`"\\'.includes(next) ? next : `\\${next}`;
          i += 2;
        } else if (text.startsWith("$(", i)) {
          const end = matchParen(text, i + 1);
          substitute(text.slice(i + 2, end));
          i = end + 1;
        } else if (text[i] === "`") {
          const end = text.indexOf("`", i + 1);
          const stop = end < 0 ? text.length : end;
          substitute(text.slice(i + 1, stop));
          i = stop + 1;
        } else word += text[i++];
      }
      i++;
    } else if (ch === "\\" && i + 1 < text.length) {
      if (text[i + 1] !== "\n") word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (text.startsWith("$(", i)) {
      const end = matchParen(text, i + 1);
      substitute(text.slice(i + 2, end));
      i = end + 1;
    } else if (ch === "`") {
      const end = text.indexOf("`", i + 1);
      const stop = end < 0 ? text.length : end;
      substitute(text.slice(i + 1, stop));
      i = stop + 1;
    } else if (ch === " " || ch === "\t" || ch === "\r") {
      endWord();
      i++;
    } else if (ch === "#" && !inWord) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else {
      const two = text.slice(i, i + 2);
      if (two === "||" || two === "&&") {
        endCommand();
        i += 2;
      } else if (SEPARATORS.has(ch)) {
        if (ch === "&" && (text[i - 1] === ">" || text[i + 1] === ">")) {
          word += ch;
          inWord = true;
        } else endCommand();
        i++;
      } else {
        word += ch;
        inWord = true;
        i++;
      }
    }
  }
  endCommand();
  return commands;
}

function matchParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  return text.length;
}

function toCommand(words: string[]): ShellCommand | undefined {
  let index = 0;
  while (index < words.length) {
    const w = words[index]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || WRAPPERS.has(w)) index++;
    else if (w === "env" && index + 1 < words.length && /^(-|[A-Za-z_][A-Za-z0-9_]*=)/.test(words[index + 1]!)) index++;
    else break;
  }
  const first = words[index];
  if (first === undefined) return undefined;
  const program = first.replace(/\\/g, "/").split("/").pop()!.replace(/\.exe$/i, "").toLowerCase();
  return { program, args: words.slice(index + 1) };
}

// Flags whose next word is a value, not the destination.
const VALUE_FLAGS: Record<string, Set<string>> = {
  curl: new Set(
    "-d --data --data-binary --data-raw --data-urlencode --data-ascii -F --form -H --header -o --output -X --request -u --user -A --user-agent -e --referer -T --upload-file -b --cookie -c --cookie-jar -x --proxy -m --max-time --connect-timeout -w --write-out -K --config --retry -r --range".split(" "),
  ),
  wget: new Set("-O -o -a --post-data --post-file --header -U --user-agent -P -t -T --body-data --body-file".split(" ")),
  nc: new Set("-e -c -p -w -q -s -i -x -X".split(" ")),
};
VALUE_FLAGS.ncat = VALUE_FLAGS.nc!;
VALUE_FLAGS.netcat = VALUE_FLAGS.nc!;

function positionals(program: string, args: string[]): string[] {
  const valueFlags = VALUE_FLAGS[program] ?? new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith("<") || arg.startsWith(">") || /^\d?>/.test(arg)) continue;
    if (arg.startsWith("-")) {
      if (valueFlags.has(arg)) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** The host or URL a sending program talks to. */
function destinationOf(program: string, args: string[]): string | undefined {
  const url = args.find((a) => /^[a-z][a-z0-9+.-]*:\/\//i.test(a) && !a.startsWith("file:"));
  if (url) return url;
  const plain = positionals(program, args);
  switch (program) {
    case "socat": {
      const address = args.map((a) => /^(?:tcp|tcp4|tcp6|udp|udp4|openssl|ssl)[^:]*:([^:,]+)/i.exec(a)?.[1]).find(Boolean);
      return address;
    }
    case "scp":
    case "rsync":
    case "sftp": {
      const remote = plain.map((a) => /^(?:[^@/\s]+@)?([^:/\s]+):/.exec(a)?.[1]).find(Boolean);
      return remote ?? plain.map((a) => /^[^@\s]+@([^:/\s]+)$/.exec(a)?.[1]).find(Boolean);
    }
    case "dig":
      return plain.find((a) => !a.startsWith("@") && a.includes("."));
    case "sendmail":
    case "mail":
      return plain.find((a) => a.includes("@"));
    default:
      return plain.find((a) => a !== "*" && a !== "\uE000" && !a.includes("=")) ?? plain[0];
  }
}

/** Paths a word may name: `@file` (curl data), `f=@file` (forms), `<file`, `--opt=file`. */
function candidatePaths(word: string): string[] {
  const out: string[] = [];
  const stripped = word.replace(/^[@<]+/, "");
  if (stripped !== word) out.push(stripped);
  const at = word.lastIndexOf("=@");
  if (at >= 0) out.push(word.slice(at + 2).replace(/;.*$/, ""));
  const eq = word.indexOf("=");
  if (eq > 0 && word.startsWith("-")) out.push(word.slice(eq + 1).replace(/^@/, ""));
  if (word.startsWith("file://")) out.push(word.slice(7));
  out.push(word);
  return out;
}

const ENV_REFERENCE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?|%([A-Za-z_][A-Za-z0-9_]*)%/g;

/** Read a whole command line: programs, sinks, credential reads, scripts it starts. */
export function analyzeShell(text: string, signatures: Signatures): ShellAnalysis {
  const commands = parseShell(text);
  const analysis: ShellAnalysis = { commands, sources: [], sinks: [], nodeFiles: [], nodeCode: [], shellFiles: [], npmScripts: [] };
  const seenSources = new Set<string>();
  const addSource = (source: ShellSource): void => {
    const key = `${source.kind}|${source.detail}`;
    if (!seenSources.has(key)) {
      seenSources.add(key);
      analysis.sources.push(source);
    }
  };
  for (const command of commands) {
    const { program, args } = command;
    const channel = signatures.sinks.shellPrograms[program];
    if (channel) analysis.sinks.push({ channel, program, destination: destinationOf(program, args) });
    if ((program === "env" || program === "printenv" || program === "set" || program === "export") && positionals(program, args).length === 0) {
      addSource({ kind: "env-dump", note: `dumps the environment with ${program}`, detail: program });
    }
    if (program === "node" || program === "nodejs") collectNode(args, analysis);
    if ((program === "sh" || program === "bash") && args[0] && !args[0].startsWith("-")) analysis.shellFiles.push(args[0]);
    if ((program === "sh" || program === "bash") && args[0] === "-c" && args[1]) {
      // `sh -c "…"`: the quoted command was one word; read it too.
      const inner = analyzeShell(args[1], signatures);
      analysis.commands.push(...inner.commands);
      analysis.sinks.push(...inner.sinks);
      inner.sources.forEach(addSource);
      analysis.nodeFiles.push(...inner.nodeFiles);
      analysis.nodeCode.push(...inner.nodeCode);
    }
    if ((program === "npm" || program === "pnpm") && (args[0] === "run" || args[0] === "run-script") && args[1]) {
      analysis.npmScripts.push(args[1]);
    }
    if (program === "yarn" && args[0] && !args[0].startsWith("-")) analysis.npmScripts.push(args[0] === "run" ? (args[1] ?? "") : args[0]);
    const authOnly = authenticationArguments(program, args);
    for (const [index, word] of [command.program, ...args].entries()) {
      if (authOnly.has(index - 1)) continue;
      for (const candidate of candidatePaths(word)) {
        const credential = classifyCredentialPath(signatures, candidate);
        if (credential) {
          addSource({ kind: credential.kind, note: credential.note, detail: candidate });
          break;
        }
      }
      for (const match of word.matchAll(ENV_REFERENCE)) {
        const name = match[1] ?? match[2]!;
        if (isSecretEnvName(signatures, name)) addSource({ kind: "env-secret", note: `reads secret variable ${name}`, detail: name });
      }
    }
  }
  return analysis;
}

// Options whose value is a key the program authenticates with, not data it sends:
// `scp -i ~/.ssh/id_rsa …`, `ssh -o IdentityFile=…`, `curl --key …`.
const IDENTITY_FLAGS: Record<string, Set<string>> = {
  ssh: new Set(["-i"]),
  scp: new Set(["-i"]),
  sftp: new Set(["-i"]),
  curl: new Set(["-E", "--cert", "--key"]),
};
const SSH_FAMILY = new Set(["ssh", "scp", "sftp", "rsync"]);

/** Indexes (into args) of words that only name credentials used to authenticate. */
function authenticationArguments(program: string, args: string[]): Set<number> {
  const out = new Set<number>();
  const flags = IDENTITY_FLAGS[program];
  args.forEach((arg, i) => {
    if (flags?.has(arg)) out.add(i + 1);
    else if (flags?.has("-i") && /^-i./.test(arg)) out.add(i); // -i~/.ssh/key
    else if (SSH_FAMILY.has(program) && /^(-o\s*)?IdentityFile[=\s]/i.test(arg) && (arg.startsWith("-o") || args[i - 1] === "-o")) out.add(i);
    else if (program === "rsync" && (args[i - 1] === "-e" || args[i - 1] === "--rsh" || arg.startsWith("--rsh="))) {
      // The remote shell rsync runs (`-e "ssh -i key"`): its key authenticates the transfer.
      const transport = parseShell(arg.replace(/^--rsh=/, ""))[0];
      if (transport?.program === "ssh") out.add(i);
    }
  });
  return out;
}

function collectNode(args: string[], analysis: ShellAnalysis): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-e" || arg === "--eval" || arg === "-p" || arg === "--print") {
      if (args[i + 1] !== undefined) analysis.nodeCode.push(args[i + 1]!);
      return;
    }
    if (arg.startsWith("--eval=")) {
      analysis.nodeCode.push(arg.slice(7));
      return;
    }
    if ((arg === "-r" || arg === "--require" || arg === "--import") && args[i + 1]) {
      analysis.nodeFiles.push(args[++i]!);
      continue;
    }
    if (arg.startsWith("-")) continue;
    analysis.nodeFiles.push(arg);
    return;
  }
}
