// Command lines run through os.system/subprocess: which program, where to, what files.

export interface ShellCommand {
  program: string;
  args: string[];
}

/** Split a folded command line into pipeline segments and words (quotes respected, no expansion). */
export function parseCommandLine(line: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let word = "";
  let quote: string | undefined;
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(toCommand(words));
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) endWord();
    else if (ch === "|" || ch === ";" || ch === "&" || ch === "\n" || ch === "`" || (ch === "$" && line[i + 1] === "(")) {
      endCommand();
      if (ch === "$") i++;
    } else if (ch === ")" && !inWord) endCommand();
    else {
      word += ch;
      inWord = true;
    }
  }
  endCommand();
  // `sh -c "…"` / `bash -c "…"`: the real commands are in the string.
  const expanded: ShellCommand[] = [];
  for (const command of commands) {
    const c = command.args.indexOf("-c");
    if (/^(ba|z|da|k)?sh$/.test(command.program) && c >= 0 && command.args[c + 1] !== undefined) {
      expanded.push(...parseCommandLine(command.args[c + 1]!));
    } else expanded.push(command);
  }
  return expanded;
}

function toCommand(words: string[]): ShellCommand {
  // Skip env assignments and wrappers (sudo, env, nohup) to reach the program.
  let index = 0;
  while (index < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[index]!) || /^(sudo|env|nohup|exec|command|timeout)$/.test(words[index]!.replace(/^.*\//, "")))) {
    index++;
    if (words[index - 1] === "timeout" && index < words.length) index++;
  }
  const program = (words[index] ?? "").replace(/^.*\//, "");
  return { program, args: words.slice(index + 1) };
}

/** A URL or host the command talks to (the first one found). */
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
    const remote = command.args.find((a) => /^[^/\s]*@?[^/\s]+:/.test(a) && !a.startsWith("-"));
    if (remote) return remote.replace(/:.*$/, "");
  }
  return undefined;
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
