// SSH brute force, judged by replaying sshd's own PerSourcePenalties over the log (penalties.ts):
//  - ssh-brute-force: a source the configured OpenSSH release would have blocked, with when,
//    for how long, the connections it would have refused and the exact lines it would log;
//  - ssh-slow-brute-force: a source that kept failing logins for a long time but never
//    crossed the penalty threshold (the guessers PerSourcePenalties lets through);
//  - ssh-penalty-recidivist: a source blocked again and again, which a fixed max never escalates.
// Connections are followed by sshd-session PID (one penalty per connection, at its end).
import { evidenceOf, type Emit, type Evidence } from "../alerts.js";
import { isSshdProgram, type HostEvent } from "../events.js";
import { familyOf, maskAddress } from "../net.js";
import { PenaltySimulator, type PenaltyConfig, type PenaltyType } from "../penalties.js";
import type { BruteForceState, Connection, Episode, HostState, SourceHistory } from "./ssh-brute-force-state.js";
import type { Detector } from "./types.js";

export type { BruteForceState } from "./ssh-brute-force-state.js";

export interface BruteForceOptions {
  penalties: PenaltyConfig;
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

  constructor(
    private readonly emit: Emit,
    private readonly options: BruteForceOptions,
  ) {}

  private host(name: string): HostState {
    let state = this.hosts.get(name);
    if (!state) {
      state = { simulator: new PenaltySimulator(this.options.penalties), connections: new Map(), closed: new Map() };
      this.hosts.set(name, state);
    }
    return state;
  }

  private sourceKey(host: string, ip: string): string {
    const family = familyOf(ip);
    const bits = family === "ipv6" ? this.options.penalties.ipv6Bits : this.options.penalties.ipv4Bits;
    return `${host}|${maskAddress(ip, bits) ?? ip}/${bits}`;
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
    this.closeExpiredEpisodes(hostName, event.timestamp);
    if (++this.seen % 5000 === 0) this.sweep(event.timestamp);
    switch (event.action) {
      case "ssh_penalty_drop":
      case "ssh_penalty_new":
      case "ssh_penalty_activate":
        this.observe(hostName, host, event);
        return;
      case "ssh_grace_timeout":
      case "ssh_child_crash": {
        const pid = event.process?.pid ?? event.pid;
        const connection = pid !== undefined ? host.connections.get(`pid:${pid}`) : undefined;
        const type: PenaltyType = event.action === "ssh_grace_timeout" ? "grace-exceeded" : "crash";
        if (connection) this.close(hostName, host, `pid:${pid}`, connection, type, event);
        else if (event.sourceIp) this.penalise(hostName, host, event.sourceIp, type, event, [evidenceOf(event)]);
        return;
      }
      case "ssh_connection":
        if (event.destinationIp && event.destinationPort) host.local = { ip: event.destinationIp, port: event.destinationPort };
        break;
      default:
        break;
    }
    const key = event.pid !== undefined ? `pid:${event.pid}` : event.sourceIp && event.sourcePort ? `addr:${event.sourceIp}:${event.sourcePort}` : undefined;
    if (!key) return;
    let connection = host.connections.get(key);
    if (!connection) {
      const closedAt = host.closed.get(key);
      if (closedAt !== undefined && event.timestamp - closedAt <= TRAILING_LINES_MS) return;
      if (!event.sourceIp) return;
      connection = this.open(hostName, host, event);
      host.connections.set(key, connection);
    }
    connection.last = event.timestamp;
    if (connection.authenticated) {
      // After login the session ends with no penalty (exit status 0).
      if (event.action === "ssh_disconnect" && !event.reason?.startsWith("Received disconnect")) this.forget(host, key, event.timestamp);
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
        if (event.action === "ssh_max_auth_attempts") this.close(hostName, host, key, connection, "authfail", event);
        return;
      case "ssh_invalid_user":
      case "ssh_not_allowed":
        connection.invalid = true;
        return;
      case "ssh_disconnect": {
        if (event.reason?.startsWith("Received disconnect")) return; // "Disconnected from" follows
        if (event.preamble === "user" || event.phase === "postauth") {
          this.forget(host, key, event.timestamp);
          return;
        }
        if (event.preamble === "authenticating") connection.attempted = true;
        if (event.preamble === "invalid") connection.invalid = true;
        const type: PenaltyType = connection.attempted ? "authfail" : connection.invalid ? "invaliduser" : "noauth";
        this.close(hostName, host, key, connection, type, event);
        return;
      }
      default:
        return;
    }
  }

  private forget(host: HostState, key: string, at: number): void {
    host.connections.delete(key);
    host.closed.set(key, at);
  }

