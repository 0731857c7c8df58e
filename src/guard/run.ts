// exfilscan guard: understand the command → work out what it would install (no package code
// runs) → fetch, verify and scan every package (verdicts cached by digest + analysis
// version) → refuse, or install exactly what was scanned. Fails closed unless told otherwise.
import type { AdvisoryStore } from "../advisories/index.js";
import { errorMessage } from "../core/errors.js";
import { isAtLeast, type ScanReport, type Severity } from "../core/types.js";
import type { ResultCache } from "../deps/cache.js";
import { openLockMemo, openTreeMemo } from "../deps/memo.js";
import type { SharedVerdictCache } from "../deps/shared-cache.js";
import type { ParsedLockfile } from "../deps/types.js";
import type { Analyzer } from "../deps/workers.js";
import type { RegistryOptions } from "../registry/http.js";
import type { Signatures } from "../rules/signatures.js";
import { isAllowed, recordAllowed, type Allowance } from "./allow.js";
import { parseCommand, pinnedVersion, pipCommandIndexes, type ParsedCommand } from "./command.js";
import { HANDED_TO_NPM } from "./fast.js";
import { checkInsideReify, npmArborist, sayIfNeverChecked, type InsideVerdict } from "./npm-inside.js";
import { inlineNpmCli, runNpmInline } from "./npm-inline.js";
import { key, LOCKS, lockKeys, lockMatchesManifest, planNpm, readLockJson, ResolutionError, resolvesPinned, type LockJson } from "./npm.js";
import { runInherited, tail } from "./process.js";
import { trace } from "./trace.js";
import { parseNpmLockJson } from "../deps/lockfiles/npm.js";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const GUARD_REFUSED = 1;
export const GUARD_UNCHECKED = 2;

export interface GuardOptions {
  failOn: Severity;
  failOpen: boolean;
  allow: Allowance[];
  reason?: string;
  checkOnly: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  color: boolean;
  /** Loaded only when something has to be scanned (a reused report needs none). */
  signatures: () => Promise<Signatures>;
  advisories?: AdvisoryStore;
  registry: RegistryOptions;
  /** Created only when something has to be analysed. */
  analyzer: () => Promise<Analyzer>;
  cache: ResultCache;
  /** --db: the verdict cache shared with other runners. */
  sharedCache?: SharedVerdictCache;
  /** Guard messages (stderr); the package manager keeps stdout. */
  say: (text: string) => void;
  /** Result-cache key and known-malicious store file: with both, a clean verdict on an unchanged resolved lockfile is reused whole (src/deps/memo.ts). */
  memo?: { analysisVersion: string; advisoryStore?: string };
  /** Records a clean verdict for the warm fast path (src/guard/fast.ts), which checks the inputs did not change meanwhile. */
  recordClean?: (entry: { say: string; install: string[] }) => void;
}

interface Plan {
  lockfile: ParsedLockfile;
  install: string[];
  newCount?: number;
  /** A clean verdict may be reused by the fast path (see NpmPlan.reusable). */
  reusable?: boolean;
  beforeInstall: () => Promise<void>;
  cleanup: () => void;
}

