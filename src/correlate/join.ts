// The join: static findings × host events × host-log alerts → incidents (one story per
// package, host and user) and precise statements of what was looked for and not seen.
// Pure: no I/O, no clock; everything it says cites a log line or a package file.
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { severityRank, type Finding, type PackageRef, type Severity } from "../core/types.js";
import type { Alert } from "../logs/alerts.js";
import type { HostEvent } from "../logs/events.js";
import { alertSteps, stolenKeySteps } from "./followups.js";
import { HostNames, UNKNOWN_HOST } from "./hosts.js";
import { isLocalAddress, matchDomain, sameIp, targetsOf, type Targets } from "./indicators.js";
import {
  argNamesPackage, commandLine, credentialPath, installerOf, isInstallScriptOf, normaliseName, ProcessTable, type ProcessStart,
} from "./processes.js";
import type { LockfileIntroduction } from "./lockfile-history.js";
import type { PmRecord } from "./pm-logs.js";
import type { Confidence, EvidenceRef, Incident, LoadedFindings, Statement, Step } from "./types.js";

/** A copy of the package found on disk (node_modules/<name>/package.json, <name>-<v>.dist-info). */
export interface InstalledCopy {
  package: PackageRef;
  path: string;
  mtimeMs: number;
}

export interface JoinInput {
  findings: LoadedFindings[];
  /** In time order. */
  events: HostEvent[];
  alerts: Alert[];
  installed: InstalledCopy[];
  /** Lockfile commits that pinned a flagged version (--project). */
  lockfiles?: LockfileIntroduction[];
  /** What npm/pip logs say was installed (and which install scripts ran), and when. */
  packageManagerLogs?: PmRecord[];
  /** How long after the first sign of the package's activity follow-up alerts still belong to it. */
  windowMs: number;
}

export interface JoinResult {
  incidents: Incident[];
  statements: Statement[];
  coverage: { from?: number; to?: number };
}

