// A small shell command-line reader for npm scripts and child_process commands: enough
// to name the programs run, their network destinations, the credential files and
// secret variables they touch, and the node scripts / inline code they start.
import type { SinkChannel, SourceKind } from "../facts.js";
import { classifyCredentialPath, isSecretEnvName, type Signatures } from "../../rules/signatures.js";
import { parseShell, type ShellCommand } from "../shell-words.js";
import { destinationOf, positionals, shellProgramChannel } from "../common/shell-command.js";
import { lookupTable } from "../../core/tables.js";



export interface ShellSource {
  kind: SourceKind;
  note: string;
  detail: string;
}

export interface ShellSink {
  channel: SinkChannel;
  program: string;
  destination?: string;
  /** The destination as written, unknown parts still HOLE. */
  rawDestination?: string;
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
    const sending = shellProgramChannel(signatures.sinks.shellPrograms, program, args);
    if (sending) {
      const destination = destinationOf(program, args);
      analysis.sinks.push({ channel: sending.channel, program: sending.program, destination, ...(destination?.includes("\uE000") ? { rawDestination: destination } : {}) });
    }
    if ((program === "env" || program === "printenv" || program === "set" || program === "export") && positionals(program, args).length === 0) {
      addSource({ kind: "env-dump", note: `dumps the environment with ${program}`, detail: program });
    }
    const printed = credentialCommand(program, args);
    if (printed) addSource(printed);
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

// Commands whose output is a stored credential: CLIs that print their token, OS
// keychains, git's credential helper, cloud metadata endpoints fetched with curl/wget.
const METADATA_HOST = /^(?:[a-z]+:\/\/)?(?:169\.254\.169\.254|\[?fd00:ec2::254\]?|metadata\.google\.internal|metadata\.goog|100\.100\.100\.200)(?:[:/]|$)/i;

function credentialCommand(program: string, args: string[]): ShellSource | undefined {
  const words = positionals(program, args);
  const line = `${program} ${args.join(" ")}`;
  const said = (kind: SourceKind, note: string): ShellSource => ({ kind, note, detail: line.slice(0, 120) });
  if (program === "gh" && words[0] === "auth" && (words[1] === "token" || (words[1] === "status" && args.includes("--show-token")))) return said("git-credentials", "prints the GitHub CLI token");
  if (program === "git" && words[0] === "credential" && (words[1] === "fill" || words[1] === "get")) return said("git-credentials", "asks git's credential helper for a stored password");
  if (program === "git" && words[0] === "config" && args.some((a) => /(^|\.)(extraheader|password|token)$/i.test(a) || /^credential\./i.test(a))) return said("git-credentials", "reads a credential from git configuration");
  if (program === "security" && /^find-(generic|internet)-password$|^dump-keychain$/.test(words[0] ?? "")) return said("keychain", "reads a password from the macOS keychain");
  if (program === "secret-tool" && (words[0] === "lookup" || words[0] === "search")) return said("keychain", "reads a password from the Secret Service keyring");
  if (program === "cmdkey" || (program === "vaultcmd" && args.some((a) => /listcreds/i.test(a)))) return said("keychain", "lists Windows Credential Manager entries");
  if (program === "aws" && ((words[0] === "configure" && (words[1] === "get" || words[1] === "export-credentials")) || (words[0] === "sts" && /^get-(session-token|federation-token)$|^assume-role$/.test(words[1] ?? "")))) return said("cloud-credentials", "prints AWS credentials");
  if (program === "gcloud" && words.includes("print-access-token")) return said("cloud-credentials", "prints a Google Cloud access token");
  if (program === "az" && words[0] === "account" && words[1] === "get-access-token") return said("cloud-credentials", "prints an Azure access token");
  if ((program === "npm" || program === "yarn" || program === "pnpm") && words[0] === "config" && words[1] === "get" && /_auth(token)?\b|_password/i.test(words[2] ?? "")) return said("registry-token", "prints the package-registry token");
  if ((program === "curl" || program === "wget") && args.some((a) => METADATA_HOST.test(a))) return said("cloud-credentials", "queries the cloud instance metadata service (instance credentials)");
  return undefined;
}

// Options whose value is a key the program authenticates with, not data it sends:
// `scp -i ~/.ssh/id_rsa …`, `ssh -o IdentityFile=…`, `curl --key …`.
const IDENTITY_FLAGS: Record<string, Set<string>> = lookupTable({
  ssh: new Set(["-i"]),
  scp: new Set(["-i"]),
  sftp: new Set(["-i"]),
  curl: new Set(["-E", "--cert", "--key"]),
});
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
