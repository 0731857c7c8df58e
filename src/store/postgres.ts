// The fleet store: PostgreSQL through `pg` with a small connection pool. Partition rows are
// locked (SELECT … FOR UPDATE, in name order so two writers never deadlock) while a batch is
// written; everything else commutes (offsets only grow; an alert's fingerprint names its host,
// so only that partition's writer updates it, the newest version kept).
import pg from "pg";
import { ExfilscanError } from "../core/errors.js";
import type { FileIdentity } from "../logs/reader.js";
import { LATEST_SCHEMA, POSTGRES_MIGRATIONS } from "./migrations.js";
import { baselineFrom, latestAlerts, offsetFrom, resumeFrom, sinceAndRule, uniqueVerdicts, verifyVerdict, type Row } from "./rows.js";
import { FLEET_SQL, fleetFrom } from "./sqlite.js";
import type {
  BaselineRow, BatchResult, BatchWrite, FleetDestination, LogStore, OffsetRow, PartitionSnapshot, ResetCounts, ResumeDecision, StoredAlert, VerdictLookup, VerdictRow,
} from "./types.js";

import { redactUrl, StoreUnavailableError } from "./unavailable.js";

export { redactUrl, StoreUnavailableError };

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  const message = (error as Error).message ?? "";
  return CONNECTION_CODES.has(code) || code.startsWith("08") || code.startsWith("28") || code === "57P01" || code === "57P03"
    || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}

export class PostgresStore implements LogStore {
  readonly engine = "postgres" as const;
  readonly location: string;

  private constructor(private readonly pool: pg.Pool, location: string) {
    this.location = location;
  }

