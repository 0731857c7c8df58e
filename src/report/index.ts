// Reporters are pure: report in, string out. Only src/cli writes.
import type { ScanReport } from "../core/types.js";
import { renderJson } from "./json.js";
import { renderText, type TextOptions } from "./text.js";

export type Reporter = (report: ScanReport, options: TextOptions) => string;

export const REPORTERS = {
  text: renderText,
  json: (report) => renderJson(report),
} satisfies Record<string, Reporter>;

export type ReporterName = keyof typeof REPORTERS;
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];
