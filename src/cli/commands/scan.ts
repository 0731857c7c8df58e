// `exfilscan scan <target...>`: packages on disk or archives.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { TOOL_VERSION } from "../../core/version.js";
import { DEFAULT_LIMITS, type IngestLimits } from "../../ingest/index.js";
import { DEFAULT_BUDGET, type AnalysisBudget } from "../../analyzers/budget.js";
import { REPORTERS, REPORTER_NAMES, type ReporterName } from "../../report/index.js";
import { defaultRegistryOptions, type RegistryOptions } from "../../registry/http.js";
import { loadSignatures } from "../../rules/signatures.js";
import { scanTargets } from "../../scan.js";
import { unscannedDependencies } from "../../deps/discover.js";
import { addReportOptions, emit, exitCodeFor, resolveReportOptions, warn, warnBlocking } from "../output.js";
import { addScanExtrasOptions, applyIgnoreOption, loadAdvisoriesOption, loadIgnoreOption } from "../scan-extras.js";
import { trimSlashes } from "../../core/trim.js";

/** Where packages come from (registries, download cache) and the ingest caps: shared by scan and diff. */
export function addPackageInputOptions(command: Command, unit: "target" | "version"): Command {
  return command
    .option("--registry <url>", "npm registry for npm: specs (default: $npm_config_registry or https://registry.npmjs.org)")
    .option("--pypi-url <url>", "PyPI base URL for pypi: specs (default: $EXFILSCAN_PYPI_URL or https://pypi.org)")
    .option("--cache-dir <dir>", "download cache, shared safely between runs (default: $XDG_CACHE_HOME/exfilscan)")
    .option("--max-files <n>", `cap on files read per ${unit}`, String(DEFAULT_LIMITS.maxFiles))
    .option("--max-total-bytes <n>", `cap on bytes read per ${unit}`, String(DEFAULT_LIMITS.maxTotalBytes))
    .option("--max-file-bytes <n>", "cap on one file's size (larger files are skipped and reported)", String(DEFAULT_LIMITS.maxFileBytes))
    .option("--max-ratio <n>", "cap on an archive's expansion ratio (archive bombs)", String(DEFAULT_LIMITS.maxCompressionRatio));
}

