// The state of `exfilscan logs` in SQLite (better-sqlite3, WAL): per-file offsets keyed by a
// fingerprint of the first line (so a rotated, renamed or gzipped copy resumes where the
// original stopped) with device/inode to tell rotation from truncation, the SSH-destination
// baseline, detector state, and alerts. Writes happen inside one transaction per batch: a
// crash loses at most the batch in flight, which the next run re-reads.
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { UsageError } from "../core/errors.js";
import type { Cursor } from "./events.js";
import type { FileIdentity } from "./reader.js";

const SCHEMA_VERSION = 1;

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const stateHome = env["XDG_STATE_HOME"] || join(homedir(), ".local", "state");
  return join(stateHome, "exfilscan", "state.db");
}

export interface OffsetRow {
  fingerprint: string;
  path: string;
  dev: number;
  ino: number;
  offset: number;
  line: number;
  format: string;
  updatedAt: number;
}

export interface ResumeDecision {
  cursor: Cursor;
  /** The content was read before under another path or inode (logrotate moved or compressed it). */
  rotated: boolean;
  /** This path (or inode) held other content before: the log was rotated away or truncated, start over. */
  replaced: "rotated" | "truncated" | undefined;
}

export interface BaselineRow {
  side: "client" | "server";
  user: string;
  host: string;
  peer: string;
  firstSeen: number;
  lastSeen: number;
  count: number;
  evidence: string;
}

export interface StoredAlert {
  fingerprint: string;
  ruleId: string;
  severity: string;
  timestamp: string;
  json: string;
}

export class StateStore {
  private readonly db: Database.Database;
  private inTransaction = false;

  /** `mustExist`: for commands that only read state — a mistyped path is an error, not a new empty database. */
  constructor(readonly path: string, options: { mustExist?: boolean } = {}) {
    if (options.mustExist && path !== ":memory:" && !existsSync(path)) throw new UsageError(`no state database at ${path} (run \`exfilscan logs\` first, or check --db)`);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.migrate();
  }

