// The typed event every parser produces. It keeps where it came from (file and line)
// so alerts can cite evidence and `--events` output can be checked line by line.

/** event.action values (ECS-style snake case); ecs.ts maps each to category/type. */
export const EVENT_ACTIONS = [
  "ssh_login", // Accepted/Failed <method> (outcome success/failure)
  "ssh_invalid_user",
  "ssh_pam_auth_failure",
  "ssh_max_auth_attempts",
  "ssh_not_allowed", // AllowUsers/DenyUsers/locked account, ROOT LOGIN REFUSED
  "ssh_disconnect", // Connection closed/reset, Disconnected, Disconnecting, Received disconnect
  "ssh_grace_timeout", // Timeout before authentication
  "ssh_child_crash",
  "ssh_penalty_drop", // drop connection #N ... penalty: ...
  "ssh_penalty_new", // srclimit_penalise: ipv4: new ...
  "ssh_penalty_activate", // srclimit_penalise: a/N: activating ...
  "ssh_penalty_ratelimited",
  "ssh_session_open",
  "ssh_session_close",
  "ssh_connection", // Connection from A port P on B port Q (VERBOSE)
  "ssh_refused_connect", // tcp_wrappers: refused connect from
  "ssh_no_identification", // Did not receive identification string
  "ssh_bad_protocol", // Bad protocol version identification
  "ssh_negotiation_failure", // Unable to negotiate … no matching … found
  "ssh_kex_failure", // kex_exchange_identification, banner exchange, ssh_dispatch_run_fatal
  "ssh_client_connect", // outbound ssh client lines
  "ssh_session", // Zeek ssh.log
  "process_start",
  "connection_attempted",
  "dns_query",
  "creation",
  "change",
  "deletion",
  "rename",
  "access", // a file opened for reading (auditd -p r watches)
  "user_authentication", // auditd USER_AUTH (PAM authentication by sshd, login, su, sudo…)
  "user_login", // auditd USER_LOGIN (a login session granted or refused)
] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

export type Outcome = "success" | "failure" | "unknown";

export interface ProcessInfo {
  pid?: number;
  ppid?: number;
  name?: string;
  executable?: string;
  args?: string[];
  cwd?: string;
  parentName?: string;
}

export interface PenaltyInfo {
  family?: "ipv4" | "ipv6";
  /** Address as sshd printed it (unmasked) and the prefix length. */
  address?: string;
  prefixLength?: number;
  state?: "active" | "deferred";
  seconds?: number;
  reason?: string;
  /** drop connection #N: sshd's startups count. */
  startups?: number;
  /** PerSourcePenalties logging rate-limited: additional N connections dropped */
  dropped?: number;
}

export interface HostEvent {
  action: EventAction;
  outcome: Outcome;
  /** Epoch milliseconds. */
  timestamp: number;
  /** Input the line came from ("-" for stdin) and its 1-based line number. */
  file: string;
  line: number;
  /** auditd groups several records into one event: every line that contributed. */
  lines?: number[];
  format: string;
  host?: string;
  /** Syslog program / journald _COMM (sshd, sshd-session, ssh, ...). */
  program?: string;
  pid?: number;
  /** The user the process ran as (auditd uid / UID=): ECS user.name / user.id. */
  user?: string;
  userId?: string;
  /** auditd's login user (auid / AUID=, survives sudo and su): Auditbeat's user.audit.id / user.audit.name. */
  auditUserId?: string;
  auditUser?: string;
  /** auditd effective uid when it differs from uid (setuid): ECS user.effective.id. */
  effectiveUserId?: string;
  /** Always an IP literal in canonical form (see net.ts normaliseIp); a hostname goes to sourceDomain. */
  sourceIp?: string;
  /** The source as a name, when the log gave a hostname instead of an address (sshd UseDNS). */
  sourceDomain?: string;
  sourcePort?: number;
  destinationIp?: string;
  destinationPort?: number;
  destinationDomain?: string;
  /** DNS answers (addresses and names) of a dns_query event, as the log recorded them. */
  answers?: string[];
  /** ssh method and key */
  method?: string;
  keyType?: string;
  keyFingerprint?: string;
  invalidUser?: boolean;
  /** [preauth]/[postauth] suffix, or "authenticating"/"invalid"/"user" preamble of a disconnect. */
  phase?: "preauth" | "postauth";
  preamble?: "authenticating" | "invalid" | "user";
  reason?: string;
  /** Application protocol (Zeek service) and direction, as ECS network.protocol / network.direction. */
  protocol?: string;
  direction?: "inbound" | "outbound";
  process?: ProcessInfo;
  filePath?: string;
  /** a rename's source path (filePath is where it went) */
  oldFilePath?: string;
  penalty?: PenaltyInfo;
  /** Zeek uid, auditd serial, journald cursor... */
  id?: string;
  container?: { id?: string; name?: string };
  /** the message text after the syslog header (kept short) */
  message?: string;
}

/** Where a consumer may resume a file after this event: byte offset and line count, both past complete input. */
export interface Cursor {
  offset: number;
  line: number;
}

/** An SSH server: sshd, its 9.8+/10.0+ children, the old "sshd(pam_unix)" tag, and Dropbear (parsers/dropbear.ts). */
export function isSshdProgram(program: string | undefined): boolean {
  return program === "sshd" || program === "sshd-session" || program === "sshd-auth" || program === "sshd(pam_unix)" || program === "dropbear";
}

/** The remote party of an inbound event: its address, or its name when the log only gave a name. */
export function sourceOf(event: HostEvent): string | undefined {
  return event.sourceIp ?? event.sourceDomain;
}

/** The person behind an event: auditd's login user (auid) when set — a sudo'd root shell is still alice — else the user. */
export function actorOf(event: HostEvent): { name?: string; id?: string } {
  if (event.auditUserId !== undefined || event.auditUser !== undefined) {
    return { ...(event.auditUser ? { name: event.auditUser } : {}), ...(event.auditUserId ? { id: event.auditUserId } : {}) };
  }
  return { ...(event.user ? { name: event.user } : {}), ...(event.userId ? { id: event.userId } : {}) };
}
