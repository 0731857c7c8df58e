// `exfilscan correlate`: commander wiring and output only; the work is in src/correlate/.
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import type { PackageRef } from "../../core/types.js";
import { TOOL_VERSION } from "../../core/version.js";
import { collectLogs, findInstalled, loadFindingsFile, readStateDb } from "../../correlate/collect.js";
import { renderHtml } from "../../correlate/html.js";
import { correlate } from "../../correlate/join.js";
import { lockfileHistory } from "../../correlate/lockfile-history.js";
import { packageManagerLogKind, readPackageManagerLogs, splitPackageManagerLogs } from "../../correlate/pm-logs.js";
import { scanProject } from "../../correlate/project-findings.js";
import { loadAdvisoryStore } from "../../advisories/index.js";
import { resolveStorePath } from "../../advisories/store.js";
import { buildReport, CORRELATE_FORMATS, renderJson, renderSarif, renderText } from "../../correlate/report.js";
import { DETECTOR_DEFAULTS, LOG_RULE_IDS } from "../../logs/detectors/index.js";
import { FORMAT_NAMES } from "../../logs/parsers/index.js";
import { defaultPenaltyConfig } from "../../logs/penalties.js";
import { parseDuration, parseTimeBound, parseUtcOffset } from "../../logs/time.js";
import { loadSignatures } from "../../rules/signatures.js";
import { addReportOptions, emit, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, resolveReportOptions, warn } from "../output.js";
import { isAtLeast } from "../../core/types.js";

type Raw = Record<string, unknown>;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function durationMs(raw: unknown, flag: string): number {
  const seconds = parseDuration(String(raw));
  if (seconds === undefined || seconds < 0) throw new UsageError(`${flag} takes a duration like 90s, 10m, 1h, 14d (got "${String(raw)}")`);
  return seconds * 1000;
}

