// The guard's warm fast path. An npm command whose check is a pure function of local files
// (`npm install` on a lockfile in sync with package.json, `npm ci`: no resolution runs, the
// project's own lockfile is what gets installed) has its clean verdict recorded under a key
// made of everything that decides what gets installed and how it is judged: the guard's
// whole argument list, the working directory, the bytes of package.json, .npmrc and the
// lockfiles, the user's .npmrc, the environment that configures npm and exfilscan, the
// analysis version (all code + signatures) and the known-malicious store's size and mtime.
// When the same key comes again, the command runs after loading only this module and Node
// built-ins (no commander, zod, YAML, HTTP client, archive reader or SQLite).
//
// Only the full path writes entries, only for a clean verdict with nothing allowed, nothing
// unanalysed and nothing to write into the project; it recomputes the key after the check and
// stores nothing if any input changed meanwhile. Anything unusual here (an option this
// module does not know, an unreadable or tampered entry) means the full path runs.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { analysisVersion } from "../deps/analysis-version.js";
import { BUILTIN_SIGNATURES_DIR } from "../rules/signature-digest.js";
import { inlineNpmCli, runNpmInline } from "./npm-inline.js";

const FORMAT = "guard-fast-v1";

/** Guard options whose only effect is on the key (and where the index lives). Anything else (--allow, --fail-open, --db, --help, global options) takes the full path. */
const VALUE_OPTIONS = new Set(["--fail-on", "--cache-dir", "--timeout", "--advisory-store"]);
const FLAG_OPTIONS = new Set(["--offline", "--check-only", "--no-color"]);
/** Project files the plan reads (src/guard/npm.ts). */
const PROJECT_FILES = ["package.json", ".npmrc", "npm-shrinkwrap.json", "package-lock.json"];
/** Environment that configures npm, exfilscan, where its caches and state live, and which programs run (the step trace, src/guard/trace.ts, only prints). */
const ENV = /^(npm_config_|exfilscan_(?!guard_trace$)|xdg_|node_)|^(home|path|userprofile)$/i;

export interface FastInvocation {
  /** Everything after `exfilscan`, starting with `guard`. */
  args: string[];
  /** The package-manager command after `--`. */
  command: string[];
  cacheDir: string;
  advisoryStore: string;
  checkOnly: boolean;
}

export interface FastEntry {
  /** The guard's "checked N packages …" line. */
  say: string;
  /** The command the full path ran after this check. */
  install: string[];
}

/** `guard [the options above] -- <npm …>`, as commander reads it; undefined for anything else. */
export function fastInvocation(args: string[], env: NodeJS.ProcessEnv): FastInvocation | undefined {
  if (args[0] !== "guard" || env["EXFILSCAN_DB"] || env["EXFILSCAN_GUARD_FAST"] === "0") return undefined;
  let cacheDir: string | undefined;
  let advisoryStore: string | undefined;
  let checkOnly = false;
  let i = 1;
  for (; i < args.length && args[i] !== "--"; i++) {
    const arg = args[i]!;
    if (FLAG_OPTIONS.has(arg)) {
      if (arg === "--check-only") checkOnly = true;
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_OPTIONS.has(name)) return undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) return undefined;
    if (name === "--cache-dir") cacheDir = value;
    if (name === "--advisory-store") advisoryStore = value;
  }
  const command = args.slice(i + 1);
  const program = command[0]?.split(/[\\/]/).pop()?.replace(/\.(exe|cmd)$/i, "");
  if (program !== "npm") return undefined;
  const cacheHome = env["XDG_CACHE_HOME"] || join(homedir(), ".cache");
  return {
    args,
    command,
    // As src/registry/http.ts defaultRegistryOptions and src/advisories/store.ts resolveStorePath.
    cacheDir: resolve(cacheDir ?? (env["EXFILSCAN_CACHE_DIR"] || join(cacheHome, "exfilscan"))),
    advisoryStore: resolve(advisoryStore ?? (env["EXFILSCAN_ADVISORY_STORE"] || join(cacheHome, "exfilscan", "advisories.json"))),
    checkOnly,
  };
}

