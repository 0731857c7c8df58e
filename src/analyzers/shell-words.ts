// Splitting shell command lines into simple commands and words, shared by the JS front-end
// (npm scripts, child_process) and the Python one (os.system, subprocess with shell=True).
// Quotes, escapes, pipelines and $(…)/`…` substitutions are understood; nothing is expanded:
// a substitution becomes "*" in the word and its own commands are listed too.

export interface ShellCommand {
  program: string;
  args: string[];
  /** The program word as written when it is not just the program's name (`./bin/tool`, `/usr/bin/curl`, `x.EXE`). */
  path?: string;
  /** The command whose output is piped into this one's standard input (`curl … | sh`: sh's input is curl). */
  input?: ShellCommand;
  /**
   * The command whose output this one runs as code: its program word is a lone substitution
   * (`$(curl …)`, `eval "$(curl …)"`), or a shell's `-c` text is (`sh -c "$(curl …)"`).
   */
  runsOutputOf?: ShellCommand;
  /** The command whose output an `echo`/`printf` prints (a lone substitution argument: `echo "$(curl …)" | sh`). */
  prints?: ShellCommand;
}

const SEPARATORS = new Set(["|", "||", "&&", ";", "&", "\n", "(", ")"]);
const WRAPPERS = new Set(["sudo", "nohup", "exec", "time", "command", "xargs", "eval", "then", "do", "else", "!"]);

/** bash, zsh, dash, ksh, sh: the shells whose `-c` text and script files the readers follow. */
export function isShell(program: string): boolean {
  return /^(ba|z|da|k)?sh$/.test(program);
}

/** `-Command` and the abbreviations PowerShell accepts for it (`-c`, `-com` …), any case. */
const POWERSHELL_COMMAND = /^-c(o(m(m(a(n(d)?)?)?)?)?)?$/i;
/** `-EncodedCommand` and its abbreviations (`-e`, `-ec`, `-enc` …): base64 of UTF-16LE text. */
const POWERSHELL_ENCODED = /^-(e(n(c(o(d(e(d(c(o(m(m(a(n(d)?)?)?)?)?)?)?)?)?)?)?)?)?|ec)$/i;

/**
 * The command text a shell is given to run, the one reading of both front-ends: `sh -c "…"`
 * (bash, zsh, dash, ksh; `-c` alone or in a cluster such as `-lc`, after other flags too),
 * Windows' `cmd /c …` (`/k`, any case; the rest of the line), and PowerShell's
 * `powershell -Command …` / `pwsh -c …` (every word after the flag is the command) and
 * `-EncodedCommand <base64>` (decoded).
 */
export function innerCommandLine(command: ShellCommand): string | undefined {
  const { program, args } = command;
  if (isShell(program)) return shellCommandText(args);
  if (program === "cmd") {
    const c = args.findIndex((a) => /^\/[ck]$/i.test(a));
    return c >= 0 && c + 1 < args.length ? args.slice(c + 1).join(" ") : undefined;
  }
  if (program === "powershell" || program === "pwsh") {
    const c = args.findIndex((a) => POWERSHELL_COMMAND.test(a));
    if (c >= 0 && c + 1 < args.length) return args.slice(c + 1).join(" ");
    const e = args.findIndex((a) => POWERSHELL_ENCODED.test(a));
    return e >= 0 && e + 1 < args.length ? decodePowerShell(args[e + 1]!) : undefined;
  }
  return undefined;
}

/** `sh -c TEXT`: with `-c` among the options (alone or in a cluster: `-lc`, `-ec`), the first operand is the command text. */
function shellCommandText(args: string[]): string | undefined {
  let command = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--" || !/^[-+]/.test(arg)) return command ? args[i + (arg === "--" ? 1 : 0)] : undefined;
    if (/^[-+]o$/.test(arg)) i++; // `-o pipefail`: the option's value
    else if (/^-[A-Za-z]+$/.test(arg) && arg.includes("c")) command = true;
  }
  return undefined;
}

/** PowerShell's -EncodedCommand: base64 of the command's UTF-16LE text; undefined when it is not that. */
function decodePowerShell(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const text = Buffer.from(encoded, "base64").toString("utf16le");
  return /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(text) && text.trim() !== "" ? text : undefined;
}

