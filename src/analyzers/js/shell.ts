// A small shell command-line reader for npm scripts and child_process commands: enough
// to name the programs run, their network destinations, the credential files and
// secret variables they touch, and the node scripts / inline code they start.
import type { SinkChannel, SourceKind } from "../facts.js";
import { classifyCredentialPath, isSecretEnvName, type Signatures } from "../../rules/signatures.js";
import { innerCommandLine, parseShell, type ShellCommand } from "../shell-words.js";
import { trimEndChars } from "../../core/trim.js";
import { credentialCommand, destinationOf, positionals, programMeaning, shellProgramChannel } from "../common/shell-command.js";



export interface ShellSource {
  kind: SourceKind;
  note: string;
  detail: string;
  /** Files the command writes what it prints to (`> file`, a path its prompt names). */
  writes?: string[];
}

export interface ShellSink {
  channel: SinkChannel;
  program: string;
  destination?: string;
  /** The destination as written, unknown parts still HOLE. */
  rawDestination?: string;
  /** Local files it sends (`curl -T f`, `-d @f`, `gh api --input f`, `< f`). */
  files?: string[];
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
    const sending = shellProgramChannel(signatures.commands, signatures.sinks.shellPrograms, program, args);
    if (sending) {
      const destination = destinationOf(signatures.commands, program, args);
      const files = sentFiles(signatures, program, args);
      analysis.sinks.push({ channel: sending.channel, program: sending.program, destination, ...(destination?.includes("\uE000") ? { rawDestination: destination } : {}), ...(files.length ? { files } : {}) });
    }
    // Commands that print a credential or the environment: signatures/commands.yaml.
    const printed = credentialCommand(signatures, program, args);
    if (printed) {
      const writes = outputFiles(args);
      addSource(writes.length ? { ...printed, writes } : printed);
    }
    if (program === "node" || program === "nodejs") collectNode(args, analysis);
    else if (JS_RUNTIMES.has(program)) collectNode(args[0] === "run" ? args.slice(1) : args, analysis, true);
    if ((program === "sh" || program === "bash") && args[0] && !args[0].startsWith("-")) analysis.shellFiles.push(args[0]);
    const innerLine = innerCommandLine(command);
    if (innerLine) {
      // `sh -c "…"`, `powershell -Command …`: the command a shell is given to run; read it too.
      const inner = analyzeShell(innerLine, signatures);
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
    const authOnly = authenticationArguments(signatures, program, args);
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

/** Where a redirect sends output or reads input: `> f`, `>>f`, `2> f`, `< f`. */
function redirectTargets(args: string[], direction: ">" | "<"): string[] {
  const out: string[] = [];
  const operator = direction === ">" ? /^\d?>>?/ : /^</;
  args.forEach((arg, i) => {
    const match = operator.exec(arg);
    if (!match || arg.startsWith("2>")) return;
    const rest = arg.slice(match[0].length);
    const target = rest || args[i + 1];
    if (target && !target.startsWith("&")) out.push(target);
  });
  return out;
}

/**
 * Files a credential command writes what it finds to: its output redirect, and the absolute
 * paths its prose arguments name (an AI agent told to "write the paths to /tmp/list.txt").
 */
function outputFiles(args: string[]): string[] {
  const out = redirectTargets(args, ">");
  for (const arg of args) {
    if (!/\s/.test(arg) || arg.length > 20_000) continue;
    for (const match of arg.matchAll(/(?:^|[\s'"(])((?:~|\/)\/?[\w.-]+(?:\/[\w.-]+)+)/g)) out.push(trimEndChars(match[1]!, "."));
  }
  return out;
}

/**
 * Local files a sending program sends: the value of a flag that carries a file (signatures/
 * commands.yaml `fileFlags`: `-T f`, `-d @f`, `-F k=@f`, `--input f`), input redirects, and,
 * for a program without such flags (scp, nc), its plain arguments.
 */
function sentFiles(signatures: Signatures, program: string, args: string[]): string[] {
  const flags = programMeaning(signatures.commands, program)?.fileFlags;
  const out = redirectTargets(args, "<");
  if (!flags?.size) return [...out, ...positionals(signatures.commands, program, args)];
  args.forEach((arg, i) => {
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("-") && eq > 0 ? arg.slice(0, eq) : arg;
    const value = flag !== arg ? arg.slice(eq + 1) : flags.has(arg) ? args[i + 1] : undefined;
    if (value !== undefined && flags.has(flag)) out.push(...fileValues(value));
  });
  return out;
}

/** The file a flag's value names: `@f`, `name=@f`, `name=<f`, or the value itself. */
function fileValues(value: string): string[] {
  const named = /^[^=@<]*=[@<](.+)$/.exec(value)?.[1];
  if (named) return [named.replace(/;.*$/, "")];
  return [value.replace(/^@/, "")];
}

// Options whose value is a key the program authenticates with, not data it sends
// (`scp -i ~/.ssh/id_rsa …`, `ssh -o IdentityFile=…`, `curl --key …`): signatures/commands.yaml
// `identityFlags` and `sshLogin`.
/** Indexes (into args) of words that only name credentials used to authenticate. */
function authenticationArguments(signatures: Signatures, program: string, args: string[]): Set<number> {
  const out = new Set<number>();
  const meaning = programMeaning(signatures.commands, program);
  const flags = meaning?.identityFlags;
  args.forEach((arg, i) => {
    if (flags?.has(arg)) out.add(i + 1);
    else if (flags?.has("-i") && /^-i./.test(arg)) out.add(i); // -i~/.ssh/key
    else if (meaning?.sshLogin && /^(-o\s*)?IdentityFile[=\s]/i.test(arg) && (arg.startsWith("-o") || args[i - 1] === "-o")) out.add(i);
    else if (program === "rsync" && (args[i - 1] === "-e" || args[i - 1] === "--rsh" || arg.startsWith("--rsh="))) {
      // The remote shell rsync runs (`-e "ssh -i key"`): its key authenticates the transfer.
      const transport = parseShell(arg.replace(/^--rsh=/, ""))[0];
      if (transport?.program === "ssh") out.add(i);
    }
  });
  return out;
}

/** Other programs that run a JavaScript file given as an argument (`bun run x.js`, `deno run -A x.js`: "run" is skipped). */
const JS_RUNTIMES = new Set(["bun", "deno", "tsx", "ts-node"]);

/** `node [flags] file` / `node -e code`; other runtimes only when the word is a script file (`bun install` is not). */
function collectNode(args: string[], analysis: ShellAnalysis, fileOnly = false): void {
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
    if (!fileOnly || /\.[cm]?[jt]sx?$/.test(arg)) analysis.nodeFiles.push(arg);
    return;
  }
}
