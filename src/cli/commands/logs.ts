// `exfilscan logs` and `exfilscan baseline show|reset`: commander wiring and output only;
// the work is in src/logs/.
import { createWriteStream, readFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { TOOL_VERSION } from "../../core/version.js";
import { analyzeLogs } from "../../logs/analyze.js";
import { DETECTOR_DEFAULTS, LOG_RULE_IDS, type DetectorOptions } from "../../logs/detectors/index.js";
import { toEcs } from "../../logs/ecs.js";
import type { HostEvent } from "../../logs/events.js";
import type { Alert } from "../../logs/alerts.js";
import { FORMAT_NAMES } from "../../logs/parsers/index.js";
import {
  applySshdOption, defaultPenaltyConfig, normaliseOpenSshVersion, penaltyConfigFromSshdConfig, VERSION_HELP, type PenaltyConfig,
} from "../../logs/penalties.js";
import { LOGS_FORMATS, renderJson, renderSarif, renderText } from "../../logs/report.js";
import { openLogStore, resolveDbSpec, SqliteStore, type LogStore } from "../../logs/store.js";
import { parseDuration, parseTimeBound, parseUtcOffset } from "../../logs/time.js";
import { loadSignatures } from "../../rules/signatures.js";
import { addReportOptions, emit, EXIT_CLEAN, EXIT_ERROR, exitCodeFor, resolveReportOptions, warn } from "../output.js";

type Raw = Record<string, unknown>;

const DEFAULT_SSH_PORTS = ["22"];

function durationMs(raw: unknown, flag: string): number {
  const seconds = parseDuration(String(raw));
  if (seconds === undefined || seconds < 0) throw new UsageError(`${flag} takes a duration like 90s, 10m, 1h, 14d (got "${String(raw)}")`);
  return seconds * 1000;
}

function positiveInt(raw: unknown, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a positive integer (got "${String(raw)}")`);
  return n;
}

function penaltyConfig(raw: Raw): PenaltyConfig {
  const version = normaliseOpenSshVersion(String(raw["opensshVersion"]));
  if (!version) throw new UsageError(`--openssh-version must be one of ${VERSION_HELP} (got "${String(raw["opensshVersion"])}")`);
  let config = defaultPenaltyConfig(version);
  try {
    if (raw["sshdConfig"]) config = penaltyConfigFromSshdConfig(readFileSync(String(raw["sshdConfig"]), "utf8"), config);
    if (raw["penalties"]) config = applySshdOption(config, "PerSourcePenalties", String(raw["penalties"]));
    if (raw["netBlockSize"]) config = applySshdOption(config, "PerSourceNetBlockSize", String(raw["netBlockSize"]));
    if (raw["penaltyExempt"]) config = applySshdOption(config, "PerSourcePenaltyExemptList", String(raw["penaltyExempt"]));
    if (raw["sshdLogLevel"]) config = applySshdOption(config, "LogLevel", String(raw["sshdLogLevel"]));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return config;
}

function detectorOptions(raw: Raw): DetectorOptions {
  const ports = (raw["sshPort"] as string[] | undefined)?.map((p) => positiveInt(p, "--ssh-port")) ?? DETECTOR_DEFAULTS.sshPorts;
  return {
    learningWindowMs: durationMs(raw["learningWindow"], "--learning-window"),
    sshPorts: ports,
    penalties: penaltyConfig(raw),
    maxRetry: positiveInt(raw["maxretry"], "--maxretry"),
    findTimeMs: durationMs(raw["findtime"], "--findtime"),
    slowFailures: positiveInt(raw["slowFailures"], "--slow-failures"),
    slowWindowMs: durationMs(raw["slowWindow"], "--slow-window"),
    recidiveCount: positiveInt(raw["recidiveCount"], "--recidive-count"),
    recidiveWindowMs: durationMs(raw["recidiveWindow"], "--recidive-window"),
    failuresBeforeLogin: positiveInt(raw["failures"], "--failures"),
    failureWindowMs: durationMs(raw["failureWindow"], "--failure-window"),
    ...(raw["listen"] ? { listenAddress: String(raw["listen"]) } : {}),
  };
}

function timeBound(raw: unknown, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = parseTimeBound(String(raw), Date.now());
  if (value === undefined) throw new UsageError(`${flag} takes an ISO date/time or a relative 7d/12h/30m (got "${String(raw)}")`);
  return value;
}

/** For commands that only read state: a mistyped --db is an error, not a new empty database. */
function openExistingStore(raw: Raw): Promise<LogStore> {
  return openLogStore(resolveDbSpec(raw["db"]), { mustExist: true });
}

function openStore(raw: Raw): Promise<LogStore> {
  if (raw["state"] === false) return Promise.resolve(new SqliteStore(":memory:"));
  return openLogStore(resolveDbSpec(raw["db"]));
}

const DB_OPTION = "--db <file|url>";
const DB_HELP = "state database: a SQLite file or postgres://user@host/db (default: $EXFILSCAN_DB, else $XDG_STATE_HOME/exfilscan/state.db)";

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

const d = DETECTOR_DEFAULTS;

/** Output options of the state-reading commands: stdout, no colour. */
const PLAIN_OUTPUT = { failOn: "high" as const, offline: true, color: false };

export function registerLogs(program: Command): void {
  const logs = program
    .command("logs")
    .description("parse host logs (sshd syslog, journald, auditd, Zeek, ECS, Docker) and detect new SSH destinations, key creation, authorized_keys writes and brute force")
    .argument("<inputs...>", "log files, directories, or - for stdin (gzip is read)")
    .option("--log-format <name>", `force the format: ${FORMAT_NAMES.join("|")} (default: detected per input)`)
    .option("--events", "write every parsed event as ECS NDJSON instead of alerts (no detection, no state)", false)
    .option("--explain-unparsed", "list every line that was not understood (sshd lines not modelled, lines of no known format), not only 5 per input", false)
    .option("--since <time>", "only events at or after this time (ISO 8601, or 7d/12h/30m ago)")
    .option("--until <time>", "only events before this time")
    .option(DB_OPTION, DB_HELP)
    .option("--batch-size <n>", "events per committed batch: offsets, baseline, detector state and alerts commit together", "50000")
    .option("--no-state", "keep no state: read every input from the start, forget everything afterwards")
    .option("--reference-time <time>", "newest time the logs can hold, to infer the year of RFC 3164 timestamps (default: file mtime)")
    .option("--utc-offset <offset>", "zone of timestamps that carry none (RFC 3164 syslog), e.g. +02:00", "+00:00")
    .option("--learning-window <duration>", "new-ssh-destination: learn peers for this long first", "14d")
    .option(
      "--ssh-port <port>",
      "a port that counts as SSH for outbound connections (repeatable; default 22)",
      // Repeatable, not variadic: a variadic option would swallow the log files after it.
      (port: string, ports: string[]) => (ports === DEFAULT_SSH_PORTS ? [port] : [...ports, port]),
      DEFAULT_SSH_PORTS,
    )
    .option("--openssh-version <version>", `sshd release: 9.8+ replays its PerSourcePenalties; older (8.x, 9.0–9.7) use --maxretry/--findtime: ${VERSION_HELP}`, "9.8")
    .option("--sshd-config <file>", "read PerSourcePenalties, PerSourceNetBlockSize, PerSourcePenaltyExemptList and LogLevel from an sshd_config")
    .option("--penalties <words>", 'PerSourcePenalties words, e.g. "authfail:90s min:15s max:10m overflow:deny-all"')
    .option("--net-block-size <v4:v6>", "PerSourceNetBlockSize, e.g. 24:64")
    .option("--penalty-exempt <list>", "PerSourcePenaltyExemptList, e.g. 10.0.0.0/8,192.0.2.*")
    .option("--sshd-log-level <level>", "sshd LogLevel, decides which simulated lines would be logged", "INFO")
    .option("--listen <addr:port>", "sshd listen address for simulated drop lines when the log does not show it")
    .option("--maxretry <n>", "ssh-brute-force without PerSourcePenalties (sshd < 9.8 or --penalties no): failures that make a brute force (fail2ban's default jail)", String(d.maxRetry))
    .option("--findtime <duration>", "ssh-brute-force without PerSourcePenalties: within this window (fail2ban's findtime)", "10m")
    .option("--slow-failures <n>", "ssh-slow-brute-force: failed logins that make a slow guesser", String(d.slowFailures))
    .option("--slow-window <duration>", "ssh-slow-brute-force: within this window", "1h")
    .option("--recidive-count <n>", "ssh-penalty-recidivist: blocks that make a recidivist", String(d.recidiveCount))
    .option("--recidive-window <duration>", "ssh-penalty-recidivist: within this window", "24h")
    .option("--failures <n>", "login-after-failures: failed logins before the success", String(d.failuresBeforeLogin))
    .option("--failure-window <duration>", "login-after-failures: within this window", "1h");
  addReportOptions(logs, LOGS_FORMATS).action(async (inputs: string[], raw: Raw) => {
    const report = resolveReportOptions(raw, LOGS_FORMATS);
    const format = raw["logFormat"] as string | undefined;
    if (format && !FORMAT_NAMES.includes(format)) throw new UsageError(`--log-format must be one of ${FORMAT_NAMES.join(", ")} (got "${format}")`);
    const detectors = detectorOptions(raw);
    const explain = raw["explainUnparsed"] ? { explainLimit: 100_000 } : {};
    const since = timeBound(raw["since"], "--since");
    const until = timeBound(raw["until"], "--until");
    let utcOffsetMinutes: number;
    try {
      utcOffsetMinutes = parseUtcOffset(String(raw["utcOffset"]));
    } catch {
      throw new UsageError(`--utc-offset takes +HH:MM or -HH:MM (got "${String(raw["utcOffset"])}")`);
    }
    const referenceMs = timeBound(raw["referenceTime"], "--reference-time");
    const signatures = loadSignatures((program.opts()["signatures"] as string[] | undefined) ?? []);
    for (const id of LOG_RULE_IDS) if (!signatures.rules.has(id)) throw new UsageError(`signatures/rules/${id}.yaml is missing`);

    if (raw["events"]) {
      const stream = report.output ? createWriteStream(report.output) : process.stdout;
      let pending: string[] = [];
      const flush = (): void => {
        if (pending.length) stream.write(`${pending.join("\n")}\n`);
        pending = [];
      };
      const store = new SqliteStore(":memory:");
      try {
        const result = await analyzeLogs({
          inputs, ...(format ? { format } : {}), ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}),
          utcOffsetMinutes, ...(referenceMs !== undefined ? { referenceMs } : {}), detectors, rules: signatures.rules, store, incremental: false, detect: false, ...explain,
          onEvent: (event: HostEvent) => {
            pending.push(JSON.stringify(toEcs(event)));
            if (pending.length >= 1000) flush();
          },
        });
        flush();
        if (stream !== process.stdout) await new Promise<void>((resolve) => (stream as NodeJS.WritableStream).end(resolve));
        for (const error of result.errors) warn(`${error.input}: ${error.message}`);
        for (const input of result.inputs) if (input.note) warn(`${input.input}: ${input.note}`);
        process.exitCode = result.readable === 0 || result.errors.length ? EXIT_ERROR : EXIT_CLEAN;
      } finally {
        await store.close();
      }
      return;
    }

    const store = await openStore(raw);
    try {
      const timeBoxed = since !== undefined || until !== undefined;
      const result = await analyzeLogs({
        inputs, ...(format ? { format } : {}), ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}),
        utcOffsetMinutes, ...(referenceMs !== undefined ? { referenceMs } : {}), detectors, rules: signatures.rules, store, incremental: !timeBoxed, detect: true, ...explain,
        batchSize: positiveInt(raw["batchSize"], "--batch-size"),
      });
      for (const error of result.errors) warn(`${error.input}: ${error.message}`);
      if (result.readable === 0) for (const input of result.inputs) if (input.note) warn(`${input.input}: ${input.note}`);
      // A run that raised nothing says so without hiding what earlier runs stored (they are not printed again).
      const storedAlerts = result.alerts.length === 0 && raw["state"] !== false ? await store.alertCount() : undefined;
      const context = { toolVersion: TOOL_VERSION, dbPath: store.location, rules: signatures.rules, color: report.color, ...(storedAlerts ? { storedAlerts } : {}) };
      const text = report.format === "json" ? renderJson(result, context) : report.format === "sarif" ? renderSarif(result, context) : renderText(result, context);
      emit(text, report);
      const severities = result.alerts.map((a) => a.severity);
      process.exitCode = exitCodeFor(severities, report.failOn, result.readable, result.errors.length);
    } finally {
      await store.close();
    }
  });

  const baseline = program.command("baseline").description("show or reset the SSH destination baseline of `exfilscan logs`");
  baseline
    .command("show")
    .description("list the learned (side, user, host, peer) tuples")
    .option(DB_OPTION, DB_HELP)
    .option("--fleet", "also list, per (user, destination), the first time it was reached anywhere in the fleet and from which host", false)
    .option("-f, --format <format>", "text|json", "text")
    .action(async (raw: Raw) => {
      const store = await openExistingStore(raw);
      try {
        const rows = (await store.loadBaseline()).sort((a, b) => a.side.localeCompare(b.side) || a.user.localeCompare(b.user) || a.host.localeCompare(b.host) || a.peer.localeCompare(b.peer));
        const starts = await store.learningStarts();
        const start = starts.size ? Math.min(...starts.values()) : undefined;
        const files = await store.offsets();
        const fleet = raw["fleet"] ? await store.fleetDestinations() : undefined;
        const options = PLAIN_OUTPUT;
        if (raw["format"] === "json") {
          emit(JSON.stringify({
            schemaVersion: 1, stateDb: store.location, learningStart: isoOrNull(start),
            learningStarts: Object.fromEntries([...starts].map(([host, ms]) => [host, isoOrNull(ms)])), files,
            baseline: rows.map((r) => ({ ...r, firstSeen: isoOrNull(r.firstSeen), lastSeen: isoOrNull(r.lastSeen) })),
            ...(fleet ? { fleet: fleet.map((f) => ({ ...f, firstSeen: isoOrNull(f.firstSeen) })) } : {}),
          }, null, 2), options);
        } else if (raw["format"] === "text") {
          const lines = [`state: ${store.location}`, `learning started: ${start !== undefined ? isoOrNull(start) : "never"}${starts.size > 1 ? ` (earliest of ${starts.size} hosts)` : ""}`, `${rows.length} baseline entries`];
          for (const r of rows) lines.push(`${r.side.padEnd(6)} ${r.user}@${r.host} ${r.side === "client" ? "→" : "←"} ${r.peer}  first ${isoOrNull(r.firstSeen)}  last ${isoOrNull(r.lastSeen)}  ×${r.count}`);
          lines.push(`${files.length} log file(s) tracked`);
          if (fleet) {
            lines.push(`fleet: ${fleet.length} (user, destination) pair(s), first time anywhere in the fleet`);
            for (const f of fleet) lines.push(`  ${f.user} → ${f.peer}  first ${isoOrNull(f.firstSeen)} from ${f.firstHost}  ${f.hosts} host(s)  ×${f.count}`);
          }
          emit(lines.join("\n"), options);
        } else throw new UsageError(`--format must be text or json (got "${String(raw["format"])}")`);
      } finally {
        await store.close();
      }
    });
  baseline
    .command("reset")
    .description("forget the baseline (the learning window starts again)")
    .option(DB_OPTION, DB_HELP)
    .option("--all", "also forget file offsets, detector state and stored alerts", false)
    .action(async (raw: Raw) => {
      const store = await openExistingStore(raw);
      try {
        const removed = await store.reset(Boolean(raw["all"]));
        emit(`removed ${removed.baseline} baseline entries${raw["all"] ? `, ${removed.files} file offsets, ${removed.alerts} alerts` : ""} from ${store.location}`, PLAIN_OUTPUT);
      } finally {
        await store.close();
      }
    });
}

export function registerAlerts(program: Command): void {
  const alerts = program.command("alerts").description("read the alerts `exfilscan logs` stored (a later run does not print them again)");
  alerts
    .command("list")
    .description("stored alerts, oldest first")
    .option(DB_OPTION, DB_HELP)
    .option("--since <time>", "only alerts at or after this time (ISO 8601, or 7d/12h/30m ago)")
    .option("--rule <id>", "only this rule")
    .option("-f, --format <format>", "text|json", "text")
    .action(async (raw: Raw) => {
      const since = timeBound(raw["since"], "--since");
      const store = await openExistingStore(raw);
      try {
        const rows = await store.listAlerts({ ...(since !== undefined ? { since } : {}), ...(raw["rule"] ? { ruleId: String(raw["rule"]) } : {}) });
        const options = PLAIN_OUTPUT;
        if (raw["format"] === "json") emit(JSON.stringify({ schemaVersion: 1, stateDb: store.location, alerts: rows.map((r) => JSON.parse(r.json) as unknown) }, null, 2), options);
        else if (raw["format"] === "text") {
          const lines = rows.map((r) => {
            const alert = JSON.parse(r.json) as { message?: string };
            return `${r.fingerprint.slice(0, 12)}  ${r.timestamp}  ${r.severity.toUpperCase().padEnd(8)} ${r.ruleId}  ${alert.message ?? ""}`;
          });
          lines.push(`${rows.length} stored alert(s) in ${store.location}${rows.length ? " — `exfilscan alerts show <id>` for one" : ""}`);
          emit(lines.join("\n"), options);
        } else throw new UsageError(`--format must be text or json (got "${String(raw["format"])}")`);
      } finally {
        await store.close();
      }
    });
  alerts
    .command("show")
    .description("one stored alert with its evidence")
    .argument("<id>", "the alert's fingerprint or a unique prefix of it (as `alerts list` prints)")
    .option(DB_OPTION, DB_HELP)
    .option("-f, --format <format>", "text|json", "text")
    .action(async (id: string, raw: Raw) => {
      const store = await openExistingStore(raw);
      try {
        const rows = await store.findAlert(id);
        if (rows.length === 0) throw new UsageError(`no stored alert ${id} in ${store.location}`);
        if (rows.length > 1) throw new UsageError(`${id} is the start of more than one alert: give more of it`);
        const alert = JSON.parse(rows[0]!.json) as Alert;
        const options = PLAIN_OUTPUT;
        if (raw["format"] === "json") emit(JSON.stringify(alert, null, 2), options);
        else {
          const rules = loadSignatures((program.opts()["signatures"] as string[] | undefined) ?? []).rules;
          const text = renderText({ inputs: [], alerts: [alert], newAlerts: 0, events: 0, readable: 1, errors: [] }, { toolVersion: TOOL_VERSION, dbPath: store.location, rules, color: false });
          emit(text.split("\n").filter((l) => !/^\d+ alert\(s\):/.test(l)).join("\n").trimEnd(), options);
        }
      } finally {
        await store.close();
      }
    });
}
