// What `exfilscan guard` does with its options (read by commander in src/cli/commands/guard.ts,
// or by src/guard/entry.ts for the common shape): the registry, caches and stores it uses, then
// the check and the install (src/guard/run.ts). What is needed only to scan (the rule set, the
// analyzers) or for a shared verdict cache loads only when used.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import { SEVERITIES, type Severity } from "../core/types.js";
import { analysisVersion, ResultCache } from "../deps/cache.js";
import { parseAllow } from "./allow.js";
import { fastInvocation, fastKey, HANDED_TO_NPM, writeFastEntry, type FastEntry } from "./fast.js";
import { runGuard } from "./run.js";
import { trace } from "./trace.js";
import { loadNpmConfig } from "../registry/config.js";
import { defaultRegistryOptions } from "../registry/http.js";
import { BUILTIN_SIGNATURES_DIR } from "../rules/signature-digest.js";
import { loadAdvisoryStore } from "../advisories/index.js";
import { resolveStorePath } from "../advisories/store.js";

/** The guard's options, as commander names them. */
export interface GuardFlags {
  failOn: string;
  failOpen: boolean;
  allow: string[];
  reason?: string;
  checkOnly: boolean;
  cacheDir?: string;
  db?: string;
  dbKeyFile?: string;
  offline: boolean;
  timeout: string;
  advisoryStore?: string;
  color: boolean;
}

/** Checks `argv` (the package-manager command) and runs it when clean; sets the exit code (or npm, running in this process, does). */
export async function runGuardCommand(argv: string[], raw: GuardFlags, extraDirs: string[]): Promise<void> {
  // The fast path's key, taken before anything is read: a clean verdict is recorded under it
  // only if the inputs still give it after the check (src/guard/fast.ts).
  trace("command line loaded");
  const fast = fastInvocation(process.argv.slice(2), process.env);
  const fastKeyBefore = fast ? fastKey(fast, process.cwd(), process.env) : undefined;
  const failOn = String(raw.failOn);
  if (!(SEVERITIES as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(", ")} (got "${failOn}")`);
  const allow = raw.allow.map(parseAllow);
  const reason = raw.reason;
  if (allow.length && !reason?.trim()) throw new UsageError('--allow needs --reason "why this is safe" (it is recorded)');
  const timeoutMs = Number(raw.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UsageError("--timeout must be a positive integer");
  // The rule set is read only when a package has to be scanned: a reused report needs only its
  // version (the digest of the signature files). Extra directories are read now, so a bad one
  // is a usage error on every run.
  const load = async () => (await import("../rules/signatures.js")).loadSignatures(extraDirs);
  let loaded = extraDirs.length ? Promise.resolve(await load()) : undefined;
  const signatures = () => (loaded ??= load());
  trace("fast-path key");
  const version = analysisVersion([BUILTIN_SIGNATURES_DIR, ...extraDirs]);
  trace("analysis version");
  // Quiet when absent: the guard stays silent on clean installs.
  const advisories = loadAdvisoryStore(resolveStorePath(raw.advisoryStore));
  trace("advisory store");
  const defaults = defaultRegistryOptions();
  const npmrc = loadNpmConfig([process.cwd()]);
  const registry = {
    ...defaults,
    offline: Boolean(raw.offline),
    npmrc,
    npmRegistry: process.env["npm_config_registry"] ? defaults.npmRegistry : npmrc.registry ?? defaults.npmRegistry,
    cacheDir: String(raw.cacheDir ?? defaults.cacheDir),
    timeoutMs,
  };
  trace(".npmrc read");
  // The shared verdict cache (and its database client) loads only when one is configured.
  const sharedCache = raw.db || process.env["EXFILSCAN_DB"] ? (await import("../deps/shared-cache.js")).sharedCacheFrom(raw, version, (await import("../cli/output.js")).warn) : undefined;
  const color = raw.color !== false && Boolean(process.stderr.isTTY) && !process.env["NO_COLOR"];
  try {
    const code = await runGuard(argv, {
      failOn: failOn as Severity,
      failOpen: Boolean(raw.failOpen),
      allow,
      ...(reason ? { reason } : {}),
      checkOnly: Boolean(raw.checkOnly),
      cwd: process.cwd(),
      env: process.env,
      color,
      signatures,
      ...(advisories ? { advisories } : {}),
      registry,
      // Loaded only when a package has to be analysed: a warm guard never loads the analyzers.
      analyzer: async () => (await import("../deps/workers.js")).createAnalyzer(Math.max(1, Math.min(4, availableParallelism())), await signatures(), extraDirs),
      cache: new ResultCache(registry.cacheDir, version),
      ...(sharedCache ? { sharedCache } : {}),
      memo: { analysisVersion: version, advisoryStore: resolveStorePath(raw.advisoryStore) },
      say: (text) => process.stderr.write(text),
      ...(fast && fastKeyBefore && fast.cacheDir === resolve(registry.cacheDir)
        ? { recordClean: (entry: FastEntry) => void writeFastEntry(fast, fastKeyBefore, process.cwd(), process.env, entry) }
        : {}),
    });
    // npm now runs in this process and ends it with its own exit code (src/guard/npm-inside.ts).
    if (code !== HANDED_TO_NPM) process.exitCode = code;
  } finally {
    await sharedCache?.close();
  }
}
