// Alerts → text / JSON / SARIF strings. Reporters return strings; the CLI writes them.
import { terminalSafe } from "../report/terminal.js";
import pc from "picocolors";
import { emptyCounts, SEVERITIES, type Severity } from "../core/types.js";
import type { RuleMeta } from "../rules/schema.js";
import type { Alert, Endpoint } from "./alerts.js";
import type { AnalyzeResult } from "./analyze.js";

export const LOGS_FORMATS = ["text", "json", "sarif"] as const;

export interface ReportContext {
  toolVersion: string;
  dbPath: string;
  rules: Map<string, RuleMeta>;
  color: boolean;
  /** Alerts the state database holds (from earlier runs too), when known: a run that raised none points to them. */
  storedAlerts?: number;
}

export function summarise(alerts: Alert[]): Record<Severity, number> {
  const counts = emptyCounts();
  for (const alert of alerts) counts[alert.severity]++;
  return counts;
}

export function renderJson(result: AnalyzeResult, context: ReportContext): string {
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      tool: { name: "exfilscan", version: context.toolVersion },
      inputs: result.inputs,
      alerts: result.alerts,
      errors: result.errors,
      summary: summarise(result.alerts),
      stats: { events: result.events, newAlerts: result.newAlerts, stateDb: context.dbPath },
      ...(result.learning ? { learning: result.learning } : {}),
    },
    null,
    2,
  )}\n`;
}

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error", high: "error", medium: "warning", low: "note", info: "note",
};
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "1.0" };

export function renderSarif(result: AnalyzeResult, context: ReportContext): string {
  const used = [...new Set(result.alerts.map((a) => a.ruleId))].sort();
  const rules = used.map((id) => {
    const rule = context.rules.get(id)!;
    return {
      id, name: rule.title, shortDescription: { text: rule.title }, fullDescription: { text: rule.summary },
      help: { text: rule.help, markdown: rule.help }, helpUri: rule.references[0],
      defaultConfiguration: { level: LEVEL[rule.severity] },
      properties: { tags: ["security", ...rule.attack], "security-severity": SECURITY_SEVERITY[rule.severity] },
    };
  });
  const results = result.alerts.map((alert) => ({
    ruleId: alert.ruleId,
    ruleIndex: used.indexOf(alert.ruleId),
    level: LEVEL[alert.severity],
    message: { text: alert.message },
    locations: alert.evidence.slice(0, 1).map((e) => ({
      physicalLocation: { artifactLocation: { uri: toUri(e.file) }, region: { startLine: e.line } },
    })),
    relatedLocations: alert.evidence.slice(1).map((e, i) => ({
      id: i + 1, physicalLocation: { artifactLocation: { uri: toUri(e.file) }, region: { startLine: e.line } },
      ...(e.text ? { message: { text: e.text } } : {}),
    })),
    partialFingerprints: { "exfilscanAlert/v1": alert.fingerprint },
    properties: {
      severity: alert.severity, attack: alert.attack, timestamp: alert.timestamp,
      ...(alert.firstSeen ? { firstSeen: alert.firstSeen } : {}), ...(alert.user ? { user: alert.user } : {}),
      ...(alert.host ? { host: alert.host } : {}), ...(alert.source ? { source: alert.source } : {}),
      ...(alert.destination ? { destination: alert.destination } : {}), ...(alert.details ? { details: alert.details } : {}),
    },
  }));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: { driver: { name: "exfilscan", version: context.toolVersion, informationUri: "https://github.com/exfilscan/exfilscan", rules } },
      results,
      invocations: [{ executionSuccessful: result.errors.length === 0, toolExecutionNotifications: result.errors.map((e) => ({ level: "error", message: { text: `${e.input}: ${e.message}` } })) }],
    }],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function toUri(file: string): string {
  return file === "-" ? "stdin" : file.split("/").map(encodeURIComponent).join("/").replace(/^%2F/, "/");
}

function endpoint(e: Endpoint | undefined): string | undefined {
  if (!e) return undefined;
  const where = e.domain ?? e.ip ?? e.host;
  if (!where) return undefined;
  if (e.port === undefined) return where;
  return where.includes(":") ? `[${where}]:${e.port}` : `${where}:${e.port}`;
}

export function renderText(result: AnalyzeResult, context: ReportContext): string {
  const c = context.color ? pc : { ...pc, red: String, yellow: String, blue: String, dim: String, bold: String, green: String, magenta: String };
  const paint: Record<Severity, (s: string) => string> = {
    critical: (s) => c.bold(c.magenta(s)), high: c.red, medium: c.yellow, low: c.blue, info: c.dim,
  };
  const out: string[] = [];
  for (const alert of result.alerts) {
    // Host, user and evidence text come from the logs: escaped, never raw on a terminal.
    const who = terminalSafe([alert.host && `host=${alert.host}`, alert.user && `user=${alert.user}`,
      endpoint(alert.source) && `src=${endpoint(alert.source)}`, endpoint(alert.destination) && `dst=${endpoint(alert.destination)}`].filter(Boolean).join(" "));
    out.push(`${paint[alert.severity](alert.severity.toUpperCase().padEnd(8))} ${c.bold(alert.ruleId)}  ${alert.timestamp}  ${who ? `${who}  ` : ""}[${alert.attack.join(", ")}]`);
    out.push(`  ${terminalSafe(alert.message)}`);
    if (alert.firstSeen) out.push(c.dim(`  first seen ${alert.firstSeen}`));
    const simulated = alert.details?.["simulatedLog"];
    if (Array.isArray(simulated) && simulated.length) {
      out.push(c.dim("  sshd would log:"));
      for (const line of simulated.slice(0, 6)) out.push(c.dim(`    ${terminalSafe(String(line))}`));
      if (simulated.length > 6) out.push(c.dim(`    … ${simulated.length - 6} more`));
    }
    for (const e of alert.evidence.slice(0, 8)) out.push(c.dim(`  ${terminalSafe(e.file)}:${e.line}${e.text ? `  ${terminalSafe(e.text)}` : ""}`));
    if (alert.evidence.length > 8) out.push(c.dim(`  … ${alert.evidence.length - 8} more evidence lines`));
    out.push("");
  }
  for (const input of result.inputs) {
    if (input.duplicateOf) {
      out.push(c.dim(`${input.input}: same log as ${input.duplicateOf}, skipped`));
      continue;
    }
    if (input.error) {
      out.push(c.red(`${input.input}: ${input.error}`));
      continue;
    }
    if (input.note) {
      out.push(c.dim(`${input.input}: ${input.note}`));
      continue;
    }
    const notes = [
      input.gzip ? "gzip" : undefined,
      input.resumedAfterLine ? `resumed after line ${input.resumedAfterLine}` : undefined,
      input.rotated ? "rotated copy of a log read before" : undefined,
      input.replaced ? `${input.replaced} since last run, read from the start` : undefined,
    ].filter(Boolean);
    out.push(c.dim(`${input.input} (${input.format ?? "?"}${notes.length ? `, ${notes.join(", ")}` : ""}): ${input.lines} lines, ${input.events} events, ${input.skipped} skipped, ${input.unmodelled} sshd lines not modelled, ${input.unparseable} unparseable`));
    for (const sample of input.samples) out.push(c.dim(`  ${sample.status === "unmodelled" ? "not modelled" : "unparseable"} ${input.input}:${sample.line}: ${sample.error ? `(${sample.error}) ` : ""}${sample.text}`));
  }
  for (const error of result.errors) if (!result.inputs.some((i) => i.input === error.input)) out.push(c.red(`${error.input}: ${error.message}`));
  if (result.learning) {
    out.push(c.yellow(`new-ssh-destination is still learning (since ${result.learning.start}, until ${result.learning.until}; newest event ${result.learning.newest}): it cannot report new destinations yet. Use --learning-window 0 to alert on every peer, or keep a baseline from older logs in --db.`));
  }
  const counts = summarise(result.alerts);
  const summary = SEVERITIES.slice().reverse().map((s) => `${counts[s]} ${s}`).join(", ");
  if (result.alerts.length) out.push(c.bold(`${result.alerts.length} alert(s): ${summary}`));
  else if (context.storedAlerts) out.push(c.green(`no new alerts (${context.storedAlerts} stored by earlier runs in ${context.dbPath}: \`exfilscan alerts list\` shows them)`));
  else out.push(c.green("no alerts"));
  return `${out.join("\n")}\n`;
}
