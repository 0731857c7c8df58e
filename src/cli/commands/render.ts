// `exfilscan render <report.json>`: turn a saved JSON report into another format (SARIF,
// markdown, GitLab, text) without scanning again: one scan in CI, every report from it.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ConfigurationError, errorMessage } from "../../core/errors.js";
import type { ScanReport } from "../../core/types.js";
import { TOOL_VERSION } from "../../core/version.js";
import { withDepsRules } from "../../deps/rules.js";
import { REPORTERS, REPORTER_NAMES, type ReporterName } from "../../report/index.js";
import { loadSignatures } from "../../rules/signatures.js";
import { addReportOptions, emit, exitCodeFor, resolveReportOptions, warnBlocking } from "../output.js";

export function registerRender(program: Command): void {
  const command = program
    .command("render")
    .description("write a saved JSON report (exfilscan … -f json) as sarif, markdown, gitlab or text, without scanning again")
    .argument("<report>", "a JSON report written by scan, diff or deps");
  addReportOptions(command, REPORTER_NAMES).action((file: string, raw: Record<string, unknown>) => {
    const options = resolveReportOptions(raw, REPORTER_NAMES);
    let report: ScanReport;
    try {
      report = JSON.parse(readFileSync(file, "utf8")) as ScanReport;
    } catch (error) {
      throw new ConfigurationError(`not a readable JSON report: ${errorMessage(error)}`, file);
    }
    if (report?.schemaVersion !== 1 || !Array.isArray(report.findings) || !Array.isArray(report.targets)) {
      throw new ConfigurationError("not an exfilscan JSON report (schemaVersion 1 with targets[] and findings[])", file);
    }
    const signatures = loadSignatures((program.opts()["signatures"] as string[] | undefined) ?? []);
    emit(REPORTERS[options.format as ReporterName](report, { color: options.color, rules: withDepsRules(signatures.rules), version: TOOL_VERSION, failOn: options.failOn }), options);
    warnBlocking(report.findings, options);
    process.exitCode = exitCodeFor(
      report.findings.filter((f) => !f.suppressed).map((f) => f.severity),
      options.failOn,
      Math.max(report.targets.length, report.deps ? 1 : 0),
      (report.errors ?? []).filter((e) => !e.file).length,
    );
  });
}
