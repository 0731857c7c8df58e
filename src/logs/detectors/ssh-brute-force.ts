// SSH brute force, judged by what sshd itself logged and by replaying its PerSourcePenalties
// over the log (penalties.ts):
//  - ssh-brute-force: a source sshd blocked (its own "activating"/"new … active"/"drop
//    connection … penalty:" lines are ground truth), or that the configured OpenSSH release
//    would have blocked (the replay: when, for how long, the connections it would have refused
//    and the exact lines it would log); on releases without PerSourcePenalties (< 9.8) or with
//    it off, fail2ban's default jail threshold (maxretry failures within findtime);
//  - ssh-slow-brute-force: a source that kept failing logins for a long time but never
//    crossed the penalty threshold (the guessers PerSourcePenalties lets through);
//  - ssh-penalty-recidivist: a source blocked again and again, which a fixed max never escalates.
// One alert per source per episode: blocks or failures that follow each other within
// findtime are one episode, whose alert is updated (same key) rather than repeated.
// Connections are followed by sshd-session PID (one penalty per connection, at its end).
import { evidenceOf, type Emit, type Evidence } from "../alerts.js";
import { isSshdProgram, type HostEvent } from "../events.js";
import { familyOf, maskAddress } from "../net.js";
import { PenaltySimulator, type PenaltyConfig, type PenaltyType } from "../penalties.js";
import { isThresholdFailure } from "./ssh-brute-force-threshold.js";
import { bruteForceDraft, recidivistDraft, slowDraft } from "./ssh-brute-force-report.js";
import { loadedKey, savedKey, type BruteForceState, type Connection, type ConnectionKey, type Episode, type HostState, type SourceHistory } from "./ssh-brute-force-state.js";
import type { Detector } from "./types.js";

export type { BruteForceState } from "./ssh-brute-force-state.js";

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
}

const MAX_LINES = 40;
const IDLE_CONNECTION_MS = 3_600_000;
const TRAILING_LINES_MS = 60_000;

export class SshBruteForceDetector implements Detector {
  readonly ruleIds = ["ssh-brute-force", "ssh-slow-brute-force", "ssh-penalty-recidivist"] as const;
  private readonly hosts = new Map<string, HostState>();
  private readonly episodes = new Map<string, Episode>();
  private readonly sources = new Map<string, SourceHistory>();
  private seen = 0;
  /** earliest time an open episode can close (so closing is not a scan per event) */
  private nextClose = Infinity;

  constructor(
    private readonly emit: Emit,
    private readonly options: BruteForceOptions,
  ) {}

  private host(name: string): HostState {
    let state = this.hosts.get(name);
    if (!state) {
      state = { simulator: new PenaltySimulator(this.options.penalties), connections: new Map(), sourceKeys: new Map() };
      this.hosts.set(name, state);
    }
    return state;
  }

  private sourceKey(host: string, ip: string): string {
    const cache = this.hosts.get(host)?.sourceKeys;
    const cached = cache?.get(ip);
    if (cached !== undefined) return cached;
    const family = familyOf(ip);
    const bits = family === "ipv6" ? this.options.penalties.ipv6Bits : this.options.penalties.ipv4Bits;
    const key = `${host}|${maskAddress(ip, bits) ?? ip}/${bits}`;
    if (cache) {
      if (cache.size >= 65_536) cache.clear();
      cache.set(ip, key);
    }
    return key;
  }

  private history(key: string): SourceHistory {
    let history = this.sources.get(key);
    if (!history) {
      history = { blocks: [], failures: [], pending: [], pendingLines: [] };
      this.sources.set(key, history);
    }
    return history;
  }