export function registerCorrelate(program: Command): void {
  const command = program
    .command("correlate")
    .description("join scan/deps findings with host logs: did the flagged package run here, where did the credentials go, what followed (one timeline per host and user)")
    .argument("[logs...]", "host logs: auditd audit.log, Zeek conn/dns/ssh logs, auth.log/secure, journald JSON, ECS NDJSON; npm debug logs (~/.npm/_logs) and pip --log files (files or directories)")
    .option("--findings <file>", "a JSON report of `exfilscan scan` or `exfilscan deps` (repeatable; without it, --project dirs are scanned with deps here)", collect, [] as string[])
    .option("--cache-dir <dir>", "with --project and no --findings: the deps archive and verdict cache (default: $XDG_CACHE_HOME/exfilscan)")
    .option("--db <file>", "an `exfilscan logs` state database: its stored alerts and learned SSH baseline are used (read only)")
    .option("--installed <dir>", "a project, node_modules, virtualenv or site-packages dir: installed copies date the install (repeatable)", collect, [] as string[])
    .option("--project <dir>", "a project: without --findings its dependencies are scanned (as `deps --installed`); in git, the first lockfile commit that pinned each flagged version joins the story (repeatable)", collect, [] as string[])
    .option("--window <duration>", "how long after the first sign of the package follow-up SSH alerts belong to it", "7d")
    .option("--learning-window <duration>", "new-ssh-destination: learn peers for this long first", "14d")
    .option("--log-format <name>", `force the log format: ${FORMAT_NAMES.join("|")} (default: detected per input)`)
    .option("--reference-time <time>", "newest time the logs can hold, to infer the year of RFC 3164 timestamps (default: file mtime)")
    .option("--utc-offset <offset>", "zone of timestamps that carry none (RFC 3164 syslog), e.g. +02:00", "+00:00");
  addReportOptions(command, CORRELATE_FORMATS).action(async (inputs: string[], raw: Raw) => {
    const report = resolveReportOptions(raw, CORRELATE_FORMATS);
    const findingsFiles = raw["findings"] as string[];
    const projects = raw["project"] as string[];
    const scanProjects = findingsFiles.length === 0 && projects.length > 0;
    if (findingsFiles.length === 0 && !scanProjects) throw new UsageError("correlate needs --findings <file> (the JSON of `exfilscan scan --format json` or `exfilscan deps --format json`), or --project <dir> to scan the project's dependencies here");
    const { pm: pmLogs, rest: logs } = splitPackageManagerLogs(inputs);
    if (report.format === "html" && !report.output && process.stdout.isTTY) throw new UsageError("--format html writes a file: add -o report.html");
    const format = raw["logFormat"] as string | undefined;
    if (format && !FORMAT_NAMES.includes(format)) throw new UsageError(`--log-format must be one of ${FORMAT_NAMES.join(", ")} (got "${format}")`);
    const windowMs = durationMs(raw["window"], "--window");
    const learningWindowMs = durationMs(raw["learningWindow"], "--learning-window");
    let utcOffsetMinutes: number;
    try {
      utcOffsetMinutes = parseUtcOffset(String(raw["utcOffset"]));
    } catch {
      throw new UsageError(`--utc-offset takes +HH:MM or -HH:MM (got "${String(raw["utcOffset"])}")`);
    }
    let referenceMs: number | undefined;
    if (raw["referenceTime"] !== undefined) {
      referenceMs = parseTimeBound(String(raw["referenceTime"]), Date.now());
      if (referenceMs === undefined) throw new UsageError(`--reference-time takes an ISO date/time (got "${String(raw["referenceTime"])}")`);
    }
    const stored = raw["db"] ? await readStateDb(String(raw["db"]), learningWindowMs) : undefined;
    if (logs.length === 0 && pmLogs.length === 0 && !stored) throw new UsageError("give host logs to correlate with (or --db with stored alerts)");
    const signatureDirs = (program.opts()["signatures"] as string[] | undefined) ?? [];
    const signatures = loadSignatures(signatureDirs);
    const loaded = findingsFiles.map(loadFindingsFile);
    const scanned = [];
    if (scanProjects) {
      const advisories = loadAdvisoryStore(resolveStorePath(raw["advisoryStore"] as string | undefined));
      for (const dir of projects) {
        const project = await scanProject(dir, { signatures, signatureDirs, ...(advisories ? { advisories } : {}), offline: report.offline, ...(raw["cacheDir"] ? { cacheDir: String(raw["cacheDir"]) } : {}) });
        loaded.push(project.findings);
        scanned.push(project);
        const d = project.report.deps!;
        warn(`deps ${dir}: ${d.packages} packages, ${d.scanned} scanned, ${d.fromCache} from cache, ${d.notAnalysed.length} not analysed; ${project.findings.findings.length} findings`);
      }
    }
    for (const id of LOG_RULE_IDS) if (!signatures.rules.has(id)) throw new UsageError(`signatures/rules/${id}.yaml is missing`);

    const { events, alerts, result } = await collectLogs({
      inputs: logs, ...(format ? { format } : {}), utcOffsetMinutes, ...(referenceMs !== undefined ? { referenceMs } : {}),
      detectors: { ...DETECTOR_DEFAULTS, learningWindowMs, penalties: defaultPenaltyConfig("9.8") }, rules: signatures.rules,
      ...(stored ? { stored } : {}),
    });
    const packages = new Map<string, PackageRef>();
    for (const f of loaded.flatMap((l) => l.findings)) if (f.package) packages.set(`${f.package.ecosystem}:${f.package.name}@${f.package.version ?? ""}`, f.package);
    const installed = findInstalled(raw["installed"] as string[], [...packages.values()]);
    const lockfiles = [];
    for (const dir of projects) {
      try {
        lockfiles.push(...(await lockfileHistory(dir, [...packages.values()])));
      } catch (error) {
        // A project scanned here need not be in git: its lockfile history is then only missing.
        if (!scanProjects) throw error;
        warn(`${(error as Error).message}; the lockfile history is left out`);
      }
    }
    const packageManagerLogs = readPackageManagerLogs(pmLogs, utcOffsetMinutes);
    const joined = correlate({ findings: loaded, events, alerts, installed, lockfiles, packageManagerLogs, windowMs });
    for (const error of result.errors) warn(`${error.input}: ${error.message}`);
    for (const input of result.inputs) if (input.duplicateOf) warn(`${input.input}: taken for the same log as ${input.duplicateOf} (same first line), not read`);
    const built = buildReport(joined, {
      version: TOOL_VERSION, windowMs, findingsFiles: [...findingsFiles, ...scanned.map((p) => p.findings.file)], findings: loaded.reduce((n, l) => n + l.findings.length, 0),
      logs: [
        ...result.inputs.map((i) => ({ input: i.input, ...(i.format ? { format: i.format } : {}), events: i.events, ...(i.error ? { error: i.error } : i.duplicateOf ? { error: `same content as ${i.duplicateOf}: skipped` } : {}) })),
        ...pmLogs.map((file) => ({ input: file, format: `${packageManagerLogKind(file)}-log`, events: packageManagerLogs.filter((r) => r.file === file).length })),
      ],
      events: events.length, errors: result.errors,
    });
    const text = report.format === "json" ? renderJson(built) : report.format === "sarif" ? renderSarif(built) : report.format === "html" ? renderHtml(built) : renderText(built, report.color);
    emit(text, report);
    if (built.incidents.some((i) => isAtLeast(i.severity, report.failOn))) process.exitCode = EXIT_FINDINGS;
    else process.exitCode = (logs.length > 0 && result.readable === 0) || result.errors.length || scanned.some((p) => p.report.deps!.notAnalysed.length > 0) ? EXIT_ERROR : EXIT_CLEAN;
  });
}
