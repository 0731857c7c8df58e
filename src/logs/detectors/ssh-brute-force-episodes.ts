// The block episodes of the SSH brute-force detector: a source blocked by sshd (its own
// penalty lines, ground truth), by the replay of PerSourcePenalties, or — without them —
// by fail2ban's default threshold. Blocks or failures that follow each other within
// findtime are one episode, whose alert is updated (same key) rather than repeated; blocks
// again and again make a recidivist.
import { evidenceOf, type Emit, type Evidence } from "../alerts.js";
import type { HostEvent } from "../events.js";
import { familyOf } from "../net.js";
import type { PenaltyType } from "../penalties.js";
import type { BruteForceOptions } from "./ssh-brute-force-server.js";
import { pushLast } from "./ssh-brute-force-lists.js";
import { bruteForceDraft, recidivistDraft } from "./ssh-brute-force-report.js";
import type { SourceTable } from "./ssh-brute-force-sources.js";
import type { Episode, HostState, SourceHistory } from "./ssh-brute-force-state.js";

const MAX_LINES = 40;

export class Episodes {
  /** open episodes by source key */
  readonly open = new Map<string, Episode>();
  /** earliest time an open episode can close (so closing is not a scan per event) */
  private nextClose = Infinity;

  constructor(
    private readonly sources: SourceTable,
    private readonly emit: Emit,
    private readonly options: BruteForceOptions,
  ) {}

  /** Close the episodes that ended before `now` (cheap when none can have). */
  advance(now: number): void {
    if (now > this.nextClose) this.closeExpired(now);
  }

  /** srclimit_penalty_check_allow at accept time; a refusal renders sshd's drop line(s). */
  admit(hostName: string, host: HostState, event: HostEvent): boolean {
    const ip = event.sourceIp!;
    const verdict = host.simulator.checkAllow(ip, event.timestamp);
    if (verdict.allowed) return true;
    const startups = [...host.connections.values()].filter((c) => c.closedAt === undefined && !c.refused && !c.authenticated).length;
    const [localIp, localPort] = this.localAddress(host);
    const lines = host.simulator.dropLines(ip, event.sourcePort ?? 0, localIp, localPort, startups, verdict.reason!, event.timestamp);
    const episode = this.open.get(this.sources.key(hostName, ip));
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

  /** A connection's penalty, replayed: it may open or extend an episode. */
  penalise(hostName: string, host: HostState, ip: string, type: PenaltyType, event: HostEvent, evidence: Evidence[]): void {
    const result = host.simulator.penalise(ip, type, event.timestamp);
    if (!result.entry) return;
    const key = this.sources.key(hostName, ip);
    const history = this.sources.history(key);
    if (result.created) {
      history.pending = [];
      history.pendingLines = [];
      history.charges = 0;
    }
    history.charges = (history.charges ?? 0) + 1;
    pushLast(history.pending, evidence, 3);
    if (history.pending.length > MAX_LINES) history.pending.splice(0, history.pending.length - MAX_LINES);
    history.pendingLines.push(...result.lines);
    let episode = this.open.get(key);
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
      this.open.set(key, episode);
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

  scheduleClose(episode: Episode): void {
    this.nextClose = Math.min(this.nextClose, this.closesAt(episode));
  }

  /** An episode ends when neither a block nor a failure came for findtime after its last one. */
  private closesAt(episode: Episode): number {
    return Math.max(episode.until, episode.last ?? episode.until) + this.options.findTimeMs;
  }

  /** Without PerSourcePenalties: fail2ban's default jail (maxretry failures within findtime) marks the source. */
  thresholdFailure(hostName: string, event: HostEvent): void {
    const ip = event.sourceIp!;
    const key = this.sources.key(hostName, ip);
    const at = event.timestamp;
    const episode = this.open.get(key);
    if (episode) {
      episode.charges = (episode.charges ?? 0) + 1;
      episode.last = at;
      episode.until = at;
      if (episode.evidence.length < MAX_LINES) episode.evidence.push(evidenceOf(event));
      this.scheduleClose(episode);
      return;
    }
    const history = this.sources.history(key);
    const recent = (history.recent ?? []).filter((f) => f.at >= at - this.options.findTimeMs);
    recent.push({ at, evidence: evidenceOf(event) });
    history.recent = recent.slice(-Math.max(this.options.maxRetry, MAX_LINES));
    if (recent.length < this.options.maxRetry) return;
    const opened: Episode = {
      host: hostName, source: ip, masked: key.slice(key.indexOf("|") + 1), start: at, until: at, reason: "failed authentication",
      refused: 0, observedDrops: 0, lines: [], evidence: recent.map((f) => f.evidence), basis: "threshold", charges: recent.length, last: at,
    };
    history.recent = [];
    this.open.set(key, opened);
    this.scheduleClose(opened);
    this.blocked(opened, history, at);
  }

  /** sshd's own penalty lines (activating, new … active, drop connection … penalty:). */
  observe(hostName: string, host: HostState, event: HostEvent): void {
    if (event.action === "ssh_penalty_drop" && event.destinationIp && event.destinationPort) {
      host.local = { ip: event.destinationIp, port: event.destinationPort };
    }
    if (!event.sourceIp || !familyOf(event.sourceIp)) return;
    // A drop line is a connection attempt too: the simulation decides it as well.
    const admitted = event.action === "ssh_penalty_drop" ? this.admit(hostName, host, event) : true;
    const key = this.sources.key(hostName, event.sourceIp);
    let episode = this.open.get(key);
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
      this.open.set(key, episode);
      this.blocked(episode, this.sources.history(key), event.timestamp);
    } else if (episode.basis === "simulated") episode.basis = "both";
    else if (episode.basis === "threshold") episode.basis = "logged";
    episode.loggedLines = (episode.loggedLines ?? 0) + 1;
    episode.until = Math.max(episode.until, until);
    episode.last = event.timestamp;
    if (drop) episode.observedDrops++;
    if (admitted && episode.evidence.length < MAX_LINES) episode.evidence.push(evidenceOf(event));
    this.scheduleClose(episode);
  }

  private closeExpired(now: number): void {
    this.nextClose = Infinity;
    for (const [key, episode] of this.open) {
      if (this.closesAt(episode) < now) this.report(key, episode);
      else this.scheduleClose(episode);
    }
  }

  /** Raise (or update) the alert for an episode; `stillOpen` at the end of input keeps it for the next run. */
  report(key: string, episode: Episode, stillOpen = false): void {
    if (!stillOpen) {
      this.open.delete(key);
      this.sources.history(key).blockedUntil = episode.until;
    }
    const draft = bruteForceDraft(episode, this.options);
    if (!draft) return;
    const said = `${draft.message}|${episode.evidence.length}`;
    if (episode.reported === said) return;
    episode.reported = said;
    this.emit(draft);
  }
}
