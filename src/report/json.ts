import type { ScanReport } from "../core/types.js";
import { withLevels } from "./levels.js";

/** The public JSON contract (schemaVersion 1, README "JSON output"). */
export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(withLevels(report), null, 2)}\n`;
}
