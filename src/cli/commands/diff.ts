// `exfilscan diff <old> <new>`: what a new version of a package adds over the old one.
import type { Command } from "commander";
import { TOOL_VERSION } from "../../core/version.js";
import { REPORTERS, REPORTER_NAMES, type ReporterName } from "../../report/index.js";
import { loadSignatures } from "../../rules/signatures.js";
import { diffTargets } from "../../diff/index.js";
import { addReportOptions, emit, exitCodeFor, resolveReportOptions, warn, warnBlocking } from "../output.js";
import { addScanExtrasOptions, applyIgnoreOption, loadAdvisoriesOption, loadIgnoreOption } from "../scan-extras.js";
import { addPackageInputOptions, limitsFrom, registryFrom } from "./scan.js";

export function registerDiff(program: Command): void {
  const command = program
    .command("diff")
    .description("compare two versions of a package and report what the new one adds (install scripts, credential reads, network sends, executed code, binaries)")
    .argument("<old>", "the previous version: directory, archive or registry spec (npm:name@1.0.0, pypi:name@1.0)")
    .argument("<new>", "the new version, in any of the same forms");
  addPackageInputOptions(command, "version");
  addScanExtrasOptions(command);
  addReportOptions(command, REPORTER_NAMES).action(async (oldInput: string, newInput: string, raw: Record<string, unknown>) => {
    const options = resolveReportOptions(raw, REPORTER_NAMES);
    const signatures = loadSignatures((program.opts()["signatures"] as string[] | undefined) ?? []);
    const ignores = await loadIgnoreOption(raw, signatures);
    const advisories = await loadAdvisoriesOption(raw);
    const diffed = await diffTargets(oldInput, newInput, {
      signatures,
      ...(advisories ? { advisories } : {}),
      limits: limitsFrom(raw),
      registry: registryFrom(raw, options.offline),
    });
    const report = await applyIgnoreOption(diffed, ignores, raw);
    for (const error of report.errors) warn(`${error.input}${error.file ? ` (${error.file})` : ""}: ${error.message}`);
    emit(REPORTERS[options.format as ReporterName](report, { color: options.color, rules: signatures.rules, version: TOOL_VERSION, failOn: options.failOn }), options);
    warnBlocking(report.findings, options);
    process.exitCode = exitCodeFor(
      report.findings.filter((f) => !f.suppressed).map((f) => f.severity),
      options.failOn,
      report.targets.length,
      report.errors.filter((e) => !e.file).length,
    );
  });
}