interface Placed {
  host: string;
  user?: string;
  at: number;
  step: Step;
  activity: boolean;
  /** Matched a finding indicator (DNS name or address), not merely done by an install script. */
  indicator?: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const CONNECTIONS = new Set(["connection_attempted", "ssh_session", "ssh_client_connect"]);

function logEvidence(e: HostEvent): EvidenceRef {
  return { file: e.file, line: e.line, ...(e.message ? { text: e.message } : {}) };
}

function packageKey(p: PackageRef): string {
  return `${p.ecosystem}:${normaliseName(p.ecosystem, p.name)}@${p.version ?? ""}`;
}

function label(p: PackageRef): string {
  return `${p.name}${p.version ? `@${p.version}` : ""}`;
}

function groupFindings(loaded: LoadedFindings[]): Map<string, { pkg: PackageRef; findings: Finding[] }> {
  const groups = new Map<string, { pkg: PackageRef; findings: Finding[] }>();
  for (const { findings } of loaded) {
    for (const f of findings) {
      if (!f.package || f.suppressed) continue;
      const key = packageKey(f.package);
      const group = groups.get(key) ?? { pkg: f.package, findings: [] };
      if (!group.findings.some((g) => g.fingerprint === f.fingerprint)) group.findings.push(f);
      groups.set(key, group);
    }
  }
  return groups;
}

/** Steps on the network: DNS lookups of indicator domains and connections to them or to their (resolved) addresses. */
function networkSteps(pkg: PackageRef, targets: Targets, events: HostEvent[], hosts: HostNames, placed: Placed[]): { resolved: Map<string, string[]>; connectedPids: Map<string, number[]> } {
  const resolved = new Map<string, string[]>(); // domain → addresses
  const byAddress = new Map<string, { domain: string; event: HostEvent }>();
  for (const e of events) {
    if (e.action !== "dns_query") continue;
    const domain = matchDomain(e.destinationDomain, targets.domains);
    if (!domain) continue;
    const addresses = (e.answers ?? []).filter((a) => isIP(a) !== 0);
    for (const a of addresses) {
      if (!byAddress.has(a)) byAddress.set(a, { domain, event: e });
      const list = resolved.get(domain) ?? [];
      if (!list.includes(a)) list.push(a);
      resolved.set(domain, list);
    }
    const query = e.destinationDomain!;
    const carriesData = query.toLowerCase().replace(/\.$/, "") !== domain;
    placed.push({
      host: hosts.of(e), ...(e.user ? { user: e.user } : {}), at: e.timestamp, activity: true, indicator: true,
      step: {
        kind: "dns", timestamp: iso(e.timestamp), confidence: carriesData ? "high" : "medium", attack: carriesData ? ["T1048.003"] : [],
        title: `DNS lookup of ${query}${addresses.length ? ` → ${addresses.join(", ")}` : e.outcome === "failure" ? " (no answer)" : ""}`,
        reason: carriesData ? `a subdomain of the indicator ${domain}: data can travel in the name` : `the indicator domain of ${label(pkg)}`,
        evidence: [logEvidence(e)],
      },
    });
  }
  const connectedPids = new Map<string, number[]>();
  for (const e of events) {
    if (!CONNECTIONS.has(e.action)) continue;
    let reason: string | undefined;
    let shown = e.destinationDomain ?? e.destinationIp ?? "?";
    const domain = matchDomain(e.destinationDomain, targets.domains);
    if (domain) reason = `connected by name to the indicator ${domain}`;
    else if (e.destinationIp && targets.ips.some((ip) => sameIp(e.destinationIp, ip))) reason = "the indicator address itself";
    else if (e.destinationIp) {
      const hit = [...byAddress].find(([a]) => sameIp(e.destinationIp, a));
      if (hit) {
        reason = `${hit[0]} is ${hit[1].domain} by the DNS answer at ${hit[1].event.file}:${hit[1].event.line}`;
        shown = `${hit[1].domain} (${e.destinationIp})`;
      }
    }
    if (!reason) continue;
    const port = e.destinationPort !== undefined ? `:${e.destinationPort}` : "";
    const who = e.process?.name ?? e.process?.executable;
    const host = hosts.of(e);
    if (e.process?.pid !== undefined) {
      const pids = connectedPids.get(host) ?? [];
      pids.push(e.process.pid);
      connectedPids.set(host, pids);
    }
    placed.push({
      host, ...(e.user ? { user: e.user } : {}), at: e.timestamp, activity: true, indicator: true,
      step: {
        kind: "connection", timestamp: iso(e.timestamp), confidence: "high", attack: ["T1041"], reason,
        title: `${who ? `${who}${e.process?.pid !== undefined ? ` (pid ${e.process.pid})` : ""} ` : ""}${e.outcome === "failure" ? "tried to connect" : "connected"} to ${shown}${port}${e.protocol ? ` over ${e.protocol}` : ""}${e.sourceIp && !e.host ? ` from ${e.sourceIp}` : ""}`,
        evidence: [logEvidence(e)],
      },
    });
  }
  return { resolved, connectedPids };
}

/** Installs, install-script processes, the credential files they (or the processes that reached the indicator) read, and their other connections. */
function processSteps(pkg: PackageRef, events: HostEvent[], table: ProcessTable, hosts: HostNames, connectedPids: Map<string, number[]>, placed: Placed[], windowMs: number): void {
  const installer = pkg.ecosystem === "npm" ? "npm" : "pip";
  const starts = table.all();
  const roots = new Set<string>();
  for (const s of starts) {
    const names = installerOf(s.args) === installer && s.args.slice(1).some((a) => argNamesPackage(a, pkg));
    if (names) {
      placed.push({
        host: hosts.of(s.event), ...(s.user ? { user: s.user } : {}), at: s.timestamp, activity: false,
        step: { kind: "install", timestamp: iso(s.timestamp), confidence: "high", attack: ["T1195.002"], title: `${s.user ?? "someone"} ran ${commandLine(s)}`, evidence: [logEvidence(s.event)] },
      });
    }
    if (isInstallScriptOf(s, pkg)) {
      const parentIsScript = s.ppid !== undefined && [...roots].some((k) => k.startsWith(`${s.host}|${s.ppid}|`));
      roots.add(s.key);
      if (parentIsScript) continue;
      placed.push({
        host: hosts.of(s.event), ...(s.user ? { user: s.user } : {}), at: s.timestamp, activity: false,
        step: {
          kind: "install-script", timestamp: iso(s.timestamp), confidence: "high", attack: ["T1195.002"], title: `install script of ${label(pkg)} ran: ${commandLine(s)}`,
          reason: `runs in ${s.cwd ?? "the package's directory"}`, evidence: [logEvidence(s.event)],
        },
      });
    }
  }
  // The outermost install-script process above the event (the one npm or pip started).
  const underScript = (e: HostEvent): ProcessStart | undefined =>
    table.lineage(e.host ?? "", e.process?.pid, e.process?.ppid, e.timestamp).filter((s) => roots.has(s.key)).pop();
  const connections = events.filter((e) => CONNECTIONS.has(e.action) && e.process?.pid !== undefined);
  for (const e of events) {
    if (e.action === "access" || e.action === "change") {
      const credential = credentialPath(e.filePath);
      if (!credential) continue;
      const host = hosts.of(e);
      const script = underScript(e);
      const pid = e.process?.pid;
      // The process that later reached the indicator read it shortly before.
      const connectedLater = pid !== undefined && (connectedPids.get(host) ?? []).includes(pid) &&
        connections.some((c) => c.process!.pid === pid && hosts.of(c) === host && c.timestamp >= e.timestamp && c.timestamp - e.timestamp <= windowMs);
      if (!script && !connectedLater) continue;
      placed.push({
        host, ...(e.user ? { user: e.user } : {}), at: e.timestamp, activity: true,
        step: {
          kind: "credential-read", timestamp: iso(e.timestamp), confidence: "high", attack: [credential.attack],
          title: `${e.process?.name ?? "a process"}${pid !== undefined ? ` (pid ${pid})` : ""} read ${e.filePath} (${credential.kind})`,
          reason: script ? `a child of the install script started at ${script.event.file}:${script.event.line}` : "the same process then connected to the indicator",
          evidence: [logEvidence(e)],
        },
      });
    }
  }
  // Connections of install scripts to anything that leaves the site, indicator or not.
  for (const e of connections) {
    if (!e.destinationIp || isLocalAddress(e.destinationIp)) continue;
    const script = underScript(e);
    if (!script) continue;
    const already = placed.some((p) => p.step.kind === "connection" && p.step.evidence.some((x) => x.file === e.file && x.line === e.line));
    if (already) continue;
    placed.push({
      host: hosts.of(e), ...(e.user ? { user: e.user } : {}), at: e.timestamp, activity: true,
      step: {
        kind: "connection", timestamp: iso(e.timestamp), confidence: "medium", attack: ["T1041"],
        title: `${e.process?.name ?? "a process"} (pid ${e.process!.pid}) of the install script connected to ${e.destinationIp}${e.destinationPort !== undefined ? `:${e.destinationPort}` : ""}`,
        reason: `not a finding indicator, but the process descends from the install script at ${script.event.file}:${script.event.line}`, evidence: [logEvidence(e)],
      },
    });
  }
}

function mostCommon(values: (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v && v !== "root" && !/^\d+$/.test(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  if (counts.size === 0) for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

function maxSeverity(findings: Finding[]): Severity {
  return findings.reduce<Severity>((m, f) => (severityRank(f.severity) > severityRank(m) ? f.severity : m), "info");
}

function summarise(pkg: PackageRef, host: string, user: string | undefined, steps: Step[]): string {
  const has = (k: Step["kind"]): number => steps.filter((s) => s.kind === k).length;
  const parts: string[] = [];
  if (has("lockfile")) parts.push("pinned in the lockfile");
  if (has("install") || has("install-script")) parts.push("installed");
  if (has("credential-read")) parts.push("credentials read");
  if (has("dns") && !has("connection")) parts.push("indicator looked up");
  if (has("connection")) parts.push("connection to the indicator");
  if (has("stolen-key-login")) parts.push("the key used from a new source");
  const alerts = has("ssh-alert");
  if (alerts) parts.push(`${alerts} SSH alert${alerts > 1 ? "s" : ""} after`);
  return `${label(pkg)} on ${host}${user ? ` (${user})` : ""}: ${parts.join(" → ")}`;
}

function gapsOf(steps: Step[]): string[] {
  const gaps: string[] = [];
  const kinds = new Set(steps.map((s) => s.kind));
  if (!kinds.has("install") && !kinds.has("install-script")) gaps.push("the install itself is not in the given logs (auditd EXECVE records of npm/pip, or --installed <dir>, would date it)");
  if (!kinds.has("credential-read")) gaps.push("no credential-file read was recorded (auditd needs read watches such as -w /home -p r -k creds)");
  if (!steps.some((s) => s.kind === "connection" && s.confidence === "high")) {
    gaps.push(kinds.has("dns") ? "no connection to the indicator was recorded, only its DNS lookup" : "no connection to a finding indicator was recorded");
  }
  return gaps;
}

export function correlate(input: JoinInput): JoinResult {
  const { events } = input;
  const hosts = new HostNames(events);
  const table = new ProcessTable(events);
  const coverage = events.length ? { from: events[0]!.timestamp, to: events[events.length - 1]!.timestamp } : {};
  const incidents: Incident[] = [];
  const statements: Statement[] = [];
  const span = coverage.from !== undefined ? `between ${iso(coverage.from)} and ${iso(coverage.to!)}` : "(the given logs hold no events)";

  for (const { pkg, findings } of groupFindings(input.findings).values()) {
    const targets = targetsOf(findings);
    const placed: Placed[] = [];
    const { resolved, connectedPids } = networkSteps(pkg, targets, events, hosts, placed);
    processSteps(pkg, events, table, hosts, connectedPids, placed, input.windowMs);
    const copies = input.installed.filter((c) => c.package.ecosystem === pkg.ecosystem && normaliseName(pkg.ecosystem, c.package.name) === normaliseName(pkg.ecosystem, pkg.name) &&
      (!c.package.version || !pkg.version || c.package.version === pkg.version));
    const copySteps: Step[] = copies.map((c) => ({
      kind: "install", timestamp: iso(c.mtimeMs), confidence: "medium" as Confidence, attack: ["T1195.002"],
      title: `${label(pkg)} present on disk at ${c.path}`, reason: "the file's modification time dates the install", evidence: [{ file: c.path }],
    }));

    for (const l of input.lockfiles ?? []) {
      if (packageKey(l.package) !== packageKey(pkg)) continue;
      copySteps.push({
        kind: "lockfile", timestamp: iso(l.authorDate), confidence: "medium", attack: ["T1195.002"],
        title: `${l.author} committed ${l.commit.slice(0, 12)} "${l.subject}", pinning ${label(pkg)}`,
        reason: "the first commit whose lockfile names this version", evidence: [{ file: l.lockfile, line: l.line }],
      });
    }
    for (const r of input.packageManagerLogs ?? []) {
      if (r.package.ecosystem !== pkg.ecosystem || normaliseName(pkg.ecosystem, r.package.name) !== normaliseName(pkg.ecosystem, pkg.name)) continue;
      if (r.package.version && pkg.version && r.package.version !== pkg.version) continue;
      const what = r.kind === "install" ? `${r.manager} installed ${label({ ...pkg, ...(r.package.version ? { version: r.package.version } : {}) })}` : `${r.manager} ran the ${r.script} of ${label(pkg)}`;
      copySteps.push({
        kind: r.kind, timestamp: iso(r.timestampMs), confidence: r.exactTime && r.package.version ? "high" : "medium",
        attack: r.kind === "install" ? ["T1195.002"] : ["T1195.002", "T1059"],
        title: `${what}${r.command ? ` (${r.command}${r.cwd ? ` in ${r.cwd}` : ""})` : ""}`,
        reason: `${r.manager === "npm" ? "npm debug log" : "pip log"}${r.manager === "npm" ? (r.exactTime ? "; time is the start of the npm command (log file name)" : "; time is the log file's mtime") : ""}${r.failedExit !== undefined ? `; npm exited ${r.failedExit}, the install may not have completed` : ""}`,
        evidence: [{ file: r.file, line: r.line }],
      });
    }
    const byHost = new Map<string, Placed[]>();
    for (const p of placed) byHost.set(p.host, [...(byHost.get(p.host) ?? []), p]);
    for (const [host, items] of byHost) {
      const activity = items.filter((p) => p.activity);
      if (activity.length === 0) continue;
      const user = mostCommon(items.map((p) => p.user));
      const from = Math.min(...activity.map((p) => p.at));
      const scope = { hostNames: hosts.namesOf(host), ...(user ? { user } : {}), from, to: from + input.windowMs };
      const follow = alertSteps(input.alerts, scope, hosts);
      const stolen = stolenKeySteps(events, scope);
      const stolenLines = new Set(stolen.flatMap((s) => s.evidence.map((e) => `${e.file}:${e.line}`)));
      const steps = [...items.map((p) => p.step), ...copySteps, ...stolen, ...follow.filter((s) => !s.evidence.every((e) => stolenLines.has(`${e.file}:${e.line}`)))]
        .sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.kind.localeCompare(b.kind));
      const connected = steps.some((s) => s.kind === "connection" && s.confidence === "high");
      const severity: Severity = connected || steps.some((s) => s.kind === "dns" && s.confidence === "high") ? maxSeverity(findings) : "high";
      const attack = [...new Set(["T1195.002", ...steps.flatMap((s) => s.attack)])].sort();
      incidents.push({
        id: `INC-${createHash("sha256").update(`${packageKey(pkg)}\0${host}\0${user ?? ""}`).digest("hex").slice(0, 10)}`,
        package: pkg, host, ...(user ? { user } : {}), severity, confidence: connected ? "high" : "medium", attack,
        summary: summarise(pkg, host, user, steps),
        findings: findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, file: f.location.file, line: f.location.line, fingerprint: f.fingerprint })),
        steps, gaps: gapsOf(steps),
      });
    }

    const names = [...targets.domains, ...targets.ips];
    if (names.length === 0) {
      statements.push({ package: pkg, kind: "no-indicators", text: `${label(pkg)}: its findings name no domain or address, so only its install and install-script processes could be looked for` });
    }
    const networkSeen = placed.some((p) => p.indicator);
    for (const domain of targets.domains) {
      const matchedByName = placed.some((p) => p.indicator && p.step.reason?.includes(domain));
      if (!resolved.has(domain)) {
        statements.push({
          package: pkg, indicator: domain, kind: "unresolved",
          text: `${domain}: no DNS answer for it in the given logs, so connections to its addresses could not be recognised${matchedByName ? " (it was seen by name)" : ""}; give a Zeek dns.log or ECS DNS events of the same hosts`,
        });
      }
    }
    if (names.length && !networkSeen) {
      const addresses = [...new Set([...resolved.values()].flat())];
      statements.push({
        package: pkg, indicator: names.join(", "), kind: "not-observed",
        text: `no connection to ${names.join(" or ")}${addresses.length ? ` or its addresses (${addresses.join(", ")})` : ""} in the given logs ${span}`,
      });
    }
    if (!byHost.size || ![...byHost.values()].some((items) => items.some((p) => p.activity))) {
      for (const p of placed.filter((x) => x.step.kind === "install" || x.step.kind === "install-script")) {
        statements.push({ package: pkg, kind: "installed-only", text: `${label(pkg)}: ${p.step.title} at ${p.step.timestamp} on ${p.host} (${p.step.evidence[0]?.file}:${p.step.evidence[0]?.line}); no credential read or connection of it was recorded afterwards` });
      }
      for (const s of copySteps) {
        const when = s.evidence[0]?.line !== undefined ? `at ${s.timestamp} (${s.evidence[0]?.file}:${s.evidence[0]?.line})` : `(modified ${s.timestamp})`;
        statements.push({ package: pkg, kind: "installed-only", text: `${s.title} ${when}; no activity of it in the given logs` });
      }
    }
  }
  incidents.sort((a, b) => (a.steps[0]?.timestamp ?? "").localeCompare(b.steps[0]?.timestamp ?? "") || a.id.localeCompare(b.id));
  return { incidents, statements, coverage };
}

export { UNKNOWN_HOST };
