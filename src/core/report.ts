// Assembling a report: every command that reports findings builds it the same way.
import { emptyCounts, type ScanReport } from "./types.js";
import { TOOL_VERSION } from "./version.js";

export function newReport(): ScanReport {
  return { schemaVersion: 1, tool: { name: "exfilscan", version: TOOL_VERSION }, targets: [], findings: [], errors: [], summary: emptyCounts() };
}

/** Sort for deterministic output and count by severity (suppressed findings are not counted). */
export function finishReport(report: ScanReport): ScanReport {
  report.findings.sort(
    (a, b) =>
      (a.package?.name ?? "").localeCompare(b.package?.name ?? "") ||
      a.location.file.localeCompare(b.location.file) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column ||
      a.ruleId.localeCompare(b.ruleId),
  );
  report.summary = emptyCounts();
  for (const finding of report.findings) if (!finding.suppressed) report.summary[finding.severity] += 1;
  return report;
}
