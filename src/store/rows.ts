// Row ↔ object mapping shared by the SQLite and PostgreSQL stores.
import type { FileIdentity } from "../logs/reader.js";
import { createHash } from "node:crypto";
import type { BaselineRow, OffsetRow, ResumeDecision, StoredAlert, VerdictLookup, VerdictRow } from "./types.js";

export type Row = Record<string, unknown>;

export function baselineFrom(r: Row): BaselineRow {
  return {
    side: r["side"] as BaselineRow["side"], user: String(r["user_name"]), host: String(r["host"]), peer: String(r["peer"]),
    firstSeen: Number(r["first_seen"]), lastSeen: Number(r["last_seen"]), count: Number(r["count"]), evidence: String(r["evidence"]),
  };
}

export function offsetFrom(r: Row): OffsetRow {
  return {
    fingerprint: String(r["fingerprint"]), path: String(r["path"]), dev: Number(r["dev"]), ino: Number(r["ino"]),
    offset: Number(r["offset"]), line: Number(r["line"]), format: String(r["format"]), updatedAt: Number(r["updated_at"]),
  };
}

/**
 * Where to start reading a file. Same first line → same log, wherever it lives now: resume
 * (rotated if its path/inode changed). Otherwise, if this path or inode was read before with
 * other content, the log was rotated (new inode) or truncated (same inode): start over.
 */
export function resumeFrom(known: Row | undefined, byPath: Row | undefined, path: string, identity: FileIdentity | undefined): ResumeDecision {
  if (known) {
    const sameFile = identity !== undefined && Number(known["ino"]) === identity.ino && Number(known["dev"]) === identity.dev;
    const offset = Number(known["offset"]);
    // Same inode but shorter than what we read: truncated in place and rewritten.
    if (sameFile && identity && identity.size < offset) return { cursor: { offset: 0, line: 0 }, rotated: false, replaced: "truncated" };
    return { cursor: { offset, line: Number(known["line"]) }, rotated: !sameFile || known["path"] !== path, replaced: undefined };
  }
  let replaced: ResumeDecision["replaced"];
  if (byPath && identity) replaced = Number(byPath["ino"]) === identity.ino && Number(byPath["dev"]) === identity.dev ? "truncated" : "rotated";
  return { cursor: { offset: 0, line: 0 }, rotated: false, replaced };
}

export function sinceAndRule(filter: { since?: number; ruleId?: string }): (string | null)[] {
  const since = filter.since === undefined ? null : new Date(filter.since).toISOString();
  const rule = filter.ruleId ?? null;
  return [since, since, rule, rule];
}

/**
 * One alert per fingerprint, the last written winning: an episode alert (a brute force that
 * goes on) is raised again under the same fingerprint with what it says now, and a batch may
 * hold both versions. (PostgreSQL also refuses to upsert one row twice in a statement.)
 */
export function latestAlerts(alerts: StoredAlert[]): StoredAlert[] {
  const byFingerprint = new Map<string, StoredAlert>();
  for (const a of alerts) {
    byFingerprint.delete(a.fingerprint);
    byFingerprint.set(a.fingerprint, a);
  }
  return [...byFingerprint.values()];
}

export function verdictFrom(r: Row): VerdictRow {
  return {
    analysisVersion: String(r["analysis_version"]), digest: String(r["digest"]), resultJson: String(r["result_json"]),
    resultSha256: String(r["result_sha256"]), writtenBy: String(r["written_by"]),
    ...(typeof r["mac"] === "string" && r["mac"] ? { mac: r["mac"] } : {}),
  };
}

/**
 * A stored verdict is used only when it was computed by this analysis version from the archive
 * asked for, its payload hashes to the recorded sha256, and it has the shape of a result.
 * Anything else (a poisoned or damaged row) is reported and treated as a miss.
 */
export function verifyVerdict(r: Row | undefined, analysisVersion: string, digest: string): VerdictLookup {
  if (!r) return { status: "miss" };
  const row = verdictFrom(r);
  if (row.analysisVersion !== analysisVersion) return { status: "rejected", reason: `analysis version ${row.analysisVersion}, expected ${analysisVersion}` };
  if (row.digest !== digest) return { status: "rejected", reason: `computed from ${row.digest}, not ${digest}` };
  if (createHash("sha256").update(row.resultJson).digest("hex") !== row.resultSha256) return { status: "rejected", reason: "payload does not match its recorded sha256" };
  let result: unknown;
  try {
    result = JSON.parse(row.resultJson);
  } catch {
    return { status: "rejected", reason: "payload is not JSON" };
  }
  const o = result as { target?: unknown; findings?: unknown; errors?: unknown };
  if (!o || typeof o !== "object" || !o.target || typeof o.target !== "object" || !Array.isArray(o.findings) || !Array.isArray(o.errors)) {
    return { status: "rejected", reason: "payload is not a package result (target, findings, errors)" };
  }
  return { status: "hit", row };
}

/** One row per (analysis version, digest), sorted: concurrent writers take row locks in one order. */
export function uniqueVerdicts(rows: VerdictRow[]): VerdictRow[] {
  const byKey = new Map<string, VerdictRow>();
  for (const row of rows) byKey.set(`${row.analysisVersion}\0${row.digest}`, row);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}