export function registerScan(program: Command): void {
  const command = program
    .command("scan")
    .description("scan npm/Python packages (directories, .tgz .tar.gz .zip .whl .egg, npm:/pypi: specs) for credential exfiltration")
    .argument("<targets...>", "package directories, archives, single source files, or registry specs npm:name@version / pypi:name@version");
  addPackageInputOptions(command, "target");
  command.option("--workers <n>", "worker threads for many targets (default: one a core, from 4 targets on; 1: no threads)");
  command
    .option("--max-file-steps <n>", `analysis budget: interpreter steps for one file (default: Python ${DEFAULT_BUDGET.fileSteps}; JavaScript 100000 + 20 a byte)`)
    .option("--max-package-steps <n>", `analysis budget: interpreter steps for one package (default: Python ${DEFAULT_BUDGET.packageSteps}; JavaScript 3000000 + 60 a byte)`)
    .option("--max-syntax-nodes <n>", "analysis budget: Python syntax-tree nodes kept for one package (bounds memory)", String(DEFAULT_BUDGET.packageNodes))
    .option("--max-file-tokens <n>", "analysis budget: syntax tokens parsed in one file (comments and string contents are free; bounds memory)", String(DEFAULT_BUDGET.fileTokens))
    .option("--max-package-tokens <n>", "analysis budget: JavaScript syntax tokens of the trees kept for one package (bounds memory)", String(DEFAULT_BUDGET.packageTokens));
  addScanExtrasOptions(command);
  addReportOptions(command, REPORTER_NAMES).action(async (targets: string[], raw: Record<string, unknown>) => {
    const options = resolveReportOptions(raw, REPORTER_NAMES);
    const signatures = loadSignatures((program.opts()["signatures"] as string[] | undefined) ?? []);
    const ignores = await loadIgnoreOption(raw, signatures);
    const advisories = await loadAdvisoriesOption(raw);
    // (process.stderr is made only when used: one target never makes it, which spares the streams' start-up.)
    const progress = targets.length > 1 && process.stderr.isTTY ? new (await import("cli-progress")).SingleBar({ stream: process.stderr, clearOnComplete: true, format: "scanning {bar} {value}/{total} {input}" }) : undefined;
    progress?.start(targets.length, 0, { input: "" });
    const scanned = await scanTargets(targets, {
      signatures,
      ...(advisories ? { advisories } : {}),
      limits: limitsFrom(raw),
      registry: registryFrom(raw, options.offline),
      onTarget: (done, _total, input) => progress?.update(done, { input }),
      ...(raw["workers"] !== undefined ? { workers: positive("--workers", raw["workers"]) } : {}),
      budget: budgetFrom(raw),
    });
    // A project directory's dependencies are not scanned by `scan`: say so, never imply they are clean.
    for (const target of targets) {
      const skipped = unscannedDependencies(target);
      if (skipped.length) scanned.errors.push({ input: target, file: skipped[0]!, message: `dependencies not scanned (${skipped.join(", ")}): run \`exfilscan deps ${target}\`${skipped.includes("node_modules") ? " --installed" : ""} to scan them` });
    }
    const report = await applyIgnoreOption(scanned, ignores, raw);
    progress?.stop();
    // A text report on stdout lists the problems itself: stderr does not say them twice.
    const reportListsProblems = options.format === "text" && !options.output;
    for (const error of reportListsProblems ? [] : report.errors) {
      const hint = !error.file && !existsSync(error.input) ? (await import("../../guard/command.js")).suggestSpec(error.input) : undefined;
      warn(`${error.input}${error.file ? ` (${error.file})` : ""}: ${error.message}${hint ? ` (did you mean ${hint}?)` : ""}`);
    }
    emit(REPORTERS[options.format as ReporterName](report, { color: options.color, rules: signatures.rules, version: TOOL_VERSION, failOn: options.failOn }), options);
    warnBlocking(report.findings, options);
    process.exitCode = exitCodeFor(
      report.findings.filter((f) => !f.suppressed).map((f) => f.severity),
      options.failOn,
      report.targets.length,
      report.errors.filter((e) => !e.file).length,
    );
  });
}

export function registryFrom(raw: Record<string, unknown>, offline: boolean): RegistryOptions {
  const defaults = defaultRegistryOptions();
  const url = (key: string, fallback: string) => trimSlashes(String(raw[key] ?? fallback));
  return {
    ...defaults,
    offline,
    npmRegistry: url("registry", defaults.npmRegistry),
    pypiUrl: url("pypiUrl", defaults.pypiUrl),
    cacheDir: String(raw["cacheDir"] ?? defaults.cacheDir),
  };
}

function positive(flag: string, raw: unknown): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${flag} must be a positive whole number`);
  return value;
}

/** The analysis budget options given (unset ones keep each analyzer's default). */
export function budgetFrom(raw: Record<string, unknown>): Partial<AnalysisBudget> {
  const budget: Partial<AnalysisBudget> = {};
  if (raw["maxFileSteps"] !== undefined) budget.fileSteps = positive("--max-file-steps", raw["maxFileSteps"]);
  if (raw["maxPackageSteps"] !== undefined) budget.packageSteps = positive("--max-package-steps", raw["maxPackageSteps"]);
  if (raw["maxSyntaxNodes"] !== undefined) budget.packageNodes = positive("--max-syntax-nodes", raw["maxSyntaxNodes"]);
  if (raw["maxFileTokens"] !== undefined) budget.fileTokens = positive("--max-file-tokens", raw["maxFileTokens"]);
  if (raw["maxPackageTokens"] !== undefined) budget.packageTokens = positive("--max-package-tokens", raw["maxPackageTokens"]);
  return budget;
}

export function limitsFrom(raw: Record<string, unknown>): IngestLimits {
  const number = (flag: string, key: string): number => {
    const value = Number(raw[key]);
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number`);
    return value;
  };
  return {
    maxFiles: number("--max-files", "maxFiles"),
    maxTotalBytes: number("--max-total-bytes", "maxTotalBytes"),
    maxFileBytes: number("--max-file-bytes", "maxFileBytes"),
    maxCompressionRatio: number("--max-ratio", "maxRatio"),
  };
}
