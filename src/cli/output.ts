// Shared option handling for every command that reports: format, output file, fail-on, exit code.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../core/errors.js";
import { SEVERITIES, isAtLeast, type Finding, type Severity } from "../core/types.js";
import { formatForFile } from "../report/index.js";
import { terminalSafe } from "../report/terminal.js";

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
import { EXIT_ERROR } from "./command-error.js";
export { EXIT_ERROR };

export interface ReportOptions {
  format?: string;
  output?: string;
  failOn: Severity;
  offline: boolean;
  color: boolean;
}

/** Adds --format/--output/--fail-on/--offline to a command. */
export function addReportOptions(command: Command, formats: readonly string[]): Command {
  return command
    .option("-f, --format <format>", `output format: ${formats.join("|")} (default: text on a TTY, else json)`)
    .option("-o, --output <file>", "write the report to a file instead of stdout (without --format, .sarif/.md/.json/gl-*.json pick the format)")
    .option("--fail-on <severity>", `exit 1 when a finding is at or above: ${SEVERITIES.join("|")}`, "high")
    .option("--offline", "never use the network (use the local cache/store only)", false)
    .option("--no-color", "no colours in text output");
}

export function resolveReportOptions(raw: Record<string, unknown>, formats: readonly string[]): ReportOptions {
  const failOn = String(raw["failOn"] ?? "high");
  if (!(SEVERITIES as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(", ")} (got "${failOn}")`);
  }
  const output = raw["output"] as string | undefined;
  const implied = output ? formatForFile(output) : undefined;
  const byExtension = implied && formats.includes(implied) ? implied : undefined;
  const format = (raw["format"] as string | undefined) ?? byExtension ?? (process.stdout.isTTY && !output ? "text" : "json");
  if (!formats.includes(format)) throw new UsageError(`--format must be one of ${formats.join(", ")} (got "${format}")`);
  const color = raw["color"] !== false && !output && Boolean(process.stdout.isTTY) && !process.env["NO_COLOR"];
  return { format, ...(output ? { output } : {}), failOn: failOn as Severity, offline: Boolean(raw["offline"]), color };
}

/** Only the CLI writes: stdout, or the --output file. */
export function emit(text: string, options: ReportOptions): void {
  const whole = text.endsWith("\n") ? text : `${text}\n`;
  if (options.output) writeFileSync(options.output, whole);
  else process.stdout.write(whole);
}

/** Problems go to stderr too, so a human sees them even when stdout is JSON piped elsewhere. */
export function warn(message: string): void {
  process.stderr.write(`exfilscan: ${terminalSafe(message)}\n`);
}

/**
 * 2 when nothing could be scanned or an error occurred and no finding decides the run;
 * 1 when a finding is at or above --fail-on; else 0. Errors on some targets with a clean
 * rest still exit 2: a silent 0 would hide that part of the input was never read.
 */
export function exitCodeFor(severities: Severity[], failOn: Severity, scanned: number, errors: number): number {
  if (severities.some((s) => isAtLeast(s, failOn))) return EXIT_FINDINGS;
  if (scanned === 0 || errors > 0) return EXIT_ERROR;
  return EXIT_CLEAN;
}

/**
 * One stderr line per finding that fails the run when the report goes to a file
 * (--output): a red CI step says why in its log.
 */
export function warnBlocking(findings: Finding[], options: ReportOptions): void {
  if (!options.output) return;
  for (const f of findings) {
    if (f.suppressed || !isAtLeast(f.severity, options.failOn)) continue;
    const pkg = f.package ? `${f.package.name}${f.package.version ? `@${f.package.version}` : ""} ` : "";
    warn(`${f.severity} ${f.ruleId}: ${pkg}${f.location.file}:${f.location.line}: ${f.message}`);
  }
}
