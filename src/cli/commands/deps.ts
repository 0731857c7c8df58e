// `exfilscan deps [DIR|LOCKFILE...]`: every package of a project's lockfiles (and, with
// --installed, its node_modules / site-packages), fetched, verified, cached and scanned.
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { TOOL_VERSION } from "../../core/version.js";
import { analysisVersion, ResultCache } from "../../deps/cache.js";
import { sharedCacheFrom } from "../../deps/shared-cache.js";
import { withDepsRules } from "../../deps/rules.js";
import type { DepsProgress } from "../../deps/scan.js";
import type { ChangedInputs } from "../../deps/changed.js";
import { openMemo } from "../../deps/memo.js";
import { resolveStorePath } from "../../advisories/store.js";
import { DEFAULT_LIMITS } from "../../ingest/index.js";
import { REPORTERS, REPORTER_NAMES, type ReporterName } from "../../report/index.js";
import { loadNpmConfig, loadPipIndexConfig } from "../../registry/config.js";
import { defaultRegistryOptions, type RegistryOptions } from "../../registry/http.js";
import { loadSignatures } from "../../rules/signatures.js";
import { addReportOptions, emit, exitCodeFor, resolveReportOptions, warn, warnBlocking } from "../output.js";
import { addScanExtrasOptions, applyIgnoreOption, loadAdvisoriesOption, loadIgnoreOption } from "../scan-extras.js";
import { trimSlashes } from "../../core/trim.js";

