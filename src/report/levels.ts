// Problems in errors[] have three levels, so a skipped binary or an informational note is
// never counted as a failure: "error" when a whole target could not be read (these alone
// make the exit code 2), "warning" when one file of a target was skipped or read in part
// (said, never hidden, and an install or entry file of them is the finding
// unanalysed-code), "note" for information that needs no action.
import type { ScanErrorEntry, ScanReport } from "../core/types.js";

export type ProblemLevel = "error" | "warning" | "note";

const NOTES = [/^note: /, /TypeScript source file\(s\) not reached/, /^dependencies not scanned/, /binary-only/];

export function problemLevel(entry: ScanErrorEntry): ProblemLevel {
  if (NOTES.some((pattern) => pattern.test(entry.message))) return "note";
  return entry.file ? "warning" : "error";
}

/** errors[] with each entry's level (JSON output). */
export function withLevels(report: ScanReport): ScanReport {
  return { ...report, errors: report.errors.map((e) => ({ ...e, level: problemLevel(e) })) };
}