  /** Connects and checks the schema (`migrate: true` applies missing migrations instead). */
  static async open(url: string, options: { migrate?: boolean; check?: boolean } = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 1_000, application_name: "exfilscan" });
    pool.on("error", () => {}); // an idle client that dies is dropped; the next query reconnects or fails clearly
    const store = new PostgresStore(pool, redactUrl(url));
    if (options.check === false) return store;
    try {
      const version = await store.schemaVersion();
      if (options.migrate) await store.migrate();
      else if (version < LATEST_SCHEMA) {
        throw new ExfilscanError(`${store.location}: database schema is at version ${version}, this exfilscan needs ${LATEST_SCHEMA}: run \`exfilscan db migrate --db <url>\` once`);
      } else if (version > LATEST_SCHEMA) throw new ExfilscanError(`${store.location} was written by a newer exfilscan (schema ${version})`);
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return store;
  }

  private async run<T>(what: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.unavailable(error);
    }
    try {
      return await what(client);
    } catch (error) {
      if (isConnectionError(error)) throw this.unavailable(error);
      throw error;
    } finally {
      client.release();
    }
  }

  private unavailable(error: unknown): StoreUnavailableError {
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    return new StoreUnavailableError(
      `cannot reach the state database ${this.location} (${reason}): nothing from this run was committed; the next run resumes from the last committed offset`,
      `cannot connect (${reason})`,
    );
  }

  private async transaction<T>(client: pg.PoolClient, body: () => Promise<T>, mode = "BEGIN"): Promise<T> {
    await client.query(mode);
    try {
      const result = await body();
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  async schemaVersion(): Promise<number> {
    return this.run(async (c) => {
      const exists = await c.query("SELECT to_regclass('meta') IS NOT NULL AS present");
      if (!exists.rows[0]?.present) return 0;
      const row = await c.query("SELECT value FROM meta WHERE key = 'schema_version'");
      return Number(row.rows[0]?.value ?? 0);
    });
  }

  /** Applies missing migrations under an advisory lock (many hosts may run it at once). */
  async migrate(): Promise<number[]> {
    return this.run((c) => this.transaction(c, async () => {
      await c.query("SELECT pg_advisory_xact_lock(7366029)");
      const exists = await c.query("SELECT to_regclass('meta') IS NOT NULL AS present");
      const current = exists.rows[0]?.present ? Number((await c.query("SELECT value FROM meta WHERE key = 'schema_version'")).rows[0]?.value ?? 0) : 0;
      if (current > LATEST_SCHEMA) throw new ExfilscanError(`${this.location} was written by a newer exfilscan (schema ${current})`);
      const applied: number[] = [];
      for (const m of POSTGRES_MIGRATIONS) {
        if (m.version <= current) continue;
        await c.query(m.sql);
        applied.push(m.version);
      }
      if (applied.length) await c.query("INSERT INTO meta(key, value) VALUES ('schema_version', $1) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [String(LATEST_SCHEMA)]);
      return applied;
    }));
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }

  async resumePoint(fingerprint: string, path: string, identity: FileIdentity | undefined): Promise<ResumeDecision> {
    return this.run(async (c) => {
      const known = (await c.query("SELECT * FROM files WHERE fingerprint = $1", [fingerprint])).rows[0] as Row | undefined;
      const byPath = known ? undefined : ((await c.query("SELECT ino, dev FROM files WHERE path = $1 ORDER BY updated_at DESC LIMIT 1", [path])).rows[0] as Row | undefined);
      return resumeFrom(known, byPath, path, identity);
    });
  }

  async loadPartition(name: string): Promise<PartitionSnapshot> {
    return this.run((c) => this.transaction(c, async () => {
      const row = (await c.query("SELECT version, learning_start FROM partitions WHERE name = $1", [name])).rows[0] as Row | undefined;
      const baseline = ((await c.query("SELECT * FROM host_baseline WHERE partition = $1", [name])).rows as Row[]).map(baselineFrom);
      const state = new Map<string, unknown>();
      for (const r of (await c.query("SELECT detector, json FROM partition_state WHERE partition = $1", [name])).rows as Row[]) state.set(String(r["detector"]), JSON.parse(String(r["json"])));
      const learningStart = row?.["learning_start"] != null ? Number(row["learning_start"]) : undefined;
      return { name, version: row ? Number(row["version"]) : 0, ...(learningStart !== undefined ? { learningStart } : {}), baseline, state };
    }, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  }

  async commitBatch(batch: BatchWrite): Promise<BatchResult> {
    // A connection lost around COMMIT is retried: the batch id tells whether it had landed.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run((c) => this.transaction(c, () => this.writeBatch(c, batch)));
      } catch (error) {
        if (!(error instanceof StoreUnavailableError) || attempt >= 3) throw error;
      }
    }
  }

  private async writeBatch(c: pg.PoolClient, batch: BatchWrite): Promise<BatchResult> {
    const partitions = [...batch.partitions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const now = Date.now();
    const current = new Map<string, Row>();
    for (const p of partitions) {
      await c.query("INSERT INTO partitions(name, version, updated_at) VALUES ($1, 0, $2) ON CONFLICT (name) DO NOTHING", [p.name, now]);
      const row = (await c.query("SELECT version, last_batch FROM partitions WHERE name = $1 FOR UPDATE", [p.name])).rows[0] as Row;
      current.set(p.name, row);
    }
    if ([...current.values()].some((r) => r["last_batch"] === batch.id)) return { status: "duplicate" };
    const conflicts = partitions.filter((p) => Number(current.get(p.name)?.["version"] ?? 0) !== p.expectedVersion).map((p) => p.name);
    if (conflicts.length) return { status: "conflict", partitions: conflicts };
    for (const o of [...batch.offsets].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1))) {
      await c.query(
        `INSERT INTO files(fingerprint, path, dev, ino, "offset", line, format, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (fingerprint) DO UPDATE SET path = excluded.path, dev = excluded.dev, ino = excluded.ino,
           "offset" = GREATEST(files."offset", excluded."offset"), line = GREATEST(files.line, excluded.line), format = excluded.format, updated_at = excluded.updated_at`,
        [o.fingerprint, o.path, o.dev, o.ino, o.offset, o.line, o.format, now],
      );
    }
    for (const p of partitions) {
      await c.query("UPDATE partitions SET version = $2, learning_start = $3, last_batch = $4, updated_at = $5 WHERE name = $1", [p.name, p.expectedVersion + 1, p.learningStart ?? null, batch.id, now]);
      if (p.baseline.length) {
        await c.query(
          `INSERT INTO host_baseline(partition, side, user_name, host, peer, first_seen, last_seen, count, evidence)
           SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[])
           ON CONFLICT (partition, side, user_name, host, peer) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen, count = excluded.count`,
          [p.name, ...columns(p.baseline)],
        );
      }
      for (const [id, json] of p.state) {
        await c.query("INSERT INTO partition_state(partition, detector, json) VALUES ($1, $2, $3) ON CONFLICT (partition, detector) DO UPDATE SET json = excluded.json", [p.name, id, JSON.stringify(json)]);
      }
    }
    const newAlerts = new Set<string>();
    if (batch.alerts.length) {
      const a = latestAlerts(batch.alerts);
      const inserted = await c.query(
        `INSERT INTO alerts(fingerprint, rule_id, severity, timestamp, json, created_at, partition)
         SELECT f, r, s, t, j, $6, p FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $7::text[]) AS u(f, r, s, t, j, p)
         ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint`,
        [a.map((x) => x.fingerprint), a.map((x) => x.ruleId), a.map((x) => x.severity), a.map((x) => x.timestamp), a.map((x) => x.json), now, a.map((x) => x.partition ?? null)],
      );
      for (const r of inserted.rows as Row[]) newAlerts.add(String(r["fingerprint"]));
      // An alert stored already is updated in place (an episode that went on), keeping when it was first stored.
      await c.query(
        `UPDATE alerts SET rule_id = u.r, severity = u.s, timestamp = u.t, json = u.j, partition = COALESCE(u.p, alerts.partition)
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(f, r, s, t, j, p)
         WHERE alerts.fingerprint = u.f AND alerts.json IS DISTINCT FROM u.j`,
        [a.map((x) => x.fingerprint), a.map((x) => x.ruleId), a.map((x) => x.severity), a.map((x) => x.timestamp), a.map((x) => x.json), a.map((x) => x.partition ?? null)],
      );
    }
    return { status: "committed", newAlerts };
  }

  async offsets(): Promise<OffsetRow[]> {
    return this.run(async (c) => ((await c.query("SELECT * FROM files ORDER BY path")).rows as Row[]).map(offsetFrom));
  }

  async loadBaseline(): Promise<BaselineRow[]> {
    return this.run(async (c) => ((await c.query(
      `SELECT side, user_name, host, peer, MIN(first_seen) AS first_seen, MAX(last_seen) AS last_seen, SUM(count) AS count, MIN(evidence) AS evidence
       FROM host_baseline GROUP BY side, user_name, host, peer ORDER BY side, user_name, host, peer`,
    )).rows as Row[]).map(baselineFrom));
  }

  async learningStarts(): Promise<Map<string, number>> {
    return this.run(async (c) => {
      const starts = new Map<string, number>();
      for (const r of (await c.query("SELECT name, learning_start FROM partitions WHERE learning_start IS NOT NULL")).rows as Row[]) starts.set(String(r["name"]), Number(r["learning_start"]));
      return starts;
    });
  }

  async fleetDestinations(): Promise<FleetDestination[]> {
    return this.run(async (c) => ((await c.query(FLEET_SQL)).rows as Row[]).map(fleetFrom));
  }

  async reset(everything: boolean): Promise<ResetCounts> {
    return this.run((c) => this.transaction(c, async () => {
      const baseline = (await c.query("DELETE FROM host_baseline")).rowCount ?? 0;
      await c.query("UPDATE partitions SET learning_start = NULL, version = version + 1");
      let files = 0;
      let alerts = 0;
      if (everything) {
        files = (await c.query("DELETE FROM files")).rowCount ?? 0;
        alerts = (await c.query("DELETE FROM alerts")).rowCount ?? 0;
        await c.query("DELETE FROM partition_state");
      }
      return { baseline, files, alerts };
    }));
  }

  async listAlerts(filter: { since?: number; ruleId?: string } = {}): Promise<StoredAlert[]> {
    const [since, , rule] = sinceAndRule(filter);
    return this.run(async (c) => (await c.query(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE ($1::text IS NULL OR timestamp >= $1) AND ($2::text IS NULL OR rule_id = $2) ORDER BY timestamp, fingerprint`, [since, rule],
    )).rows as StoredAlert[]);
  }

  async findAlert(prefix: string): Promise<StoredAlert[]> {
    return this.run(async (c) => (await c.query(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE fingerprint LIKE $1 ESCAPE '\\' ORDER BY timestamp LIMIT 2`, [`${prefix.replace(/[\\%_]/g, "\\$&")}%`],
    )).rows as StoredAlert[]);
  }

  async alertCount(): Promise<number> {
    return this.run(async (c) => Number((await c.query("SELECT COUNT(*) AS n FROM alerts")).rows[0]?.n ?? 0));
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
    const rows = await this.run(async (c) => (await c.query(
      "SELECT * FROM verdicts WHERE analysis_version = $1 AND digest = ANY($2::text[])", [analysisVersion, [...new Set(digests)]],
    )).rows as Row[]);
    for (const row of rows) found.set(String(row["digest"]), verifyVerdict(row, analysisVersion, String(row["digest"])));
    return found;
  }

  async putVerdicts(rows: VerdictRow[]): Promise<void> {
    const unique = uniqueVerdicts(rows);
    if (!unique.length) return;
    const now = Date.now();
    const write = () => this.run((c) => this.transaction(c, () => c.query(
      `INSERT INTO verdicts(analysis_version, digest, result_json, result_sha256, written_by, mac, created_at)
       SELECT *, $7::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (analysis_version, digest) DO UPDATE SET result_json = excluded.result_json, result_sha256 = excluded.result_sha256,
         written_by = excluded.written_by, mac = excluded.mac, created_at = excluded.created_at`,
      [unique.map((r) => r.analysisVersion), unique.map((r) => r.digest), unique.map((r) => r.resultJson), unique.map((r) => r.resultSha256), unique.map((r) => r.writtenBy), unique.map((r) => r.mac ?? null), now],
    )));
    // Rows are written in key order, so two runners cannot deadlock; a deadlock with some other writer is retried once.
    try {
      await write();
    } catch (error) {
      if ((error as { code?: string }).code !== "40P01") throw error;
      await write();
    }
  }
}

const ALERT_COLUMNS = `fingerprint, rule_id AS "ruleId", severity, timestamp, json, partition`;

function columns(rows: BaselineRow[]): unknown[] {
  return [rows.map((r) => r.side), rows.map((r) => r.user), rows.map((r) => r.host), rows.map((r) => r.peer), rows.map((r) => r.firstSeen), rows.map((r) => r.lastSeen), rows.map((r) => r.count), rows.map((r) => r.evidence)];
}
