// Reporters are pure: report in, string out. Only src/cli writes.
import type { ScanReport, Severity } from "../core/types.js";
import type { RuleMeta } from "../rules/schema.js";
import { renderGitlab } from "./gitlab.js";
import { renderJson } from "./json.js";
import { renderMarkdown } from "./markdown.js";
import { renderSarif } from "./sarif.js";
import { renderText } from "./text.js";

export interface ReportContext {
  color: boolean;
  rules: Map<string, RuleMeta>;
  version: string;
  /** The run's --fail-on, for reporters that state a verdict (markdown). */
  failOn?: Severity;
}

export type Reporter = (report: ScanReport, context: ReportContext) => string;

export type ReporterName = "text" | "json" | "sarif" | "markdown" | "gitlab";

export const REPORTERS: Record<ReporterName, Reporter> = {
  text: (report, context) => renderText(report, { color: context.color }),
  json: (report) => renderJson(report),
  sarif: (report, context) => renderSarif(report, context),
  markdown: (report, context) => renderMarkdown(report, context.failOn ? { failOn: context.failOn } : {}),
  gitlab: (report, context) => renderGitlab(report, context),
};
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

/** The format an --output file's extension implies when --format is absent. */
export function formatForFile(file: string): ReporterName | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith(".sarif") || lower.endsWith(".sarif.json")) return "sarif";
  if (lower.endsWith(".md") || lower.endsWith(".markdown")) return "markdown";
  if (/(^|[/\\])gl-[^/\\]*\.json$/.test(lower)) return "gitlab";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".txt")) return "text";
  return undefined;
}
