// The embedded store: one SQLite file (better-sqlite3, WAL). Writers are serialised by
// BEGIN IMMEDIATE, held only while a batch is written (processing happens outside it).
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { UsageError } from "../core/errors.js";
import type { FileIdentity } from "../logs/reader.js";
import { LATEST_SCHEMA, SQLITE_MIGRATIONS } from "./migrations.js";
import { baselineFrom, latestAlerts, offsetFrom, resumeFrom, sinceAndRule, uniqueVerdicts, verifyVerdict, type Row } from "./rows.js";
import type {
  BaselineRow, BatchResult, BatchWrite, FleetDestination, LogStore, OffsetRow, PartitionSnapshot, ResetCounts, ResumeDecision, StoredAlert, VerdictLookup, VerdictRow,
} from "./types.js";

export class SqliteStore implements LogStore {
  readonly engine = "sqlite" as const;
  readonly location: string;
  private readonly db: Database.Database;

  /** `mustExist`: for commands that only read state — a mistyped path is an error, not a new empty database. */
  constructor(readonly path: string, options: { mustExist?: boolean; migrateOnOpen?: boolean } = {}) {
    this.location = path;
    if (options.mustExist && path !== ":memory:" && !existsSync(path)) throw new UsageError(`no state database at ${path} (run \`exfilscan logs\` first, or check --db)`);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 30000");
    if (options.mustExist && path !== ":memory:" && this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() === undefined) {
      this.db.close();
      throw new UsageError(`${path} is not an exfilscan state database`);
    }
    if (options.migrateOnOpen !== false) this.migrate();
  }