export async function runGuard(argv: string[], options: GuardOptions): Promise<number | typeof HANDED_TO_NPM> {
  trace("start-up (until the guard runs)");
  const cmd = parseCommand(argv);
  if (cmd.action === "passthrough") return options.checkOnly ? 0 : runInherited(argv, options.cwd, options.env);
  const inside = insideNpm(cmd, options);
  if (inside) return runInsideNpm(inside, cmd, argv, options);
  let plan: Plan;
  try {
    plan = await makePlan(cmd, options);
  } catch (error) {
    const why = errorMessage(error);
    if (cmd.family === "pip" && error instanceof ResolutionError) {
      // Wheels alone did not resolve: the pinned source distributions are still scanned, so a
      // malicious setup.py is named, even though nothing will be installed.
      const refused = await scanPinnedSdists(cmd, options);
      if (refused !== undefined) return refused;
    }
    return unchecked(argv, why, options);
  }
  try {
    const outcome = await check(plan.lockfile, plan.newCount, cmd, argv, options);
    if (outcome.kind === "refused") return GUARD_REFUSED;
    if (outcome.kind === "unchecked") return options.failOpen ? (options.checkOnly ? 0 : runInherited(argv, options.cwd, options.env)) : GUARD_UNCHECKED;
    // Clean, nothing allowed (an allowance is recorded on every run), nothing to write into the project.
    if (plan.reusable && !outcome.allowed && !options.allow.length && options.recordClean) {
      try {
        options.recordClean({ say: outcome.checked, install: plan.install });
      } catch {
        // the next run takes the full path again
      }
    }
    if (options.checkOnly) return 0;
    await plan.beforeInstall();
    // npm in this process when spawning it would run that very npm (src/guard/npm-inline.ts).
    const cli = cmd.manager === "npm" ? inlineHere(plan.install[0]!, options) : undefined;
    if (cli) {
      runNpmInline(cli, plan.install.slice(1));
      return HANDED_TO_NPM;
    }
    return await runInherited(plan.install, options.cwd, options.env);
  } finally {
    plan.cleanup();
  }
}

type Outcome = { kind: "clean"; checked: string; allowed: boolean } | { kind: "refused" } | { kind: "unchecked" };

/**
 * Fetches, verifies and scans every package of `lockfile` (a clean report of the same resolved
 * lockfile is reused whole) and says what it found: the refusal with its findings, why the
 * check could not complete, or the "checked N packages" line (allowances recorded).
 */
async function check(lockfile: ParsedLockfile, newCount: number | undefined, cmd: ParsedCommand, argv: string[], options: GuardOptions, inMemory = false): Promise<Outcome> {
  // A tree npm resolved in this process has no lockfile text: its report is keyed by the parsed packages.
  const memo =
    options.memo &&
    (inMemory
      ? openTreeMemo(lockfile, options.registry.cacheDir, options.memo.analysisVersion, options.memo.advisoryStore)
      : openLockMemo(lockfile.file, lockfile.kind, options.registry.cacheDir, options.memo.analysisVersion, options.memo.advisoryStore));
  let report = memo?.get();
  trace(report ? "stored report read" : "no stored report");
  if (!report) {
    // The scanning stack loads only when something has to be scanned.
    const [{ scanDependencies }, { DEFAULT_LIMITS }] = await Promise.all([import("../deps/scan.js"), import("../ingest/index.js")]);
    const lazy = lazyAnalyzer(options);
    try {
      report = await scanDependencies({ sources: [lockfile], usageErrors: [] }, {
        signatures: await options.signatures(),
        ...(options.advisories ? { advisories: options.advisories } : {}),
        limits: DEFAULT_LIMITS,
        registry: options.registry,
        analyzer: lazy.analyzer,
        cache: options.cache,
        ...(options.sharedCache ? { sharedCache: options.sharedCache } : {}),
      });
    } finally {
      await lazy.close();
    }
    memo?.put(report);
    trace("packages checked");
  }
  const verdict = decide(report, options);
  if (verdict.blocking.length) {
    await refuse(report, verdict.blocking.map((f) => f.package), options, cmd);
    return { kind: "refused" };
  }
  const unanalysed = report.errors.filter((e) => !e.file);
  if (unanalysed.length) {
    sayUnchecked(unanalysed.map((e) => `${e.input}: ${e.message}`).join("\n"), options);
    return { kind: "unchecked" };
  }
  if (verdict.allowed.length) {
    const file = recordAllowed(
      groupAllowed(verdict.allowed).map(([pkg, findings]) => ({ package: pkg, reason: options.reason ?? "", command: argv, findings })),
      options.env,
    );
    options.say(`exfilscan: allowed despite findings: ${groupAllowed(verdict.allowed).map(([p]) => p).join(", ")} (recorded in ${file})\n`);
  }
  const names = lockfile.packages.map((p) => `${p.name}@${p.version ?? "?"}`).sort();
  const cached = report.deps?.fromCache ?? 0;
  const shared = report.deps?.sharedCache?.hits ?? 0;
  const checked = `exfilscan: checked ${names.length} package${names.length === 1 ? "" : "s"}${newCount !== undefined ? ` (${newCount} new)` : ""}${cached ? `, ${cached} from cache${shared ? ` (${shared} from the shared cache)` : ""}` : ""}: ${names.join(" ")}\n`;
  options.say(checked);
  trace("verdict said");
  return { kind: "clean", checked, allowed: verdict.allowed.length > 0 };
}

