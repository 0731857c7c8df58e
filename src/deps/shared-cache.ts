// The verdict cache shared by every runner on one database (`--db` / EXFILSCAN_DB, SQLite file
// or PostgreSQL): one query before the scan loads every stored result of this analysis version
// for the packages' archive digests, the scan uses them like local cache hits, and the results
// this run analysed itself are written back in one transaction at the end.
//
// Trust: an entry is used only when the store's checks pass (same analysis version and archive
// digest, payload matches its sha256, shape of a result) and, with a fleet key configured
// (EXFILSCAN_DB_KEY or a key file), its HMAC over version, digest, writer and payload is valid.
// Only this run's own analyses are written, and only under a collision-resistant digest.
// An unreachable database is a warning: the scan analyses everything itself (never "clean").
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { errorMessage, UsageError } from "../core/errors.js";
import type { SharedCacheSummary } from "../core/types.js";
import { TOOL_VERSION } from "../core/version.js";
import { isPostgresUrl, openLogStore, redactUrl, StoreUnavailableError } from "../store/open.js";
import type { LogStore, VerdictLookup, VerdictRow } from "../store/types.js";
import type { CachedResult } from "./cache.js";
import type { ExpectedDigest } from "./types.js";

/** sha1 and md5 digests are never keys of a shared entry: a collision would let one archive's verdict serve another. */
const STRONG = new Set(["sha256", "sha384", "sha512"]);
const MAX_PROBLEMS = 20;
const MIN_KEY_BYTES = 16;

export const digestKey = (d: ExpectedDigest): string => `${d.algorithm}-${d.value}`;

/** HMAC-SHA256 over everything a reader relies on: analysis version, archive digest, writer, payload. */
export function verdictMac(key: Buffer, row: Omit<VerdictRow, "mac">): string {
  return createHmac("sha256", key).update(JSON.stringify(["exfilscan-verdict/1", row.analysisVersion, row.digest, row.writtenBy, row.resultJson])).digest("hex");
}

function macMatches(key: Buffer, row: VerdictRow): boolean {
  if (!row.mac || !/^[0-9a-f]{64}$/.test(row.mac)) return false;
  return timingSafeEqual(Buffer.from(verdictMac(key, row), "hex"), Buffer.from(row.mac, "hex"));
}

export interface SharedCacheOptions {
  /** SQLite file or postgres:// URL. */
  spec: string;
  analysisVersion: string;
  /** The fleet's verdict key: entries are signed with it and unsigned or badly signed ones are ignored. */
  key?: Buffer;
  /** Warnings as they happen (stderr); they are also in the summary. */
  warn?: (message: string) => void;
  /** Recorded in each entry written (default: host name and exfilscan version). */
  writer?: string;
}

export class SharedVerdictCache {
  readonly location: string;
  private store?: Promise<LogStore | Error>;

  constructor(private readonly options: SharedCacheOptions) {
    this.location = isPostgresUrl(options.spec) ? redactUrl(options.spec) : options.spec;
  }

  get signed(): boolean {
    return this.options.key !== undefined;
  }

  /** Opened once, on first use; a failure is remembered (the run does not retry it per package). */
  private connect(): Promise<LogStore | Error> {
    this.store ??= openLogStore(this.options.spec).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    return this.store;
  }

  /** Loads every stored verdict for these digests in one query. Never throws: a failure means no shared cache for this scan. */
  async session(digests: ExpectedDigest[]): Promise<SharedCacheSession> {
    const session = new SharedCacheSession(this, this.options);
    const keys = [...new Set(digests.filter((d) => STRONG.has(d.algorithm)).map(digestKey))];
    const store = await this.connect();
    if (store instanceof Error) {
      session.unreachable(store);
      return session;
    }
    if (!keys.length) return session;
    try {
      session.load(await store.getVerdicts(this.options.analysisVersion, keys));
    } catch (error) {
      session.unreachable(error);
    }
    return session;
  }

  /** @internal */
  async write(rows: VerdictRow[]): Promise<void> {
    const store = await this.connect();
    if (store instanceof Error) throw store;
    await store.putVerdicts(rows);
  }

  async close(): Promise<void> {
    const store = await this.store;
    if (store && !(store instanceof Error)) await store.close();
  }
}

/** One scan's view of the shared cache: what was preloaded, what to write back, the counts. */
export class SharedCacheSession {
  private readonly results = new Map<string, CachedResult>();
  private readonly pending = new Map<string, VerdictRow>();
  readonly summary: SharedCacheSummary;

  constructor(
    private readonly cache: SharedVerdictCache,
    private readonly options: SharedCacheOptions,
  ) {
    this.summary = { location: cache.location, reachable: true, signed: cache.signed, hits: 0, written: 0, rejected: 0, problems: [] };
  }

