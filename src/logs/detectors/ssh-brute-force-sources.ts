// The sources the SSH brute-force detector follows: each host's penalty simulator and
// connections, and each source's history under its masked key ("host|addr/bits", the unit
// PerSourcePenalties charges).
import { familyOf, maskAddress } from "../net.js";
import { PenaltySimulator, type PenaltyConfig } from "../penalties.js";
import { newHistory, type HostState, type SourceHistory } from "./ssh-brute-force-state.js";

export class SourceTable {
  readonly hosts = new Map<string, HostState>();
  readonly histories = new Map<string, SourceHistory>();

  constructor(private readonly penalties: PenaltyConfig) {}

  // The last host, source key and history asked for: a connection's lines ask for the same
  // ones line after line (its address string is the same one, see SshdContext.complete).
  private lastHostName: string | undefined;
  private lastHost: HostState | undefined;
  private lastKeyHost: string | undefined;
  private lastKeyIp: string | undefined;
  private lastKey = "";
  private lastHistoryKey: string | undefined;
  private lastHistory: SourceHistory | undefined;

  host(name: string): HostState {
    if (name === this.lastHostName && this.lastHost) return this.lastHost;
    let state = this.hosts.get(name);
    if (!state) {
      state = { simulator: new PenaltySimulator(this.penalties), connections: new Map(), sourceKeys: new Map() };
      this.hosts.set(name, state);
    }
    this.lastHostName = name;
    this.lastHost = state;
    return state;
  }

  /** The masked key of a source address on a host ("host|addr/bits"). */
  key(host: string, ip: string): string {
    if (ip === this.lastKeyIp && host === this.lastKeyHost) return this.lastKey;
    const cache = this.hosts.get(host)?.sourceKeys;
    let key = cache?.get(ip);
    if (key === undefined) {
      const family = familyOf(ip);
      const bits = family === "ipv6" ? this.penalties.ipv6Bits : this.penalties.ipv4Bits;
      key = `${host}|${maskAddress(ip, bits) ?? ip}/${bits}`;
      if (cache) {
        if (cache.size >= 65_536) cache.clear();
        cache.set(ip, key);
      }
    }
    this.lastKeyIp = ip;
    this.lastKeyHost = host;
    this.lastKey = key;
    return key;
  }

  history(key: string): SourceHistory {
    if (key === this.lastHistoryKey && this.lastHistory) return this.lastHistory;
    let history = this.histories.get(key);
    if (!history) {
      history = newHistory();
      this.histories.set(key, history);
    }
    this.lastHistoryKey = key;
    this.lastHistory = history;
    return history;
  }

  /** Forget a source's history (what sweeps do with one that has nothing left in any window). */
  dropHistory(key: string): void {
    this.histories.delete(key);
    if (key === this.lastHistoryKey) this.lastHistory = undefined;
  }

  /** A saved history, loaded. */
  loadHistory(key: string, history: SourceHistory): void {
    this.histories.set(key, history);
    if (key === this.lastHistoryKey) this.lastHistory = undefined;
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