const fileDigest = (file: string): string => {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch (error) {
    // Absent is an input like any other; anything else (unreadable, a directory) is doubt.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw error;
  }
};

/** The key of an invocation in a directory: see the top of this file. */
export function fastKey(invocation: FastInvocation, cwd: string, env: NodeJS.ProcessEnv): string {
  const dir = resolve(cwd);
  const store = statSync(invocation.advisoryStore, { throwIfNoEntry: false });
  const userNpmrc = env["npm_config_userconfig"] || env["NPM_CONFIG_USERCONFIG"] || join(env["HOME"] || homedir(), ".npmrc");
  const inputs = {
    format: FORMAT,
    analysis: analysisVersion([BUILTIN_SIGNATURES_DIR]),
    node: process.version,
    args: invocation.args,
    cwd: dir,
    cacheDir: invocation.cacheDir,
    store: store ? `${invocation.advisoryStore}:${store.size}:${store.mtimeMs}` : `${invocation.advisoryStore}:absent`,
    env: Object.entries(env).filter(([name, value]) => ENV.test(name) && value !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    files: PROJECT_FILES.map((name) => [name, fileDigest(join(dir, name))]),
    userNpmrc: [userNpmrc, fileDigest(userNpmrc)],
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
}

const entryFile = (invocation: FastInvocation, key: string) => join(invocation.cacheDir, "guard-fast", `${key}.json`);
const checksum = (body: string) => createHash("sha256").update(body).digest("hex");

/** The entry stored under this key, when it is intact and describes this command; else undefined. */
export function readFastEntry(invocation: FastInvocation, key: string): FastEntry | undefined {
  try {
    const stored = JSON.parse(readFileSync(entryFile(invocation, key), "utf8")) as { key?: unknown; check?: unknown; entry?: FastEntry };
    const entry = stored.entry;
    if (stored.key !== key || !entry || stored.check !== checksum(JSON.stringify(entry))) return undefined;
    if (typeof entry.say !== "string" || !Array.isArray(entry.install) || !entry.install.every((w) => typeof w === "string")) return undefined;
    // The command that runs is the one the user typed's program (npm ci, npm install --no-audit --no-fund …).
    if (entry.install[0] !== invocation.command[0]) return undefined;
    return entry;
  } catch {
    return undefined;
  }
}

/** Store a clean verdict under `key` when the inputs still give that key (temp file + rename: a reader never sees half an entry). */
export function writeFastEntry(invocation: FastInvocation, key: string, cwd: string, env: NodeJS.ProcessEnv, entry: FastEntry): boolean {
  if (fastKey(invocation, cwd, env) !== key) return false;
  const file = entryFile(invocation, key);
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify({ key, check: checksum(JSON.stringify(entry)), entry }));
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  return true;
}

/** runFastGuard's answer when npm now runs in this process and ends it (src/guard/npm-inline.ts). */
export const HANDED_TO_NPM = "handed-to-npm";

/**
 * The whole warm run: the recorded command's exit code when a clean verdict for exactly these
 * inputs is recorded, else undefined (the caller runs the full guard). When npm can run in this
 * process (src/guard/npm-inline.ts), it does, and HANDED_TO_NPM says the caller must do nothing more.
 */
export async function runFastGuard(args: string[], cwd: string, env: NodeJS.ProcessEnv, say: (text: string) => void): Promise<number | typeof HANDED_TO_NPM | undefined> {
  let entry: FastEntry | undefined;
  let invocation: FastInvocation | undefined;
  try {
    invocation = fastInvocation(args, env);
    if (invocation) entry = readFastEntry(invocation, fastKey(invocation, cwd, env));
  } catch {
    return undefined;
  }
  if (!invocation || !entry) return undefined;
  say(entry.say);
  if (invocation.checkOnly) return 0;
  const inline = env === process.env && resolve(cwd) === process.cwd() ? inlineNpmCli(entry.install[0]!, cwd, env) : undefined;
  if (inline) {
    runNpmInline(inline, entry.install.slice(1));
    return HANDED_TO_NPM;
  }
  const { runInherited } = await import("./process.js");
  return runInherited(entry.install, cwd, env);
}
