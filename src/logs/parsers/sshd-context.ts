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
}

export class SshdContext {
  /** Peers by host, then by pid (numeric keys: no key string built per line). */
  private readonly peers = new Map<string, Map<number, Peer>>();
  private size = 0;
  private lastHost: string | undefined;
  private lastPeers: Map<number, Peer> | undefined;
  private readonly locals = new Set<string>();
  private readonly seen = new Map<string, number>();

  /** An independent copy in the same state (a parser session's checkpoint). */
  clone(): SshdContext {
    const copy = new SshdContext();
    for (const [host, map] of this.peers) copy.peers.set(host, new Map(map));
    copy.size = this.size;
    for (const local of this.locals) copy.locals.add(local);
    for (const [address, count] of this.seen) copy.seen.set(address, count);
    return copy;
  }

  private hostPeers(host: string): Map<number, Peer> {
    if (host === this.lastHost && this.lastPeers) return this.lastPeers;
    let map = this.peers.get(host);
    if (!map) {
      map = new Map();
      this.peers.set(host, map);
    }
    this.lastHost = host;
    this.lastPeers = map;
    return map;
  }

  /** Forget the oldest remembered pid (insertion order across hosts: the oldest host's first). */
  private evictOne(): void {
    for (const [host, map] of this.peers) {
      const oldest = map.keys().next();
      if (!oldest.done) {
        map.delete(oldest.value);
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
      const known = peers.get(pid);
      if (!known) {
        peers.set(pid, { ip: event.sourceIp, port: event.sourcePort });
        this.size++;
      } else if (known.ip !== event.sourceIp || known.port !== event.sourcePort) {
        peers.set(pid, { ip: event.sourceIp, port: event.sourcePort });
      }
    } else if (!event.sourceDomain) {
      const peer = peers.get(pid);
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
