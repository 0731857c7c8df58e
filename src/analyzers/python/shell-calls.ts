// os.system / subprocess: the command line decides whether it is a sink (curl, nc, scp …)
// and which credential files it sends (`curl -F f=@~/.ssh/id_rsa …`).
import type { PyNode } from "./ast.js";
import { reportSink } from "./effects.js";
import { location, type Frame } from "./frame.js";
import { shellWorkTree } from "./git-repos.js";
import type { Interpreter } from "./interpreter.js";
import type { CallArgs } from "./library.js";
import { allTaints, derived, external, foldedText, mergeTaints, type Taint, type Value } from "./model.js";
import { credentialPath } from "./paths.js";
import { stagingKey } from "./staging.js";
import { shellDownloadsAndRuns } from "./downloads.js";
import { credentialCommand, programMeaning, shellProgramChannel } from "../common/shell-command.js";
import type { CompiledCommands } from "../../rules/signatures.js";
import { innerCommandLine, toCommand } from "../shell-words.js";
import { commandDestination, fileArguments, parseCommandLine, type ShellCommand } from "./shell.js";

// Programs whose output is the file they are given (`printsFiles`) and the SSH family
// (`sshLogin`, with the flags naming how it logs in: `sshLoginFlags`) are signatures/commands.yaml.

function commandsOf(value: Value | undefined): ShellCommand[] {
  if (!value) return [];
  if (value.items) {
    const words = value.items.map((item) => foldedText(item) ?? "*");
    const command = toCommand(words);
    if (!command) return [];
    const inner = innerCommandLine(command);
    return inner ? parseCommandLine(inner) : [command];
  }
  const text = foldedText(value);
  return text ? parseCommandLine(text) : [];
}

function dataFiles(commands: CompiledCommands, command: ShellCommand): string[] {
  const files: string[] = [];
  const args = command.args;
  for (let i = 0; i < args.length; i++) {
    if (commands.sshLoginFlags.has(args[i]!) && programMeaning(commands, command.program)?.sshLogin) {
      i++;
      continue;
    }
    files.push(...fileArguments({ program: command.program, args: [args[i]!] }));
  }
  return files;
}