  private problem(message: string): void {
    if (this.summary.problems.length < MAX_PROBLEMS) this.summary.problems.push(message);
    this.options.warn?.(message);
  }

  /** @internal */
  unreachable(error: unknown): void {
    this.summary.reachable = false;
    const reason = error instanceof StoreUnavailableError ? error.reason : errorMessage(error);
    this.problem(`shared verdict cache ${this.cache.location} not used: ${reason}; every package is analysed here`);
  }

  /** @internal */
  load(found: Map<string, VerdictLookup>): void {
    for (const [digest, lookup] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
      if (lookup.status === "miss") continue;
      let why: string | undefined;
      if (lookup.status === "rejected") why = lookup.reason;
      else if (this.options.key && !lookup.row.mac) why = "unsigned (written without the fleet's verdict key)";
      else if (this.options.key && !macMatches(this.options.key, lookup.row)) why = "signature does not match (written with another key, or altered after signing)";
      if (why || lookup.status !== "hit") {
        this.summary.rejected++;
        this.problem(`shared verdict cache: entry for ${digest} ignored, the package is analysed again: ${why}`);
        continue;
      }
      this.results.set(digest, JSON.parse(lookup.row.resultJson) as CachedResult);
    }
  }

  /** The stored result for the first of these digests that has one (counted as a shared-cache hit). */
  get(digests: ExpectedDigest[]): CachedResult | undefined {
    for (const digest of digests) {
      const result = this.results.get(digestKey(digest));
      if (result) {
        this.summary.hits++;
        return result;
      }
    }
    return undefined;
  }

  /** A result this run analysed from the archive with this (verified) digest: written back by finish(). */
  add(digest: ExpectedDigest, result: CachedResult): void {
    if (!this.summary.reachable || !STRONG.has(digest.algorithm)) return;
    const key = digestKey(digest);
    if (this.results.has(key)) return;
    const resultJson = JSON.stringify(result);
    const row: Omit<VerdictRow, "mac"> = {
      analysisVersion: this.options.analysisVersion,
      digest: key,
      resultJson,
      resultSha256: createHash("sha256").update(resultJson).digest("hex"),
      writtenBy: this.options.writer ?? `${hostname()} exfilscan ${TOOL_VERSION}`,
    };
    this.pending.set(key, this.options.key ? { ...row, mac: verdictMac(this.options.key, row) } : row);
  }

  /** Writes this run's results back in one transaction; a failure is a warning in the summary. */
  async finish(): Promise<SharedCacheSummary> {
    if (this.pending.size) {
      try {
        await this.cache.write([...this.pending.values()]);
        this.summary.written = this.pending.size;
      } catch (error) {
        const reason = error instanceof StoreUnavailableError ? error.reason : errorMessage(error);
        this.problem(`shared verdict cache ${this.cache.location}: ${this.pending.size} result(s) of this run not written back: ${reason}`);
      }
      this.pending.clear();
    }
    return this.summary;
  }
}

/** The fleet's verdict key: --db-key-file, else EXFILSCAN_DB_KEY_FILE, else EXFILSCAN_DB_KEY. */
export function loadVerdictKey(keyFile: unknown, env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const file = typeof keyFile === "string" && keyFile ? keyFile : env["EXFILSCAN_DB_KEY_FILE"] || undefined;
  let text: string | undefined;
  let source = "EXFILSCAN_DB_KEY";
  if (file) {
    source = file;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read the verdict key file ${file}: ${errorMessage(error)}`);
    }
    if (!text.trim()) throw new UsageError(`the verdict key file ${file} is empty`);
  } else text = env["EXFILSCAN_DB_KEY"];
  if (!text) return undefined;
  const key = text.trim();
  if (Buffer.byteLength(key) < MIN_KEY_BYTES) {
    throw new UsageError(`${source}: the verdict key is too short (${Buffer.byteLength(key)} bytes); use at least ${MIN_KEY_BYTES}, e.g. \`openssl rand -hex 32\``);
  }
  return Buffer.from(key, "utf8");
}

/** --db, else EXFILSCAN_DB: the shared verdict cache, or none (the local cache only). */
export function sharedCacheFrom(
  raw: { db?: unknown; dbKeyFile?: unknown },
  analysisVersion: string,
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): SharedVerdictCache | undefined {
  const spec = typeof raw.db === "string" && raw.db ? raw.db : env["EXFILSCAN_DB"];
  if (!spec) return undefined;
  const key = loadVerdictKey(raw.dbKeyFile, env);
  return new SharedVerdictCache({ spec, analysisVersion, ...(key ? { key } : {}), warn });
}
