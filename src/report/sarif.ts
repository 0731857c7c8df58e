// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers. Deterministic: the
// report is already sorted; rules are listed in id order.
import { isAbsolute, relative } from "node:path";
import { projectPath } from "./paths.js";
import type { Log, ReportingDescriptor, Result, Notification, ThreadFlowLocation } from "sarif";
import type { Finding, ScanReport, Severity } from "../core/types.js";
import type { RuleMeta } from "../rules/schema.js";

const LEVEL: Record<Severity, Result.level> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };
// GitHub reads properties["security-severity"] (0–10) to rank alerts.
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "0.0" };

export interface SarifContext {
  rules: Map<string, RuleMeta>;
  version: string;
}

export function renderSarif(report: ScanReport, context: SarifContext): string {
  const ruleIds = [...new Set([...context.rules.keys(), ...report.findings.map((f) => f.ruleId)])].sort();
  const rules: ReportingDescriptor[] = ruleIds.map((id) => describeRule(id, context.rules.get(id)));
  const results = report.findings.map((finding) => toResult(finding, ruleIds.indexOf(finding.ruleId), report));
  const notifications: Notification[] = report.errors.map((error) => ({
    level: error.file ? "warning" : "error",
    message: { text: `${error.input}${error.file ? ` (${error.file})` : ""}: ${error.message}` },
  }));
  const log: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "exfilscan", version: context.version, semanticVersion: context.version, rules } },
        invocations: [
          {
            executionSuccessful: !report.errors.some((e) => !e.file),
            toolExecutionNotifications: notifications,
          },
        ],
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function describeRule(id: string, rule: RuleMeta | undefined): ReportingDescriptor {
  if (!rule) return { id, shortDescription: { text: id } };
  return {
    id,
    name: id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.summary },
    help: { text: rule.help, markdown: rule.help },
    ...(rule.references[0] ? { helpUri: rule.references[0] } : {}),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ["security", rule.category, ...rule.attack.map((a) => `external/attack/${a}`)],
      "security-severity": SECURITY_SEVERITY[rule.severity],
    },
  };
}

/**
 * A directory target's files are addressed from the working directory (what a CI checkout
 * and GitHub expect); a file inside an archive can only be addressed as the archive.
 */
function artifactUri(finding: Finding, report: ScanReport, file: string): { uri: string; inArchive: boolean } {
  const target = report.targets.find((t) => t.input === finding.target);
  if (!target) return { uri: encodeUri(file), inArchive: false };
  const { path, inArchive } = projectPath(finding, file, target.files === 1);
  return { uri: encodeUri(path), inArchive };
}

function encodeUri(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function physical(finding: Finding, report: ScanReport, at: { file: string; line: number; column: number }) {
  const { uri, inArchive } = artifactUri(finding, report, at.file);
  return {
    artifactLocation: { uri },
    ...(inArchive || at.line < 1 ? {} : { region: { startLine: at.line, ...(at.column > 0 ? { startColumn: at.column } : {}) } }),
  };
}

/**
 * A dependency's finding points first at the lockfile line that declares the package (a file
 * of the repository, where a PR annotation can go), then at the file inside the package.
 */
function dependencyLocations(finding: Finding, report: ScanReport): Pick<Result, "locations" | "relatedLocations"> {
  const inside = { physicalLocation: physical(finding, report, finding.location) };
  const dep = finding.dependency;
  if (!dep) return { locations: [inside] };
  const path = dep.paths[0] ? ["(root)", ...dep.paths[0]].join(" > ") : "";
  const file = isAbsolute(dep.lockfile) ? relative(process.cwd(), dep.lockfile) : dep.lockfile;
  const declared = {
    physicalLocation: { artifactLocation: { uri: encodeUri(file.replace(/\\/g, "/").replace(/^\.\//, "")) }, region: { startLine: Math.max(1, dep.line) } },
    message: { text: `declares ${finding.package?.name ?? "the package"}${path ? ` (${path})` : ""}` },
  };
  // Findings about the lockfile entry itself (integrity, known-malicious) have only that location.
  if (dep.lockfile === finding.location.file) return { locations: [declared] };
  return {
    locations: [declared],
    relatedLocations: [{ id: 1, ...inside, message: { text: `${finding.location.file}:${finding.location.line} in ${finding.package?.name ?? "the package"}` } }],
  };
}

function toResult(finding: Finding, ruleIndex: number, report: ScanReport): Result {
  const pkg = finding.package ? `${finding.package.name}${finding.package.version ? `@${finding.package.version}` : ""}` : undefined;
  const where = `${finding.location.file}:${finding.location.line}`;
  const flowLocations: ThreadFlowLocation[] = finding.flow.map((step) => ({
    location: { physicalLocation: physical(finding, report, step), message: { text: `${step.file}:${step.line} ${step.note}` } },
  }));
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: `${finding.message}${pkg ? ` [${pkg} ${where}]` : ""}${finding.dependency?.paths[0] ? ` via ${["(root)", ...finding.dependency.paths[0]].join(" > ")}` : ""}` },
    ...dependencyLocations(finding, report),
    partialFingerprints: { "exfilscan/v1": finding.fingerprint },
    // Every source→sink flow gets a code flow (GitHub shows it as "Show paths"), even a one-step one.
    ...(flowLocations.length > 1 || (finding.source && finding.sink && flowLocations.length > 0)
      ? { codeFlows: [{ message: { text: finding.message }, threadFlows: [{ locations: flowLocations }] }] }
      : {}),
    ...(finding.suppressed ? { suppressions: [{ kind: "external", justification: finding.suppressed.reason }] } : {}),
    properties: {
      severity: finding.severity,
      "security-severity": SECURITY_SEVERITY[finding.severity],
      ...(pkg ? { package: pkg, ecosystem: finding.package?.ecosystem } : {}),
      ...(finding.trigger ? { trigger: finding.trigger } : {}),
      ...(finding.dependency ? { dependencyPaths: finding.dependency.paths.map((p) => p.join(" > ")), lockfile: `${finding.dependency.lockfile}:${finding.dependency.line}` } : {}),
      ...(finding.source ? { source: finding.source } : {}),
      ...(finding.sink ? { sink: finding.sink } : {}),
      indicators: finding.indicators.map((i) => i.value),
      tags: finding.attack.map((a) => `external/attack/${a}`),
    },
  };
}