/**
 * npm can resolve and install in this process with the check between the two
 * (src/guard/npm-inside.ts): an install or update that resolves (a package named, or a lockfile
 * out of step with package.json), from a pinned lockfile or none, npm runnable here as spawning
 * it would run it. `EXFILSCAN_GUARD_INSIDE=0` turns it off (resolution in a temporary copy).
 */
interface InsideNpm {
  cli: string;
  arborist: NonNullable<ReturnType<typeof npmArborist>>;
  /** The project's lockfile name (package-lock.json when there is none yet). */
  lockName: string;
  /** Its JSON, read once (undefined when there is none). */
  current: LockJson | undefined;
}

function insideNpm(cmd: ParsedCommand, options: GuardOptions): InsideNpm | undefined {
  if (cmd.manager !== "npm" || (cmd.action !== "install" && cmd.action !== "update") || cmd.global || options.checkOnly) return undefined;
  if (options.env["EXFILSCAN_GUARD_INSIDE"] === "0") return undefined;
  if (options.registry.offline) return undefined; // the resolver runs in a child with the offline environment (makePlan)
  if (cmd.npmSpecs.some((s) => s.kind === "other")) return undefined; // refused with the reason by planNpm
  const lockName = LOCKS.find((n) => existsSync(join(options.cwd, n))) ?? "package-lock.json";
  if (cmd.action === "install" && !cmd.npmSpecs.length && lockMatchesManifest(options.cwd, lockName)) return undefined; // no resolution: the lockfile as it is
  const current = existsSync(join(options.cwd, lockName)) ? readLockJson(join(options.cwd, lockName)) : undefined;
  if (!resolvesPinned(options.cwd, lockName, current)) return undefined;
  const cli = inlineHere(cmd.program, options);
  const arborist = cli ? npmArborist(cli) : undefined;
  trace("npm's Arborist loaded");
  return cli && arborist ? { cli, arborist, lockName, current } : undefined;
}

/** npm's CLI file when `program` can run in this process, as spawning it would run it. */
function inlineHere(program: string, options: GuardOptions): string | undefined {
  return options.env === process.env && resolve(options.cwd) === process.cwd() ? inlineNpmCli(program, options.cwd, options.env) : undefined;
}

