// A self-contained HTML report: one file, inline CSS and SVG, no script, no font, no
// external reference. Everything from logs and packages is attacker-controlled text, so
// every value goes through escapeHtml, and a Content-Security-Policy forbids scripts and
// any fetch even if a value ever slipped through.
import type { Severity } from "../core/types.js";
import { STEP_KINDS, type CorrelateReport, type Incident, type Step, type StepKind } from "./types.js";

export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

const KIND_COLOR: Record<StepKind, string> = {
  lockfile: "#64748b", install: "#2f6fbf", "install-script": "#5b4bb7", "credential-read": "#c2410c", dns: "#0f766e",
  connection: "#b91c1c", "stolen-key-login": "#7f1d1d", "ssh-alert": "#a16207",
};
const KIND_LABEL: Record<StepKind, string> = {
  lockfile: "lockfile commit", install: "install", "install-script": "install script", "credential-read": "credential read", dns: "DNS lookup",
  connection: "connection", "stolen-key-login": "key used from new source", "ssh-alert": "SSH alert",
};
const SEVERITY_COLOR: Record<Severity, string> = { critical: "#991b1b", high: "#b91c1c", medium: "#a16207", low: "#0e7490", info: "#475569" };

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#0f172a;background:#f8fafc}
header{background:#0f172a;color:#f8fafc;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#cbd5e1}
main{padding:16px 24px;max-width:1200px}
section.incident{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:16px;margin:0 0 20px}
.sev{display:inline-block;color:#fff;border-radius:4px;padding:1px 8px;font-weight:600;font-size:12px;text-transform:uppercase}
h2{font-size:17px;margin:6px 0}.meta{color:#475569;font-size:13px}
table{border-collapse:collapse;width:100%;margin-top:8px}th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #e2e8f0}
th{background:#f1f5f9;font-weight:600;font-size:12px}td.t{white-space:nowrap;font-family:ui-monospace,monospace;font-size:12px}
td code{white-space:nowrap}
code,.ev{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all}
.kind{display:inline-block;border-radius:10px;color:#fff;padding:0 8px;font-size:12px;white-space:nowrap}
.why{color:#475569;font-size:12px}.gaps li,.statements li{margin:2px 0}.gaps{color:#64748b}
svg{width:100%;height:auto;background:#f8fafc;border:1px solid #e2e8f0;border-radius:6px}
.legend span{margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px}
`;

const shortTime = (iso: string): string => iso.replace("T", " ").replace(/\.\d+Z$/, "Z");

function elapsed(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 1) return `+${Math.max(0, Math.round(ms / 1000))}s`;
  if (m < 60) return `+${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `+${h}h${m % 60 ? ` ${m % 60}m` : ""}`;
  return `+${Math.round(h / 24)}d`;
}

/**
 * The timeline drawn as SVG: one lane per step kind, one column per step in time order (so
 * steps seconds apart stay readable), the time under each column and the time elapsed
 * between columns above the axis; the dots are numbered like the table rows.
 */
function chart(incident: Incident): string {
  const steps = incident.steps;
  if (steps.length === 0) return "";
  const kinds = STEP_KINDS.filter((k) => steps.some((s) => s.kind === k));
  const times = steps.map((s) => Date.parse(s.timestamp));
  const width = 1000;
  const left = 200;
  const right = 40;
  const lane = 32;
  const top = 14;
  const axisY = top + kinds.length * lane + 8;
  const height = axisY + 44;
  const step = steps.length > 1 ? (width - left - right) / (steps.length - 1) : 0;
  const x = (n: number): number => (steps.length > 1 ? left + n * step : left + (width - left - right) / 2);
  const parts: string[] = [];
  kinds.forEach((kind, i) => {
    const y = top + i * lane + lane / 2;
    parts.push(`<line x1="${left - 12}" y1="${y}" x2="${width - right + 12}" y2="${y}" stroke="#e2e8f0"/>`);
    parts.push(`<text x="${left - 22}" y="${y + 4}" text-anchor="end" font-size="12" fill="#334155">${escapeHtml(KIND_LABEL[kind])}</text>`);
  });
  parts.push(`<line x1="${left - 12}" y1="${axisY}" x2="${width - right + 12}" y2="${axisY}" stroke="#94a3b8"/>`);
  steps.forEach((s, n) => {
    const y = top + kinds.indexOf(s.kind) * lane + lane / 2;
    const cx = x(n).toFixed(1);
    parts.push(`<line x1="${cx}" y1="${y}" x2="${cx}" y2="${axisY}" stroke="#cbd5e1" stroke-dasharray="2 3"/>`);
    parts.push(`<g><title>${escapeHtml(`${n + 1}. ${shortTime(s.timestamp)} ${s.title}`)}</title>` +
      `<circle cx="${cx}" cy="${y}" r="10" fill="${KIND_COLOR[s.kind]}"/>` +
      `<text x="${cx}" y="${y + 4}" text-anchor="middle" font-size="10" fill="#fff">${n + 1}</text></g>`);
    const when = s.timestamp.slice(5, 16).replace("T", " ");
    parts.push(`<text x="${cx}" y="${axisY + 16}" text-anchor="middle" font-size="10" fill="#475569">${escapeHtml(when)}</text>`);
    if (n > 0) {
      const mid = ((x(n - 1) + x(n)) / 2).toFixed(1);
      parts.push(`<text x="${mid}" y="${axisY + 32}" text-anchor="middle" font-size="10" fill="#94a3b8">${escapeHtml(elapsed(times[n]! - times[n - 1]!))}</text>`);
    }
  });
  return `<svg role="img" aria-label="timeline of ${escapeHtml(incident.id)}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${parts.join("")}</svg>`;
}

function stepRow(step: Step, n: number): string {
  const evidence = step.evidence.map((e) => `<div class="ev">${escapeHtml(e.file)}${e.line !== undefined ? `:${escapeHtml(e.line)}` : ""}${e.text ? ` — ${escapeHtml(e.text)}` : ""}</div>`).join("");
  return `<tr class="step" data-kind="${escapeHtml(step.kind)}"><td>${n + 1}</td><td class="t">${escapeHtml(shortTime(step.timestamp))}</td>` +
    `<td><span class="kind" style="background:${KIND_COLOR[step.kind]}">${escapeHtml(KIND_LABEL[step.kind])}</span></td>` +
    `<td>${escapeHtml(step.title)}${step.reason ? `<div class="why">${escapeHtml(step.reason)}</div>` : ""}${evidence}</td>` +
    `<td>${escapeHtml(step.confidence)}</td><td><code>${escapeHtml(step.attack.join(" "))}</code></td></tr>`;
}

function incidentSection(incident: Incident): string {
  const findings = incident.findings.map((f) => `<li><code>${escapeHtml(f.ruleId)}</code> ${escapeHtml(f.file)}:${escapeHtml(f.line)} — ${escapeHtml(f.message)}</li>`).join("");
  const gaps = incident.gaps.length ? `<ul class="gaps">${incident.gaps.map((g) => `<li>not seen: ${escapeHtml(g)}</li>`).join("")}</ul>` : "";
  return `<section class="incident" id="${escapeHtml(incident.id)}">
<span class="sev" style="background:${SEVERITY_COLOR[incident.severity]}">${escapeHtml(incident.severity)}</span>
<h2>${escapeHtml(incident.summary)}</h2>
<div class="meta">${escapeHtml(incident.id)} · package ${escapeHtml(incident.package.ecosystem)}:${escapeHtml(incident.package.name)}${incident.package.version ? `@${escapeHtml(incident.package.version)}` : ""} · host ${escapeHtml(incident.host)}${incident.user ? ` · user ${escapeHtml(incident.user)}` : ""} · confidence ${escapeHtml(incident.confidence)} · ATT&amp;CK ${escapeHtml(incident.attack.join(" "))}</div>
${chart(incident)}
<table><thead><tr><th>#</th><th>time (UTC)</th><th>step</th><th>what and evidence</th><th>confidence</th><th>ATT&amp;CK</th></tr></thead>
<tbody>${incident.steps.map(stepRow).join("\n")}</tbody></table>
<h3>Static findings</h3><ul>${findings}</ul>${gaps}
</section>`;
}

export function renderHtml(report: CorrelateReport): string {
  const legend = Object.entries(KIND_LABEL).map(([k, l]) => `<span><i style="background:${KIND_COLOR[k as StepKind]}"></i>${escapeHtml(l)}</span>`).join("");
  const coverage = report.coverage.from ? `${escapeHtml(shortTime(report.coverage.from))} … ${escapeHtml(shortTime(report.coverage.to ?? ""))}` : "no events";
  const statements = report.statements.length
    ? `<section class="incident"><h2>Nothing observed / could not tell</h2><ul class="statements">${report.statements.map((s) => `<li data-kind="${escapeHtml(s.kind)}">${escapeHtml(s.text)}</li>`).join("")}</ul></section>`
    : "";
  const errors = report.errors.length ? `<section class="incident"><h2>Errors</h2><ul>${report.errors.map((e) => `<li>${escapeHtml(e.input)}: ${escapeHtml(e.message)}</li>`).join("")}</ul></section>` : "";
  const none = report.incidents.length ? "" : `<section class="incident"><h2>No incident</h2><p>No host evidence of the flagged packages in the given logs.</p></section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>exfilscan correlate: ${report.incidents.length} incident(s)</title>
<style>${CSS}</style></head>
<body><header><h1>exfilscan correlate — ${report.incidents.length} incident(s)</h1>
<p>${escapeHtml(report.coverage.events)} events (${coverage}) · ${escapeHtml(report.summary.findings)} findings from ${escapeHtml(report.inputs.findings.join(", "))} · follow-up window ${escapeHtml(report.coverage.windowHours)}h · exfilscan ${escapeHtml(report.tool.version)}</p></header>
<main><p class="legend">${legend}</p>
${report.incidents.map(incidentSection).join("\n")}
${none}${statements}${errors}
</main></body></html>
`;
}
