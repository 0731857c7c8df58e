// The shapes every command reports in. The JSON reporter writes them as they are,
// so a change here is a change of the public JSON contract (schemaVersion 1).

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

export type Ecosystem = "npm" | "pypi";

export interface PackageRef {
  ecosystem: Ecosystem;
  name: string;
  version?: string;
}

/** 1-based line and column; file is a POSIX path relative to the package root. */
export interface Location {
  file: string;
  line: number;
  column: number;
}

export interface FlowStepOut extends Location {
  note: string;
}

export interface Indicator {
  type: "domain" | "ip" | "url" | "email";
  value: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  category: string;
  message: string;
  package?: PackageRef;
  /** The target (as given on the command line) the finding's file belongs to. */
  target?: string;
  location: Location;
  trigger?: "install" | "import" | "call";
  source?: string;
  sink?: string;
  flow: FlowStepOut[];
  indicators: Indicator[];
  attack: string[];
  /** Stable across runs and line shifts elsewhere in the file: used by SARIF partialFingerprints. */
  fingerprint: string;
  /** Set when an ignore entry matched; suppressed findings are reported but never fail the run. */
  suppressed?: { reason: string; expires?: string };
}

export interface TargetInfo {
  input: string;
  ecosystem?: Ecosystem;
  name?: string;
  version?: string;
  files: number;
  bytes: number;
}

export interface ScanErrorEntry {
  input: string;
  message: string;
  file?: string;
}

export type SeverityCounts = Record<Severity, number>;

export interface ScanReport {
  schemaVersion: 1;
  tool: { name: "exfilscan"; version: string };
  targets: TargetInfo[];
  findings: Finding[];
  errors: ScanErrorEntry[];
  summary: SeverityCounts;
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
}
