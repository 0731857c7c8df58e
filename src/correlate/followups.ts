// What followed the theft on the same host or for the same user, within the window:
// host-log alerts (new SSH destination, key generation, authorized_keys writes, login
// after failures) and logins from a new source with a key the user had used before.
import type { Alert } from "../logs/alerts.js";
import type { HostEvent } from "../logs/events.js";
import type { HostNames } from "./hosts.js";
import type { Confidence, Step } from "./types.js";

export const FOLLOW_UP_RULES = new Set(["new-ssh-destination", "ssh-key-generated", "authorized-keys-modified", "login-after-failures"]);

export interface Scope {
  hostNames: Set<string>;
  user?: string;
  from: number;
  to: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const SAME_EVENT_MS = 5_000;

/** One alert per happening: a sensor (Zeek) and the host (auditd) often see the same connection; keep the better-attributed one. */
function sameHappening(a: Alert, b: Alert): boolean {
  return a.ruleId === b.ruleId && Math.abs(Date.parse(a.timestamp) - Date.parse(b.timestamp)) <= SAME_EVENT_MS &&
    a.destination?.ip !== undefined && a.destination.ip === b.destination?.ip && a.destination.port === b.destination?.port;
}

export function alertSteps(alerts: Alert[], scope: Scope, hosts: HostNames): Step[] {
  const steps: Step[] = [];
  const kept: { alert: Alert; step: Step }[] = [];
  for (const alert of alerts) {
    if (!FOLLOW_UP_RULES.has(alert.ruleId)) continue;
    const at = Date.parse(alert.timestamp);
    if (!(at >= scope.from && at <= scope.to)) continue;
    const alertHosts = [alert.host, alert.source?.host, alert.destination?.host].filter((h): h is string => Boolean(h)).map((h) => hosts.resolve(h));
    const sameHost = alertHosts.some((h) => scope.hostNames.has(h));
    const sameUser = scope.user !== undefined && alert.user === scope.user;
    if (!sameHost && !sameUser) continue;
    const confidence: Confidence = sameHost && sameUser ? "high" : "medium";
    const reason = sameHost && sameUser ? "same host and user, after the theft" : sameHost ? "same host, after the theft" : "same user on another host, after the theft";
    const step: Step = {
      kind: "ssh-alert", timestamp: iso(at), title: alert.message, confidence, attack: [...alert.attack], ruleId: alert.ruleId,
      evidence: alert.evidence.map((e) => ({ file: e.file, line: e.line, ...(e.text ? { text: e.text } : {}) })), reason,
    };
    const twin = kept.find((k) => sameHappening(k.alert, alert));
    if (!twin) {
      kept.push({ alert, step });
      continue;
    }
    // Merge: the better-attributed alert leads, the other's lines join its evidence.
    const [lead, other] = twin.step.confidence === "medium" && confidence === "high" ? [step, twin.step] : [twin.step, step];
    lead.evidence.push(...other.evidence);
    if (lead !== twin.step) twin.step = lead;
  }
  for (const k of kept) steps.push(k.step);
  return steps;
}

/**
 * Accepted publickey logins of the user after the theft, from a source that never used that
 * key before, with a key fingerprint seen earlier from another source: the key travelled.
 */
export function stolenKeySteps(events: HostEvent[], scope: Scope): Step[] {
  if (!scope.user) return [];
  const sourcesByKey = new Map<string, Set<string>>();
  const steps: Step[] = [];
  for (const e of events) {
    if (e.action !== "ssh_login" || e.outcome !== "success" || e.user !== scope.user || !e.keyFingerprint || !e.sourceIp) continue;
    const sources = sourcesByKey.get(e.keyFingerprint) ?? new Set<string>();
    if (e.timestamp >= scope.from && e.timestamp <= scope.to && sources.size > 0 && !sources.has(e.sourceIp)) {
      steps.push({
        kind: "stolen-key-login", timestamp: iso(e.timestamp),
        title: `${e.user} logged in to ${e.host ?? "a host"} from ${e.sourceIp} with key ${e.keyFingerprint}, used before only from ${[...sources].sort().join(", ")}`,
        confidence: "high", attack: ["T1021.004", "T1078"],
        evidence: [{ file: e.file, line: e.line, ...(e.message ? { text: e.message } : {}) }],
        reason: "the same key from a new source after the key was read and sent",
      });
    }
    sources.add(e.sourceIp);
    sourcesByKey.set(e.keyFingerprint, sources);
  }
  return steps;
}
