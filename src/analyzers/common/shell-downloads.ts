// What a shell command downloads to a file and what file it runs, for the staged-loader
// shape (`curl -o x http://… && chmod +x x && ./x`, `certutil -urlcache -f URL x.dll`,
// `regsvr32 /s x.dll`). Both front-ends read command lines through this one reading: the
// file names are compared as written (the shell expands nothing, so `$TMPDIR/x` on both
// sides is the same file).
import { isShell, type ShellCommand } from "../shell-words.js";

export interface ShellDownload {
  /** The URL as written. */
  url: string;
  /** The file the body lands in, as written. */
  file: string;
}

const URL_WORD = /^(https?|ftp):\/\//i;

/** Options whose next word is a value, per downloader (so that the value is not taken for the URL). */
const VALUE_FLAGS: Record<string, Set<string>> = {
  curl: new Set(["-o", "--output", "-H", "--header", "-A", "--user-agent", "-e", "--referer", "-u", "--user", "-x", "--proxy", "-m", "--max-time", "--retry", "-d", "--data", "-X", "--request", "-w", "--write-out", "--connect-timeout", "-C", "--cacert", "-b", "--cookie", "-c", "--cookie-jar", "-T", "--upload-file", "-F", "--form", "-r", "--range", "-z", "--time-cond", "--output-dir"]),
  wget: new Set(["-O", "--output-document", "-P", "--directory-prefix", "-U", "--user-agent", "--header", "-t", "--tries", "-T", "--timeout", "-o", "--output-file", "-a", "--append-output", "-e", "--execute"]),
};

/** `text` up to the first match of `at` (a regex cut like `/,.*$/` backtracks on words with line breaks). */
function cutAt(text: string, at: RegExp): string {
  const index = text.search(at);
  return index < 0 ? text : text.slice(0, index);
}

/** The last path segment of a URL (what `curl -O` and a plain `wget URL` name the file). */
function urlBaseName(url: string): string | undefined {
  const path = cutAt(url, /[?#]/).replace(/^[a-z]+:\/\/[^/]*/i, "");
  const name = path.split("/").pop();
  return name && name !== "*" ? name : undefined;
}

function valueOf(args: string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (names.includes(arg)) return args[i + 1];
    for (const name of names) if (name.startsWith("--") && arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    // `-ofile` / `-Ofile`: a short option glued to its value.
    for (const name of names) if (/^-[a-zA-Z]$/.test(name) && arg.startsWith(name) && arg.length > 2 && !arg.startsWith("--")) return arg.slice(2);
  }
  return undefined;
}

/** `> file` / `>> file` (standard output only). */
function stdoutRedirect(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const match = /^1?>>?(.*)$/.exec(args[i]!);
    if (!match) continue;
    const target = match[1] || args[i + 1];
    if (target && !target.startsWith("&")) return target;
  }
  return undefined;
}

function urlOf(program: string, args: string[]): string | undefined {
  const flags = VALUE_FLAGS[program];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (flags?.has(arg)) {
      i++;
      continue;
    }
    if (URL_WORD.test(arg)) return arg;
  }
  return undefined;
}

/** Files the command writes a network response to. */
export function downloadsOf(command: ShellCommand): ShellDownload[] {
  const { program, args } = command;
  if (program === "curl") {
    const url = urlOf(program, args);
    if (!url) return [];
    const output = valueOf(args, ["-o", "--output"]) ?? stdoutRedirect(args);
    const remoteName = args.some((a) => a === "--remote-name" || (/^-[a-zA-Z]+$/.test(a) && a.includes("O"))) ? urlBaseName(url) : undefined;
    const file = output ?? remoteName;
    if (!file || file === "-" || file === "/dev/null") return [];
    const dir = valueOf(args, ["--output-dir"]);
    return [{ url, file: dir && !file.startsWith("/") ? `${dir}/${file}` : file }];
  }
  if (program === "wget") {
    const url = urlOf(program, args);
    if (!url) return [];
    const output = valueOf(args, ["-O", "--output-document"]) ?? stdoutRedirect(args);
    if (output === "-" || output === "/dev/null") return [];
    const name = output ?? urlBaseName(url);
    if (!name) return [];
    const dir = output ? undefined : valueOf(args, ["-P", "--directory-prefix"]);
    return [{ url, file: dir ? `${dir}/${name}` : name }];
  }
  if (program === "certutil" && args.some((a) => /^[-/]urlcache$/i.test(a))) {
    // certutil -urlcache -split -f URL [file]: without a file, the URL's last segment.
    const plain = args.filter((a) => !/^[-/]/.test(a));
    const url = plain.find((a) => URL_WORD.test(a));
    if (!url) return [];
    const file = plain[plain.indexOf(url) + 1] ?? urlBaseName(url);
    return file ? [{ url, file }] : [];
  }
  if (program === "bitsadmin" && args.some((a) => /^\/transfer$/i.test(a))) {
    const index = args.findIndex((a) => URL_WORD.test(a));
    const file = index >= 0 ? args[index + 1] : undefined;
    return file ? [{ url: args[index]!, file }] : [];
  }
  if (program === "invoke-webrequest" || program === "iwr" || program === "wget.exe" || program === "invoke-restmethod") {
    const url = valueOf(args, ["-Uri", "-uri"]) ?? args.find((a) => URL_WORD.test(a));
    const file = valueOf(args, ["-OutFile", "-outfile", "-Outfile"]);
    return url && file ? [{ url, file }] : [];
  }
  return [];
}