/** Taint of a command line, leaving out the identity file handed to ssh/scp (`-i key`): it logs in, it is not sent. */
function argvTaints(commands: CompiledCommands, argv: Value): Taint[] {
  const items = argv.items;
  const program = (items?.[0] ? foldedText(items[0]) ?? "" : "").replace(/^.*\//, "");
  if (!items || !programMeaning(commands, program)?.sshLogin) return allTaints(argv);
  let taints = mergeTaints(argv.taints, argv.cell?.taints ?? []);
  items.forEach((item, i) => {
    const previous = i > 0 ? foldedText(items[i - 1]!) : undefined;
    if (!(previous !== undefined && commands.sshLoginFlags.has(previous))) taints = mergeTaints(taints, allTaints(item));
  });
  return taints;
}

export function shellCall(ip: Interpreter, frame: Frame, node: PyNode, qname: string, args: CallArgs): Value {
  const argv = /^os\.(exec|spawn)/.test(qname)
    ? { items: args.positional.slice(/^os\.spawn/.test(qname) ? 2 : 1), taints: [] }
    : (args.positional[0] ?? args.keywords.get("args") ?? args.keywords.get("cmd"));
  const commands = commandsOf(argv);
  const meanings = ip.signatures.commands;
  const sending = commands.filter((c) => shellProgramChannel(meanings, ip.signatures.sinks.shellPrograms, c.program, c.args) !== undefined);
  let credentialTaints: Taint[] = [];
  for (const command of commands) {
    const printed = credentialCommand(ip.signatures, command.program, command.args);
    if (printed) credentialTaints = mergeTaints(credentialTaints, [ip.source(frame, node, printed.kind, printed.note, printed.detail)]);
    if (!sending.includes(command) && !programMeaning(meanings, command.program)?.printsFiles) continue;
    for (const file of dataFiles(meanings, command)) {
      const match = credentialPath(ip.signatures, file);
      if (match) credentialTaints = mergeTaints(credentialTaints, [ip.source(frame, node, match.kind, match.note, match.path)]);
      // A file the package wrote credential data to earlier (`curl -F file=@/tmp/loot`).
      const staged = ip.staged.read(stagingKey({ str: file, taints: [] }), { ...location(frame, node), note: `sends ${file}, a file written earlier` });
      credentialTaints = mergeTaints(credentialTaints, staged);
    }
  }
  runStagedScripts(ip, frame, node, argv, commands);
  runInlineCode(ip, frame, node, commands);
  shellDownloadsAndRuns(ip, frame, node, commands, qname);
  const commandTaints = argv ? argvTaints(meanings, argv) : [];
  for (const command of sending) {
    const { channel, program } = shellProgramChannel(meanings, ip.signatures.sinks.shellPrograms, command.program, command.args)!;
    const destination = commandDestination(meanings, command);
    // `git push https://user:{token}@host/repo.git`: the URL's user part is the push's own login
    // (basic auth), not data it uploads; files copied on the same line still flow (credentialTaints).
    const loginInUrl = program === "git push" && command.args.some((a) => /^[a-z]+:\/\/(?=[^/@\s]*@)[^/@\s*]*\*/i.test(a));
    // git push uploads the commits of the working tree it runs in (-C dir, cwd=, an earlier `cd dir`).
    const tree = program === "git push" ? pushedTree(ip, frame, node, commands, command, args) : [];
    reportSink(ip, frame, node, {
      channel,
      note: `runs ${program} through ${qname}()`,
      ...(destination ? { destination } : {}),
      data: [],
      extraTaints: mergeTaints(loginInUrl ? credentialTaints : mergeTaints(credentialTaints, commandTaints), tree),
      ...(loginInUrl ? { authTaints: commandTaints } : {}),
    });
  }
  const output = derived(argv ? [argv] : []);
  return { ref: external(`${qname}()`).ref!, taints: mergeTaints(output.taints, credentialTaints) };
}

/** What the package wrote under the working tree a `git push` runs in (a staged folder it commits). */
function pushedTree(ip: Interpreter, frame: Frame, node: PyNode, commands: ShellCommand[], command: ShellCommand, args: CallArgs): Taint[] {
  const cwd = args.keywords.get("cwd");
  let dir = shellWorkTree(command.args, cwd ? foldedText(cwd) : undefined);
  if (dir === undefined) {
    // `cd dir && git add . && git push …` on one command line.
    for (const earlier of commands.slice(0, commands.indexOf(command))) if (earlier.program === "cd" && earlier.args[0]) dir = earlier.args[0];
  }
  return dir === undefined ? [] : ip.staged.read(stagingKey({ str: dir, taints: [] }), { ...location(frame, node), note: `committed from ${dir}` });
}

const PYTHON_PROGRAMS = /^(pythonw?|python[23](\.\d+)?w?|py|pyw)(\.exe)?$/i;

/** python/pythonw (by any path), or a program the analysis cannot name (`sys.executable`). */
function runsPython(command: ShellCommand): boolean {
  return PYTHON_PROGRAMS.test(command.program.replace(/^.*[\\/]/, "")) || command.program === "*";
}

/**
 * `python -c CODE`, `sys.executable -c CODE` (a program the analysis cannot name): the code
 * runs in another interpreter of the same machine, so it is analysed as code of this call.
 */
function runInlineCode(ip: Interpreter, frame: Frame, node: PyNode, commands: ShellCommand[]): void {
  for (const command of commands) {
    if (!runsPython(command)) continue;
    const flag = command.args.findIndex((a) => a === "-c" || /^-[A-Za-z]*c$/.test(a));
    const code = flag >= 0 ? command.args[flag + 1] : undefined;
    // Written out in the package: plain code, not decoded (no obfuscation to report).
    if (code && !code.includes("*")) ip.execCode(frame, node, { str: code, plain: true, taints: [] }, "exec");
  }
}

/**
 * A file the package wrote (a decoded second stage) run with python/pythonw, `sys.executable`
 * or directly: its text is analysed as code of this call (decoded text is also obfuscation).
 */
function runStagedScripts(ip: Interpreter, frame: Frame, node: PyNode, argv: Value | undefined, commands: ShellCommand[]): void {
  const candidates: string[] = [];
  for (const item of argv?.items ?? []) {
    const text = foldedText(item);
    if (text !== undefined) candidates.push(text);
  }
  for (const command of commands) {
    if (runsPython(command) || command.program === "start") candidates.push(...command.args);
    candidates.push(command.program);
  }
  const seen = new Set<string>();
  for (const path of candidates) {
    const key = stagingKey({ str: path, taints: [] });
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const staged = ip.staged.text(key);
    if (staged) ip.execCode(frame, node, { str: staged.text, taints: [], ...(staged.plain ? { plain: true } : {}) }, "exec");
  }
}
