// The sources the SSH brute-force detector follows: each host's penalty simulator and
// connections, and each source's history under its masked key ("host|addr/bits", the unit
// PerSourcePenalties charges).
import { familyOf, maskAddress } from "../net.js";
import { PenaltySimulator, type PenaltyConfig } from "../penalties.js";
import type { HostState, SourceHistory } from "./ssh-brute-force-state.js";

export class SourceTable {
  readonly hosts = new Map<string, HostState>();
  readonly histories = new Map<string, SourceHistory>();

  constructor(private readonly penalties: PenaltyConfig) {}

  host(name: string): HostState {
    let state = this.hosts.get(name);
    if (!state) {
      state = { simulator: new PenaltySimulator(this.penalties), connections: new Map(), sourceKeys: new Map() };
      this.hosts.set(name, state);
    }
    return state;
  }

  /** The masked key of a source address on a host ("host|addr/bits"). */
  key(host: string, ip: string): string {
    const cache = this.hosts.get(host)?.sourceKeys;
    const cached = cache?.get(ip);
    if (cached !== undefined) return cached;
    const family = familyOf(ip);
    const bits = family === "ipv6" ? this.penalties.ipv6Bits : this.penalties.ipv4Bits;
    const key = `${host}|${maskAddress(ip, bits) ?? ip}/${bits}`;
    if (cache) {
      if (cache.size >= 65_536) cache.clear();
      cache.set(ip, key);
    }
    return key;
  }

  history(key: string): SourceHistory {
    let history = this.histories.get(key);
    if (!history) {
      history = { blocks: [], failures: [], pending: [], pendingLines: [] };
      this.histories.set(key, history);
    }
    return history;
  }

  /** Whether the host's penalty table still has an entry for a source key. */
  tracked(key: string): boolean {
    const masked = key.slice(key.lastIndexOf("|") + 1, key.lastIndexOf("/"));
    return this.hosts.get(hostOfKey(key))?.simulator.tracks(masked) ?? false;
  }
}

/** The host of a source key ("host|addr/bits"). */
export function hostOfKey(key: string): string {
  return key.slice(0, key.lastIndexOf("|"));
}
