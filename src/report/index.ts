// Reporters are pure: report in, string out. Only src/cli writes.
import type { ScanReport } from "../core/types.js";
import type { RuleMeta } from "../rules/schema.js";
import { renderJson } from "./json.js";
import { renderSarif } from "./sarif.js";
import { renderText } from "./text.js";

export interface ReportContext {
  color: boolean;
  rules: Map<string, RuleMeta>;
  version: string;
}

export type Reporter = (report: ScanReport, context: ReportContext) => string;

export type ReporterName = "text" | "json" | "sarif";

export const REPORTERS: Record<ReporterName, Reporter> = {
  text: (report, context) => renderText(report, { color: context.color }),
  json: (report) => renderJson(report),
  sarif: (report, context) => renderSarif(report, context),
};
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];