  onEvent(event: HostEvent): void {
    if (!isSshdProgram(event.program)) return;
    const hostName = event.host ?? "-";
    const host = this.host(hostName);
    if (event.timestamp > this.nextClose) this.closeExpiredEpisodes(event.timestamp);
    if (++this.seen % 5000 === 0) this.sweep(event.timestamp);
    if (!host.simulator.active && event.sourceIp && isThresholdFailure(event)) this.thresholdFailure(hostName, event);
    switch (event.action) {
      case "ssh_penalty_drop":
      case "ssh_penalty_new":
      case "ssh_penalty_activate":
        this.observe(hostName, host, event);
        return;
      case "ssh_grace_timeout":
      case "ssh_child_crash": {
        const pid = event.process?.pid ?? event.pid;
        const found = pid !== undefined ? host.connections.get(pid) : undefined;
        const connection = found?.closedAt === undefined ? found : undefined;
        const type: PenaltyType = event.action === "ssh_grace_timeout" ? "grace-exceeded" : "crash";
        if (connection) this.close(hostName, host, connection, type, event);
        else if (event.sourceIp) this.penalise(hostName, host, event.sourceIp, type, event, [evidenceOf(event)]);
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
        this.failure(hostName, connection.ip, event);
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
    // the same fields in the same order as before, without a spread a connection
    const connection: Connection = event.sourcePort
      ? { host: hostName, ip, port: event.sourcePort, start: at, last: at, attempted: false, invalid: false, refused: false, authenticated: false, evidence: [] }
      : { host: hostName, ip, start: at, last: at, attempted: false, invalid: false, refused: false, authenticated: false, evidence: [] };
    connection.refused = !this.admit(hostName, host, event);
    return connection;
  }

  /** srclimit_penalty_check_allow at accept time; a refusal renders sshd's drop line(s). */
  private admit(hostName: string, host: HostState, event: HostEvent): boolean {
    const ip = event.sourceIp!;
    const verdict = host.simulator.checkAllow(ip, event.timestamp);
    if (verdict.allowed) return true;
    const startups = [...host.connections.values()].filter((c) => c.closedAt === undefined && !c.refused && !c.authenticated).length;
    const [localIp, localPort] = this.localAddress(host);
    const lines = host.simulator.dropLines(ip, event.sourcePort ?? 0, localIp, localPort, startups, verdict.reason!, event.timestamp);
    const episode = this.episodes.get(this.sourceKey(hostName, ip));
    if (episode) {
      episode.refused++;
      if (episode.lines.length < MAX_LINES) episode.lines.push(...lines);
      if (episode.evidence.length < MAX_LINES) episode.evidence.push(evidenceOf(event));
    }
    return false;
  }

  private localAddress(host: HostState): [string, number] {
    if (host.local) return [host.local.ip, host.local.port];
    const listen = this.options.listenAddress;
    if (listen) {
      const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(listen);
      if (match) return [match[1]!, Number(match[2])];
      return [listen, 22];
    }
    return ["?", 22];
  }

  private close(hostName: string, host: HostState, connection: Connection, type: PenaltyType, event: HostEvent): void {
    // a refused connection never reached authentication
    if (!connection.refused) this.penalise(hostName, host, connection.ip, type, event, connection.evidence);
    this.forget(connection, event.timestamp);
  }

  private penalise(hostName: string, host: HostState, ip: string, type: PenaltyType, event: HostEvent, evidence: Evidence[]): void {
    const result = host.simulator.penalise(ip, type, event.timestamp);
    if (!result.entry) return;
    const key = this.sourceKey(hostName, ip);
    const history = this.history(key);
    if (result.created) {
      history.pending = [];
      history.pendingLines = [];
      history.charges = 0;
    }
    history.charges = (history.charges ?? 0) + 1;
    pushLast(history.pending, evidence, 3);
    if (history.pending.length > MAX_LINES) history.pending.splice(0, history.pending.length - MAX_LINES);
    history.pendingLines.push(...result.lines);
    let episode = this.episodes.get(key);
    if (episode) {
      episode.until = Math.max(episode.until, result.entry.expiresAtMs);
      episode.last = event.timestamp;
      episode.reason = result.entry.reason;
      episode.charges = (episode.charges ?? 0) + 1;
      if (episode.basis === "logged") episode.basis = "both";
      if (episode.lines.length < MAX_LINES) episode.lines.push(...result.lines);
      if (episode.evidence.length < MAX_LINES) pushLast(episode.evidence, evidence, 3);
      if (result.activated) episode.blocks = (episode.blocks ?? 0) + 1;
    } else {
      if (!result.activated) return;
      episode = {
        host: hostName, source: ip, masked: result.entry.masked, start: event.timestamp, until: result.entry.expiresAtMs,
        reason: result.entry.reason, refused: 0, observedDrops: 0, lines: [...history.pendingLines], evidence: [...history.pending],
        basis: "simulated", blocks: 1, charges: history.charges, loggedLines: 0, last: event.timestamp,
      };
      this.episodes.set(key, episode);
    }
    this.scheduleClose(episode);
    if (result.activated) this.blocked(episode, history, event.timestamp);
  }

  /** A block started: count it towards recidivism (one alert per run of repeated blocks, updated). */
  private blocked(episode: Episode, history: SourceHistory, at: number): void {
    const previous = history.blocks.at(-1);
    history.blocks = history.blocks.filter((t) => t >= at - this.options.recidiveWindowMs);
    if (previous === undefined || at - previous > this.options.recidiveWindowMs) history.recidiveSince = undefined;
    history.blocks.push(at);
    if (history.blocks.length < this.options.recidiveCount) return;
    history.recidiveSince ??= history.blocks[0]!;
    this.emit(recidivistDraft(episode, history, this.options));
  }

  private scheduleClose(episode: Episode): void {
    this.nextClose = Math.min(this.nextClose, this.closesAt(episode));
  }

  /** An episode ends when neither a block nor a failure came for findtime after its last one. */
  private closesAt(episode: Episode): number {
    return Math.max(episode.until, episode.last ?? episode.until) + this.options.findTimeMs;
  }

  /** Without PerSourcePenalties: fail2ban's default jail (maxretry failures within findtime) marks the source. */
  private thresholdFailure(hostName: string, event: HostEvent): void {
    const ip = event.sourceIp!;
    const key = this.sourceKey(hostName, ip);
    const at = event.timestamp;
    const episode = this.episodes.get(key);
    if (episode) {
      episode.charges = (episode.charges ?? 0) + 1;
      episode.last = at;
      episode.until = at;
      if (episode.evidence.length < MAX_LINES) episode.evidence.push(evidenceOf(event));
      this.scheduleClose(episode);
      return;
    }
    const history = this.history(key);
    const recent = (history.recent ?? []).filter((f) => f.at >= at - this.options.findTimeMs);
    recent.push({ at, evidence: evidenceOf(event) });
    history.recent = recent.slice(-Math.max(this.options.maxRetry, MAX_LINES));
    if (recent.length < this.options.maxRetry) return;
    const opened: Episode = {
      host: hostName, source: ip, masked: key.slice(key.indexOf("|") + 1), start: at, until: at, reason: "failed authentication",
      refused: 0, observedDrops: 0, lines: [], evidence: recent.map((f) => f.evidence), basis: "threshold", charges: recent.length, last: at,
    };
    history.recent = [];
    this.episodes.set(key, opened);
    this.scheduleClose(opened);
    this.blocked(opened, history, at);
  }

  private failure(hostName: string, ip: string, event: HostEvent): void {
    const key = this.sourceKey(hostName, ip);
    const history = this.history(key);
    const at = event.timestamp;
    const slow = history.slow;
    if (slow) {
      if (at - slow.last <= this.options.slowWindowMs) {
        // The same slow guesser going on: its one alert is updated, not repeated.
        slow.count++;
        slow.last = at;
        if (slow.evidence.length < MAX_LINES) slow.evidence.push(evidenceOf(event));
        else slow.evidence[slow.evidence.length - 1] = evidenceOf(event);
        return;
      }
      this.reportSlow(hostName, key, history);
    }
    const windowStart = at - this.options.slowWindowMs;
    dropFailuresBefore(history.failures, windowStart);
    history.failures.push({ at, evidence: evidenceOf(event) });
    const blockedRecently = this.episodes.has(key) || (history.blockedUntil !== undefined && history.blockedUntil >= history.failures[0]!.at);
    if (history.failures.length < this.options.slowFailures || blockedRecently) return;
    history.slow = {
      ip, start: history.failures[0]!.at, trigger: at, last: at, count: history.failures.length, evidence: history.failures.map((f) => f.evidence),
    };
    history.failures = [];
  }

  private reportSlow(hostName: string, key: string, history: SourceHistory, stillOpen = false): void {
    const slow = history.slow!;
    if (!stillOpen) history.slow = undefined;
    const said = `${slow.count}|${slow.last}`;
    if (slow.reported === said) return;
    slow.reported = said;
    const host = this.hosts.get(hostName);
    this.emit(slowDraft(hostName, slow.ip, key, slow, this.options, host?.simulator.active ?? true));
  }

  private observe(hostName: string, host: HostState, event: HostEvent): void {
    if (event.action === "ssh_penalty_drop" && event.destinationIp && event.destinationPort) {
      host.local = { ip: event.destinationIp, port: event.destinationPort };
    }
    if (!event.sourceIp || !familyOf(event.sourceIp)) return;
    // A drop line is a connection attempt too: the simulation decides it as well.
    const admitted = event.action === "ssh_penalty_drop" ? this.admit(hostName, host, event) : true;
    const key = this.sourceKey(hostName, event.sourceIp);
    let episode = this.episodes.get(key);
    // What sshd says it did is ground truth: an active penalty or a connection dropped for one.
    const penalty = event.penalty;
    const blocks = event.action === "ssh_penalty_activate" || (event.action === "ssh_penalty_new" && penalty?.state === "active");
    const drop = event.action === "ssh_penalty_drop" && (penalty?.reason ?? event.reason ?? "").startsWith("penalty:");
    if (!blocks && !drop) {
      if (episode && admitted && episode.evidence.length < MAX_LINES) episode.evidence.push(evidenceOf(event));
      return;
    }
    const until = event.timestamp + (blocks && penalty?.seconds ? penalty.seconds * 1000 : 0);
    if (!episode) {
      episode = {
        host: hostName, source: event.sourceIp, masked: key.slice(key.indexOf("|") + 1), start: event.timestamp, until,
        reason: penalty?.reason ?? event.reason ?? "penalty", refused: 0, observedDrops: 0, lines: [], evidence: [],
        basis: "logged", blocks: 1, charges: 0, loggedLines: 0, last: event.timestamp,
      };
      this.episodes.set(key, episode);
      this.blocked(episode, this.history(key), event.timestamp);
    } else if (episode.basis === "simulated") episode.basis = "both";
    else if (episode.basis === "threshold") episode.basis = "logged";
    episode.loggedLines = (episode.loggedLines ?? 0) + 1;
    episode.until = Math.max(episode.until, until);
    episode.last = event.timestamp;
    if (drop) episode.observedDrops++;
    if (admitted && episode.evidence.length < MAX_LINES) episode.evidence.push(evidenceOf(event));
    this.scheduleClose(episode);
  }

  private closeExpiredEpisodes(now: number): void {
    this.nextClose = Infinity;
    for (const [key, episode] of this.episodes) {
      if (this.closesAt(episode) < now) this.report(key, episode);
      else this.scheduleClose(episode);
    }
  }

  /** Raise (or update) the alert for an episode; `stillOpen` at the end of input keeps it for the next run. */
  private report(key: string, episode: Episode, stillOpen = false): void {
    if (!stillOpen) {
      this.episodes.delete(key);
      this.history(key).blockedUntil = episode.until;
    }
    const draft = bruteForceDraft(episode, this.options);
    if (!draft) return;
    const said = `${draft.message}|${episode.evidence.length}`;
    if (episode.reported === said) return;
    episode.reported = said;
    this.emit(draft);
  }

  /** Forget connections that never closed and histories that aged out (bounded memory). */
  private sweep(now: number): void {
    for (const host of this.hosts.values()) {
      for (const [key, connection] of host.connections) {
        const closedAt = connection.closedAt;
        if (closedAt !== undefined ? closedAt < now - TRAILING_LINES_MS : connection.last < now - IDLE_CONNECTION_MS) host.connections.delete(key);
      }
    }
    const horizon = now - Math.max(this.options.slowWindowMs, this.options.recidiveWindowMs);
    for (const [key, history] of this.sources) {
      if (history.slow && history.slow.last < now - this.options.slowWindowMs) this.reportSlow(this.hostOf(key), key, history);
      if ((history.pending.length || history.pendingLines.length) && !this.tracked(key)) {
        // Its penalty entry is gone, so its next penalty opens a new one and starts these afresh:
        // they are never read again (dropped now rather than kept until then).
        history.pending.length = 0;
        history.pendingLines.length = 0;
      }
      // a new array only when something left the window (most sweeps drop nothing from most sources)
      const failuresFrom = now - this.options.slowWindowMs;
      dropFailuresBefore(history.failures, failuresFrom);
      dropTimesBefore(history.blocks, now - this.options.recidiveWindowMs);
      if (!history.failures.length && !history.blocks.length && !history.slow && !history.recent?.length && !this.episodes.has(key) && (history.blockedUntil ?? 0) < horizon) {
        this.sources.delete(key);
      }
    }
  }

  /** Whether the host's penalty table still has an entry for a source key ("host|addr/bits"). */
  private tracked(key: string): boolean {
    const masked = key.slice(key.lastIndexOf("|") + 1, key.lastIndexOf("/"));
    return this.hosts.get(this.hostOf(key))?.simulator.tracks(masked) ?? false;
  }

  /** The host of a source key ("host|addr/bits"). */
  private hostOf(key: string): string {
    return key.slice(0, key.lastIndexOf("|"));
  }

  finish(): void {
    for (const [key, episode] of [...this.episodes]) this.report(key, episode, true);
    for (const [key, history] of this.sources) if (history.slow) this.reportSlow(this.hostOf(key), key, history, true);
  }

  exportState(): BruteForceState {
    return {
      hosts: [...this.hosts].map(([name, h]) => [name, {
        penalties: h.simulator.exportState(), ...savedConnections(h),
        ...(h.local ? { local: h.local } : {}),
      }]),
      episodes: [...this.episodes],
      sources: [...this.sources],
    };
  }

  importState(raw: unknown): void {
    const state = raw as BruteForceState | undefined;
    if (!state?.hosts) return;
    for (const [name, saved] of state.hosts) {
      const host = this.host(name);
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
      this.episodes.set(key, episode);
      this.scheduleClose(episode);
    }
    for (const [key, history] of state.sources) this.sources.set(key, history);
  }
}

/** The saved form keeps open and ended connections apart (as it did before they shared a map). */
function savedConnections(host: HostState): { connections: [string, Connection][]; closed: [string, number][] } {
  const connections: [string, Connection][] = [];
  const closed: [string, number][] = [];
  for (const [key, connection] of host.connections) {
    if (connection.closedAt === undefined) connections.push([savedKey(key), connection]);
    else closed.push([savedKey(key), connection.closedAt]);
  }
  return { connections, closed };
}

/** An ended connection as loaded from the saved form: only its end time is read. */
function closedStub(at: number): Connection {
  return { host: "", ip: "", start: at, last: at, attempted: false, invalid: false, refused: true, authenticated: false, evidence: [], closedAt: at };
}

/** Take the failures before `cutoff` out of the list, in place (order kept; no new array a failure). */
function dropFailuresBefore(list: { at: number }[], cutoff: number): void {
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (item.at >= cutoff) list[kept++] = item;
  }
  list.length = kept;
}

/** The same for a list of times (ms). */
function dropTimesBefore(list: number[], cutoff: number): void {
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    const at = list[i]!;
    if (at >= cutoff) list[kept++] = at;
  }
  list.length = kept;
}

/** `into.push(...from.slice(-count))` without the copy. */
function pushLast<T>(into: T[], from: readonly T[], count: number): void {
  for (let i = Math.max(0, from.length - count); i < from.length; i++) into.push(from[i]!);
}
