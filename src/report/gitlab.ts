// GitLab security report (SAST report format, schema 15.x), so findings show in merge
// requests and the vulnerability report: `artifacts: reports: sast: gl-exfilscan.json`.
// Required by GitLab's schema: version, scan{analyzer, scanner, type, start_time,
// end_time, status}, and per vulnerability id, identifiers (type, name, value) and location.
import { createHash } from "../core/hash.js";
import { projectPath } from "./paths.js";
import type { Finding, ScanReport, Severity } from "../core/types.js";
import type { RuleMeta } from "../rules/schema.js";

export const GITLAB_SCHEMA_VERSION = "15.0.7";

const SEVERITY: Record<Severity, string> = { critical: "Critical", high: "High", medium: "Medium", low: "Low", info: "Info" };

export interface GitlabContext {
  rules: Map<string, RuleMeta>;
  version: string;
  /** Start and end of the run; the schema wants "YYYY-MM-DDTHH:MM:SS". */
  startTime?: Date;
  endTime?: Date;
}

const timestamp = (date: Date): string => date.toISOString().slice(0, 19);

/** A UUID-shaped id derived from the fingerprint: the same finding keeps its id across pipelines. */
function uuidOf(fingerprint: string, location: string): string {
  const hex = createHash("sha256").update(`${fingerprint}|${location}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A directory target's files are addressed from the project root; archive members as the archive. */
function fileOf(f: Finding): string {
  return projectPath(f, f.location.file, (f.target ?? "").endsWith(f.location.file)).path;
}

export function renderGitlab(report: ScanReport, context: GitlabContext): string {
  const vendor = { name: "exfilscan" };
  const tool = { id: "exfilscan", name: "exfilscan", version: context.version, vendor };
  const now = new Date();
  const vulnerabilities = report.findings
    .filter((f) => !f.suppressed)
    .map((f) => {
      const rule = context.rules.get(f.ruleId);
      const pkg = f.package ? `${f.package.name}${f.package.version ? `@${f.package.version}` : ""}` : undefined;
      const steps = f.flow.map((s) => `- ${s.file}:${s.line} ${s.note}`).join("\n");
      const file = fileOf(f);
      return {
        id: uuidOf(f.fingerprint, `${file}:${f.location.line}`),
        name: (rule?.title ?? f.ruleId).slice(0, 255),
        description: [f.message, pkg ? `Package: ${pkg}` : "", steps ? `Flow:\n${steps}` : "", rule?.help ?? ""].filter(Boolean).join("\n\n"),
        severity: SEVERITY[f.severity],
        solution: "Review the code at this location; remove or pin away from the package version if the behaviour is not expected.",
        identifiers: [
          { type: "exfilscan_rule", name: `exfilscan ${f.ruleId}`, value: f.ruleId, ...(rule?.references[0] ? { url: rule.references[0] } : {}) },
          ...f.attack.map((a) => ({ type: "mitre_attack", name: `ATT&CK ${a}`, value: a, url: `https://attack.mitre.org/techniques/${a.replace(".", "/")}/` })),
        ],
        location: { file, start_line: Math.max(1, f.location.line), end_line: Math.max(1, f.location.line) },
      };
    });
  // "failure" only when nothing could be scanned: GitLab still shows a partial scan's findings.
  const failed = report.targets.length === 0;
  const doc = {
    version: GITLAB_SCHEMA_VERSION,
    scan: {
      analyzer: tool,
      scanner: tool,
      type: "sast",
      start_time: timestamp(context.startTime ?? now),
      end_time: timestamp(context.endTime ?? now),
      status: failed ? "failure" : "success",
      messages: report.errors.map((e) => ({ level: failed ? "fatal" : "warn", value: `${e.input}${e.file ? ` (${e.file})` : ""}: ${e.message}` })),
    },
    vulnerabilities,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