  /** A connection's first line: would the listener have accepted it? */
  private open(hostName: string, host: HostState, event: HostEvent): Connection {
    const ip = event.sourceIp!;
    const connection: Connection = {
      host: hostName, ip, ...(event.sourcePort ? { port: event.sourcePort } : {}), start: event.timestamp, last: event.timestamp,
      attempted: false, invalid: false, refused: false, authenticated: false, evidence: [],
    };
    connection.refused = !this.admit(hostName, host, event);
    return connection;
  }

  /** srclimit_penalty_check_allow at accept time; a refusal renders sshd's drop line(s). */
  private admit(hostName: string, host: HostState, event: HostEvent): boolean {
    const ip = event.sourceIp!;
    const verdict = host.simulator.checkAllow(ip, event.timestamp);
    if (verdict.allowed) return true;
    const startups = [...host.connections.values()].filter((c) => !c.refused && !c.authenticated).length;
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

  private close(hostName: string, host: HostState, key: string, connection: Connection, type: PenaltyType, event: HostEvent): void {
    this.forget(host, key, event.timestamp);
    if (connection.refused) return; // a refused connection never reached authentication
    this.penalise(hostName, host, connection.ip, type, event, connection.evidence);
  }

  private penalise(hostName: string, host: HostState, ip: string, type: PenaltyType, event: HostEvent, evidence: Evidence[]): void {
    const result = host.simulator.penalise(ip, type, event.timestamp);
    if (!result.entry) return;
    const key = this.sourceKey(hostName, ip);
    const history = this.history(key);
    if (result.lines.some((l) => l.text.includes(": new "))) {
      history.pending = [];
      history.pendingLines = [];
    }
    history.pending.push(...evidence.slice(-3));
    if (history.pending.length > MAX_LINES) history.pending.splice(0, history.pending.length - MAX_LINES);
    history.pendingLines.push(...result.lines);
    const episode = this.episodes.get(key);
    if (episode) {
      episode.until = result.entry.expiresAtMs;
      episode.reason = result.entry.reason;
      if (episode.lines.length < MAX_LINES) episode.lines.push(...result.lines);
      return;
    }
    if (!result.activated) return;
    const opened: Episode = {
      host: hostName, source: ip, masked: result.entry.masked, start: event.timestamp, until: result.entry.expiresAtMs,
      reason: result.entry.reason, refused: 0, observedDrops: 0, lines: [...history.pendingLines], evidence: [...history.pending],
    };
    this.episodes.set(key, opened);
    history.blocks = history.blocks.filter((t) => t >= event.timestamp - this.options.recidiveWindowMs);
    history.blocks.push(event.timestamp);
    if (history.blocks.length >= this.options.recidiveCount) this.recidivist(opened, history);
  }

  private failure(hostName: string, ip: string, event: HostEvent): void {
    const key = this.sourceKey(hostName, ip);
    const history = this.history(key);
    const windowStart = event.timestamp - this.options.slowWindowMs;
    history.failures = history.failures.filter((f) => f.at >= windowStart);
    history.failures.push({ at: event.timestamp, evidence: evidenceOf(event) });
    const blockedRecently = this.episodes.has(key) || (history.blockedUntil !== undefined && history.blockedUntil >= history.failures[0]!.at);
    if (history.failures.length < this.options.slowFailures || blockedRecently) return;
    const first = history.failures[0]!;
    const minutes = Math.max(1, Math.round((event.timestamp - first.at) / 60_000));
    this.emit({
      ruleId: "ssh-slow-brute-force",
      timestamp: event.timestamp,
      message: `${ip} failed ${history.failures.length} logins on ${hostName} in ${minutes} min without ever being blocked by OpenSSH ${this.options.penalties.version} PerSourcePenalties`,
      host: hostName,
      source: { ip },
      firstSeen: first.at,
      evidence: history.failures.map((f) => f.evidence),
      details: { failures: history.failures.length, windowSeconds: this.options.slowWindowMs / 1000, openssh: this.options.penalties.version },
      key: `${key}|${first.at}`,
    });
    history.failures = [];
  }

  private recidivist(episode: Episode, history: SourceHistory): void {
    const repeats = history.blocks.length;
    const blockSeconds = Math.max(1, Math.round((episode.until - episode.start) / 1000));
    const suggested = Math.min(7 * 86_400, blockSeconds * 2 ** (repeats - 1));
    this.emit({
      ruleId: "ssh-penalty-recidivist",
      timestamp: episode.start,
      message: `${episode.masked} blocked ${repeats} times on ${episode.host} within ${Math.round(this.options.recidiveWindowMs / 3_600_000)} h; each block lasts only ~${blockSeconds} s (a penalty doubling per repeat would give ${suggested} s)`,
      host: episode.host,
      source: { ip: episode.source },
      firstSeen: history.blocks[0]!,
      evidence: episode.evidence,
      details: { blocks: history.blocks.map((t) => new Date(t).toISOString()), suggestedPenaltySeconds: suggested, masked: episode.masked },
      key: `${episode.host}|${episode.masked}|${episode.start}`,
    });
  }

  private observe(hostName: string, host: HostState, event: HostEvent): void {
    if (event.action === "ssh_penalty_drop" && event.destinationIp && event.destinationPort) {
      host.local = { ip: event.destinationIp, port: event.destinationPort };
    }
    if (!event.sourceIp || !familyOf(event.sourceIp)) return;
    // A drop line is a connection attempt too: the simulation decides it as well.
    const admitted = event.action === "ssh_penalty_drop" ? this.admit(hostName, host, event) : true;
    const episode = this.episodes.get(this.sourceKey(hostName, event.sourceIp));
    if (!episode) return;
    if (event.action === "ssh_penalty_drop") episode.observedDrops++;
    if (admitted && episode.evidence.length < MAX_LINES) episode.evidence.push(evidenceOf(event));
  }

  private closeExpiredEpisodes(hostName: string, now: number): void {
    for (const [key, episode] of this.episodes) {
      // srclimit.c expires an entry when expiry < now.
      if (episode.host === hostName && episode.until < now) this.report(key, episode);
    }
  }

  /** Raise the alert for a block; `stillOpen` at the end of input keeps it for the next run. */
  private report(key: string, episode: Episode, stillOpen = false): void {
    if (!stillOpen) {
      this.episodes.delete(key);
      this.history(key).blockedUntil = episode.until;
    }
    const seconds = Math.round((episode.until - episode.start) / 1000);
    const version = this.options.penalties.version;
    const observed = episode.observedDrops ? `; the log shows sshd dropped ${episode.observedDrops}` : "";
    this.emit({
      ruleId: "ssh-brute-force",
      timestamp: episode.start,
      message: `OpenSSH ${version} PerSourcePenalties would block ${episode.masked} on ${episode.host} from ${new Date(episode.start).toISOString()} for ${seconds} s (${episode.reason}); ${episode.refused} later connection(s) refused${observed}`,
      host: episode.host,
      source: { ip: episode.source },
      evidence: episode.evidence,
      details: {
        openssh: version,
        masked: episode.masked,
        blockedFrom: new Date(episode.start).toISOString(),
        blockedUntil: new Date(episode.until).toISOString(),
        refusedConnections: episode.refused,
        observedDrops: episode.observedDrops,
        simulatedLog: episode.lines.map((l) => `${l.level}${l.logged ? "" : " (not logged)"}: ${l.text}`),
      },
      key: `${episode.host}|${episode.masked}|${episode.start}`,
    });
  }

  /** Forget connections that never closed and histories that aged out (bounded memory). */
  private sweep(now: number): void {
    for (const host of this.hosts.values()) {
      for (const [key, connection] of host.connections) if (connection.last < now - IDLE_CONNECTION_MS) host.connections.delete(key);
      for (const [key, at] of host.closed) if (at < now - TRAILING_LINES_MS) host.closed.delete(key);
    }
    const horizon = now - Math.max(this.options.slowWindowMs, this.options.recidiveWindowMs);
    for (const [key, history] of this.sources) {
      history.failures = history.failures.filter((f) => f.at >= now - this.options.slowWindowMs);
      history.blocks = history.blocks.filter((t) => t >= now - this.options.recidiveWindowMs);
      if (!history.failures.length && !history.blocks.length && !this.episodes.has(key) && (history.blockedUntil ?? 0) < horizon) {
        this.sources.delete(key);
      }
    }
  }

  finish(): void {
    for (const [key, episode] of [...this.episodes]) this.report(key, episode, true);
  }

  exportState(): BruteForceState {
    return {
      hosts: [...this.hosts].map(([name, h]) => [name, {
        penalties: h.simulator.exportState(), connections: [...h.connections], closed: [...h.closed], ...(h.local ? { local: h.local } : {}),
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
      for (const [key, connection] of saved.connections) host.connections.set(key, connection);
      for (const [key, at] of saved.closed ?? []) host.closed.set(key, at);
      if (saved.local) host.local = saved.local;
    }
    for (const [key, episode] of state.episodes) this.episodes.set(key, episode);
    for (const [key, history] of state.sources) this.sources.set(key, history);
  }
}
