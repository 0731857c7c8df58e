// `exfilscan guard [options] -- <package-manager command>`: check, then install exactly what was checked.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { SEVERITIES, type Severity } from "../../core/types.js";
import { analysisVersion, ResultCache } from "../../deps/cache.js";
import { sharedCacheFrom } from "../../deps/shared-cache.js";
import { parseAllow } from "../../guard/allow.js";
import { fastInvocation, fastKey, HANDED_TO_NPM, writeFastEntry, type FastEntry } from "../../guard/fast.js";
import { runGuard } from "../../guard/run.js";
import { trace } from "../../guard/trace.js";
import { loadNpmConfig } from "../../registry/config.js";
import { defaultRegistryOptions } from "../../registry/http.js";
import { BUILTIN_SIGNATURES_DIR } from "../../rules/signature-digest.js";
import { loadAdvisoryStore } from "../../advisories/index.js";
import { warn } from "../output.js";
import { resolveStorePath } from "../../advisories/store.js";

export function registerGuard(program: Command): void {
  const command = program
    .command("guard")
    .description("check what an npm/npx/pnpm/yarn/pip/uv command would install, then run it only if nothing reaches --fail-on")
    .usage("[options] -- <npm|npx|pnpm|yarn|pip|pip3|python -m pip|uv> <args...>")
    .argument("<command...>", "the package-manager command, after --")
    .option("--fail-on <severity>", `refuse when a finding is at or above: ${SEVERITIES.join("|")}`, "high")
    .option("--fail-open", "if the check cannot complete (registry down, unreadable archive), run the command anyway with a warning", false)
    .option("--allow <pkg@version>", "install this exact version despite its findings (repeatable; needs --reason; recorded)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("--reason <text>", "why the --allow is safe (recorded in the state directory)")
    .option("--check-only", "check and print the verdict, never run the command", false)
    .option("--cache-dir <dir>", "archive and verdict cache (default: $XDG_CACHE_HOME/exfilscan)")
    .option("--db <file|url>", "verdict cache shared by every runner: a postgres:// URL or a SQLite file (env EXFILSCAN_DB; docs/fleet.md)")
    .option("--db-key-file <file>", "the fleet's key signing shared verdicts (env EXFILSCAN_DB_KEY_FILE, or the key itself in EXFILSCAN_DB_KEY)")
    .option("--offline", "use only the cache (fails closed when it lacks something)", false)
    .option("--timeout <ms>", "per-request timeout", "30000")
    .option("--advisory-store <file>", "known-malicious package store (env EXFILSCAN_ADVISORY_STORE); used when present")
    .option("--no-color", "no colours");
  command.action(async (argv: string[], raw: Record<string, unknown>) => {
    // The fast path's key, taken before anything is read: a clean verdict is recorded under it
    // only if the inputs still give it after the check (src/guard/fast.ts).
    trace("command line loaded");
    const fast = fastInvocation(process.argv.slice(2), process.env);
    const fastKeyBefore = fast ? fastKey(fast, process.cwd(), process.env) : undefined;
    const failOn = String(raw["failOn"]);
    if (!(SEVERITIES as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(", ")} (got "${failOn}")`);
    const allow = (raw["allow"] as string[]).map(parseAllow);
    const reason = raw["reason"] as string | undefined;
    if (allow.length && !reason?.trim()) throw new UsageError('--allow needs --reason "why this is safe" (it is recorded)');
    const timeoutMs = Number(raw["timeout"]);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UsageError("--timeout must be a positive integer");
    const extraDirs = (program.opts()["signatures"] as string[] | undefined) ?? [];
    // The rule set is read only when a package has to be scanned: a reused report needs only its
    // version (the digest of the signature files). Extra directories are read now, so a bad one
    // is a usage error on every run.
    const load = async () => (await import("../../rules/signatures.js")).loadSignatures(extraDirs);
    let loaded = extraDirs.length ? Promise.resolve(await load()) : undefined;
    const signatures = () => (loaded ??= load());
    trace("fast-path key");
    const version = analysisVersion([BUILTIN_SIGNATURES_DIR, ...extraDirs]);
    trace("analysis version");
    // Quiet when absent: the guard stays silent on clean installs.
    const advisories = loadAdvisoryStore(resolveStorePath(raw["advisoryStore"] as string | undefined));
    trace("advisory store");
    const defaults = defaultRegistryOptions();
    const npmrc = loadNpmConfig([process.cwd()]);
    const registry = {
      ...defaults,
      offline: Boolean(raw["offline"]),
      npmrc,
      npmRegistry: process.env["npm_config_registry"] ? defaults.npmRegistry : npmrc.registry ?? defaults.npmRegistry,
      cacheDir: String(raw["cacheDir"] ?? defaults.cacheDir),
      timeoutMs,
    };
    trace(".npmrc read");
    const sharedCache = sharedCacheFrom(raw, version, warn);
    const color = raw["color"] !== false && Boolean(process.stderr.isTTY) && !process.env["NO_COLOR"];
    try {
      const code = await runGuard(argv, {
        failOn: failOn as Severity,
        failOpen: Boolean(raw["failOpen"]),
        allow,
        ...(reason ? { reason } : {}),
        checkOnly: Boolean(raw["checkOnly"]),
        cwd: process.cwd(),
        env: process.env,
        color,
        signatures,
        ...(advisories ? { advisories } : {}),
        registry,
        // Loaded only when a package has to be analysed: a warm guard never loads the analyzers.
        analyzer: async () => (await import("../../deps/workers.js")).createAnalyzer(Math.max(1, Math.min(4, availableParallelism())), await signatures(), extraDirs),
        cache: new ResultCache(registry.cacheDir, version),
        ...(sharedCache ? { sharedCache } : {}),
        memo: { analysisVersion: version, advisoryStore: resolveStorePath(raw["advisoryStore"] as string | undefined) },
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
  });
}

