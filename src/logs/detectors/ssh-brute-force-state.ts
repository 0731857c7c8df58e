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
}

export interface Episode {
  host: string;
  source: string;
  masked: string;
  start: number;
  until: number;
  reason: string;
  refused: number;
  observedDrops: number;
  lines: SimulatedLine[];
  evidence: Evidence[];
}

export interface SourceHistory {
  blocks: number[];
  failures: { at: number; evidence: Evidence }[];
  /** end of the last block (ms), for "never blocked while guessing" */
  blockedUntil?: number;
  /** contributions since the penalty entry was created */
  pending: Evidence[];
  pendingLines: SimulatedLine[];
}

export interface HostState {
  simulator: PenaltySimulator;
  connections: Map<string, Connection>;
  /** connections that ended, by key → end time: their trailing lines ("PAM 2 more …") open nothing */
  closed: Map<string, number>;
  local?: { ip: string; port: number };
}

export interface BruteForceState {
  hosts: [string, { penalties: PenaltyState; connections: [string, Connection][]; closed: [string, number][]; local?: { ip: string; port: number } }][];
  episodes: [string, Episode][];
  sources: [string, SourceHistory][];
}
