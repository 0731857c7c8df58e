// A pull-request comment (or job summary): a one-line verdict, a table of findings,
// collapsible flow details, and what was not analysed. GitHub caps a comment at 65,536
// characters; the body stays under MAX_CHARS and says how many findings it left out.
import { SEVERITIES, isAtLeast, severityRank, type Finding, type PackageChange, type ScanReport, type Severity } from "../core/types.js";

export const MAX_CHARS = 65_000;

export interface MarkdownOptions {
  /** The run's --fail-on: the verdict says whether anything reached it. */
  failOn?: Severity;
  maxChars?: number;
}

const ICON: Record<Severity, string> = { critical: "🔴", high: "🟠", medium: "🟡", low: "🔵", info: "⚪" };

/** Inline text for a table cell: no pipes, no line breaks, no markup injected from package data. */
export function cell(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/([\\`*_[\]<>|])/g, "\\$1").slice(0, 300);
}

/** Code span that survives any backticks inside. */
function code(text: string): string {
  const clean = text.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|");
  return clean.includes("`") ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

const pkgOf = (f: Finding): string => (f.package ? `${f.package.name}${f.package.version ? `@${f.package.version}` : ""}` : "—");
const where = (f: Finding): string => `${f.location.file}:${f.location.line}`;

/** "(root) > a@1 > b@2" when the finding carries a dependency path; the target otherwise. */
function dependencyPath(f: Finding): string {
  const paths = f.dependency?.paths;
  if (paths?.[0]?.length) return paths[0].join(" › ");
  if (f.dependency) return `${f.dependency.lockfile}:${f.dependency.line}`;
  return f.target ?? "—";
}

function changesSection(report: ScanReport): string[] {
  const c = report.changes;
  if (!c) return [];
  const lines = ["### Dependency changes", "", `Since \`${cell(c.ref)}\` (merge base \`${c.mergeBase.slice(0, 12)}\`): ${c.added.length} added, ${c.changed.length} changed, ${c.removed.length} removed; ${c.firstPartyFiles.length} of the project's own files scanned.`, ""];
  const item = (p: PackageChange, text: string) => `- ${code(p.name)} ${text} — ${code(`${p.lockfile}${p.line ? `:${p.line}` : ""}`)}${p.paths?.[0]?.length ? ` (${cell(p.paths[0].join(" › "))})` : ""}`;
  const list = [
    ...c.added.map((p) => item(p, `added ${p.version ?? ""}`)),
    ...c.changed.map((p) => item(p, p.previous && p.previous !== p.version ? `${p.previous} → ${p.version ?? "?"}` : `${p.version ?? ""} (archive changed)`)),
    ...c.removed.map((p) => item(p, `removed ${p.version ?? ""}`)),
  ];
  if (list.length) lines.push("<details><summary>Packages</summary>", "", ...list.slice(0, 200), ...(list.length > 200 ? [`- … and ${list.length - 200} more`] : []), "", "</details>", "");
  return lines;
}

export function renderMarkdown(report: ScanReport, options: MarkdownOptions = {}): string {
  const failOn = options.failOn ?? "high";
  const budget = options.maxChars ?? MAX_CHARS;
  const active = report.findings.filter((f) => !f.suppressed).sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const suppressed = report.findings.filter((f) => f.suppressed);
  const blocking = active.filter((f) => isAtLeast(f.severity, failOn));
  const counts = SEVERITIES.slice().reverse().filter((s) => report.summary[s] > 0).map((s) => `${report.summary[s]} ${s}`).join(", ");
  const failures = report.errors.filter((e) => !e.file);

  const head: string[] = ["## exfilscan", ""];
  if (blocking.length) head.push(`❌ **${blocking.length} finding${blocking.length === 1 ? "" : "s"} at or above \`${failOn}\`** (${counts}).`);
  else if (failures.length) head.push(`⚠️ **Not fully analysed**: ${failures.length} input${failures.length === 1 ? "" : "s"} could not be scanned${active.length ? `; ${counts} below \`${failOn}\`` : ""}.`);
  else if (active.length) head.push(`✅ Nothing at or above \`${failOn}\` (${counts}).`);
  else head.push(`✅ No findings in ${report.targets.length} package${report.targets.length === 1 ? "" : "s"} scanned.`);
  head.push("");

  const tail: string[] = [...changesSection(report)];
  if (report.errors.length) {
    tail.push("### Not analysed", "");
    for (const e of report.errors.slice(0, 50)) tail.push(`- ${code(e.input)}${e.file ? ` (${code(e.file)})` : ""}: ${cell(e.message)}`);
    if (report.errors.length > 50) tail.push(`- … and ${report.errors.length - 50} more`);
    tail.push("");
  }
  if (suppressed.length) tail.push(`${suppressed.length} finding${suppressed.length === 1 ? "" : "s"} suppressed by the ignore file or baseline.`, "");
  tail.push(`<sub>exfilscan ${report.tool.version} · ${report.targets.length} target${report.targets.length === 1 ? "" : "s"}, ${report.targets.reduce((n, t) => n + t.files, 0)} files</sub>`);

  const rows: string[] = [];
  const details: string[] = [];
  if (active.length) {
    rows.push("| Severity | Package | What | Where | Dependency path |", "|---|---|---|---|---|");
  }
  const fixed = head.join("\n").length + tail.join("\n").length + 400;
  let used = fixed + rows.join("\n").length;
  let shown = 0;
  for (const f of active) {
    const row = `| ${ICON[f.severity]} ${f.severity} | ${code(pkgOf(f))} | ${cell(f.message)} | ${code(where(f))} | ${cell(dependencyPath(f))} |`;
    const detail = renderDetail(f);
    if (used + row.length + detail.length + 2 > budget) break;
    rows.push(row);
    details.push(detail);
    used += row.length + detail.length + 2;
    shown++;
  }
  const omitted = active.length - shown;
  const body = [...head];
  if (rows.length) body.push(...rows, "");
  if (omitted > 0) body.push(`… ${omitted} more finding${omitted === 1 ? "" : "s"} not shown here (comment size limit): see the SARIF or JSON report.`, "");
  if (details.length) body.push("<details><summary>Flow details</summary>", "", ...details, "</details>", "");
  body.push(...tail);
  return `${body.join("\n")}\n`;
}

function renderDetail(f: Finding): string {
  const lines = [`**${cell(f.ruleId)}** ${code(pkgOf(f))} ${code(where(f))}: ${cell(f.message)}`, ""];
  for (const step of f.flow) lines.push(`1. ${code(`${step.file}:${step.line}`)} ${cell(step.note)}`);
  if (f.indicators.length) lines.push("", `Indicators: ${f.indicators.map((i) => code(i.value)).join(", ")}`);
  if (f.attack.length) lines.push("", `ATT&CK: ${f.attack.join(", ")}`);
  lines.push("");
  return lines.join("\n");
}
