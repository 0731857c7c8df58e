// Types for scripts/eval-lib.mjs (used by test/real-world/*.test.ts).
export type Severity = "info" | "low" | "medium" | "high" | "critical";
export declare const SEVERITIES: Severity[];
export declare const LABEL_COLUMNS: string[];
export declare const WRAPS: string[];
export declare const CLASSES: string[];
export interface Label {
  ecosystem: "npm" | "pypi";
  name: string;
  version: string;
  in_scope: "yes" | "no";
  class: string;
  reason: string;
  source: string;
  wrap: string;
  line: number;
}
export interface Finding {
  ruleId: string;
  severity: Severity;
  message?: string;
  source?: string;
  trigger?: string;
  location?: { file: string; line?: number };
}
export interface Condensed {
  status: "ok" | "error";
  error: string | null;
  maxSeverity: Severity | null;
  credential?: boolean;
  credentialHigh?: boolean;
  top: { ruleId: string; severity: Severity; message: string; location: string; trigger: string | null } | null;
  findings: number;
}
export interface Sample {
  ecosystem: "npm" | "pypi";
  name: string;
  version: string;
  layout: "plain" | "datadog";
  dir: string;
  zips?: string[];
}
export interface Rate {
  caught: number;
  total: number;
  pct: number | null;
}
export interface Summary {
  samples: number;
  inScope: number;
  outOfScope: number;
  recall: Record<"npm" | "pypi", { high: Rate; credentialFlow: Rate; any: Rate }>;
  recallAll: { high: Rate; credentialFlow: Rate; any: Rate };
  perClass: Record<string, { n: number; high: number; any: number }>;
  misses: { key: string; class: string; reason: string; top: Condensed["top"]; warning: string | null }[];
  errors: { key: string; in_scope: string; error: string | null }[];
  outOfScopeFlagged: { count: number; of: number; samples: { key: string; reason: string; top: Condensed["top"] }[] };
  unlabelled: string[];
  missingSamples: string[];
}
export declare function severityRank(s: string): number;
export declare function parseLabels(text: string): { labels: Label[]; errors: string[] };
export declare function sampleKey(ecosystem: string, name: string, version: string): string;
export declare function parseSource(source: string): { repo: string; commit: string; paths: string[] } | null;
export declare function stripPrefix(wrap: string, paths: string[], files: string[]): string;
export declare function discoverSamples(root: string): Sample[];
export declare function topFinding(findings: Finding[] | undefined): Finding | null;
export declare function condense(report: { findings?: Finding[]; errors?: { message: string }[] } | null, failure: string | null): Condensed;
export declare function summarize(
  results: ({ ecosystem: string; name: string; version: string } & Condensed)[],
  labels: Label[],
): Summary;
export declare function formatSummary(s: Summary): string;
export declare function summarizePrecision(results: ({ name: string; hits: Finding[] } & Condensed)[]): {
  packages: number;
  errors: { name: string; error: string | null }[];
  highOrCritical: { name: string; findings: Finding[] }[];
  credential: { name: string; findings: Finding[] }[];
};
