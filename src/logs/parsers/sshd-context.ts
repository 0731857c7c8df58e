// What one sshd log stream tells about lines that do not say it themselves: the peer of a
// connection process (a later "Disconnecting: Too many authentication failures for root"
// or "kex_exchange_identification" line names no address, its pid does) and which
// addresses are the server's own (to orient the listener's "connection from A to B" lines,
// which OpenSSH 9.8 printed local-first and 9.9+ remote-first).
import type { HostEvent } from "../events.js";

const MAX_PIDS = 4096;

interface Peer {
  ip: string;
  port: number | undefined;
  /** When the pid was added (stays when its peer is replaced): tells a live entry of `order` from a stale one. */
  seq: number;
}

/**
 * One host's peers by pid, oldest first. A Map keeps insertion order too, but finding its
 * oldest key after many deletions from the front walks every deleted slot (until the table
 * is rebuilt): `order` remembers the pids as added, and a pid deleted (or deleted and added
 * again) since is stale there and skipped once.
 */
class HostPeers {
  readonly byPid = new Map<number, Peer>();
  private pids: number[] = [];
  private seqs: number[] = [];
  private head = 0;

  add(pid: number, peer: Peer): void {
    this.byPid.set(pid, peer);
    this.pids.push(pid);
    this.seqs.push(peer.seq);
  }

  /** The pid added longest ago that is still here (what `byPid.keys().next()` gives). */
  oldest(): number | undefined {
    while (this.head < this.pids.length) {
      const pid = this.pids[this.head]!;
      if (this.byPid.get(pid)?.seq === this.seqs[this.head]) return pid;
      this.head++;
    }
    if (this.head > 0) this.compact();
    return undefined;
  }

  delete(pid: number): boolean {
    if (!this.byPid.delete(pid)) return false;
    if (this.head > 1024 && this.head * 2 > this.pids.length) this.compact();
    return true;
  }

  private compact(): void {
    this.pids = this.pids.slice(this.head);
    this.seqs = this.seqs.slice(this.head);
    this.head = 0;
  }

  clone(): HostPeers {
    const copy = new HostPeers();
    for (const [pid, peer] of this.byPid) copy.byPid.set(pid, peer);
    copy.pids = this.pids.slice(this.head);
    copy.seqs = this.seqs.slice(this.head);
    return copy;
  }
}

export class SshdContext {
  /** Peers by host, then by pid (numeric keys: no key string built per line). */
  private readonly peers = new Map<string, HostPeers>();
  private seq = 0;
  private size = 0;
  private lastHost: string | undefined;
  private lastPeers: HostPeers | undefined;
  private readonly locals = new Set<string>();
  private readonly seen = new Map<string, number>();

  /** An independent copy in the same state (a parser session's checkpoint). */
  clone(): SshdContext {
    const copy = new SshdContext();
    for (const [host, map] of this.peers) copy.peers.set(host, map.clone());
    copy.size = this.size;
    copy.seq = this.seq;
    for (const local of this.locals) copy.locals.add(local);
    for (const [address, count] of this.seen) copy.seen.set(address, count);
    return copy;
  }

  private hostPeers(host: string): HostPeers {
    if (host === this.lastHost && this.lastPeers) return this.lastPeers;
    let map = this.peers.get(host);
    if (!map) {
      map = new HostPeers();
      this.peers.set(host, map);
    }
    this.lastHost = host;
    this.lastPeers = map;
    return map;
  }

  /** Forget the oldest remembered pid (insertion order across hosts: the oldest host's first). */
  private evictOne(): void {
    // One host (the usual log): its oldest pid, without an entry array made a host.
    if (this.peers.size === 1 && this.lastHost !== undefined && this.lastPeers) {
      const oldest = this.lastPeers.oldest();
      if (oldest !== undefined) {
        this.lastPeers.delete(oldest);
        this.size--;
        return;
      }
    }
    for (const [host, map] of this.peers) {
      const oldest = map.oldest();
      if (oldest !== undefined) {
        map.delete(oldest);
        this.size--;
        return;
      }
      this.peers.delete(host);
      if (host === this.lastHost) this.lastHost = undefined;
    }
  }

  /** Fill in and orient `event` from what earlier lines said; remember what this one says. */
  complete(event: HostEvent): void {
    const action = event.action;
    if (action === "ssh_connection" || action === "ssh_penalty_drop") {
      if (event.destinationIp) this.locals.add(event.destinationIp);
    }
    if (action === "ssh_grace_timeout" || action === "ssh_child_crash") {
      this.orient(event);
      return;
    }
    const pid = event.pid;
    if (pid === undefined || action === "ssh_penalty_drop" || action === "ssh_penalty_new" || action === "ssh_penalty_activate" || action === "ssh_penalty_ratelimited") return;
    const peers = this.hostPeers(event.host ?? "");
    if (event.sourceIp) {
      if (this.size >= MAX_PIDS) this.evictOne();
      // Most lines of a connection name the same peer again: the entry stays as it is (set()
      // on an existing key would not move it in the eviction order either).
      const known = peers.byPid.get(pid);
      if (!known) {
        peers.add(pid, { ip: event.sourceIp, port: event.sourcePort, seq: this.seq++ });
        this.size++;
      } else {
        // The same address as the connection's first line: that string goes on instead (its
        // hash is known to every map the detectors look it up in; this line's copy is let go).
        if (known.ip === event.sourceIp) event.sourceIp = known.ip;
        if (known.ip !== event.sourceIp || known.port !== event.sourcePort) peers.byPid.set(pid, { ip: event.sourceIp, port: event.sourcePort, seq: known.seq });
      }
    } else if (!event.sourceDomain) {
      const peer = peers.byPid.get(pid);
      if (peer) {
        event.sourceIp = peer.ip;
        if (peer.port !== undefined && event.sourcePort === undefined) event.sourcePort = peer.port;
      }
    }
    if (action === "ssh_session_close" || (action === "ssh_disconnect" && event.phase !== "preauth" && event.reason !== "Disconnecting: Too many authentication failures")) {
      if (peers.delete(pid)) this.size--;
    }
  }

  /**
   * "connection from A to B": the server's own address is the one sshd's VERBOSE
   * "Connection from … on B port …" or a drop line named, else the one that recurs across
   * these lines with different partners; with neither, A (the 9.9+ order).
   */
  private orient(event: HostEvent): void {
    const a = event.sourceIp;
    const b = event.destinationIp;
    if (!a || !b) return;
    if (this.seen.size >= MAX_PIDS) this.seen.clear();
    this.seen.set(a, (this.seen.get(a) ?? 0) + 1);
    this.seen.set(b, (this.seen.get(b) ?? 0) + 1);
    const aLocal = this.locals.has(a) || (!this.locals.has(b) && this.seen.get(a)! > this.seen.get(b)!);
    if (aLocal) {
      event.sourceIp = b;
      event.destinationIp = a;
    }
  }
}
