// SSH brute force on one server program of a host (OpenSSH's sshd, or Dropbear), judged by what
// sshd itself logged and by replaying its PerSourcePenalties over the log (penalties.ts):
//  - ssh-brute-force: a source sshd blocked (its own "activating"/"new … active"/"drop
//    connection … penalty:" lines are ground truth), or that the configured OpenSSH release
//    would have blocked (the replay: when, for how long, the connections it would have refused
//    and the exact lines it would log); on releases without PerSourcePenalties (< 9.8), with
//    it off, or on Dropbear (which has none), fail2ban's default jail threshold (maxretry
//    failures within findtime);
//  - ssh-slow-brute-force: a source that kept failing logins for a long time but never
//    crossed the penalty threshold (the guessers PerSourcePenalties lets through);
//  - ssh-penalty-recidivist: a source blocked again and again, which a fixed max never escalates.
// One alert per source per episode: blocks or failures that follow each other within
// findtime are one episode, whose alert is updated (same key) rather than repeated.
// Connections are followed by sshd-session PID (one penalty per connection, at its end) here;
// the episodes and recidivists are ssh-brute-force-episodes.ts, the slow guessers
// ssh-brute-force-slow.ts, the per-source records ssh-brute-force-sources.ts.
import { evidenceOf, type Emit } from "../alerts.js";
import type { HostEvent } from "../events.js";
import type { PenaltyConfig, PenaltyType } from "../penalties.js";
import { Episodes } from "./ssh-brute-force-episodes.js";
import { dropFailuresBefore, dropTimesBefore } from "./ssh-brute-force-lists.js";
import { SlowGuessers } from "./ssh-brute-force-slow.js";
import { hostOfKey, SourceTable } from "./ssh-brute-force-sources.js";
import { closedStub, loadedKey, savedConnections, type BruteForceState, type Connection, type ConnectionKey, type HostState } from "./ssh-brute-force-state.js";
import { isThresholdFailure } from "./ssh-brute-force-threshold.js";
import type { SshServer } from "./ssh-brute-force-report.js";

export interface BruteForceOptions {
  penalties: PenaltyConfig;
  /** without PerSourcePenalties: failures from one source within findTimeMs that make a brute force; also the gap that ends an episode */
  maxRetry: number;
  findTimeMs: number;
  /** failed logins from one source within slowWindowMs, never blocked, that make a slow guesser */
  slowFailures: number;
  slowWindowMs: number;
  /** blocks of one source within recidiveWindowMs that make a recidivist */
  recidiveCount: number;
  recidiveWindowMs: number;
  /** "addr:port" sshd listens on, for simulated drop lines when the log never shows it */
  listenAddress?: string;
  /** the server program whose lines these are (default openssh): Dropbear has no PerSourcePenalties */
  server?: SshServer;
}

const IDLE_CONNECTION_MS = 3_600_000;
const TRAILING_LINES_MS = 60_000;

/** The brute-force detection of one server program (ssh-brute-force.ts keeps one per program seen). */
export class ServerBruteForce {
  private readonly sources: SourceTable;
  private readonly episodes: Episodes;
  private readonly slow: SlowGuessers;
  private seen = 0;

  constructor(
    emit: Emit,
    private readonly options: BruteForceOptions,
  ) {
    this.sources = new SourceTable(options.penalties);
    this.episodes = new Episodes(this.sources, emit, options);
    this.slow = new SlowGuessers(this.sources, (key) => this.episodes.open.has(key), emit, options);
  }

  onEvent(event: HostEvent): void {
    const hostName = event.host ?? "-";
    const host = this.sources.host(hostName);
    this.episodes.advance(event.timestamp);
    if (++this.seen % 5000 === 0) this.sweep(event.timestamp);
    if (!host.simulator.active && event.sourceIp && isThresholdFailure(event)) this.episodes.thresholdFailure(hostName, event);
    switch (event.action) {
      case "ssh_penalty_drop":
      case "ssh_penalty_new":
      case "ssh_penalty_activate":
        this.episodes.observe(hostName, host, event);
        return;
      case "ssh_grace_timeout":
      case "ssh_child_crash": {
        const pid = event.process?.pid ?? event.pid;
        const found = pid !== undefined ? host.connections.get(pid) : undefined;
        const connection = found?.closedAt === undefined ? found : undefined;
        const type: PenaltyType = event.action === "ssh_grace_timeout" ? "grace-exceeded" : "crash";
        if (connection) this.close(hostName, host, connection, type, event);
        else if (event.sourceIp) this.episodes.penalise(hostName, host, event.sourceIp, type, event, [evidenceOf(event)]);
        return;
      }
      case "ssh_connection":
        if (event.destinationIp && event.destinationPort) host.local = { ip: event.destinationIp, port: event.destinationPort };
        break;
      default:
        break;
    }
    const key: ConnectionKey | undefined = event.pid !== undefined ? event.pid : event.sourceIp && event.sourcePort ? `addr:${event.sourceIp}:${event.sourcePort}` : undefined;
    if (key === undefined) return;
    let connection = host.connections.get(key);
    if (connection?.closedAt !== undefined) {
      // Its trailing lines ("PAM 2 more …") open nothing; a later reuse of the key is a new connection.
      if (event.timestamp - connection.closedAt <= TRAILING_LINES_MS) return;
      connection = undefined;
    }
    if (!connection) {
      if (!event.sourceIp) return;
      connection = this.open(hostName, host, event);
      host.connections.set(key, connection);
    }
    connection.last = event.timestamp;
    if (connection.authenticated) {
      // After login the session ends with no penalty (exit status 0).
      if (event.action === "ssh_disconnect" && !event.reason?.startsWith("Received disconnect")) this.forget(connection, event.timestamp);
      return;
    }
    if (connection.evidence.length < 12) connection.evidence.push(evidenceOf(event));
    switch (event.action) {
      case "ssh_login":
        if (event.outcome === "success") {
          connection.authenticated = true;
          return;
        }
        connection.attempted = true;
        if (event.invalidUser) connection.invalid = true;
        this.slow.failure(hostName, connection.ip, event);
        return;
      case "ssh_pam_auth_failure":
      case "ssh_max_auth_attempts":
        connection.attempted = true;
        if (event.action === "ssh_max_auth_attempts") this.close(hostName, host, connection, "authfail", event);
        return;
      case "ssh_invalid_user":
      case "ssh_not_allowed":
        connection.invalid = true;
        return;
      case "ssh_disconnect": {
        if (event.reason?.startsWith("Received disconnect")) return; // "Disconnected from" follows
        if (event.preamble === "user" || event.phase === "postauth") {
          this.forget(connection, event.timestamp);
          return;
        }
        if (event.preamble === "authenticating") connection.attempted = true;
        if (event.preamble === "invalid") connection.invalid = true;
        const type: PenaltyType = connection.attempted ? "authfail" : connection.invalid ? "invaliduser" : "noauth";
        this.close(hostName, host, connection, type, event);
        return;
      }
      default:
        return;
    }
  }

