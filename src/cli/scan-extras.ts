// Options shared by commands that report package findings: the advisory store (read-only,
// never a network call) and the ignore file. One place, so `scan`, `deps`, `guard` agree.
// What only some runs use (the ignore file's YAML, the baseline) is loaded when used.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { AdvisoryStore } from "../advisories/index.js";
import type { ScanReport } from "../core/types.js";
import type { IgnoreList } from "../ignore/load.js";
import type { Signatures } from "../rules/signatures.js";
import { finishReport } from "../core/report.js";
import { noticeDue } from "./notices.js";
import { warn } from "./output.js";

export function addScanExtrasOptions(command: Command): Command {
  return command
    .option("--advisory-store <file>", "known-malicious package store (env EXFILSCAN_ADVISORY_STORE; filled by `exfilscan signatures update`)")
    .option("--ignore-file <file>", "suppressions (default: ./.exfilscanignore when present)")
    .option("--baseline <report>", "a previous JSON or SARIF report: report only findings whose fingerprint it does not have")
    .option("--verbose", "show every notice on every run (advice such as a missing advisory store is otherwise shown once a day)", false);
}

/** The store when there is one; otherwise one note on stderr and no advisory check. */
export async function loadAdvisoriesOption(raw: Record<string, unknown>): Promise<AdvisoryStore | undefined> {
  const { resolveStorePath } = await import("../advisories/store.js");
  const file = resolveStorePath(raw["advisoryStore"] as string | undefined);
  const store = existsSync(file) ? (await import("../advisories/index.js")).loadAdvisoryStore(file) : undefined;
  if (!store && noticeDue("no-advisory-store", Boolean(raw["verbose"]))) {
    warn(`note: no known-malicious package store at ${file}: run \`exfilscan signatures update\` to enable the known-malicious-package check (shown once a day; --verbose: every run)`);
  }
  return store;
}

/** Loaded before the scan starts, so a broken ignore file stops the run early (exit 2, file:line). */
export async function loadIgnoreOption(raw: Record<string, unknown>, signatures: Signatures): Promise<IgnoreList | undefined> {
  const flag = raw["ignoreFile"] as string | undefined;
  // The cheap check first: with no --ignore-file and no ./.exfilscanignore, no YAML parser is loaded.
  if (!flag && !existsSync(".exfilscanignore")) return undefined;
  const { findIgnoreFile, loadIgnoreFile } = await import("../ignore/load.js");
  const file = findIgnoreFile(flag);
  return file ? loadIgnoreFile(file, new Set(signatures.rules.keys())) : undefined;
}

/**
 * Drop findings the --baseline report already had, suppress matching ignore entries, add
 * expired entries to errors[] (the command prints errors[] on stderr), recount.
 */
export async function applyIgnoreOption(report: ScanReport, list: IgnoreList | undefined, raw: Record<string, unknown> = {}): Promise<ScanReport> {
  const baselineFile = raw["baseline"] as string | undefined;
  if (baselineFile) {
    const { applyBaseline, loadBaseline } = await import("../baseline/index.js");
    const dropped = applyBaseline(report, loadBaseline(baselineFile));
    if (dropped > 0) warn(`${dropped} finding${dropped === 1 ? "" : "s"} already in the baseline ${baselineFile}: not reported`);
  }
  if (!list) return report;
  const { applyIgnoreList } = await import("../ignore/apply.js");
  applyIgnoreList(report, list);
  return finishReport(report);
}
