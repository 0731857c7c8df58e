// The state of `exfilscan logs` behind one interface, so detectors and commands do not know
// whether it lives in the embedded SQLite file (the default) or in a fleet's PostgreSQL.
//
// Concurrency model (shared by both engines): detector state, the learned SSH baseline and
// the learning-window start are kept per *partition* — the host whose log produced the
// events. A run loads a partition's snapshot with its version, processes events in memory,
// and commits a batch (offsets + baseline + state + alerts) in one transaction that first
// re-reads each partition's version under a write lock. A version another writer moved is a
// conflict: the run reloads that partition and replays the batch's events for it, so no
// writer ever overwrites state it did not load. Each batch carries an id; a retried batch
// whose first attempt did commit is recognised and not applied twice.
import type { Cursor } from "../logs/events.js";
import type { FileIdentity } from "../logs/reader.js";

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

export type OffsetWrite = Omit<OffsetRow, "updatedAt">;

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
  /** The partition (log host) that raised it. */
  partition?: string;
}

export interface PartitionSnapshot {
  name: string;
  /** 0: never written. */
  version: number;
  learningStart?: number;
  baseline: BaselineRow[];
  state: Map<string, unknown>;
}

export interface PartitionWrite {
  name: string;
  /** The version the writer loaded; the commit is refused when the store holds another. */
  expectedVersion: number;
  learningStart?: number;
  /** Rows changed since the last commit (whole rows: the partition's writer owns them). */
  baseline: BaselineRow[];
  state: [string, unknown][];
}

export interface BatchWrite {
  /** Unique per batch of one run: a retried batch that did commit is not applied again. */
  id: string;
  offsets: OffsetWrite[];
  partitions: PartitionWrite[];
  alerts: StoredAlert[];
}

export type BatchResult =
  | { status: "committed"; newAlerts: Set<string> }
  | { status: "duplicate" }
  | { status: "conflict"; partitions: string[] };

/** First time a user reached a destination anywhere in the fleet (client side of the baseline). */
export interface FleetDestination {
  user: string;
  peer: string;
  firstSeen: number;
  firstHost: string;
  hosts: number;
  count: number;
}

export interface ResetCounts {
  baseline: number;
  files: number;
  alerts: number;
}

/**
 * One cached analysis result of a package archive, shared by every runner on the database.
 * `digest` is "<algorithm>-<value>" of the archive the result was computed from.
 */
export interface VerdictRow {
  analysisVersion: string;
  digest: string;
  resultJson: string;
  /** sha256 of resultJson, checked on read. */
  resultSha256: string;
  writtenBy: string;
  /** HMAC-SHA256 (hex) over the row by a runner holding the fleet's verdict key; absent when unsigned. */
  mac?: string;
}

/** A verdict read back: `rejected` says why a stored row was not usable (it is then a miss). */
export type VerdictLookup = { status: "hit"; row: VerdictRow } | { status: "miss" } | { status: "rejected"; reason: string };

export interface LogStore {
  /** Where the state lives, for messages (a PostgreSQL password is never included). */
  readonly location: string;
  readonly engine: "sqlite" | "postgres";
  resumePoint(fingerprint: string, path: string, identity: FileIdentity | undefined): Promise<ResumeDecision>;
  loadPartition(name: string): Promise<PartitionSnapshot>;
  commitBatch(batch: BatchWrite): Promise<BatchResult>;
  offsets(): Promise<OffsetRow[]>;
  /** The baseline of every partition, merged per (side, user, host, peer). */
  loadBaseline(): Promise<BaselineRow[]>;
  /** Learning-window start of each partition. */
  learningStarts(): Promise<Map<string, number>>;
  fleetDestinations(): Promise<FleetDestination[]>;
  /** Forget the baseline and learning windows; `everything` also forgets offsets, detector state and alerts. */
  reset(everything: boolean): Promise<ResetCounts>;
  listAlerts(filter?: { since?: number; ruleId?: string }): Promise<StoredAlert[]>;
  /** Alerts whose fingerprint starts with the prefix (at most 2). */
  findAlert(prefix: string): Promise<StoredAlert[]>;
  alertCount(): Promise<number>;
  /** The verdict stored for (analysis version, archive digest), re-verified (see verifyVerdict). */
  getVerdict(analysisVersion: string, digest: string): Promise<VerdictLookup>;
  /** Stores (or replaces) a verdict. */
  putVerdict(row: VerdictRow): Promise<void>;
  /** Every stored verdict of one analysis version among these digests, in one query, each re-verified; absent digests are not in the map. */
  getVerdicts(analysisVersion: string, digests: string[]): Promise<Map<string, VerdictLookup>>;
  /** Stores (or replaces) verdicts in one transaction; idempotent. */
  putVerdicts(rows: VerdictRow[]): Promise<void>;
  close(): Promise<void>;
}

/** A version check lost to a concurrent writer too many times in a row. */
export const MAX_COMMIT_ATTEMPTS = 50;