/** Split a command line into simple commands (pipelines and $(…) substitutions included). */
export function parseShell(text: string, depth = 0): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  /** Per word: the command whose output the word is, when the word is one substitution and nothing else. */
  let outputs: (ShellCommand | undefined)[] = [];
  /** Words that are a process substitution, `<(…)`: a file holding the command's output. */
  let fileWords = new Set<number>();
  let word = "";
  let inWord = false;
  /** The output of the substitution the current word started with (kept only if the word stays just that). */
  let wordOutput: ShellCommand | undefined;
  let wordIsFile = false;
  /** The command before a `|`: the next command's input. */
  let input: ShellCommand | undefined;
  const endWord = (): void => {
    if (inWord) {
      if (wordOutput && word === "*") {
        outputs[words.length] = wordOutput;
        if (wordIsFile) fileWords.add(words.length);
      }
      words.push(word);
    }
    word = "";
    inWord = false;
    wordOutput = undefined;
    wordIsFile = false;
  };
  const endCommand = (): void => {
    endWord();
    // A here-string of a substitution (`sh <<< "$(curl …)"`) is the command's input.
    const here = words.indexOf("<<<");
    const hereInput = here >= 0 ? outputs[here + 1] : undefined;
    if (hereInput) {
      words.splice(here, 2);
      outputs.splice(here, 2);
      fileWords = new Set([...fileWords].map((w) => (w > here ? w - 2 : w)));
    }
    const command = toCommand(words);
    if (command) {
      const runs = outputRun(command, words, outputs, fileWords);
      if (runs) command.runsOutputOf = runs;
      const printed = command.program === "echo" || command.program === "printf" ? outputs.slice(words.length - command.args.length).find(Boolean) : undefined;
      if (printed) command.prints = printed;
      if (input ?? hereInput) command.input = input ?? hereInput;
      input = undefined;
      commands.push(command);
    }
    words = [];
    outputs = [];
    fileWords = new Set();
  };
  const substitute = (inner: string, file = false): void => {
    const start = word === "";
    wordIsFile = file && start;
    const parsed = depth < 4 ? parseShell(inner, depth + 1) : [];
    commands.push(...parsed);
    wordOutput = start ? parsed.at(-1) : undefined;
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
      // A backslash before a name character is a Windows path separator (`%USERPROFILE%\.ssh\id_rsa`,
      // `C:\Users\a`): POSIX scripts escape specials (`\ `, `\$`, `\"`), not letters or dots.
      const next = text[i + 1]!;
      if (/[\w.%-]/.test(next)) {
        word += "\\";
        i += 1;
      } else {
        if (next !== "\n") word += next;
        i += 2;
      }
      inWord = true;
    } else if (text.startsWith("$(", i) || (text.startsWith("<(", i) && !inWord)) {
      const end = matchParen(text, i + 1);
      substitute(text.slice(i + 2, end), ch === "<");
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
        } else {
          endCommand();
          // `(curl …) | sh` too: the last command ended is what the pipe carries.
          if (ch === "|") input = commands.at(-1);
        }
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

/** Programs that run a script file given as their first plain word (`bash <(curl …)`, `source <(curl …)`). */
const SCRIPT_RUNNERS = /^((ba|z|da|k)?sh|source|\.|python3?|node|nodejs|perl|ruby|php)$/;

/**
 * The command whose output `command` runs as code: its program word, or its shell's `-c` text,
 * is a lone substitution, or the script file it runs is a process substitution (`bash <(curl …)`).
 */
function outputRun(command: ShellCommand, words: string[], outputs: (ShellCommand | undefined)[], fileWords: ReadonlySet<number>): ShellCommand | undefined {
  const at = words.length - 1 - command.args.length;
  if (outputs[at]) return outputs[at];
  const c = isShell(command.program) ? command.args.indexOf("-c") : -1;
  if (c >= 0) return outputs[at + 2 + c];
  if (!SCRIPT_RUNNERS.test(command.program)) return undefined;
  const script = command.args.findIndex((a) => !a.startsWith("-"));
  return script >= 0 && fileWords.has(at + 1 + script) ? outputs[at + 1 + script] : undefined;
}

function matchParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  return text.length;
}

/** The simple command of a word list (`["sudo", "/usr/bin/curl", …]` → curl): wrappers and `VAR=value` left out, the program folded to its lower-case base name. */
/** `env [-i] [-u NAME] [-C DIR] … program`: the index after env's own options (its assignments are skipped as any). */
function afterEnvOptions(words: string[], index: number): number {
  while (index < words.length && words[index]!.startsWith("-")) {
    const option = words[index]!;
    index += /^-[uC]$/.test(option) ? 2 : 1;
    if (option === "--") break;
  }
  return index;
}

export function toCommand(words: string[]): ShellCommand | undefined {
  let index = 0;
  while (index < words.length) {
    const w = words[index]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || WRAPPERS.has(w)) index++;
    // PowerShell's `$k = Get-Content …`: the command is the value.
    else if (/^\$[A-Za-z_][\w:]*$/.test(w) && words[index + 1] === "=") index += 2;
    else if (w === "timeout" && index + 1 < words.length) index += 2;
    else if (w === "env" && index + 1 < words.length) index = afterEnvOptions(words, index + 1);
    else break;
  }
  const first = words[index];
  if (first === undefined) return undefined;
  const program = first.replace(/\\/g, "/").split("/").pop()!.replace(/\.exe$/i, "").toLowerCase();
  return { program, args: words.slice(index + 1), ...(first !== program ? { path: first } : {}) };
}
