// Correlation results → the report object and its text, JSON and SARIF renderings.
// Reporters are pure and return strings; the CLI writes them.
import pc from "picocolors";
import type { Log, Result } from "sarif";
import type { Severity } from "../core/types.js";
import type { JoinResult } from "./join.js";
import type { CorrelateReport, Incident } from "./types.js";

export const CORRELATE_FORMATS = ["text", "json", "sarif", "html"] as const;

export function buildReport(join: JoinResult, meta: {
  version: string; windowMs: number; findingsFiles: string[]; findings: number;
  logs: CorrelateReport["inputs"]["logs"]; events: number; errors: CorrelateReport["errors"];
}): CorrelateReport {
  const packages = new Set(join.incidents.map((i) => `${i.package.ecosystem}:${i.package.name}@${i.package.version ?? ""}`));
  return {
    schemaVersion: 1,
    tool: { name: "exfilscan", version: meta.version },
    coverage: {
      ...(join.coverage.from !== undefined ? { from: new Date(join.coverage.from).toISOString() } : {}),
      ...(join.coverage.to !== undefined ? { to: new Date(join.coverage.to).toISOString() } : {}),
      events: meta.events, windowHours: Math.round(meta.windowMs / 3_600_000),
    },
    inputs: { findings: meta.findingsFiles, logs: meta.logs },
    incidents: join.incidents,
    statements: join.statements,
    errors: meta.errors,
    summary: { incidents: join.incidents.length, packages: packages.size, findings: meta.findings },
  };
}

export function renderJson(report: CorrelateReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const SEVERITY_COLOR: Record<Severity, (s: string) => string> = { critical: pc.red, high: pc.red, medium: pc.yellow, low: pc.cyan, info: pc.dim };

/** Control characters from logs never reach the terminal as such. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export function renderText(report: CorrelateReport, color: boolean): string {
  const c = color ? pc : pc.createColors(false);
  const paint = (s: Severity, t: string): string => (color ? SEVERITY_COLOR[s](t) : t);
  const out: string[] = [];
  const span = report.coverage.from ? `${report.coverage.from} … ${report.coverage.to}` : "no events";
  out.push(`${report.coverage.events} events (${span}), ${report.summary.findings} findings, follow-up window ${report.coverage.windowHours}h`);
  for (const incident of report.incidents) {
    out.push("");
    out.push(`${paint(incident.severity, incident.severity.toUpperCase())} ${c.bold(clean(incident.summary))}`);
    out.push(`  ${incident.id}  confidence ${incident.confidence}  ATT&CK ${incident.attack.join(" ")}`);
    for (const f of incident.findings) out.push(`  finding: ${f.ruleId} ${clean(f.file)}:${f.line}  ${clean(f.message)}`);
    for (const step of incident.steps) {
      out.push(`  ${step.timestamp}  ${step.kind.padEnd(16)} ${clean(step.title)}`);
      const where = step.evidence.map((e) => `${clean(e.file)}${e.line !== undefined ? `:${e.line}` : ""}`).join(", ");
      out.push(c.dim(`  ${" ".repeat(24)}  ${" ".repeat(16)} ${where}  [${step.confidence}${step.attack.length ? ` ${step.attack.join(" ")}` : ""}]${step.reason ? `  ${clean(step.reason)}` : ""}`));
    }
    for (const gap of incident.gaps) out.push(c.dim(`  not seen: ${gap}`));
  }
  if (report.statements.length) {
    out.push("");
    for (const s of report.statements) out.push(`${s.kind === "unresolved" ? "could not tell" : "nothing observed"}: ${clean(s.text)}`);
  }
  for (const e of report.errors) out.push(`error: ${clean(e.input)}: ${clean(e.message)}`);
  out.push("");
  out.push(report.incidents.length ? `${report.incidents.length} incident(s)` : "no incident: no host evidence of the flagged packages in the given logs");
  return `${out.join("\n")}\n`;
}

const LEVEL: Record<Severity, Result.level> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };

/** One SARIF result per incident, located at the package finding; the steps are its code flow and related locations. */
export function renderSarif(report: CorrelateReport): string {
  const results: Result[] = report.incidents.map((incident: Incident) => {
    const f = incident.findings[0];
    const loc = (file: string, line?: number, text?: string): NonNullable<Result["locations"]>[number] => ({
      physicalLocation: { artifactLocation: { uri: encodeURI(file.replace(/\\/g, "/")) }, ...(line ? { region: { startLine: line } } : {}) },
      ...(text ? { message: { text } } : {}),
    });
    return {
      ruleId: "host-incident",
      ruleIndex: 0,
      level: LEVEL[incident.severity],
      message: { text: incident.summary },
      locations: f ? [loc(f.file, f.line, f.message)] : [],
      relatedLocations: incident.steps.flatMap((s) => s.evidence.map((e) => loc(e.file, e.line, `${s.timestamp} ${s.title}`))).map((l, i) => ({ ...l, id: i + 1 })),
      codeFlows: [{ threadFlows: [{ locations: incident.steps.map((s) => ({ location: loc(s.evidence[0]?.file ?? "-", s.evidence[0]?.line, `${s.timestamp} ${s.kind}: ${s.title}`) })) }] }],
      partialFingerprints: { "exfilscan/v1": incident.id },
      properties: { host: incident.host, ...(incident.user ? { user: incident.user } : {}), confidence: incident.confidence, attack: incident.attack, package: incident.package },
    };
  });
  const log: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: { driver: {
        name: "exfilscan", version: report.tool.version, semanticVersion: report.tool.version,
        rules: [{
          id: "host-incident", name: "HostIncident",
          shortDescription: { text: "A flagged package left traces on a host" },
          fullDescription: { text: "Host logs show a flagged package's install, its credential reads, connections to its indicators, and the SSH activity that followed." },
          defaultConfiguration: { level: "error" },
          properties: { tags: ["security", "external/attack/T1195.002", "external/attack/T1041"], "security-severity": "9.5" },
        }],
      } },
      invocations: [{
        executionSuccessful: report.errors.length === 0,
        toolExecutionNotifications: [
          ...report.errors.map((e) => ({ level: "error" as const, message: { text: `${e.input}: ${e.message}` } })),
          ...report.statements.map((s) => ({ level: "note" as const, message: { text: s.text } })),
        ],
      }],
      results,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
