// New SSH destination (T1021.004). Per user and host, the set of SSH peers seen during a
// learning window; afterwards a peer not in the set raises one alert (then joins the set).
//  - client side: who (user, source host) connects to: outbound connects to port 22 (auditd,
//    ECS, Zeek conn/ssh), ssh client lines, and the client half of an accepted login elsewhere;
//  - server side: from where an account (user@server) logs in: accepted logins.
// The learning window starts at the earliest event the baseline ever saw (stored), so it
// spans runs; learning is by event time, never by the clock.
import { evidenceOf, type Emit } from "../alerts.js";
import { actorOf, type HostEvent } from "../events.js";
import type { BaselineRow } from "../store.js";
import type { Detector } from "./types.js";

export interface NewDestinationOptions {
  learningWindowMs: number;
  sshPorts: number[];
}

const SSH_CLIENTS = new Set(["ssh", "scp", "sftp", "rsync", "ssh-copy-id", "autossh", "sshpass"]);
const UNKNOWN = "-";
const OBSERVED = new Set<string>(["ssh_login", "connection_attempted", "ssh_session", "ssh_client_connect"]);

type Side = BaselineRow["side"];

interface Observation {
  side: Side;
  user: string;
  host: string;
  peer: string;
}

export class Baseline {
  private readonly rows = new Map<string, BaselineRow>();
  private readonly dirty = new Set<string>();
  /** Peers another detector raised an alert about (a brute-forcing source): never normal, whenever learned. */
  readonly tainted = new Set<string>();

  constructor(rows: BaselineRow[] = [], public start?: number) {
    for (const row of rows) this.rows.set(Baseline.key(row), row);
  }

  static key(o: Observation): string {
    return `${o.side}\0${o.user}\0${o.host}\0${o.peer}`;
  }

  get(o: Observation): BaselineRow | undefined {
    if (this.tainted.has(o.peer)) return undefined;
    return this.rows.get(Baseline.key(o));
  }

  taint(peer: string): void {
    if (this.tainted.size < 100_000) this.tainted.add(peer);
  }

  record(o: Observation, at: number, evidence: string): void {
    const key = Baseline.key(o);
    const row = this.rows.get(key);
    if (row) {
      row.lastSeen = Math.max(row.lastSeen, at);
      row.firstSeen = Math.min(row.firstSeen, at);
      row.count++;
    } else {
      this.rows.set(key, { ...o, firstSeen: at, lastSeen: at, count: 1, evidence });
    }
    this.dirty.add(key);
  }

  /** Rows changed since the last call (written to the store with the batch). */
  takeDirty(): BaselineRow[] {
    const rows = [...this.dirty].map((k) => this.rows.get(k)!);
    this.dirty.clear();
    return rows;
  }

  all(): BaselineRow[] {
    return [...this.rows.values()];
  }
}

function peerOf(event: HostEvent, sshPorts: number[]): string | undefined {
  const peer = event.destinationDomain ?? event.destinationIp;
  if (!peer) return undefined;
  const port = event.destinationPort;
  return port !== undefined && !sshPorts.includes(port) ? `${peer}:${port}` : peer;
}

/** What most events give (never modified): no array allocated for them. */
const NONE: readonly Observation[] = Object.freeze([]);

