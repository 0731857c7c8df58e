// Which host an event is about. Host logs name the host (syslog hostname, auditd node=,
// ECS host.name); network sensors (Zeek) only know addresses. When the same connection
// appears in both (same destination address and port within a few seconds, once from a
// named host and once from an address), or a lookup from an address is followed within
// seconds by a named host connecting to its answer, that address is taken to be the host.
import type { HostEvent } from "../logs/events.js";

const PAIR_WINDOW_MS = 5_000;
export const UNKNOWN_HOST = "unknown host";

export class HostNames {
  private readonly alias = new Map<string, string>();
  private readonly conflicting = new Set<string>();

  constructor(events: HostEvent[]) {
    const named = new Map<string, HostEvent[]>();
    for (const e of events) {
      if (e.action !== "connection_attempted" || !e.host || !e.destinationIp) continue;
      const key = `${e.destinationIp}|${e.destinationPort ?? ""}`;
      const list = named.get(key) ?? [];
      list.push(e);
      named.set(key, list);
    }
    for (const e of events) {
      if (e.host || !e.sourceIp || !e.destinationIp || (e.action !== "connection_attempted" && e.action !== "ssh_session")) continue;
      const candidates = named.get(`${e.destinationIp}|${e.destinationPort ?? ""}`) ?? [];
      const match = candidates.find((c) => Math.abs(c.timestamp - e.timestamp) <= PAIR_WINDOW_MS);
      if (!match) continue;
      const known = this.alias.get(e.sourceIp);
      if (known && known !== match.host) this.conflicting.add(e.sourceIp);
      else this.alias.set(e.sourceIp, match.host!);
    }
    // A lookup from an address, answered with X, followed within seconds by a named host connecting to X.
    const byAddress = new Map<string, HostEvent[]>();
    for (const list of named.values()) for (const c of list) byAddress.set(c.destinationIp!, [...(byAddress.get(c.destinationIp!) ?? []), c]);
    for (const e of events) {
      if (e.action !== "dns_query" || e.host || !e.sourceIp || !e.answers?.length) continue;
      const match = e.answers.flatMap((a) => byAddress.get(a) ?? []).find((c) => c.timestamp >= e.timestamp && c.timestamp - e.timestamp <= PAIR_WINDOW_MS);
      if (!match) continue;
      const known = this.alias.get(e.sourceIp);
      if (known && known !== match.host) this.conflicting.add(e.sourceIp);
      else this.alias.set(e.sourceIp, match.host!);
    }
    for (const ip of this.conflicting) this.alias.delete(ip);
  }

  /** The host an event happened on: its own host name, or the host its source address was paired with, or the address. */
  of(event: HostEvent): string {
    if (event.host) return event.host;
    const ip = event.sourceIp;
    if (ip && event.action !== "ssh_login") return this.alias.get(ip) ?? ip;
    return UNKNOWN_HOST;
  }

  resolve(name: string): string {
    return this.alias.get(name) ?? name;
  }

  /** A host name and the addresses paired with it. */
  namesOf(host: string): Set<string> {
    const names = new Set([host]);
    for (const [ip, h] of this.alias) if (h === host) names.add(ip);
    return names;
  }

  /** address → host pairs, for the report. */
  pairs(): [string, string][] {
    return [...this.alias].sort();
  }
}