/** npm runs here; its resolved tree is checked before it installs anything. Resolves once the check is done (npm ends the process). */
async function runInsideNpm({ cli, arborist, lockName, current }: InsideNpm, cmd: ParsedCommand, argv: string[], options: GuardOptions): Promise<typeof HANDED_TO_NPM> {
  const currentPath = join(options.cwd, lockName);
  const goOn = (): InsideVerdict => (options.failOpen ? { proceed: true } : { exitCode: GUARD_UNCHECKED });
  let ran = false;
  let done!: () => void;
  const checked = new Promise<void>((resolve) => (done = resolve));
  const settled = () => {
    ran = true;
    done();
  };
  sayIfNeverChecked(() => ran, options.say, options.failOpen ? undefined : GUARD_UNCHECKED);
  process.on("exit", () => trace("npm ended"));
  checkInsideReify(arborist, {
    resolutionFailed: async (error) => {
      sayUnchecked(`npm could not resolve the packages:\n${tail(errorMessage(error))}`, options);
      settled();
      return goOn();
    },
    check: async (json) => {
      try {
        // The lockfile npm will write, read from its resolved tree (file: and link: packages lie next to it).
        const lockfile = parseNpmLockJson(currentPath, json);
        trace("resolved lockfile parsed");
        const unpinned = lockfile.packages.filter((p) => p.source === "registry" && !p.unscannable && !p.integrity.length);
        const problems = [...lockfile.problems.map((p) => p.message), ...unpinned.map((p) => `${p.name}@${p.version ?? "?"}: npm resolved it without an integrity, so the install could not be tied to what is checked`)];
        if (problems.length) {
          sayUnchecked(problems.join("\n"), options);
          return goOn();
        }
        const before = current ? lockKeys(currentPath, current) : existsSync(currentPath) ? lockKeys(currentPath) : new Set<string>();
        trace("current lockfile read");
        const outcome = await check(lockfile, lockfile.packages.filter((p) => !before.has(key(p))).length, cmd, argv, options, true);
        return outcome.kind === "clean" ? { proceed: true } : outcome.kind === "refused" ? { exitCode: GUARD_REFUSED } : goOn();
      } catch (error) {
        sayUnchecked(errorMessage(error), options);
        return goOn();
      } finally {
        settled();
      }
    },
  });
  runNpmInline(cli, argv.slice(1));
  trace("npm loaded");
  await checked;
  return HANDED_TO_NPM;
}

/**
 * With --offline the resolver the guard runs (npm/pnpm/yarn --package-lock-only, pip
 * --dry-run) must not use the network either: npm and pnpm read `npm_config_offline`, Yarn
 * 2+ `YARN_ENABLE_NETWORK`, pip (also for uv) `PIP_NO_INDEX`; Yarn 1 reads none of them and
 * gets `--offline` when `npm_config_offline` is set (js-managers.ts); npm's update check is off. They resolve from their own
 * caches or fail, and the guard fails closed.
 */
const OFFLINE_RESOLVER_ENV = { npm_config_offline: "true", npm_config_update_notifier: "false", YARN_ENABLE_NETWORK: "0", PIP_NO_INDEX: "1" };

/** Plans other than npm's, and pip's wheelhouse, load their modules when used. */
async function makePlan(cmd: ParsedCommand, guard: GuardOptions): Promise<Plan> {
  const options = guard.registry.offline ? { ...guard, env: { ...guard.env, ...OFFLINE_RESOLVER_ENV } } : guard;
  if (cmd.family === "npm") {
    const npm = cmd.manager === "npm" ? planNpm(cmd, options.cwd, options.env) : (await import("./js-managers.js")).planPnpmOrYarn(cmd, options.cwd, options.env);
    return { lockfile: npm.lockfile, install: npm.install, newCount: npm.added.length, reusable: cmd.manager === "npm" && npm.reusable, beforeInstall: async () => npm.apply(), cleanup: npm.cleanup };
  }
  const pip = (await import("./pip.js")).planPip(cmd, options.cwd, options.env);
  return {
    lockfile: pip.lockfile,
    install: pip.install,
    // The wheelhouse gets the very bytes that were scanned: same digest, read back from the archive cache.
    beforeInstall: async () => {
      const { fetchArchive, writeAtomically } = await import("../registry/http.js");
      for (const pkg of pip.lockfile.packages) {
        const file = pkg.files![0]!;
        const data = await fetchArchive(file.url!, file.digest!, options.registry);
        writeAtomically(join(pip.wheelhouse, file.name), data);
      }
    },
    cleanup: pip.cleanup,
  };
}

function lazyAnalyzer(options: GuardOptions): { analyzer: Analyzer; close: () => Promise<void> } {
  let made: Promise<Analyzer> | undefined;
  const get = () => (made ??= options.analyzer());
  return {
    analyzer: { threads: 1, analyze: async (...args) => (await get()).analyze(...args), close: async () => {} },
    close: async () => {
      if (made) await (await made).close();
    },
  };
}

