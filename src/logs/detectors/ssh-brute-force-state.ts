// The SSH brute-force detector's records (connections, block episodes, per-source histories) and their saved form, apart from the detection logic.
import type { Evidence } from "../alerts.js";
import type { PenaltySimulator, PenaltyState, SimulatedLine } from "../penalties.js";

export interface Connection {
  host: string;
  ip: string;
  port?: number;
  start: number;
  last: number;
  attempted: boolean;
  invalid: boolean;
  refused: boolean;
  authenticated: boolean;
  evidence: Evidence[];
  /** when it ended: kept (evidence let go) for its trailing lines until a sweep */
  closedAt?: number;
}

/**
 * What says the source was blocked: the replay of PerSourcePenalties ("simulated"), sshd's
 * own penalty lines ("logged", ground truth), both, or — where sshd has no PerSourcePenalties —
 * fail2ban's default-jail threshold ("threshold").
 */
export type EpisodeBasis = "simulated" | "logged" | "both" | "threshold";

/** One brute-force episode of one source: blocks that follow each other closely are one alert, updated as it goes on. */
export interface Episode {
  host: string;
  source: string;
  masked: string;
  start: number;
  /** end of the latest block (ms) */
  until: number;
  reason: string;
  refused: number;
  observedDrops: number;
  lines: SimulatedLine[];
  evidence: Evidence[];
  basis?: EpisodeBasis;
  /** blocks the replay started in this episode */
  blocks?: number;
  /** penalised connections (replay) or failures (threshold) in this episode */
  charges?: number;
  /** sshd's own "new … active" / "activating" / "drop connection … penalty:" lines */
  loggedLines?: number;
  /** last event of the episode (ms) */
  last?: number;
  /** what the last emitted alert said, so an unchanged episode is not raised again */
  reported?: string;
}

export interface SlowEpisode {
  ip: string;
  start: number;
  /** the failure that crossed the threshold */
  trigger: number;
  last: number;
  count: number;
  evidence: Evidence[];
  reported?: string;
}

export interface SourceHistory {
  blocks: number[];
  failures: { at: number; evidence: Evidence }[];
  /** end of the last block (ms), for "never blocked while guessing" */
  blockedUntil?: number;
  /** contributions since the penalty entry was created */
  pending: Evidence[];
  pendingLines: SimulatedLine[];
  /** penalties charged to the current table entry */
  charges?: number;
  /** threshold mode: recent failures (ms) and their evidence */
  recent?: { at: number; evidence: Evidence }[];
  slow?: SlowEpisode;
  /** first block of the current run of recidivism (the alert's key) */
  recidiveSince?: number;
}

/**
 * A new source's history with every field present (unset ones undefined), so all histories
 * share one shape whatever is set later (JSON leaves the undefined ones out of the saved state).
 */
export function newHistory(): SourceHistory {
  return {
    blocks: [], failures: [], pending: [], pendingLines: [],
    blockedUntil: undefined, charges: undefined, recent: undefined, slow: undefined, recidiveSince: undefined,
  };
}

/** A connection by its sshd-session pid (a number: no key string a line) or, without one, "addr:ip:port". */
export type ConnectionKey = number | string;

export interface HostState {
  simulator: PenaltySimulator;
  /** open connections, and ended ones (closedAt set) whose trailing lines ("PAM 2 more …") open nothing */
  connections: Map<ConnectionKey, Connection>;
  local?: { ip: string; port: number };
  /** masked source key of each address seen (bounded), so it is not rebuilt a line */
  sourceKeys: Map<string, string>;
}

/** Saved form of a connection key: "pid:N" or "addr:ip:port", as before keys were numbers. */
export function savedKey(key: ConnectionKey): string {
  return typeof key === "number" ? `pid:${key}` : key;
}

export function loadedKey(key: string): ConnectionKey {
  return key.startsWith("pid:") && /^pid:\d+$/.test(key) ? Number(key.slice(4)) : key;
}

export interface BruteForceState {
  hosts: [string, { penalties: PenaltyState; connections: [string, Connection][]; closed: [string, number][]; local?: { ip: string; port: number } }][];
  episodes: [string, Episode][];
  sources: [string, SourceHistory][];
}

/** The saved form keeps open and ended connections apart (as it did before they shared a map). */
export function savedConnections(host: HostState): { connections: [string, Connection][]; closed: [string, number][] } {
  const connections: [string, Connection][] = [];
  const closed: [string, number][] = [];
  for (const [key, connection] of host.connections) {
    if (connection.closedAt === undefined) connections.push([savedKey(key), connection]);
    else closed.push([savedKey(key), connection.closedAt]);
  }
  return { connections, closed };
}

/** An ended connection as loaded from the saved form: only its end time is read. */
export function closedStub(at: number): Connection {
  return { host: "", ip: "", port: undefined, start: at, last: at, attempted: false, invalid: false, refused: true, authenticated: false, evidence: [], closedAt: at };
}
