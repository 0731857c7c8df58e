// What one sshd log stream tells about lines that do not say it themselves: the peer of a
// connection process (a later "Disconnecting: Too many authentication failures for root"
// or "kex_exchange_identification" line names no address, its pid does) and which
// addresses are the server's own (to orient the listener's "connection from A to B" lines,
// which OpenSSH 9.8 printed local-first and 9.9+ remote-first).
import type { HostEvent } from "../events.js";

const MAX_PIDS = 4096;

export class SshdContext {
  private readonly peers = new Map<string, { ip: string; port?: number }>();
  private readonly locals = new Set<string>();
  private readonly seen = new Map<string, number>();

  /** Fill in and orient `event` from what earlier lines said; remember what this one says. */
  complete(event: HostEvent): void {
    const key = event.pid !== undefined ? `${event.host ?? ""}|${event.pid}` : undefined;
    if (event.action === "ssh_connection" || event.action === "ssh_penalty_drop") {
      if (event.destinationIp) this.locals.add(event.destinationIp);
    }
    if (event.action === "ssh_grace_timeout" || event.action === "ssh_child_crash") this.orient(event);
    if (!key || event.action === "ssh_grace_timeout" || event.action === "ssh_child_crash" || event.action.startsWith("ssh_penalty")) return;
    if (event.sourceIp) {
      if (this.peers.size >= MAX_PIDS) this.peers.delete(this.peers.keys().next().value!);
      // Most lines of a connection name the same peer again: the entry stays as it is (set()
      // on an existing key would not move it in the eviction order either).
      const known = this.peers.get(key);
      if (!known || known.ip !== event.sourceIp || known.port !== event.sourcePort) {
        this.peers.set(key, { ip: event.sourceIp, ...(event.sourcePort !== undefined ? { port: event.sourcePort } : {}) });
      }
    } else if (!event.sourceDomain) {
      const peer = this.peers.get(key);
      if (peer) {
        event.sourceIp = peer.ip;
        if (peer.port !== undefined && event.sourcePort === undefined) event.sourcePort = peer.port;
      }
    }
    if (event.action === "ssh_session_close" || (event.action === "ssh_disconnect" && event.phase !== "preauth" && event.reason !== "Disconnecting: Too many authentication failures")) this.peers.delete(key);
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