export interface ShellRun {
  /** The file run, as written. */
  file: string;
  /** How: the program's own name, or the runner it is handed to (`regsvr32`, `sh`). */
  how: string;
}

/** Programs that run the file given as their first plain argument. */
const RUNNERS = new Set([
  "sh", "bash", "zsh", "dash", "ksh", "source", ".",
  "node", "nodejs", "python", "python3", "perl", "ruby", "php",
  "regsvr32", "rundll32", "msiexec", "wscript", "cscript", "mshta", "start", "open", "cmd", "powershell", "pwsh",
]);

/** Options of a runner whose next word is a value (not the file). */
const RUNNER_VALUE_FLAGS = new Set(["-W", "-x", "-ExecutionPolicy", "-executionpolicy", "-ep", "-WindowStyle", "-windowstyle"]);
/** Options after which a runner runs a module or inline code, not a file (`python -m pip`, `node -e …`). */
const NOT_A_FILE = new Set(["-m", "-c", "-e", "--eval", "-p", "--print", "-Command", "-command"]);

/** Files the command runs: the program itself, and a runner's first plain argument. */
export function runsOf(command: ShellCommand & { path?: string }): ShellRun[] {
  const out: ShellRun[] = [];
  // The program itself, as written (`./x`, `/tmp/x`, `shell.py`, `x.exe`): a file the package
  // downloaded under that name is what runs. Callers match it against the files written.
  // A bare name (`install`) is looked up on PATH, not in the current folder, unless it names a
  // script or a Windows program (`x.exe`, `x.bat`, `shell.py`), which Windows runs from it.
  const word = command.path ?? command.program;
  if (/[\\/]/.test(word) || /\.(exe|com|bat|cmd|msi|ps1|vbs|js|py|sh)$/i.test(word)) out.push({ file: word, how: `runs ${word}` });
  if (!RUNNERS.has(command.program)) return out;
  // `sh -c "…"` runs a command line (read as such elsewhere), not a file.
  if (isShell(command.program) && command.args.includes("-c")) return out;
  for (let i = 0; i < command.args.length; i++) {
    const arg = command.args[i]!;
    if (NOT_A_FILE.has(arg) && command.program !== "rundll32") return out;
    if (/^(-|\/[a-z?]{1,3}$)/i.test(arg)) {
      // `-File x.ps1`, `/c x.bat`, `/i x.msi`: the file follows.
      if (/^(-file|\/c|\/k|\/i|\/package)$/i.test(arg)) {
        const next = command.args[i + 1];
        if (next) out.push({ file: cutAt(next, /,/), how: `${command.program} ${arg}` });
        return out;
      }
      if (RUNNER_VALUE_FLAGS.has(arg) || (command.program === "start" && arg === '""')) i++;
      continue;
    }
    if (command.program === "start" && arg === "") continue;
    // rundll32 file.dll,Entry
    out.push({ file: cutAt(arg, /,/), how: command.program });
    return out;
  }
  return out;
}

/** Shell and batch scripts a command line runs (`sh x.sh`, `./x.sh`, `x.bat`, `cmd /c x.cmd`), as written. */
export function scriptFilesOf(commands: (ShellCommand & { path?: string })[]): string[] {
  const out: string[] = [];
  for (const command of commands) {
    for (const run of runsOf(command)) {
      const shell = /^(ba|da|k)?sh$/.test(run.how) || run.how === "source" || run.how === ".";
      if ((shell || /\.(sh|bash|bat|cmd)$/i.test(run.file)) && !out.includes(run.file)) out.push(run.file);
    }
  }
  return out;
}

/** Script lines one package's analysis reads through the scripts its commands run, at most. */
export const SCRIPT_LINE_BUDGET = 20_000;
const scriptReads = new WeakMap<object, { files: Set<string>; lines: number }>();

/**
 * Whether `owner` (one package's analysis) may read script `file` of `lines` lines: each file
 * once (scripts that run each other would otherwise be read again for every line, to the power
 * of the depth), and SCRIPT_LINE_BUDGET lines in all.
 */
export function claimScript(owner: object, file: string, lines: number): "ok" | "read" | "over-budget" {
  let state = scriptReads.get(owner);
  if (!state) scriptReads.set(owner, (state = { files: new Set(), lines: 0 }));
  if (state.files.has(file)) return "read";
  if (state.lines + lines > SCRIPT_LINE_BUDGET) return "over-budget";
  state.files.add(file);
  state.lines += lines;
  return "ok";
}

// ---- fetched code run without a file: `curl … | sh`, `sh -c "$(curl …)"`, `eval "$(wget -qO- …)"`