/** The (side, user, host, peer) tuples an event says something about. */
export function observationsOf(event: HostEvent, sshPorts: number[]): readonly Observation[] {
  if (!OBSERVED.has(event.action)) return NONE;
  // Most events are failed logins: they say nothing here, so no actor is built for them.
  if (event.action === "ssh_login" && (event.outcome !== "success" || !event.sourceIp)) return NONE;
  const actor = actorOf(event);
  const user = actor.name ?? actor.id ?? UNKNOWN;
  switch (event.action) {
    case "ssh_login": {
      if (!event.sourceIp) return [];
      const server = event.host ?? UNKNOWN;
      const observations: Observation[] = [{ side: "server", user, host: server, peer: event.sourceIp }];
      if (server !== UNKNOWN) observations.push({ side: "client", user, host: event.sourceIp, peer: server });
      return observations;
    }
    case "connection_attempted": {
      const exe = event.process?.executable?.split("/").pop() ?? event.process?.name;
      const sshPort = event.destinationPort !== undefined && sshPorts.includes(event.destinationPort);
      if (!sshPort && !(exe && SSH_CLIENTS.has(exe))) return [];
      const peer = peerOf(event, sshPorts);
      const host = event.host ?? event.sourceIp ?? UNKNOWN;
      return peer ? [{ side: "client", user, host, peer }] : [];
    }
    case "ssh_session":
    case "ssh_client_connect": {
      const peer = peerOf(event, sshPorts);
      const host = event.host ?? event.sourceIp ?? UNKNOWN;
      return peer ? [{ side: "client", user, host, peer }] : [];
    }
    default:
      return [];
  }
}

export class NewSshDestinationDetector implements Detector {
  readonly ruleIds = ["new-ssh-destination"] as const;
  readonly actions: ReadonlySet<string> = OBSERVED;
  constructor(
    private readonly emit: Emit,
    readonly baseline: Baseline,
    private readonly options: NewDestinationOptions,
  ) {}

  learningEnds(): number | undefined {
    return this.baseline.start === undefined ? undefined : this.baseline.start + this.options.learningWindowMs;
  }

  onEvent(event: HostEvent): void {
    const observations = observationsOf(event, this.options.sshPorts);
    if (observations.length === 0) return;
    if (this.baseline.start === undefined || event.timestamp < this.baseline.start) this.baseline.start = event.timestamp;
    const learning = event.timestamp < this.learningEnds()!;
    const unseen = observations.filter((o) => !this.baseline.get(o));
    const where = `${event.file}:${event.line}`;
    for (const o of observations) this.baseline.record(o, event.timestamp, where);
    if (learning || unseen.length === 0) return;
    // One alert per event: an accepted login may be new on both sides at once.
    const primary = unseen[0]!;
    const server = unseen.find((o) => o.side === "server");
    const client = unseen.find((o) => o.side === "client");
    const who = primary.user === UNKNOWN ? "an unknown user" : actorOf(event).name ? primary.user : `uid ${primary.user}`;
    const from = primary.host === UNKNOWN ? "" : ` on ${primary.host}`;
    const message = server
      ? `${who} logged in to ${server.host} from ${server.peer}, a source never used for this account before${client ? ` (and a new destination for ${who} on ${client.host})` : ""}`
      : `${who}${from} connected over SSH to ${primary.peer}, a destination not seen before`;
    this.emit({
      ruleId: "new-ssh-destination",
      timestamp: event.timestamp,
      message,
      ...(event.host ? { host: event.host } : {}),
      ...(primary.user !== UNKNOWN ? { user: primary.user } : {}),
      source: { ...(event.sourceIp ? { ip: event.sourceIp } : {}), ...(event.sourcePort ? { port: event.sourcePort } : {}), ...(server || primary.host === UNKNOWN ? {} : { host: primary.host }) },
      destination: {
        ...(event.destinationIp ? { ip: event.destinationIp } : {}),
        ...(event.destinationDomain ? { domain: event.destinationDomain } : {}),
        ...(event.destinationPort !== undefined ? { port: event.destinationPort } : {}),
        ...(server ? { host: server.host } : {}),
      },
      firstSeen: event.timestamp,
      evidence: [evidenceOf(event)],
      details: { side: primary.side, new: unseen, learningEnded: new Date(this.learningEnds()!).toISOString() },
      key: unseen.map(Baseline.key).join("|"),
    });
  }

  finish(): void {}

  exportState(): { tainted: string[] } {
    return { tainted: [...this.baseline.tainted] };
  }

  importState(raw: unknown): void {
    const state = raw as { tainted?: string[] } | undefined;
    for (const peer of state?.tainted ?? []) this.baseline.taint(peer);
  }
}