function decide(report: ScanReport, options: GuardOptions) {
  const serious = report.findings.filter((f) => !f.suppressed && isAtLeast(f.severity, options.failOn));
  const allowed = serious.filter((f) => f.package?.name && isAllowed(options.allow, f.package.ecosystem, f.package.name, f.package.version));
  return { blocking: serious.filter((f) => !allowed.includes(f)), allowed };
}

function groupAllowed(findings: ScanReport["findings"]): [string, string[]][] {
  const by = new Map<string, string[]>();
  for (const f of findings) {
    const id = `${f.package!.ecosystem}:${f.package!.name}@${f.package!.version ?? "?"}`;
    by.set(id, [...(by.get(id) ?? []), `${f.ruleId} ${f.severity}: ${f.message}`]);
  }
  return [...by.entries()];
}

async function refuse(report: ScanReport, packages: ScanReport["findings"][number]["package"][], options: GuardOptions, cmd: ParsedCommand): Promise<number> {
  const { renderText } = await import("../report/text.js");
  options.say(renderText(report, { color: options.color, minSeverity: options.failOn }));
  const ids = [...new Set(packages.filter((p) => p).map((p) => `${p!.name}@${p!.version ?? "?"}`))];
  options.say(
    `exfilscan: refused: ${ids.join(", ")} ${ids.length === 1 ? "has" : "have"} findings at or above ${options.failOn}; nothing was installed and no package code ran.\n` +
      `  to install anyway, once:  exfilscan guard ${ids.map((id) => `--allow ${id}`).join(" ")} --reason "why this is safe" -- ${[cmd.program, ...cmd.prefix, ...(cmd.verb ? [cmd.verb] : []), ...cmd.args].join(" ")}\n`,
  );
  return GUARD_REFUSED;
}

async function unchecked(argv: string[], why: string, options: GuardOptions): Promise<number> {
  sayUnchecked(why, options);
  if (!options.failOpen) return GUARD_UNCHECKED;
  return options.checkOnly ? 0 : runInherited(argv, options.cwd, options.env);
}

function sayUnchecked(why: string, options: GuardOptions): void {
  if (!options.failOpen) options.say(`exfilscan: the check could not be completed, so nothing was installed (fail closed):\n${why.replace(/^/gm, "  ")}\n  --fail-open runs the command unchecked in such cases.\n`);
  else options.say(`exfilscan: warning: the check could not be completed; running the command UNCHECKED because of --fail-open:\n${why.replace(/^/gm, "  ")}\n`);
}

async function scanPinnedSdists(cmd: ParsedCommand, options: GuardOptions): Promise<number | undefined> {
  const pinned = cmd.pipRequirements.flatMap((r) => (r.name && pinnedVersion(r) ? [{ name: r.name, version: pinnedVersion(r)! }] : []));
  if (!pinned.length) return undefined;
  const { loadPipIndexConfig } = await import("../registry/config.js");
  const lockfile: ParsedLockfile = {
    file: "command line",
    kind: "requirements",
    indexUrls: pipCommandIndexes(cmd, loadPipIndexConfig(options.env)),
    problems: [],
    packages: pinned.map((p) => ({ ecosystem: "pypi", name: p.name, version: p.version, integrity: [], source: "registry", lockfile: "command line", line: 1, dev: false, optional: false, direct: true, paths: [[`${p.name}@${p.version}`]] })),
  };
  const lazy = lazyAnalyzer(options);
  try {
    const [{ scanDependencies }, { DEFAULT_LIMITS }] = await Promise.all([import("../deps/scan.js"), import("../ingest/index.js")]);
    const report = await scanDependencies({ sources: [lockfile], usageErrors: [] }, { signatures: await options.signatures(), limits: DEFAULT_LIMITS, registry: options.registry, analyzer: lazy.analyzer, cache: options.cache, ...(options.sharedCache ? { sharedCache: options.sharedCache } : {}) });
    const verdict = decide(report, options);
    return verdict.blocking.length ? await refuse(report, verdict.blocking.map((f) => f.package), options, cmd) : undefined;
  } catch {
    return undefined;
  } finally {
    await lazy.close();
  }
}
