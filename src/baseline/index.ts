// --baseline <previous report>: only findings whose fingerprint the previous run did not
// report are kept. The previous report is exfilscan's JSON (findings[].fingerprint) or
// SARIF (results[].partialFingerprints["exfilscan/v1"]).
import { readFileSync } from "node:fs";
import { ConfigurationError, errorMessage } from "../core/errors.js";
import type { ScanReport } from "../core/types.js";
import { finishReport } from "../core/report.js";

export interface Baseline {
  file: string;
  fingerprints: Set<string>;
}

export function loadBaseline(file: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigurationError(`baseline is not a readable JSON or SARIF report: ${errorMessage(error)}`, file);
  }
  const fingerprints = new Set<string>();
  const record = doc as { schemaVersion?: unknown; findings?: unknown; runs?: unknown };
  if (record && Array.isArray(record.findings)) {
    for (const f of record.findings as { fingerprint?: unknown }[]) if (typeof f?.fingerprint === "string") fingerprints.add(f.fingerprint);
  } else if (record && Array.isArray(record.runs)) {
    for (const run of record.runs as { results?: { partialFingerprints?: Record<string, unknown> }[] }[]) {
      for (const result of run.results ?? []) {
        const fp = result.partialFingerprints?.["exfilscan/v1"];
        if (typeof fp === "string") fingerprints.add(fp);
      }
    }
  } else {
    throw new ConfigurationError("baseline has neither findings[] (exfilscan JSON) nor runs[] (SARIF)", file);
  }
  return { file, fingerprints };
}

/** Drops findings already in the baseline; returns how many were dropped. */
export function applyBaseline(report: ScanReport, baseline: Baseline): number {
  const before = report.findings.length;
  report.findings = report.findings.filter((f) => !baseline.fingerprints.has(f.fingerprint));
  finishReport(report);
  return before - report.findings.length;
}
