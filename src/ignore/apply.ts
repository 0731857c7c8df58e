// Marks findings matched by ignore entries as suppressed; reports expired entries. Works on
// any ScanReport, so every command that reports findings can apply the same file.
import { pathGlobMatches } from "../core/glob.js";
import type { Finding, ScanErrorEntry, ScanReport } from "../core/types.js";
import type { IgnoreEntry, IgnoreList } from "./load.js";

/** "YYYY-MM-DD" of a date, in UTC. */
export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

/** An entry suppresses through its expiry day and stops the day after. */
export function isExpired(entry: IgnoreEntry, today: Date): boolean {
  return entry.expires !== undefined && entry.expires < isoDay(today);
}

/** Splits "name@version", keeping the @ of a scoped npm name ("@scope/x@1.0.0"). */
export function parsePackageSpec(spec: string): { name: string; version?: string } {
  const at = spec.lastIndexOf("@");
  return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : { name: spec };
}

/** Minimal glob: "**" any depth (including none), "*" within one path segment, "?" one character; "dir/" = "dir/**". */
export function globMatches(pattern: string, path: string): boolean {
  return pathGlobMatches(pattern.replace(/^\.\//, "").replace(/\/$/, "/**"), path);
}

export function entryMatches(entry: IgnoreEntry, finding: Finding): boolean {
  if (entry.fingerprint !== undefined && entry.fingerprint !== finding.fingerprint) return false;
  if (entry.rule !== undefined && entry.rule !== finding.ruleId) return false;
  if (entry.package !== undefined) {
    const wanted = parsePackageSpec(entry.package);
    if (finding.package?.name !== wanted.name) return false;
    if (wanted.version !== undefined && finding.package.version !== wanted.version) return false;
  }
  if (entry.path !== undefined && !globMatches(entry.path, finding.location.file)) return false;
  return true;
}

/**
 * Sets `suppressed` on matching findings and returns one error entry per expired ignore
 * entry (also pushed to report.errors). Call finishReport afterwards to recount.
 * Expired-entry errors carry `file`, so they never turn the exit code into 2 by themselves:
 * the findings they no longer suppress decide it.
 */
export function applyIgnoreList(report: ScanReport, list: IgnoreList, today: Date = new Date()): ScanErrorEntry[] {
  const active = list.entries.filter((e) => !isExpired(e, today));
  for (const finding of report.findings) {
    const entry = active.find((e) => entryMatches(e, finding));
    if (entry) finding.suppressed = { reason: entry.reason, ...(entry.expires ? { expires: entry.expires } : {}) };
  }
  const expired = list.entries
    .filter((e) => isExpired(e, today))
    .map((e) => ({
      input: `${e.file}:${e.line}`,
      file: e.file,
      message: `ignore entry expired on ${e.expires} (${[e.rule ? `rule ${e.rule}` : "", e.fingerprint ? `fingerprint ${e.fingerprint}` : "", e.package ? `package ${e.package}` : "", e.path ? `path ${e.path}` : ""].filter(Boolean).join(", ")}): it no longer suppresses anything`,
    }));
  report.errors.push(...expired);
  return expired;
}