  /** Applies the missing migrations; returns the versions applied. */
  migrate(): number[] {
    const applied: number[] = [];
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const hasMeta = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
      const current = hasMeta ? Number((this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as Row | undefined)?.["value"] ?? 0) : 0;
      if (current > LATEST_SCHEMA) throw new UsageError(`${this.path} was written by a newer exfilscan (schema ${current})`);
      for (const migration of SQLITE_MIGRATIONS) {
        if (migration.version <= current) continue;
        this.db.exec(migration.sql);
        applied.push(migration.version);
      }
      if (applied.length) {
        this.db.prepare("INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(LATEST_SCHEMA));
      }
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
    return applied;
  }

  schemaVersion(): number {
    return Number((this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as Row | undefined)?.["value"] ?? 0);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private meta(key: string): string | undefined {
    return (this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as Row | undefined)?.["value"] as string | undefined;
  }

  async resumePoint(fingerprint: string, path: string, identity: FileIdentity | undefined): Promise<ResumeDecision> {
    const known = this.db.prepare("SELECT * FROM files WHERE fingerprint = ?").get(fingerprint) as Row | undefined;
    const byPath = known ? undefined : (this.db.prepare("SELECT ino, dev FROM files WHERE path = ? ORDER BY updated_at DESC LIMIT 1").get(path) as Row | undefined);
    return resumeFrom(known, byPath, path, identity);
  }

  async loadPartition(name: string): Promise<PartitionSnapshot> {
    // One read transaction: the version and the rows it stands for are read together.
    const read = this.db.transaction((): PartitionSnapshot => {
      const row = this.db.prepare("SELECT version, learning_start FROM partitions WHERE name = ?").get(name) as Row | undefined;
      const baseline = (this.db.prepare("SELECT * FROM host_baseline WHERE partition = ?").all(name) as Row[]).map(baselineFrom);
      const state = new Map<string, unknown>();
      for (const r of this.db.prepare("SELECT detector, json FROM partition_state WHERE partition = ?").all(name) as Row[]) state.set(String(r["detector"]), JSON.parse(String(r["json"])));
      let learningStart = row?.["learning_start"] != null ? Number(row["learning_start"]) : undefined;
      if (!row) {
        // A database written before partitions: its global state seeds every partition once.
        const legacy = this.meta("baseline_start");
        if (legacy !== undefined) learningStart = Number(legacy);
        for (const r of this.db.prepare("SELECT id, json FROM detector_state").all() as Row[]) state.set(String(r["id"]), JSON.parse(String(r["json"])));
      }
      return { name, version: row ? Number(row["version"]) : 0, ...(learningStart !== undefined ? { learningStart } : {}), baseline, state };
    });
    return read.deferred();
  }

  async commitBatch(batch: BatchWrite): Promise<BatchResult> {
    const write = this.db.transaction((): BatchResult => {
      const names = batch.partitions.map((p) => p.name);
      const current = new Map<string, Row>();
      for (const name of names) {
        const row = this.db.prepare("SELECT version, last_batch FROM partitions WHERE name = ?").get(name) as Row | undefined;
        if (row) current.set(name, row);
      }
      if ([...current.values()].some((r) => r["last_batch"] === batch.id)) return { status: "duplicate" };
      const conflicts = batch.partitions.filter((p) => Number(current.get(p.name)?.["version"] ?? 0) !== p.expectedVersion).map((p) => p.name);
      if (conflicts.length) return { status: "conflict", partitions: conflicts };
      const now = Date.now();
      const offset = this.db.prepare(
        `INSERT INTO files(fingerprint, path, dev, ino, offset, line, format, updated_at) VALUES (@fingerprint, @path, @dev, @ino, @offset, @line, @format, @now)
         ON CONFLICT(fingerprint) DO UPDATE SET path = excluded.path, dev = excluded.dev, ino = excluded.ino,
           offset = MAX(files.offset, excluded.offset), line = MAX(files.line, excluded.line), format = excluded.format, updated_at = excluded.updated_at`,
      );
      for (const o of batch.offsets) offset.run({ ...o, now });
      const partition = this.db.prepare(
        `INSERT INTO partitions(name, version, learning_start, last_batch, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET version = excluded.version, learning_start = excluded.learning_start, last_batch = excluded.last_batch, updated_at = excluded.updated_at`,
      );
      const baseline = this.db.prepare(
        `INSERT INTO host_baseline(partition, side, user_name, host, peer, first_seen, last_seen, count, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(partition, side, user_name, host, peer) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen, count = excluded.count`,
      );
      const state = this.db.prepare("INSERT INTO partition_state(partition, detector, json) VALUES (?, ?, ?) ON CONFLICT(partition, detector) DO UPDATE SET json = excluded.json");
      for (const p of batch.partitions) {
        partition.run(p.name, p.expectedVersion + 1, p.learningStart ?? null, batch.id, now);
        for (const r of p.baseline) baseline.run(p.name, r.side, r.user, r.host, r.peer, r.firstSeen, r.lastSeen, r.count, r.evidence);
        for (const [id, json] of p.state) state.run(p.name, id, JSON.stringify(json));
      }
      // An alert stored already is updated in place (an episode that went on), keeping when it was first stored.
      const alert = this.db.prepare("INSERT OR IGNORE INTO alerts(fingerprint, rule_id, severity, timestamp, json, created_at, partition) VALUES (?, ?, ?, ?, ?, ?, ?)");
      const update = this.db.prepare(
        "UPDATE alerts SET rule_id = ?, severity = ?, timestamp = ?, json = ?, partition = COALESCE(?, partition) WHERE fingerprint = ? AND json IS NOT ?",
      );
      const newAlerts = new Set<string>();
      for (const a of latestAlerts(batch.alerts)) {
        if (alert.run(a.fingerprint, a.ruleId, a.severity, a.timestamp, a.json, now, a.partition ?? null).changes === 1) newAlerts.add(a.fingerprint);
        else update.run(a.ruleId, a.severity, a.timestamp, a.json, a.partition ?? null, a.fingerprint, a.json);
      }
      return { status: "committed", newAlerts };
    });
    return write.immediate();
  }

  async offsets(): Promise<OffsetRow[]> {
    return (this.db.prepare("SELECT * FROM files ORDER BY path").all() as Row[]).map(offsetFrom);
  }

  async loadBaseline(): Promise<BaselineRow[]> {
    return (this.db.prepare(
      `SELECT side, user_name, host, peer, MIN(first_seen) AS first_seen, MAX(last_seen) AS last_seen, SUM(count) AS count, MIN(evidence) AS evidence
       FROM host_baseline GROUP BY side, user_name, host, peer ORDER BY side, user_name, host, peer`,
    ).all() as Row[]).map(baselineFrom);
  }

  async learningStarts(): Promise<Map<string, number>> {
    const starts = new Map<string, number>();
    for (const r of this.db.prepare("SELECT name, learning_start FROM partitions WHERE learning_start IS NOT NULL").all() as Row[]) starts.set(String(r["name"]), Number(r["learning_start"]));
    const legacy = this.meta("baseline_start");
    if (starts.size === 0 && legacy !== undefined) starts.set("*", Number(legacy));
    return starts;
  }

  async fleetDestinations(): Promise<FleetDestination[]> {
    return (this.db.prepare(FLEET_SQL).all() as Row[]).map(fleetFrom);
  }

  async reset(everything: boolean): Promise<ResetCounts> {
    return this.db.transaction((): ResetCounts => {
      const baseline = this.db.prepare("DELETE FROM host_baseline").run().changes;
      this.db.prepare("DELETE FROM meta WHERE key = 'baseline_start'").run();
      this.db.prepare("UPDATE partitions SET learning_start = NULL, version = version + 1").run();
      let files = 0;
      let alerts = 0;
      if (everything) {
        files = this.db.prepare("DELETE FROM files").run().changes;
        alerts = this.db.prepare("DELETE FROM alerts").run().changes;
        this.db.prepare("DELETE FROM partition_state").run();
        this.db.prepare("DELETE FROM detector_state").run();
      }
      return { baseline, files, alerts };
    }).immediate();
  }

  async listAlerts(filter: { since?: number; ruleId?: string } = {}): Promise<StoredAlert[]> {
    return this.db
      .prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE (? IS NULL OR timestamp >= ?) AND (? IS NULL OR rule_id = ?) ORDER BY timestamp, fingerprint`)
      .all(...sinceAndRule(filter)) as StoredAlert[];
  }

  async findAlert(prefix: string): Promise<StoredAlert[]> {
    return this.db
      .prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE fingerprint LIKE ? ESCAPE '\\' ORDER BY timestamp LIMIT 2`)
      .all(`${prefix.replace(/[\\%_]/g, "\\$&")}%`) as StoredAlert[];
  }

  async alertCount(): Promise<number> {
    return Number((this.db.prepare("SELECT COUNT(*) AS n FROM alerts").get() as Row)["n"]);
  }

  async getVerdict(analysisVersion: string, digest: string): Promise<VerdictLookup> {
    return (await this.getVerdicts(analysisVersion, [digest])).get(digest) ?? { status: "miss" };
  }

  async putVerdict(row: VerdictRow): Promise<void> {
    await this.putVerdicts([row]);
  }

  async getVerdicts(analysisVersion: string, digests: string[]): Promise<Map<string, VerdictLookup>> {
    const found = new Map<string, VerdictLookup>();
    if (!digests.length) return found;
    const rows = this.db
      .prepare("SELECT * FROM verdicts WHERE analysis_version = ? AND digest IN (SELECT value FROM json_each(?))")
      .all(analysisVersion, JSON.stringify([...new Set(digests)])) as Row[];
    for (const row of rows) found.set(String(row["digest"]), verifyVerdict(row, analysisVersion, String(row["digest"])));
    return found;
  }

  async putVerdicts(rows: VerdictRow[]): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO verdicts(analysis_version, digest, result_json, result_sha256, written_by, mac, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(analysis_version, digest) DO UPDATE SET result_json = excluded.result_json, result_sha256 = excluded.result_sha256,
         written_by = excluded.written_by, mac = excluded.mac, created_at = excluded.created_at`,
    );
    const now = Date.now();
    this.db.transaction(() => {
      for (const row of uniqueVerdicts(rows)) insert.run(row.analysisVersion, row.digest, row.resultJson, row.resultSha256, row.writtenBy, row.mac ?? null, now);
    }).immediate();
  }
}

const ALERT_COLUMNS = "fingerprint, rule_id AS ruleId, severity, timestamp, json, partition";

export const FLEET_SQL = `
  SELECT b.user_name, b.peer, MIN(b.first_seen) AS first_seen,
    (SELECT c.host FROM host_baseline c WHERE c.side = 'client' AND c.user_name = b.user_name AND c.peer = b.peer ORDER BY c.first_seen, c.host LIMIT 1) AS first_host,
    COUNT(DISTINCT b.host) AS hosts, SUM(b.count) AS count
  FROM host_baseline b WHERE b.side = 'client' GROUP BY b.user_name, b.peer ORDER BY b.user_name, b.peer`;

export function fleetFrom(r: Row): FleetDestination {
  return { user: String(r["user_name"]), peer: String(r["peer"]), firstSeen: Number(r["first_seen"]), firstHost: String(r["first_host"]), hosts: Number(r["hosts"]), count: Number(r["count"]) };
}