/** Programs that hand their input on, transformed (`curl … | base64 -d | sh`). */
const PASS_THROUGH = new Set(["base64", "gunzip", "zcat", "gzip", "xz", "unxz", "bzip2", "bunzip2", "xxd", "tr", "sed", "cat", "rev", "openssl", "tee", "dos2unix"]);

/** The URL a command writes to its standard output: curl without an output file, `wget -O -`, PowerShell's `iwr`/`irm` without -OutFile. */
function stdoutDownload(command: ShellCommand): string | undefined {
  const { program, args } = command;
  if (program === "curl") {
    const url = urlOf(program, args);
    const output = valueOf(args, ["-o", "--output"]) ?? stdoutRedirect(args);
    const remoteName = args.some((a) => a === "--remote-name" || a === "--remote-name-all" || (/^-[a-zA-Z]+$/.test(a) && a.includes("O")));
    return url && (output === undefined || output === "-") && !remoteName ? url : undefined;
  }
  if (program === "wget") {
    const url = urlOf(program, args);
    if (!url || stdoutRedirect(args)) return undefined;
    for (let i = 0; i < args.length; i++) {
      // `-O -`, `-O-`, `-qO-`, `--output-document=-`
      const arg = args[i]!;
      // A cluster of short flags up to the O (searched, not matched by a backtracking pattern).
      const o = arg.startsWith("-") && !arg.startsWith("--") ? arg.indexOf("O") : -1;
      const short = o > 0 && /^-[a-zA-Z]*$/.test(arg.slice(0, o)) ? arg.slice(o + 1) : undefined;
      const value = short !== undefined ? short || args[i + 1] : arg === "--output-document" ? args[i + 1] : arg.startsWith("--output-document=") ? arg.slice(18) : undefined;
      if (value !== undefined) return value === "-" ? url : undefined;
    }
    return undefined;
  }
  if (program === "invoke-webrequest" || program === "iwr" || program === "invoke-restmethod" || program === "irm") {
    if (valueOf(args, ["-OutFile", "-outfile", "-Outfile"])) return undefined;
    return valueOf(args, ["-Uri", "-uri"]) ?? args.find((a) => URL_WORD.test(a));
  }
  return undefined;
}

/** The download whose bytes reach this command's output, through pass-through filters. */
function downloadBehind(command: ShellCommand | undefined): { url: string; program: string; filtered: boolean } | undefined {
  for (let hops = 0; command && hops < 8; hops++) {
    const url = stdoutDownload(command);
    if (url) return { url, program: command.program, filtered: hops > 0 };
    // `echo "$(curl …)"` prints what was fetched.
    if (command.prints) command = command.prints;
    else if (!PASS_THROUGH.has(command.program)) return undefined;
    else command = command.input;
  }
  return undefined;
}

/** A shell or interpreter that runs the code on its standard input: `sh`, `bash -s -- …`, `python -`, `node`, PowerShell's `iex`. */
function runsStandardInput(command: ShellCommand): boolean {
  const { program, args } = command;
  if (program === "iex" || program === "invoke-expression") return true;
  const shell = isShell(program);
  if (!shell && !["python", "python3", "node", "nodejs", "perl", "ruby", "php", "powershell", "pwsh"].includes(program)) return false;
  if (args.includes("-") || (shell && args.includes("-s"))) return true;
  const powershell = program === "powershell" || program === "pwsh";
  for (const arg of args) {
    // `sh -c …` runs its text; `python -c`/`-m`, `node -e`, `powershell -File x`: not the input (`sh -e` is an option).
    if (shell ? arg === "-c" : NOT_A_FILE.has(arg) || /^-file$/i.test(arg)) return false;
    // A cluster of short flags with code or a module in it (`perl -ne '…'`, `ruby -pe`, `php -r`): the input is data.
    if (!shell && !powershell && arg.startsWith("-") && !arg.startsWith("--") && /[ecmpEr]/.test(arg.slice(1))) return false;
    // The first plain word is a script file: that file runs, the input is its data.
    if (!arg.startsWith("-") && !arg.startsWith("+")) return false;
  }
  return true;
}

export interface PipedRun {
  /** The URL as written. */
  url: string;
  /** The program that fetched it. */
  downloader: string;
  /** How it is run: `curl | sh`, `sh -c "$(curl …)"`. */
  how: string;
}

/** Fetched code this command runs without a file: piped into it, or the output of a substitution it runs. */
export function pipedRunsOf(command: ShellCommand): PipedRun[] {
  const out: PipedRun[] = [];
  if (command.input && runsStandardInput(command)) {
    const download = downloadBehind(command.input);
    if (download) out.push({ url: download.url, downloader: download.program, how: `${download.program} |${download.filtered ? " … |" : ""} ${command.program}` });
  }
  const substituted = downloadBehind(command.runsOutputOf);
  if (substituted) {
    const code = `"$(${substituted.program} …)"`;
    const how = command.program === "*" ? `${code} run as a command` : command.args.includes("-c") ? `${command.program} -c ${code}` : `${command.program} <(${substituted.program} …)`;
    out.push({ url: substituted.url, downloader: substituted.program, how });
  }
  return out;
}
