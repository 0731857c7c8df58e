// A successful SSH login from a source right after N failed logins from it (T1110 → T1078):
// the guess worked. Wazuh 40112 / Elastic "Potential Successful SSH Brute Force" shape, with
// the count and window configurable. Only "Failed <method>" lines count (one per attempt; the
// PAM and "maximum attempts" lines describe the same attempts again).
import { evidenceOf, type Emit, type Evidence } from "../alerts.js";
import type { HostEvent } from "../events.js";
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
  private readonly failures = new Map<string, Failure[]>();
  private seen = 0;
  constructor(
    private readonly emit: Emit,
    private readonly options: LoginAfterFailuresOptions,
  ) {}

  onEvent(event: HostEvent): void {
    if (event.action !== "ssh_login" || !event.sourceIp) return;
    if (++this.seen % 10_000 === 0) this.sweep(event.timestamp);
    const key = `${event.host ?? ""}|${event.sourceIp}`;
    const recent = inWindow(this.failures.get(key), event.timestamp - this.options.windowMs);
    if (event.outcome === "failure") {
      recent.push({ at: event.timestamp, user: event.user ?? "", evidence: evidenceOf(event) });
      this.failures.set(key, recent);
      return;
    }
    if (event.outcome !== "success") return;
    this.failures.delete(key);
    if (recent.length < this.options.failures) return;
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

  /** Forget sources whose failures all left the window (bounded memory on long logs). */
  private sweep(now: number): void {
    for (const [key, list] of this.failures) if (list[list.length - 1]!.at < now - this.options.windowMs) this.failures.delete(key);
  }

  finish(): void {}

  exportState(): unknown {
    return [...this.failures.entries()];
  }

  importState(state: unknown): void {
    if (!Array.isArray(state)) return;
    for (const [key, list] of state as [string, Failure[]][]) this.failures.set(key, list);
  }
}

/** The failures at or after `cutoff`, in order: the list itself when none is older (no copy an event). */
function inWindow(list: Failure[] | undefined, cutoff: number): Failure[] {
  if (!list) return [];
  for (let i = 0; i < list.length; i++) if (!(list[i]!.at >= cutoff)) return list.filter((f) => f.at >= cutoff);
  return list;
}
