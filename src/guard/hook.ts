// Shell functions that send install commands through the guard, inside one marked block of
// the user's start-up file. Install adds (or refreshes) the block; uninstall removes exactly
// the bytes it added, so the file is byte-identical to before; nothing outside is touched.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type Shell = "bash" | "zsh" | "fish";
export const SHELLS: Shell[] = ["bash", "zsh", "fish"];

const BEGIN = "# >>> exfilscan guard hook >>>";
const END = "# <<< exfilscan guard hook <<<";
/** Markers of how the block was added, so uninstall can undo exactly that. */
const ADDED_NEWLINE = " (added a newline before)";
const CREATED = " (created this file)";

/** Commands wrapped, and the verbs of each that install something. */
export const WRAPPED: Record<string, string[]> = {
  npm: ["install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add", "ci", "clean-install", "ic", "install-clean", "update", "up", "upgrade", "udpate", "exec", "x"],
  npx: [],
  pnpm: ["add", "install", "i", "update", "up", "upgrade", "dlx"],
  yarn: ["add", "install", "dlx", "up", "upgrade"],
  pip: ["install"],
  pip3: ["install"],
  uv: ["pip", "add"],
};

export function rcFile(shell: Shell, home: string, env: NodeJS.ProcessEnv = process.env): string {
  if (shell === "zsh") return join(env["ZDOTDIR"] || home, ".zshrc");
  if (shell === "fish") return join(env["XDG_CONFIG_HOME"] || join(home, ".config"), "fish", "conf.d", "exfilscan.fish");
  return join(home, ".bashrc");
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The function bodies. `guard` is the argv that runs exfilscan (absolute paths). */
export function hookBody(shell: Shell, guard: string[]): string {
  const lines: string[] = [];
  if (shell === "fish") {
    const run = guard.map((g) => `'${g.replace(/(['\\])/g, "\\$1")}'`).join(" ");
    for (const [name, verbs] of Object.entries(WRAPPED)) {
      const test = verbs.length ? `contains -- $argv[1] ${verbs.join(" ")}` : "true";
      lines.push(`function ${name} --wraps ${name}`, `    if test -z "$EXFILSCAN_GUARD_OFF"; and ${test}`, `        ${run} guard -- ${name} $argv`, "    else", `        command ${name} $argv`, "    end", "end");
    }
    return lines.join("\n");
  }
  const run = guard.map(shQuote).join(" ");
  for (const [name, verbs] of Object.entries(WRAPPED)) {
    const test = verbs.length ? `case "\${1-}" in ${verbs.join("|")}) true;; *) false;; esac` : "true";
    lines.push(`${name}() { if [ -z "\${EXFILSCAN_GUARD_OFF-}" ] && ${test}; then ${run} guard -- ${name} "$@"; else command ${name} "$@"; fi; }`);
  }
  // python -m pip install ...
  lines.push(`python3() { if [ -z "\${EXFILSCAN_GUARD_OFF-}" ] && [ "\${1-}" = -m ] && [ "\${2-}" = pip ] && [ "\${3-}" = install ]; then ${run} guard -- python3 "$@"; else command python3 "$@"; fi; }`);
  return lines.join("\n");
}

export interface HookStatus {
  shell: Shell;
  file: string;
  installed: boolean;
  /** The guard command the block runs, when installed. */
  runs?: string;
}

function findBlock(text: string): { start: number; end: number; header: string } | undefined {
  const start = text.indexOf(BEGIN);
  if (start === -1) return undefined;
  const endMarker = text.indexOf(END, start);
  if (endMarker === -1) throw new Error(`the exfilscan block is not closed (missing "${END}"): fix it by hand, nothing was changed`);
  let end = endMarker + END.length;
  if (text[end] === "\n") end++;
  const headerEnd = text.indexOf("\n", start);
  return { start, end, header: text.slice(start, headerEnd) };
}

export function installHook(shell: Shell, home: string, guard: string[], env: NodeJS.ProcessEnv = process.env): { file: string; changed: boolean } {
  const file = rcFile(shell, home, env);
  const exists = existsSync(file);
  const text = exists ? readFileSync(file, "utf8") : "";
  const existing = findBlock(text);
  let header: string;
  let before: string;
  let after: string;
  if (existing) {
    header = existing.header;
    before = text.slice(0, existing.start);
    after = text.slice(existing.end);
  } else {
    const needsNewline = text.length > 0 && !text.endsWith("\n");
    header = BEGIN + (exists ? "" : CREATED) + (needsNewline ? ADDED_NEWLINE : "");
    before = needsNewline ? `${text}\n` : text;
    after = "";
  }
  const block = `${header}\n# Sends package installs through \`exfilscan guard\`; \`exfilscan hook uninstall\` removes this block.\n# EXFILSCAN_GUARD_OFF=1 bypasses it for one command.\n${hookBody(shell, guard)}\n${END}\n`;
  const next = before + block + after;
  if (next === text) return { file, changed: false };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, next);
  return { file, changed: true };
}

export function uninstallHook(shell: Shell, home: string, env: NodeJS.ProcessEnv = process.env): { file: string; changed: boolean } {
  const file = rcFile(shell, home, env);
  if (!existsSync(file)) return { file, changed: false };
  const text = readFileSync(file, "utf8");
  const block = findBlock(text);
  if (!block) return { file, changed: false };
  let before = text.slice(0, block.start);
  if (block.header.includes(ADDED_NEWLINE) && before.endsWith("\n")) before = before.slice(0, -1);
  const next = before + text.slice(block.end);
  if (block.header.includes(CREATED) && next === "") rmSync(file);
  else writeFileSync(file, next);
  return { file, changed: true };
}

export function hookStatus(home: string, env: NodeJS.ProcessEnv = process.env): HookStatus[] {
  return SHELLS.map((shell) => {
    const file = rcFile(shell, home, env);
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    const block = text.includes(BEGIN) ? findBlock(text) : undefined;
    if (!block) return { shell, file, installed: false };
    const runs = /^npm\(\) \{(?:(?!then ).)*then (.*?) guard --/m.exec(text.slice(block.start, block.end))?.[1] ?? /^[ \t]+(\S.*?)? guard -- npm/m.exec(text.slice(block.start, block.end))?.[1];
    return { shell, file, installed: true, ...(runs ? { runs } : {}) };
  });
}
