// HostEvent → an Elastic Common Schema document, ready to bulk-index into
// Elasticsearch/OpenSearch. Fields outside ECS live under system.auth.ssh (the names
// Filebeat's system module uses) and exfilscan.*; the source line is exfilscan.line (ECS has
// no field for a line number in the log file: log.origin.file.line is the logger's source line).
import type { EventAction, HostEvent } from "./events.js";

type Doc = Record<string, unknown>;

const CATEGORY: Record<EventAction, [string[], (e: HostEvent) => string[]]> = {
  ssh_login: [["authentication"], (e) => (e.outcome === "success" ? ["start"] : ["info"])],
  ssh_invalid_user: [["authentication"], () => ["info"]],
  ssh_pam_auth_failure: [["authentication"], () => ["info"]],
  ssh_max_auth_attempts: [["authentication"], () => ["info"]],
  ssh_not_allowed: [["authentication"], () => ["info"]],
  ssh_disconnect: [["session"], () => ["end"]],
  ssh_grace_timeout: [["network"], () => ["end"]],
  ssh_child_crash: [["process"], () => ["end"]],
  ssh_penalty_drop: [["network"], () => ["denied"]],
  ssh_penalty_new: [["intrusion_detection"], () => ["info"]],
  ssh_penalty_activate: [["intrusion_detection"], () => ["info"]],
  ssh_penalty_ratelimited: [["network"], () => ["denied"]],
  ssh_session_open: [["session"], () => ["start"]],
  ssh_session_close: [["session"], () => ["end"]],
  ssh_connection: [["network"], () => ["connection", "start"]],
  ssh_refused_connect: [["network"], () => ["connection", "denied"]],
  ssh_no_identification: [["network"], () => ["connection", "end"]],
  ssh_bad_protocol: [["network"], () => ["protocol", "info"]],
  ssh_negotiation_failure: [["network"], () => ["protocol", "denied"]],
  ssh_kex_failure: [["network"], () => ["protocol", "info"]],
  ssh_client_connect: [["network"], () => ["connection", "start"]],
  ssh_session: [["network"], () => ["connection", "protocol"]],
  process_start: [["process"], () => ["start"]],
  connection_attempted: [["network"], () => ["connection", "start"]],
  dns_query: [["network"], () => ["protocol"]],
  creation: [["file"], () => ["creation"]],
  change: [["file"], () => ["change"]],
  deletion: [["file"], () => ["deletion"]],
  rename: [["file"], () => ["change"]],
  access: [["file"], () => ["access"]],
  user_authentication: [["authentication"], () => ["info"]],
  user_login: [["authentication", "session"], (e) => (e.outcome === "success" ? ["start"] : ["info"])],
};

export function ecsCategory(event: HostEvent): { category: string[]; type: string[] } {
  const [category, type] = CATEGORY[event.action];
  return { category, type: type(event) };
}

function compact(doc: Doc): Doc | undefined {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    if (typeof value === "object" && !Array.isArray(value)) {
      const inner = compact(value as Doc);
      if (inner) out[key] = inner;
    } else out[key] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

export function toEcs(event: HostEvent): Doc {
  const { category, type } = ecsCategory(event);
  const process = event.process;
  const fileName = event.filePath?.split("/").pop();
  const directory = event.filePath?.includes("/") ? event.filePath.slice(0, event.filePath.lastIndexOf("/")) || "/" : undefined;
  const related = {
    ip: [...new Set([event.sourceIp, event.destinationIp].filter((x): x is string => Boolean(x)))],
    hosts: event.sourceDomain ? [event.sourceDomain] : [],
    user: [...new Set([event.user, event.auditUser].filter((x): x is string => Boolean(x)))],
  };
  const doc: Doc = {
    "@timestamp": new Date(event.timestamp).toISOString(),
    event: {
      kind: "event", category, type, action: event.action, outcome: event.outcome,
      module: "exfilscan", dataset: `exfilscan.${event.format}`, id: event.id, reason: event.reason,
    },
    message: event.message,
    host: { name: event.host },
    user: {
      name: event.user, id: event.userId,
      // Auditbeat's names for the login user (auid); ECS core has no field for it.
      audit: { id: event.auditUserId, name: event.auditUser },
      effective: { id: event.effectiveUserId },
    },
    source: { ip: event.sourceIp, domain: event.sourceDomain, port: event.sourcePort },
    destination: { ip: event.destinationIp, port: event.destinationPort, domain: event.destinationDomain },
    network: { protocol: event.protocol, direction: event.direction },
    dns: event.action === "dns_query" ? { question: { name: event.destinationDomain }, ...(event.answers?.length ? { resolved_ip: event.answers.filter((a) => /^[0-9a-fA-F:.]+$/.test(a) && /[.:]/.test(a)) } : {}) } : undefined,
    process: {
      pid: process?.pid ?? event.pid,
      name: process?.name ?? event.program,
      executable: process?.executable,
      args: process?.args,
      args_count: process?.args?.length,
      command_line: process?.args?.join(" "),
      working_directory: process?.cwd,
      parent: { pid: process?.ppid, name: process?.parentName },
    },
    file: { path: event.filePath, name: fileName, directory },
    container: event.container ? { id: event.container.id, name: event.container.name } : undefined,
    related,
    system: {
      auth: {
        ssh: {
          method: event.method,
          signature: event.keyType && event.keyFingerprint ? `${event.keyType} ${event.keyFingerprint}` : undefined,
        },
      },
    },
    exfilscan: {
      line: event.line,
      old_path: event.oldFilePath,
      phase: event.phase, preamble: event.preamble, invalid_user: event.invalidUser,
      penalty: event.penalty,
      lines: event.lines && event.lines.length > 1 ? event.lines : undefined,
    },
    log: { file: { path: event.file } },
  };
  return compact(doc) ?? {};
}
