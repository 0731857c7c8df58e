// Shared by the log tests: run analyzeLogs on inputs with an in-memory (or temp) store and
// turn events/alerts into plain comparable views.
import { basename } from "node:path";
import { loadSignatures } from "../../src/rules/signatures.js";
import type { Alert } from "../../src/logs/alerts.js";
import { analyzeLogs, type AnalyzeResult } from "../../src/logs/analyze.js";
import { DETECTOR_DEFAULTS, type DetectorOptions } from "../../src/logs/detectors/index.js";
import type { HostEvent } from "../../src/logs/events.js";
import { applySshdOption, defaultPenaltyConfig, isOpenSshVersion } from "../../src/logs/penalties.js";
import { StateStore } from "../../src/logs/store.js";
import { parseDuration, parseIsoTimestamp } from "../../src/logs/time.js";

export interface FixtureOptions {
  referenceTime?: string;
  openssh?: string;
  penalties?: string;
  netBlockSize?: string;
  exempt?: string;
  sshdLogLevel?: string;
  listen?: string;
  learningWindow?: string;
  slowFailures?: number;
  slowWindow?: string;
  recidiveCount?: number;
  recidiveWindow?: string;
  failures?: number;
  failureWindow?: string;
}

const ms = (text: string | undefined, fallback: number): number => (text ? parseDuration(text)! * 1000 : fallback);

export function detectorOptions(o: FixtureOptions = {}): DetectorOptions {
  const version = o.openssh ?? "9.8";
  if (!isOpenSshVersion(version)) throw new Error(`bad version ${version}`);
  let penalties = defaultPenaltyConfig(version);
  if (o.penalties) penalties = applySshdOption(penalties, "PerSourcePenalties", o.penalties);
  if (o.netBlockSize) penalties = applySshdOption(penalties, "PerSourceNetBlockSize", o.netBlockSize);
  if (o.exempt) penalties = applySshdOption(penalties, "PerSourcePenaltyExemptList", o.exempt);
  if (o.sshdLogLevel) penalties = applySshdOption(penalties, "LogLevel", o.sshdLogLevel);
  const d = DETECTOR_DEFAULTS;
  return {
    ...d,
    penalties,
    learningWindowMs: ms(o.learningWindow, d.learningWindowMs),
    slowFailures: o.slowFailures ?? d.slowFailures,
    slowWindowMs: ms(o.slowWindow, d.slowWindowMs),
    recidiveCount: o.recidiveCount ?? d.recidiveCount,
    recidiveWindowMs: ms(o.recidiveWindow, d.recidiveWindowMs),
    failuresBeforeLogin: o.failures ?? d.failuresBeforeLogin,
    failureWindowMs: ms(o.failureWindow, d.failureWindowMs),
    ...(o.listen ? { listenAddress: o.listen } : {}),
  };
}

const rules = loadSignatures().rules;

export async function run(
  inputs: string[],
  options: FixtureOptions = {},
  extra: { store?: StateStore; incremental?: boolean; batchSize?: number; since?: number; until?: number } = {},
): Promise<{ result: AnalyzeResult; events: HostEvent[] }> {
  const events: HostEvent[] = [];
  const store = extra.store ?? new StateStore(":memory:");
  try {
    const referenceMs = options.referenceTime ? parseIsoTimestamp(options.referenceTime) : undefined;
    const result = await analyzeLogs({
      inputs, utcOffsetMinutes: 0, detectors: detectorOptions(options), rules, store,
      incremental: extra.incremental ?? true, detect: true, onEvent: (e) => events.push(e),
      ...(referenceMs !== undefined ? { referenceMs } : {}),
      ...(extra.batchSize ? { batchSize: extra.batchSize } : {}),
      ...(extra.since !== undefined ? { since: extra.since } : {}),
      ...(extra.until !== undefined ? { until: extra.until } : {}),
    });
    return { result, events };
  } finally {
    if (!extra.store) store.close();
  }
}

/** An event as the expect files write it: ISO time, no file path, no raw message. */
export function eventView(event: HostEvent): Record<string, unknown> {
  const { file: _file, message: _message, timestamp, format: _format, ...rest } = event;
  return { time: new Date(timestamp).toISOString(), ...rest };
}

/** An alert as the expect files write it: evidence as "name:line". */
export function alertView(alert: Alert): Record<string, unknown> {
  const view: Record<string, unknown> = {
    ruleId: alert.ruleId, severity: alert.severity, timestamp: alert.timestamp,
    evidence: alert.evidence.map((e) => `${basename(e.file)}:${e.line}`),
  };
  for (const key of ["firstSeen", "host", "user", "source", "destination"] as const) if (alert[key] !== undefined) view[key] = alert[key];
  return view;
}