const positive = (flag: string, value: unknown): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer`);
  return n;
};

export function registerDeps(program: Command): void {
  const command = program
    .command("deps")
    .description("scan every dependency of a project: lockfiles (npm, yarn, pnpm, pip, poetry, uv, pdm, pipenv) and installed trees")
    .argument("[inputs...]", "project directories, lockfiles, node_modules or site-packages folders (default: .)")
    .option("--installed", "also scan installed trees found under the directories (node_modules, virtualenv site-packages)", false)
    .option("--prod", "only packages needed in production (no dev dependencies)", false)
    .option("--dev", "only dev dependencies", false)
    .option("--ecosystem <name>", "only npm or pypi packages")
    .option("--registry <url>", "npm registry (default: .npmrc registry, $npm_config_registry or https://registry.npmjs.org)")
    .option("--pypi-url <url>", "PyPI JSON API base URL (default: $EXFILSCAN_PYPI_URL or https://pypi.org); without either, PIP_INDEX_URL/PIP_EXTRA_INDEX_URL/pip.conf indexes are asked (PEP 691 simple API)")
    .option("--cache-dir <dir>", "archive and result cache, safe to share between runs and CI runners (default: $XDG_CACHE_HOME/exfilscan)")
    .option("--db <file|url>", "verdict cache shared by every runner: a postgres:// URL or a SQLite file (env EXFILSCAN_DB; docs/fleet.md)")
    .option("--db-key-file <file>", "the fleet's key signing shared verdicts (env EXFILSCAN_DB_KEY_FILE, or the key itself in EXFILSCAN_DB_KEY)")
    .option("--workers <n>", "analysis threads", String(Math.max(1, Math.min(4, availableParallelism()))))
    .option("--concurrency <n>", "parallel downloads", "8")
    .option("--timeout <ms>", "per-request timeout", "30000")
    .option("--allow-unanalysed", "do not exit 2 because some packages could not be analysed (they are still listed)", false)
    .option("-q, --quiet", "no progress bar and no notes on stderr", false)
    .option("--changed-since <git-ref>", "scan only packages added or changed since the merge base with this ref (and the project's own changed files); diff moved packages against their old version");
  addScanExtrasOptions(command);
  addReportOptions(command, REPORTER_NAMES).action(async (inputs: string[], raw: Record<string, unknown>) => {
    const options = resolveReportOptions(raw, REPORTER_NAMES);
    const quiet = Boolean(raw["quiet"]);
    if (raw["prod"] && raw["dev"]) throw new UsageError("--prod and --dev exclude each other");
    const ecosystem = raw["ecosystem"] as string | undefined;
    if (ecosystem && ecosystem !== "npm" && ecosystem !== "pypi") throw new UsageError(`--ecosystem must be npm or pypi (got "${ecosystem}")`);
    const extraSignatureDirs = (program.opts()["signatures"] as string[] | undefined) ?? [];
    const signatures = loadSignatures(extraSignatureDirs);
    const ignores = await loadIgnoreOption(raw, signatures);
    const targets = inputs.length ? inputs : ["."];
    const version = analysisVersion(signatures.dirs);
    // Warm path: an unchanged project's whole report in one read (src/deps/memo.ts).
    const memo = raw["changedSince"]
      ? undefined
      : openMemo(targets, { installed: Boolean(raw["installed"]), prodOnly: Boolean(raw["prod"]), devOnly: Boolean(raw["dev"]), ...(ecosystem ? { ecosystem } : {}), advisoryStore: resolveStorePath(raw["advisoryStore"] as string | undefined) }, cacheDirFrom(raw), version);
    let report = memo?.get();
    let readable = true;
    if (!report) {
      const { readInputs, scanDependencies } = await import("../../deps/scan.js");
      const { createAnalyzer } = await import("../../deps/workers.js");
      const advisories = quiet ? await loadQuietly(raw) : await loadAdvisoriesOption(raw);
      let sources = await readInputs(targets, Boolean(raw["installed"]));
      let changed: ChangedInputs | undefined;
      if (raw["changedSince"]) {
        const { changedInputs } = await import("../../deps/changed.js");
        changed = await changedInputs(String(raw["changedSince"]), process.cwd(), sources);
        sources = changed.inputs;
      }
      const registry = registryFrom(raw, options.offline, sources.sources.map((s) => dirname(resolve(s.file))));
      const cache = new ResultCache(registry.cacheDir, version);
      const sharedCache = sharedCacheFrom(raw, version, quiet ? () => {} : warn);
      const analyzer = createAnalyzer(positive("--workers", raw["workers"]), signatures, extraSignatureDirs);
      const bar = !quiet && process.stderr.isTTY && !process.env["CI"] ? await progressBar() : undefined;
      try {
        report = await scanDependencies(sources, {
          signatures,
          ...(advisories ? { advisories } : {}),
          limits: DEFAULT_LIMITS,
          registry,
          analyzer,
          cache,
          ...(sharedCache ? { sharedCache } : {}),
          concurrency: positive("--concurrency", raw["concurrency"]),
          prodOnly: Boolean(raw["prod"]),
          devOnly: Boolean(raw["dev"]),
          ...(ecosystem ? { ecosystem: ecosystem as "npm" | "pypi" } : {}),
          ...(bar ? { onProgress: bar.update } : {}),
        });
      } finally {
        bar?.stop();
        await analyzer.close();
        await sharedCache?.close();
      }
      memo?.put(report);
      if (changed) {
        const { scanChanges } = await import("../../deps/changed.js");
        report = await scanChanges(report, changed, process.cwd(), { signatures, ...(advisories ? { advisories } : {}), limits: DEFAULT_LIMITS, registry });
        const c = changed.summary;
        if (!quiet) warn(`changes since ${c.ref} (${c.mergeBase.slice(0, 12)}): ${c.added.length} added, ${c.changed.length} changed, ${c.removed.length} removed dependencies; ${c.firstPartyFiles.length} own files${c.notes.length ? `; ${c.notes.join("; ")}` : ""}`);
      }
      readable = sources.sources.some((s) => s.problems.length === 0 || s.packages.length > 0);
    }
    report = await applyIgnoreOption(report, ignores, raw);
    if (!quiet) for (const error of report.errors) warn(`${error.input}${error.file && error.file !== error.input ? ` (${error.file}${error.line ? `:${error.line}` : ""})` : error.line ? `:${error.line}` : ""}: ${error.message}`);
    emit(REPORTERS[options.format as ReporterName](report, { color: options.color, rules: withDepsRules(signatures.rules), version: TOOL_VERSION, failOn: options.failOn }), options);
    warnBlocking(report.findings, options);
    const counted = report.errors.filter((e) => !e.file && !(raw["allowUnanalysed"] && e.message.startsWith("not analysed:")));
    process.exitCode = exitCodeFor(
      report.findings.filter((f) => !f.suppressed).map((f) => f.severity),
      options.failOn,
      report.targets.length + (readable ? 1 : 0),
      counted.length,
    );
  });
}

async function loadQuietly(raw: Record<string, unknown>) {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await loadAdvisoriesOption(raw);
  } finally {
    process.stderr.write = write;
  }
}

function registryFrom(raw: Record<string, unknown>, offline: boolean, projectDirs: string[]): RegistryOptions {
  const defaults = defaultRegistryOptions();
  const npmrc = loadNpmConfig([...new Set(projectDirs)]);
  const url = (value: unknown) => trimSlashes(String(value));
  return {
    ...defaults,
    offline,
    npmrc,
    npmRegistry: raw["registry"] ? url(raw["registry"]) : process.env["npm_config_registry"] ? defaults.npmRegistry : npmrc.registry ?? defaults.npmRegistry,
    pypiUrl: raw["pypiUrl"] ? url(raw["pypiUrl"]) : defaults.pypiUrl,
    // pip's own index settings, unless the index was named for this tool (--pypi-url, $EXFILSCAN_PYPI_URL).
    ...(raw["pypiUrl"] || process.env["EXFILSCAN_PYPI_URL"] ? {} : { pipIndexes: loadPipIndexConfig() }),
    cacheDir: String(raw["cacheDir"] ?? defaults.cacheDir),
    timeoutMs: positive("--timeout", raw["timeout"]),
  };
}

function cacheDirFrom(raw: Record<string, unknown>): string {
  return String(raw["cacheDir"] ?? defaultRegistryOptions().cacheDir);
}

async function progressBar() {
  const { SingleBar } = await import("cli-progress");
  const bar = new SingleBar({
    stream: process.stderr,
    clearOnComplete: true,
    hideCursor: true,
    format: "deps {bar} {value}/{total} | fetched {fetched} cached {cached} failed {failed} | {mb} MB | ETA {eta_formatted}",
  });
  let started = false;
  return {
    update: (p: DepsProgress) => {
      const payload = { fetched: p.fetched, cached: p.cached, failed: p.failed, mb: (p.bytes / 1e6).toFixed(1) };
      if (!started) {
        bar.start(p.total, 0, payload);
        started = true;
      }
      bar.update(p.scanned + p.cached + p.failed, payload);
    },
    stop: () => started && bar.stop(),
  };
}
