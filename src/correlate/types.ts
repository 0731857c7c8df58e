// The shapes of `exfilscan correlate` output (JSON schemaVersion 1, docs/correlate.md).
// An incident is one story for one package on one host and user: install → credential read
// → connection to the finding's indicator → what followed (new SSH destination, a login
// from a new source with the same key, key generation, authorized_keys writes).
import type { Finding, PackageRef, Severity } from "../core/types.js";

export type Confidence = "high" | "medium" | "low";

export const STEP_KINDS = ["lockfile", "install", "install-script", "credential-read", "dns", "connection", "stolen-key-login", "ssh-alert"] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface EvidenceRef {
  /** A log file and line, or a package file and line (`package: true`). */
  file: string;
  line?: number;
  text?: string;
  package?: boolean;
}

export interface Step {
  kind: StepKind;
  /** ISO 8601. */
  timestamp: string;
  title: string;
  confidence: Confidence;
  attack: string[];
  evidence: EvidenceRef[];
  /** Why this step belongs to the story (e.g. "resolved by the DNS answer at dns.log:3"). */
  reason?: string;
  ruleId?: string;
}

export interface Incident {
  id: string;
  package: PackageRef;
  host: string;
  user?: string;
  severity: Severity;
  confidence: Confidence;
  attack: string[];
  summary: string;
  /** The static findings this incident is about (rule, file:line, message). */
  findings: { ruleId: string; severity: Severity; message: string; file: string; line: number; fingerprint: string }[];
  steps: Step[];
  /** What was looked for and not found within this story (e.g. no credential read recorded). */
  gaps: string[];
}

/** A precise "nothing observed" or "could not tell" about one finding or indicator. */
export interface Statement {
  package?: PackageRef;
  indicator?: string;
  kind: "not-observed" | "unresolved" | "installed-only" | "no-indicators";
  text: string;
}

export interface CorrelateReport {
  schemaVersion: 1;
  tool: { name: "exfilscan"; version: string };
  /** The time the given logs cover (first and last event), and the follow-up window. */
  coverage: { from?: string; to?: string; events: number; windowHours: number };
  inputs: { findings: string[]; logs: { input: string; format?: string; events: number; error?: string }[] };
  incidents: Incident[];
  statements: Statement[];
  errors: { input: string; message: string }[];
  summary: { incidents: number; packages: number; findings: number };
}

/** Static findings as read from a `scan`/`deps` JSON file, with where they came from. */
export interface LoadedFindings {
  file: string;
  findings: Finding[];
}