  /**
   * The connection ended: it stays in the map, marked, until a sweep (no Map delete and set a
   * connection, which made V8 shrink and grow the table each time), its evidence let go.
   */
  private forget(connection: Connection, at: number): void {
    connection.closedAt = at;
    connection.evidence.length = 0;
  }

  /** A connection's first line: would the listener have accepted it? */
  private open(hostName: string, host: HostState, event: HostEvent): Connection {
    const ip = event.sourceIp!;
    const at = event.timestamp;
    // One shape for every connection (port and closedAt present, perhaps undefined: the saved
    // JSON leaves them out as before), so the per-line reads of a connection see one hidden class.
    const connection: Connection = {
      host: hostName, ip, port: event.sourcePort ? event.sourcePort : undefined, start: at, last: at,
      attempted: false, invalid: false, refused: false, authenticated: false, evidence: [], closedAt: undefined,
    };
    connection.refused = !this.episodes.admit(hostName, host, event);
    return connection;
  }

  private close(hostName: string, host: HostState, connection: Connection, type: PenaltyType, event: HostEvent): void {
    // a refused connection never reached authentication
    if (!connection.refused) this.episodes.penalise(hostName, host, connection.ip, type, event, connection.evidence);
    this.forget(connection, event.timestamp);
  }

  /** Forget connections that never closed and histories that aged out (bounded memory). */
  private sweep(now: number): void {
    for (const host of this.sources.hosts.values()) {
      // forEach, in the same order: no [key, value] array made an entry
      const connections = host.connections;
      connections.forEach((connection, key) => {
        const closedAt = connection.closedAt;
        if (closedAt !== undefined ? closedAt < now - TRAILING_LINES_MS : connection.last < now - IDLE_CONNECTION_MS) connections.delete(key);
      });
    }
    const horizon = now - Math.max(this.options.slowWindowMs, this.options.recidiveWindowMs);
    for (const [key, history] of this.sources.histories) {
      if (history.slow && history.slow.last < now - this.options.slowWindowMs) this.slow.report(hostOfKey(key), key, history);
      if ((history.pending.length || history.pendingLines.length) && !this.sources.tracked(key)) {
        // Its penalty entry is gone, so its next penalty opens a new one and starts these afresh:
        // they are never read again (dropped now rather than kept until then).
        history.pending.length = 0;
        history.pendingLines.length = 0;
      }
      // a new array only when something left the window (most sweeps drop nothing from most sources)
      const failuresFrom = now - this.options.slowWindowMs;
      dropFailuresBefore(history.failures, failuresFrom);
      dropTimesBefore(history.blocks, now - this.options.recidiveWindowMs);
      if (!history.failures.length && !history.blocks.length && !history.slow && !history.recent?.length && !this.episodes.open.has(key) && (history.blockedUntil ?? 0) < horizon) {
        this.sources.dropHistory(key);
      }
    }
  }

  finish(): void {
    for (const [key, episode] of [...this.episodes.open]) this.episodes.report(key, episode, true);
    for (const [key, history] of this.sources.histories) if (history.slow) this.slow.report(hostOfKey(key), key, history, true);
  }

  exportState(): BruteForceState {
    return {
      hosts: [...this.sources.hosts].map(([name, h]) => [name, {
        penalties: h.simulator.exportState(), ...savedConnections(h),
        ...(h.local ? { local: h.local } : {}),
      }]),
      episodes: [...this.episodes.open],
      sources: [...this.sources.histories],
    };
  }

  importState(raw: unknown): void {
    const state = raw as BruteForceState | undefined;
    if (!state?.hosts) return;
    for (const [name, saved] of state.hosts) {
      const host = this.sources.host(name);
      host.simulator.importState(saved.penalties);
      for (const [key, connection] of saved.connections) host.connections.set(loadedKey(key), connection);
      for (const [key, at] of saved.closed ?? []) {
        // an open connection under the same key is a later one (the key was reused)
        const k = loadedKey(key);
        if (!host.connections.has(k)) host.connections.set(k, closedStub(at));
      }
      if (saved.local) host.local = saved.local;
    }
    for (const [key, episode] of state.episodes) {
      this.episodes.open.set(key, episode);
      this.episodes.scheduleClose(episode);
    }
    for (const [key, history] of state.sources) this.sources.loadHistory(key, history);
  }
}
