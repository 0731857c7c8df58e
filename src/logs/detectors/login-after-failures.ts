// A successful SSH login from a source right after N failed logins from it (T1110 → T1078):
// the guess worked. Wazuh 40112 / Elastic "Potential Successful SSH Brute Force" shape, with
// the count and window configurable. Only "Failed <method>" lines count (one per attempt; the
// PAM and "maximum attempts" lines describe the same attempts again).
import { evidenceOf, type Emit, type Evidence } from "../alerts.js";
import type { HostEvent } from "../events.js";
import { dropFailuresBefore, pushTimed, type TimedList } from "./ssh-brute-force-lists.js";
import type { Detector } from "./types.js";

export interface LoginAfterFailuresOptions {
  failures: number;
  windowMs: number;
}

interface Failure {
  at: number;
  user: string;
  evidence: Evidence;
}

export class LoginAfterFailuresDetector implements Detector {
  readonly ruleIds = ["login-after-failures"] as const;
  readonly actions: ReadonlySet<string> = new Set(["ssh_login"]);
  /** Failures by host, then source address (no key string built a line). */
  private readonly failures = new Map<string, Map<string, Failure[]>>();
  private lastHost: string | undefined;
  private lastFailures: Map<string, Failure[]> | undefined;
  /** The list of the last failure's source (undefined: none remembered). */
  private lastIp: string | undefined;
  private lastIpMap: Map<string, Failure[]> | undefined;
  private lastList: Failure[] | undefined;
  private seen = 0;
  constructor(
    private readonly emit: Emit,
    private readonly options: LoginAfterFailuresOptions,
  ) {}

  onEvent(event: HostEvent): void {
    if (event.action !== "ssh_login" || !event.sourceIp) return;
    if (++this.seen % 10_000 === 0) this.sweep(event.timestamp);
    const hostName = event.host ?? "";
    const byIp = this.ofHost(hostName);
    const ip = event.sourceIp;
    // a connection's failures come one after another: the last list is checked first
    const list = ip === this.lastIp && byIp === this.lastIpMap ? this.lastList : byIp.get(ip);
    const recent = inWindow(list, event.timestamp - this.options.windowMs);
    if (event.outcome === "failure") {
      pushTimed(recent, { at: event.timestamp, user: event.user ?? "", evidence: evidenceOf(event) });
      if (recent !== list) byIp.set(ip, recent);
      this.lastIp = ip;
      this.lastIpMap = byIp;
      this.lastList = recent;
      return;
    }
    if (event.outcome !== "success") return;
    byIp.delete(ip);
    this.lastIp = undefined;
    if (recent.length < this.options.failures) return;
    const key = `${hostName}|${event.sourceIp}`;
    const users = [...new Set(recent.map((f) => f.user))];
    this.emit({
      ruleId: "login-after-failures",
      timestamp: event.timestamp,
      message: `${event.user ?? "?"} logged in from ${event.sourceIp} after ${recent.length} failed logins from it (users tried: ${users.join(", ")})`,
      ...(event.host ? { host: event.host } : {}),
      ...(event.user ? { user: event.user } : {}),
      source: { ip: event.sourceIp, ...(event.sourcePort ? { port: event.sourcePort } : {}) },
      firstSeen: recent[0]!.at,
      evidence: [...recent.map((f) => f.evidence), evidenceOf(event)],
      details: { failures: recent.length, usersTried: users, method: event.method },
      key: `${key}|${event.timestamp}|${event.user ?? ""}`,
    });
  }

  private ofHost(host: string): Map<string, Failure[]> {
    if (host === this.lastHost && this.lastFailures) return this.lastFailures;
    let map = this.failures.get(host);
    if (!map) {
      map = new Map();
      this.failures.set(host, map);
    }
    this.lastHost = host;
    this.lastFailures = map;
    return map;
  }

  /** Forget sources whose failures all left the window (bounded memory on long logs). */
  private sweep(now: number): void {
    this.lastIp = undefined;
    for (const byIp of this.failures.values()) {
      for (const [ip, list] of byIp) if (list[list.length - 1]!.at < now - this.options.windowMs) byIp.delete(ip);
    }
  }

  finish(): void {}

  /** Saved as [host|ip, failures][] (the form before failures were kept by host). */
  exportState(): unknown {
    const entries: [string, Failure[]][] = [];
    for (const [host, byIp] of this.failures) for (const [ip, list] of byIp) entries.push([`${host}|${ip}`, list]);
    return entries;
  }

  importState(state: unknown): void {
    if (!Array.isArray(state)) return;
    this.lastIp = undefined;
    for (const [key, list] of state as [string, Failure[]][]) {
      const bar = key.lastIndexOf("|");
      this.ofHost(key.slice(0, bar)).set(key.slice(bar + 1), list);
    }
  }
}

/** The failures at or after `cutoff`, in order: the list itself, the older ones taken out in place. */
function inWindow(list: TimedList<Failure> | undefined, cutoff: number): TimedList<Failure> {
  if (!list) return [];
  dropFailuresBefore(list, cutoff);
  return list;
}
