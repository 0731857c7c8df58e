// Versioned schema migrations of the state database, one list per engine with the same
// version numbers. `exfilscan db migrate` applies the missing ones; SQLite (one user, one
// file) applies them on open, PostgreSQL (shared, DDL rights) only through `db migrate`.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "offsets, baseline, detector state, alerts",
    sql: `
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
      CREATE INDEX IF NOT EXISTS alerts_time ON alerts(timestamp);`,
  },
  {
    version: 2,
    name: "per-host partitions with versions (concurrent writers), fleet view",
    // The global baseline becomes the partition of each row's host; the old global detector
    // state and learning start stay as the fallback of partitions that have none yet.
    sql: `
      CREATE TABLE partitions (
        name TEXT PRIMARY KEY, version INTEGER NOT NULL, learning_start INTEGER, last_batch TEXT, updated_at INTEGER NOT NULL);
      CREATE TABLE partition_state (
        partition TEXT NOT NULL, detector TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (partition, detector));
      CREATE TABLE host_baseline (
        partition TEXT NOT NULL, side TEXT NOT NULL, user_name TEXT NOT NULL, host TEXT NOT NULL, peer TEXT NOT NULL,
        first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL, evidence TEXT NOT NULL,
        PRIMARY KEY (partition, side, user_name, host, peer));
      CREATE INDEX host_baseline_fleet ON host_baseline(side, user_name, peer, first_seen);
      INSERT INTO host_baseline SELECT host, side, user, host, peer, first_seen, last_seen, count, evidence FROM baseline;
      DROP TABLE baseline;
      ALTER TABLE alerts ADD COLUMN partition TEXT;`,
  },
  {
    version: 3,
    name: "shared verdict/result cache of deps, guard and CI",
    sql: `
      CREATE TABLE verdicts (
        analysis_version TEXT NOT NULL, digest TEXT NOT NULL, result_json TEXT NOT NULL, result_sha256 TEXT NOT NULL,
        written_by TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (analysis_version, digest));`,
  },
  {
    version: 4,
    name: "verdicts signed with the runners' shared key (HMAC)",
    sql: `ALTER TABLE verdicts ADD COLUMN mac TEXT;`,
  },
];

export const POSTGRES_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "offsets, alerts",
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE files (
        fingerprint TEXT PRIMARY KEY, path TEXT NOT NULL, dev BIGINT NOT NULL, ino BIGINT NOT NULL,
        "offset" BIGINT NOT NULL, line BIGINT NOT NULL, format TEXT NOT NULL, updated_at BIGINT NOT NULL);
      CREATE INDEX files_path ON files(path);
      CREATE TABLE alerts (
        fingerprint TEXT PRIMARY KEY, rule_id TEXT NOT NULL, severity TEXT NOT NULL, timestamp TEXT NOT NULL,
        json TEXT NOT NULL, created_at BIGINT NOT NULL);
      CREATE INDEX alerts_time ON alerts(timestamp);`,
  },
  {
    version: 2,
    name: "per-host partitions with versions (concurrent writers), fleet view",
    sql: `
      CREATE TABLE partitions (
        name TEXT PRIMARY KEY, version BIGINT NOT NULL, learning_start BIGINT, last_batch TEXT, updated_at BIGINT NOT NULL);
      CREATE TABLE partition_state (
        partition TEXT NOT NULL, detector TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (partition, detector));
      CREATE TABLE host_baseline (
        partition TEXT NOT NULL, side TEXT NOT NULL, user_name TEXT NOT NULL, host TEXT NOT NULL, peer TEXT NOT NULL,
        first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, count BIGINT NOT NULL, evidence TEXT NOT NULL,
        PRIMARY KEY (partition, side, user_name, host, peer));
      CREATE INDEX host_baseline_fleet ON host_baseline(side, user_name, peer, first_seen);
      ALTER TABLE alerts ADD COLUMN partition TEXT;`,
  },
  {
    version: 3,
    name: "shared verdict/result cache of deps, guard and CI",
    sql: `
      CREATE TABLE verdicts (
        analysis_version TEXT NOT NULL, digest TEXT NOT NULL, result_json TEXT NOT NULL, result_sha256 TEXT NOT NULL,
        written_by TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (analysis_version, digest));`,
  },
  {
    version: 4,
    name: "verdicts signed with the runners' shared key (HMAC)",
    sql: `ALTER TABLE verdicts ADD COLUMN mac TEXT;`,
  },
];

export const LATEST_SCHEMA = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version;
