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

/** `-Command` and the abbreviations PowerShell accepts for it (`-c`, `-com` …), any case. */
const POWERSHELL_COMMAND = /^-c(o(m(m(a(n(d)?)?)?)?)?)?$/i;

/**
 * The command text a shell is given to run, the one reading of both front-ends: `sh -c "…"`
 * (bash, zsh, dash, ksh; `-c` after other flags too), and PowerShell's `powershell -Command …`
 * / `pwsh -c …` (every word after the flag is the command).
 */
export function innerCommandLine(command: ShellCommand): string | undefined {
  if (/^(ba|z|da|k)?sh$/.test(command.program)) {
    const c = command.args.indexOf("-c");
    return c >= 0 ? command.args[c + 1] : undefined;
  }
  if (command.program === "powershell" || command.program === "pwsh") {
    const c = command.args.findIndex((a) => POWERSHELL_COMMAND.test(a));
    return c >= 0 && c + 1 < command.args.length ? command.args.slice(c + 1).join(" ") : undefined;
  }
  return undefined;
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
      if (text[i + 1] !== "\n") word += text[i + 1];
      inWord = true;
      i += 2;
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
  const shell = /^(ba|z|da|k)?sh$/.test(command.program);
  const c = shell ? command.args.indexOf("-c") : -1;
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
export function toCommand(words: string[]): ShellCommand | undefined {
  let index = 0;
  while (index < words.length) {
    const w = words[index]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || WRAPPERS.has(w)) index++;
    else if (w === "timeout" && index + 1 < words.length) index += 2;
    else if (w === "env" && index + 1 < words.length && /^(-|[A-Za-z_][A-Za-z0-9_]*=)/.test(words[index + 1]!)) index++;
    else break;
  }
  const first = words[index];
  if (first === undefined) return undefined;
  const program = first.replace(/\\/g, "/").split("/").pop()!.replace(/\.exe$/i, "").toLowerCase();
  return { program, args: words.slice(index + 1), ...(first !== program ? { path: first } : {}) };
}
