// Human-readable report: one block per finding, worst first, with the flow as steps.
import { createRequire } from "node:module";
import type Picocolors from "picocolors";
import { problemLevel } from "./levels.js";
import { terminalSafe as safe } from "./terminal.js";
import { SEVERITIES, severityRank, type DepsSummary, type Finding, type ScanReport, type Severity, type SharedCacheSummary } from "../core/types.js";

export interface TextOptions {
  color: boolean;
  /** Findings below this severity are counted but not listed. */
  minSeverity?: Severity;
}

/**
 * picocolors, loaded with the first text report: loading it reads process.stdout (for a colour
 * guess this module does not use), and making process.stdout loads net and the streams on a pipe,
 * a start-up cost for a run that writes its report to a file.
 */
let picocolors: typeof Picocolors | undefined;

export function renderText(report: ScanReport, options: TextOptions): string {
  const c = (picocolors ??= createRequire(import.meta.url)("picocolors") as typeof Picocolors).createColors(options.color);
  const paint: Record<Severity, (s: string) => string> = {
    critical: (s) => c.bold(c.red(s)),
    high: c.red,
    medium: c.yellow,
    low: c.cyan,
    info: c.dim,
  };
  const minRank = severityRank(options.minSeverity ?? "low");
  const shown = report.findings
    .filter((f) => severityRank(f.severity) >= minRank)
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const lines: string[] = [];
  for (const finding of shown) lines.push(...renderFinding(finding, paint, c.dim), "");
  const levels = report.errors.map(problemLevel);
  const label = { error: c.magenta("error"), warning: c.yellow("warning"), note: c.dim("note") };
  for (const [index, error] of report.errors.entries()) {
    lines.push(`${label[levels[index]!]} ${safe(error.input)}${error.file ? ` (${safe(error.file)}${error.line ? `:${error.line}` : ""})` : ""}: ${safe(error.message)}`);
  }
  if (report.errors.length) lines.push("");
  const counts = SEVERITIES.slice()
    .reverse()
    .map((s) => `${report.summary[s]} ${s}`)
    .join(", ");
  const hidden = report.findings.length - shown.length;
  const targets = report.targets.length;
  if (report.deps) lines.push(...depsSummary(report.deps));
  // A clean result says what it is clean of: the packages and versions scanned.
  if (!report.deps && targets > 0 && targets <= 20) {
    for (const t of report.targets) {
      const what = t.name ? `${t.name}${t.version ? `@${t.version}` : ""}` : "(unnamed package)";
      lines.push(`scanned ${safe(what)}${t.ecosystem ? ` (${t.ecosystem})` : ""} from ${safe(t.input)}: ${t.files} file${t.files === 1 ? "" : "s"}`);
    }
  }
  const count = (level: string) => levels.filter((l) => l === level).length;
  const problems = [
    [count("error"), "error"],
    [count("warning"), "warning"],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, word]) => `${n} ${word}${n === 1 ? "" : "s"}`);
  lines.push(
    `${targets} target${targets === 1 ? "" : "s"} scanned, ${report.targets.reduce((n, t) => n + t.files, 0)} files: ${counts}` +
      (hidden > 0 ? ` (${hidden} below ${options.minSeverity ?? "low"} not listed)` : "") +
      (problems.length ? `, ${problems.join(", ")}` : ""),
  );
  return `${lines.join("\n")}\n`;
}

function depsSummary(deps: DepsSummary): string[] {
  const lines: string[] = [];
  for (const lock of deps.lockfiles) lines.push(`${safe(lock.file)} (${lock.kind}${lock.formatVersion ? ` v${lock.formatVersion}` : ""}): ${lock.packages} packages`);
  lines.push(
    `${deps.packages} packages: ${deps.scanned} scanned, ${deps.fromCache} from cache, ${deps.notAnalysed.length} not analysed` +
      (deps.binaryOnly.length ? `, ${deps.binaryOnly.length} binary-only (not analysed: no code)` : "") +
      `, ${(deps.downloadedBytes / 1e6).toFixed(1)} MB downloaded`,
  );
  if (deps.sharedCache) lines.push(sharedCacheLine(deps.sharedCache));
  for (const missing of deps.notAnalysed) lines.push(`  not analysed: ${safe(missing.package)} (${safe(missing.lockfile)}:${missing.line}): ${safe(missing.reason)}`);
  const installed = deps.installedCheck;
  if (installed) {
    lines.push(`installed against the lockfile's archives: ${installed.compared} compared, ${installed.matching} identical, ${installed.notCompared.length} not compared`);
    for (const skipped of installed.notCompared) lines.push(`  not compared: ${safe(skipped.package)}: ${safe(skipped.reason)}`);
  }
  return lines;
}

function sharedCacheLine(shared: SharedCacheSummary): string {
  if (!shared.reachable) return `shared cache ${safe(shared.location)}: unreachable, not used: every package was analysed here`;
  return `shared cache ${safe(shared.location)}: ${shared.hits} from shared cache, ${shared.written} written back` +
    (shared.rejected ? `, ${shared.rejected} entr${shared.rejected === 1 ? "y" : "ies"} rejected and analysed again` : "") +
    (shared.signed ? ", entries signed with the fleet key" : ", unsigned (no fleet key: every database writer is trusted)") +
    (shared.written === 0 && shared.problems.some((p) => p.includes("not written back")) ? ", results not written back" : "");
}

function renderFinding(finding: Finding, paint: Record<Severity, (s: string) => string>, dim: (s: string) => string): string[] {
  const pkg = finding.package ? safe(`${finding.package.name}${finding.package.version ? `@${finding.package.version}` : ""}`) : "";
  const where = `${safe(finding.location.file)}:${finding.location.line}:${finding.location.column}`;
  const head = `${paint[finding.severity](finding.severity.toUpperCase().padEnd(8))} ${finding.ruleId}  ${pkg}  ${where}`;
  const lines = [head, `  ${safe(finding.message)}${finding.suppressed ? dim(` (suppressed: ${safe(finding.suppressed.reason)})`) : ""}`];
  finding.flow.forEach((step, index) => {
    const arrow = index === 0 ? "  ┌" : index === finding.flow.length - 1 ? "  └▶" : "  │";
    lines.push(`${arrow} ${dim(`${safe(step.file)}:${step.line}`)} ${safe(step.note)}`);
  });
  if (finding.dependency) {
    const [first, ...more] = finding.dependency.paths;
    if (first) lines.push(`  via: ${safe(["(root)", ...first].join(" > "))}${more.length ? dim(` (+${more.length} more path${more.length === 1 ? "" : "s"})`) : ""}`);
    const flags = [finding.dependency.direct ? "direct" : "transitive", ...(finding.dependency.dev ? ["dev"] : []), ...(finding.dependency.optional ? ["optional"] : [])];
    lines.push(dim(`  declared: ${safe(finding.dependency.lockfile)}:${finding.dependency.line} (${flags.join(", ")})`));
  }
  if (finding.indicators.length) lines.push(`  indicators: ${safe(finding.indicators.map((i) => i.value).join(", "))}`);
  if (finding.attack.length) lines.push(dim(`  ATT&CK: ${finding.attack.join(", ")}`));
  return lines;
}