  private migrate(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS files (
        fingerprint TEXT PRIMARY KEY, path TEXT NOT NULL, dev INTEGER NOT NULL, ino INTEGER NOT NULL,
        offset INTEGER NOT NULL, line INTEGER NOT NULL, format TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS files_path ON files(path);
      CREATE TABLE IF NOT EXISTS baseline (
        side TEXT NOT NULL, user TEXT NOT NULL, host TEXT NOT NULL, peer TEXT NOT NULL,
        first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL, evidence TEXT NOT NULL,
        PRIMARY KEY (side, user, host, peer));
      CREATE TABLE IF NOT EXISTS detector_state (id TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS alerts (
        fingerprint TEXT PRIMARY KEY, rule_id TEXT NOT NULL, severity TEXT NOT NULL, timestamp TEXT NOT NULL,
        json TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS alerts_time ON alerts(timestamp);
    `);
    const version = this.getMeta("schema_version");
    if (version === undefined) this.setMeta("schema_version", String(SCHEMA_VERSION));
    else if (Number(version) > SCHEMA_VERSION) throw new Error(`${this.path} was written by a newer exfilscan (schema ${version})`);
  }

  close(): void {
    if (this.inTransaction) this.rollback();
    this.db.close();
  }

  begin(): void {
    if (this.inTransaction) return;
    this.db.exec("BEGIN IMMEDIATE");
    this.inTransaction = true;
  }

  commit(): void {
    if (!this.inTransaction) return;
    this.db.exec("COMMIT");
    this.inTransaction = false;
  }

  rollback(): void {
    if (!this.inTransaction) return;
    this.db.exec("ROLLBACK");
    this.inTransaction = false;
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  deleteMeta(key: string): void {
    this.db.prepare("DELETE FROM meta WHERE key = ?").run(key);
  }

  // ---- offsets -----------------------------------------------------------------------

  /**
   * Where to start reading a file. Same first line → same log, wherever it lives now: resume
   * (rotated if its path/inode changed). Otherwise, if this path or inode was read before with
   * other content, the log was rotated (new inode) or truncated (same inode): start over.
   */
  resumePoint(fingerprint: string, path: string, identity: FileIdentity | undefined): ResumeDecision {
    const known = this.db.prepare("SELECT * FROM files WHERE fingerprint = ?").get(fingerprint) as Record<string, unknown> | undefined;
    if (known) {
      const sameFile = identity !== undefined && known["ino"] === identity.ino && known["dev"] === identity.dev;
      const offset = Number(known["offset"]);
      // Same inode but shorter than what we read: truncated in place and rewritten.
      if (sameFile && identity && identity.size < offset) return { cursor: { offset: 0, line: 0 }, rotated: false, replaced: "truncated" };
      return { cursor: { offset, line: Number(known["line"]) }, rotated: !sameFile || known["path"] !== path, replaced: undefined };
    }
    const byPath = this.db.prepare("SELECT ino, dev FROM files WHERE path = ? ORDER BY updated_at DESC LIMIT 1").get(path) as
      | { ino: number; dev: number }
      | undefined;
    let replaced: ResumeDecision["replaced"];
    if (byPath && identity) replaced = byPath.ino === identity.ino && byPath.dev === identity.dev ? "truncated" : "rotated";
    return { cursor: { offset: 0, line: 0 }, rotated: false, replaced };
  }

  saveOffset(row: Omit<OffsetRow, "updatedAt">, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO files(fingerprint, path, dev, ino, offset, line, format, updated_at) VALUES (@fingerprint, @path, @dev, @ino, @offset, @line, @format, @now)
         ON CONFLICT(fingerprint) DO UPDATE SET path = excluded.path, dev = excluded.dev, ino = excluded.ino,
           offset = MAX(files.offset, excluded.offset), line = MAX(files.line, excluded.line), format = excluded.format, updated_at = excluded.updated_at`,
      )
      .run({ ...row, now });
  }

  offsets(): OffsetRow[] {
    return (this.db.prepare("SELECT * FROM files ORDER BY path").all() as Record<string, unknown>[]).map((r) => ({
      fingerprint: String(r["fingerprint"]), path: String(r["path"]), dev: Number(r["dev"]), ino: Number(r["ino"]),
      offset: Number(r["offset"]), line: Number(r["line"]), format: String(r["format"]), updatedAt: Number(r["updated_at"]),
    }));
  }

  // ---- baseline ----------------------------------------------------------------------

  loadBaseline(): BaselineRow[] {
    return (this.db.prepare("SELECT * FROM baseline").all() as Record<string, unknown>[]).map((r) => ({
      side: r["side"] as BaselineRow["side"], user: String(r["user"]), host: String(r["host"]), peer: String(r["peer"]),
      firstSeen: Number(r["first_seen"]), lastSeen: Number(r["last_seen"]), count: Number(r["count"]), evidence: String(r["evidence"]),
    }));
  }

  saveBaseline(rows: Iterable<BaselineRow>): void {
    const statement = this.db.prepare(
      `INSERT INTO baseline(side, user, host, peer, first_seen, last_seen, count, evidence) VALUES (@side, @user, @host, @peer, @firstSeen, @lastSeen, @count, @evidence)
       ON CONFLICT(side, user, host, peer) DO UPDATE SET first_seen = MIN(baseline.first_seen, excluded.first_seen),
         last_seen = MAX(baseline.last_seen, excluded.last_seen), count = excluded.count`,
    );
    for (const row of rows) statement.run(row);
  }

  /** Forget the baseline (and when it started); `everything` also forgets offsets, detector state and alerts. */
  reset(everything: boolean): { baseline: number; files: number; alerts: number } {
    const baseline = this.db.prepare("DELETE FROM baseline").run().changes;
    this.deleteMeta("baseline_start");
    let files = 0;
    let alerts = 0;
    if (everything) {
      files = this.db.prepare("DELETE FROM files").run().changes;
      alerts = this.db.prepare("DELETE FROM alerts").run().changes;
      this.db.prepare("DELETE FROM detector_state").run();
    }
    return { baseline, files, alerts };
  }

  // ---- detector state and alerts -------------------------------------------------------

  loadState(id: string): unknown {
    const row = this.db.prepare("SELECT json FROM detector_state WHERE id = ?").get(id) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as unknown) : undefined;
  }

  saveState(id: string, state: unknown): void {
    this.db
      .prepare("INSERT INTO detector_state(id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json")
      .run(id, JSON.stringify(state));
  }

  /** true when the alert is new to the store */
  saveAlert(alert: StoredAlert, now = Date.now()): boolean {
    return (
      this.db
        .prepare("INSERT OR IGNORE INTO alerts(fingerprint, rule_id, severity, timestamp, json, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .run(alert.fingerprint, alert.ruleId, alert.severity, alert.timestamp, alert.json, now).changes === 1
    );
  }

  /** Stored alerts, oldest first; `since` (epoch ms) compares the alert's own time. */
  listAlerts(filter: { since?: number; ruleId?: string } = {}): StoredAlert[] {
    const rows = this.db
      .prepare("SELECT fingerprint, rule_id AS ruleId, severity, timestamp, json FROM alerts WHERE (? IS NULL OR timestamp >= ?) AND (? IS NULL OR rule_id = ?) ORDER BY timestamp, fingerprint")
      .all(...sinceAndRule(filter)) as StoredAlert[];
    return rows;
  }

  /** One stored alert by its fingerprint or a unique prefix of it. */
  findAlert(prefix: string): StoredAlert[] {
    return this.db
      .prepare("SELECT fingerprint, rule_id AS ruleId, severity, timestamp, json FROM alerts WHERE fingerprint LIKE ? ESCAPE '\\' ORDER BY timestamp LIMIT 2")
      .all(`${prefix.replace(/[\\%_]/g, "\\$&")}%`) as StoredAlert[];
  }

  alertCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM alerts").get() as { n: number }).n;
  }
}

function sinceAndRule(filter: { since?: number; ruleId?: string }): (string | null)[] {
  const since = filter.since === undefined ? null : new Date(filter.since).toISOString();
  const rule = filter.ruleId ?? null;
  return [since, since, rule, rule];
}
