// What detectors raise. A draft names its rule; title, severity and ATT&CK ids are read
// from signatures/rules/<id>.yaml when the alert is finalised, never written in code.
import { createHash } from "node:crypto";
import type { Severity } from "../core/types.js";
import type { RuleMeta } from "../rules/schema.js";
import type { HostEvent } from "./events.js";

export interface Evidence {
  file: string;
  line: number;
  text?: string;
}

export interface Endpoint {
  ip?: string;
  port?: number;
  domain?: string;
  host?: string;
}

export interface AlertDraft {
  ruleId: string;
  /** epoch ms: when it happened (the triggering event) */
  timestamp: number;
  message: string;
  host?: string;
  user?: string;
  source?: Endpoint;
  destination?: Endpoint;
  /** epoch ms: first time the thing was seen (new destination, first failure, ...) */
  firstSeen?: number;
  evidence: Evidence[];
  details?: Record<string, unknown>;
  /** Identifies the alert across runs (with the rule id): the store keeps one per key. */
  key: string;
}

export interface Alert {
  ruleId: string;
  title: string;
  severity: Severity;
  category: string;
  attack: string[];
  message: string;
  timestamp: string;
  firstSeen?: string;
  host?: string;
  user?: string;
  source?: Endpoint;
  destination?: Endpoint;
  evidence: Evidence[];
  details?: Record<string, unknown>;
  fingerprint: string;
}

export type Emit = (draft: AlertDraft) => void;

const MAX_EVIDENCE = 25;

// Every detector sees an event in turn and several keep its evidence: they share one object
// (evidence is never modified once made).
let lastEvent: HostEvent | undefined;
let lastEvidence: Evidence | undefined;

export function evidenceOf(event: HostEvent): Evidence {
  if (event === lastEvent) return lastEvidence!;
  lastEvent = event;
  lastEvidence = event.message ? { file: event.file, line: event.line, text: event.message } : { file: event.file, line: event.line };
  return lastEvidence;
}

/** Keep the first and last evidence lines when there are too many. */
export function capEvidence(evidence: Evidence[]): Evidence[] {
  if (evidence.length <= MAX_EVIDENCE) return evidence;
  return [...evidence.slice(0, MAX_EVIDENCE - 5), ...evidence.slice(-5)];
}

export function finaliseAlert(draft: AlertDraft, rules: Map<string, RuleMeta>): Alert {
  const rule = rules.get(draft.ruleId);
  if (!rule) throw new Error(`no signatures/rules/${draft.ruleId}.yaml`);
  const alert: Alert = {
    ruleId: rule.id,
    title: rule.title,
    severity: rule.severity,
    category: rule.category,
    attack: [...rule.attack],
    message: draft.message,
    timestamp: new Date(draft.timestamp).toISOString(),
    evidence: capEvidence(draft.evidence),
    fingerprint: createHash("sha256").update(`${draft.ruleId}\0${draft.key}`).digest("hex").slice(0, 32),
  };
  if (draft.firstSeen !== undefined) alert.firstSeen = new Date(draft.firstSeen).toISOString();
  if (draft.host) alert.host = draft.host;
  if (draft.user) alert.user = draft.user;
  if (draft.source && Object.keys(draft.source).length) alert.source = draft.source;
  if (draft.destination && Object.keys(draft.destination).length) alert.destination = draft.destination;
  if (draft.details) alert.details = draft.details;
  return alert;
}
