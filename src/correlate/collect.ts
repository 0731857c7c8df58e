// The I/O half of `exfilscan correlate`: read findings files, run the host-log pipeline
// (parsers and detectors, in memory) over the given logs, read a state database's stored
// alerts and learned baseline without writing to it, and look for installed copies.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../core/errors.js";
import { SEVERITIES, type Finding, type PackageRef } from "../core/types.js";
import type { Alert } from "../logs/alerts.js";
import { analyzeLogs, type AnalyzeResult } from "../logs/analyze.js";
import type { DetectorOptions } from "../logs/detectors/index.js";
import type { HostEvent } from "../logs/events.js";
import { isPostgresUrl, openLogStore } from "../store/open.js";
import { SqliteStore } from "../store/sqlite.js";
import type { BaselineRow, LogStore } from "../store/types.js";
import type { RuleMeta } from "../rules/schema.js";
import type { InstalledCopy } from "./join.js";
import { normaliseName } from "./processes.js";
import type { LoadedFindings } from "./types.js";

/** A `scan` or `deps` JSON report (schemaVersion 1): its findings, or a clear error naming the file. */
export function loadFindingsFile(file: string): LoadedFindings {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--findings ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`--findings ${file}: not JSON (write it with \`exfilscan scan --format json -o ${file}\`)`);
  }
  const report = doc as { schemaVersion?: unknown; findings?: unknown };
  if (typeof doc !== "object" || doc === null || report.schemaVersion !== 1 || !Array.isArray(report.findings)) {
    throw new UsageError(`--findings ${file}: not an exfilscan JSON report (schemaVersion 1 with a findings array)`);
  }
  const findings: Finding[] = [];
  report.findings.forEach((raw, i) => {
    const f = raw as Partial<Finding>;
    if (typeof f !== "object" || f === null || typeof f.ruleId !== "string" || !(SEVERITIES as readonly string[]).includes(String(f.severity)) || typeof f.location?.file !== "string") {
      throw new UsageError(`--findings ${file}: finding #${i + 1} lacks ruleId, severity or location`);
    }
    findings.push({ ...f, indicators: Array.isArray(f.indicators) ? f.indicators : [], flow: Array.isArray(f.flow) ? f.flow : [], attack: Array.isArray(f.attack) ? f.attack : [], fingerprint: String(f.fingerprint ?? `${file}#${i}`) } as Finding);
  });
  return { file, findings };
}

export interface StoredState {
  alerts: Alert[];
  baseline: BaselineRow[];
  baselineStart?: number;
}

/** Read an `exfilscan logs` state database (SQLite file or postgres:// URL) without changing it. A missing file is an error, never a new empty database. */
export async function readStateDb(path: string, learningWindowMs: number): Promise<StoredState> {
  if (!isPostgresUrl(path) && !existsSync(path)) throw new UsageError(`--db ${path}: no such database (it is written by \`exfilscan logs --db ${path}\`)`);
  let store: LogStore;
  try {
    store = await openLogStore(path, { mustExist: true });
  } catch (error) {
    throw new UsageError(`--db ${path}: ${(error as Error).message}`);
  }
  try {
    const alerts = (await store.listAlerts()).map((r) => JSON.parse(r.json) as Alert);
    const starts = await store.learningStarts();
    const baselineStart = starts.size ? Math.min(...starts.values()) : undefined;
    // Only what was learned inside the learning window: a peer first seen later (an attacker's) must still be new.
    const rows = await store.loadBaseline();
    const baseline = baselineStart === undefined ? [] : rows.filter((r) => r.firstSeen < baselineStart + learningWindowMs);
    return { alerts, baseline, ...(baselineStart !== undefined ? { baselineStart } : {}) };
  } catch (error) {
    throw new UsageError(`--db ${path}: not an exfilscan state database (${(error as Error).message})`);
  } finally {
    await store.close();
  }
}

export interface CollectedLogs {
  events: HostEvent[];
  alerts: Alert[];
  result: AnalyzeResult;
}

export async function collectLogs(options: {
  inputs: string[]; format?: string; utcOffsetMinutes: number; referenceMs?: number;
  detectors: DetectorOptions; rules: Map<string, RuleMeta>; stored?: StoredState;
}): Promise<CollectedLogs> {
  const store = new SqliteStore(":memory:");
  const events: HostEvent[] = [];
  try {
    const result = options.inputs.length
      ? await analyzeLogs({
        inputs: options.inputs, ...(options.format ? { format: options.format } : {}), utcOffsetMinutes: options.utcOffsetMinutes,
        ...(options.referenceMs !== undefined ? { referenceMs: options.referenceMs } : {}),
        detectors: options.detectors, rules: options.rules, store, incremental: false,
        ...(options.stored ? { seed: { baseline: options.stored.baseline, ...(options.stored.baselineStart !== undefined ? { start: options.stored.baselineStart } : {}) } } : {}), detect: true, onEvent: (e) => events.push(e),
      })
      : { inputs: [], alerts: [], newAlerts: 0, events: 0, readable: 0, errors: [] };
    const byFingerprint = new Map<string, Alert>();
    for (const a of [...(options.stored?.alerts ?? []), ...result.alerts]) byFingerprint.set(a.fingerprint, a);
    const alerts = [...byFingerprint.values()].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    events.sort((a, b) => a.timestamp - b.timestamp);
    return { events, alerts, result };
  } finally {
    await store.close();
  }
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Installed copies of the flagged packages under the given directories (a project, its
 * node_modules, a virtualenv or site-packages): node_modules/<name>/package.json and
 * <name>-<version>.dist-info / .egg-info. Their mtime dates the install.
 */
export function findInstalled(dirs: string[], packages: PackageRef[]): InstalledCopy[] {
  const copies: InstalledCopy[] = [];
  const sitePackages = (dir: string): string[] => {
    const found: string[] = [dir];
    for (const lib of ["lib", "lib64"]) {
      const libDir = join(dir, lib);
      if (!existsSync(libDir)) continue;
      for (const py of readdirSync(libDir)) if (py.startsWith("python")) found.push(join(libDir, py, "site-packages"));
    }
    return found.filter((d) => existsSync(d));
  };
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new UsageError(`--installed ${dir}: no such directory`);
    for (const pkg of packages) {
      if (pkg.ecosystem === "npm") {
        for (const manifest of [join(dir, "node_modules", pkg.name, "package.json"), join(dir, pkg.name, "package.json")]) {
          const json = existsSync(manifest) ? readJson(manifest) : undefined;
          if (!json || json["name"] !== pkg.name) continue;
          const version = typeof json["version"] === "string" ? json["version"] : undefined;
          copies.push({ package: { ecosystem: "npm", name: pkg.name, ...(version ? { version } : {}) }, path: manifest, mtimeMs: statSync(manifest).mtimeMs });
        }
        continue;
      }
      for (const site of sitePackages(dir)) {
        for (const entry of readdirSync(site)) {
          const m = /^(.+?)-(\d[^-]*?)\.(dist-info|egg-info)$/.exec(entry);
          if (!m || normaliseName("pypi", m[1]!) !== normaliseName("pypi", pkg.name)) continue;
          const path = join(site, entry);
          copies.push({ package: { ecosystem: "pypi", name: pkg.name, version: m[2]! }, path, mtimeMs: statSync(path).mtimeMs });
        }
      }
    }
  }
  return copies;
}
