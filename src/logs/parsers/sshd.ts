// OpenSSH server (and client) messages, the part after "sshd[pid]: ". Shared by the syslog,
// journald and docker parsers. Formats: research/HOSTLOGS.md §1.2–1.4 (auth.c, packet.c,
// sshd.c, srclimit.c). A cheap first-word dispatch runs before any regex: most lines miss.
import type { EventAction, HostEvent, Outcome } from "../events.js";

export type EventBase = Pick<HostEvent, "timestamp" | "file" | "line" | "format" | "host" | "program" | "pid">;

const ACCEPTED = /^Accepted (\S+) for (.*?) from (\S+) port (\d+)(?: ssh2)?(?:: (.*))?$/;
const FAILED = /^Failed (\S+) for (invalid user )?(.*?) from (\S+) port (\d+)(?: ssh2)?(?:: (.*))?$/;
const INVALID = /^[Ii]nvalid user (.*?) from (\S+)(?: port (\d+))?$/;
const MAX_ATTEMPTS = /^maximum authentication attempts exceeded for (invalid user )?(.*?) from (\S+) port (\d+)(?: ssh2)?$/;
const OPENSSH_PAM = /^PAM: (?:Authentication failure|authentication error|User not known to the underlying authentication module) for (illegal user |invalid user )?(.*?) from (\S+)$/;
const PAM_FAILURE = /^pam_\w+\(sshd:auth\): authentication failure;.*?rhost=(\S*)(?:\s+user=(\S+))?/;
const PAM_MORE = /^PAM (\d+) more authentication failures?;.*?rhost=(\S*)(?:\s+user=(\S+))?/;
const SESSION_OPEN = /^pam_\w+\(sshd:session\): session opened for user (.+?)(?:\(uid=(\d+)\))? by/;
const SESSION_CLOSE = /^pam_\w+\(sshd:session\): session closed for user (\S+)/;
const CLOSED = /^(Connection closed|Connection reset|Disconnected) (?:by|from) (?:(authenticating|invalid) user (.*?) |user (.*?) )?(\S+?)(?: port (\d+))?$/;
const RECEIVED_DISCONNECT = /^Received disconnect from (\S+?)(?: port (\d+))?: ?(\d+): ?(.*)$/;
const DISCONNECTING = /^Disconnecting (?:(authenticating|invalid) user (.*?) |user (.*?) )?(\S+) port (\d+): (.*)$/;
const DISCONNECTING_OLD = /^Disconnecting: (.*)$/;
const TIMEOUT = /^Timeout before authentication for (?:connection from )?(\S+?)(?: port (\d+))?(?:, pid = (\d+))?(?: \(early\))?$/;
const CRASH = /^Session process (\d+) unpriv child crash for (\S+) port (\d+)/;
const KILLED = /^session process (\d+) for (\S+) port (\d+) (?:killed by signal (\d+)|terminated abnormally)/;
const DROP = /^drop connection #(\d+) from \[([0-9a-fA-F:.]+)\]:(\d+) on \[([0-9a-fA-F:.]+)\]:(\d+) (penalty: .+|past Maxstartups|Maxstartups|PerSourcePenalties|too many penalised addresses)$/;
const NEW_PENALTY = /^(ipv4|ipv6): new (\S+)\/(\d+) (active|deferred) penalty of (\d+(?:\.\d+)?) seconds for (.+)$/;
const ACTIVATE_PENALTY = /^(\S+)\/(\d+): activating (ipv4|ipv6) penalty of (\d+(?:\.\d+)?) seconds for (.+)$/;
const RATE_LIMITED = /^(\S+) logging rate-limited: additional (\d+) connections dropped$/;
const NOT_ALLOWED = /^User (.*?)(?: from (\S+))? not allowed because (.*)$/;
const ROOT_REFUSED = /^ROOT LOGIN REFUSED FROM (\S+?)(?: port (\d+))?$/;
const CONNECTION_FROM = /^Connection from (\S+) port (\d+) on (\S+) port (\d+)/;
const CLIENT_AUTHENTICATED = /^Authenticated to (\S+) \(\[([^\]]+)\]:(\d+)\)(?: using "([^"]+)")?\.?$/;
const CLIENT_CONNECTING = /^Connecting to (\S+) \[([^\]]+)\] port (\d+)\.?$/;

function event(base: EventBase, action: EventAction, outcome: Outcome, fields: Partial<HostEvent>): HostEvent {
  const result: HostEvent = { ...base, action, outcome };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && value !== "") (result as unknown as Record<string, unknown>)[key] = value;
  }
  return result;
}

const port = (text: string | undefined): number | undefined => (text ? Number(text) : undefined);

/** "ED25519 SHA256:abc" or a certificate "RSA-CERT SHA256:x ID a (serial 1) CA ..." after "ssh2: ". */
function keyFields(extra: string | undefined): Partial<HostEvent> {
  const match = extra ? /^(\S+) ((?:SHA256|MD5):\S+)/.exec(extra) : null;
  return match ? { keyType: match[1], keyFingerprint: match[2]!.replace(/,$/, "") } : {};
}

/** Parse one sshd/sshd-session message. undefined: not a line we model. */
export function parseSshdMessage(message: string, base: EventBase): HostEvent | undefined {
  let text = message;
  if (text.startsWith("error: ")) text = text.slice(7);
  else if (text.startsWith("fatal: ")) text = text.slice(7);
  const penaltyFunction = text.startsWith("srclimit_penalise: ");
  if (penaltyFunction) text = text.slice(19);
  let phase: HostEvent["phase"];
  if (text.endsWith(" [preauth]")) {
    phase = "preauth";
    text = text.slice(0, -10);
  } else if (text.endsWith(" [postauth]")) {
    phase = "postauth";
    text = text.slice(0, -11);
  }
  const parsed = penaltyFunction ? penaltyLine(text, base) : dispatch(text, base);
  if (parsed && phase) parsed.phase = phase;
  if (parsed) parsed.message = message.length > 300 ? message.slice(0, 300) : message;
  return parsed;
}

function dispatch(text: string, base: EventBase): HostEvent | undefined {
  let m: RegExpExecArray | null;
  switch (text.charCodeAt(0)) {
    case 65 /* A */:
      if ((m = ACCEPTED.exec(text)))
        return event(base, "ssh_login", "success", {
          method: m[1], user: m[2], sourceIp: m[3], sourcePort: port(m[4]), ...keyFields(m[5]),
        });
      if ((m = CLIENT_AUTHENTICATED.exec(text))) return clientConnect(base, m[1]!, m[2]!, m[3]!, m[4]);
      return undefined;
    case 70 /* F */:
      if ((m = FAILED.exec(text)))
        return event(base, "ssh_login", "failure", {
          method: m[1], invalidUser: m[2] ? true : undefined, user: m[3], sourceIp: m[4], sourcePort: port(m[5]),
          ...keyFields(m[6]),
        });
      return undefined;
    case 73 /* I */:
    case 105 /* i */:
      if ((m = INVALID.exec(text)))
        return event(base, "ssh_invalid_user", "failure", {
          user: m[1], invalidUser: true, sourceIp: m[2], sourcePort: port(m[3]),
        });
      return undefined;
    case 109 /* m */:
      if ((m = MAX_ATTEMPTS.exec(text)))
        return event(base, "ssh_max_auth_attempts", "failure", {
          invalidUser: m[1] ? true : undefined, user: m[2], sourceIp: m[3], sourcePort: port(m[4]),
        });
      return undefined;
    case 80 /* P */:
      if (text.startsWith("PerSourcePenalties ")) return penaltyLine(text, base);
      if ((m = OPENSSH_PAM.exec(text)))
        return event(base, "ssh_pam_auth_failure", "failure", {
          invalidUser: m[1] ? true : undefined, user: m[2], sourceIp: m[3],
        });
      if ((m = PAM_MORE.exec(text)))
        return event(base, "ssh_pam_auth_failure", "failure", {
          sourceIp: m[2], user: m[3], reason: `${m[1]} more authentication failures`,
        });
      return undefined;
    case 112 /* p */:
      if ((m = PAM_FAILURE.exec(text))) return event(base, "ssh_pam_auth_failure", "failure", { sourceIp: m[1], user: m[2] });
      if ((m = SESSION_OPEN.exec(text))) return event(base, "ssh_session_open", "success", { user: m[1], userId: m[2] });
      if ((m = SESSION_CLOSE.exec(text))) return event(base, "ssh_session_close", "success", { user: m[1] });
      return undefined;
    case 67 /* C */:
      if ((m = CLOSED.exec(text)))
        return event(base, "ssh_disconnect", "unknown", {
          reason: m[1], preamble: (m[2] as HostEvent["preamble"]) ?? (m[4] !== undefined ? "user" : undefined),
          user: m[3] ?? m[4], invalidUser: m[2] === "invalid" ? true : undefined, sourceIp: m[5], sourcePort: port(m[6]),
        });
      if ((m = CONNECTION_FROM.exec(text)))
        return event(base, "ssh_connection", "unknown", {
          sourceIp: m[1], sourcePort: port(m[2]), destinationIp: m[3], destinationPort: port(m[4]),
        });
      if ((m = CLIENT_CONNECTING.exec(text))) return clientConnect(base, m[1]!, m[2]!, m[3]!, undefined);
      return undefined;
    case 68 /* D */:
      if ((m = CLOSED.exec(text)))
        return event(base, "ssh_disconnect", "unknown", {
          reason: m[1], preamble: (m[2] as HostEvent["preamble"]) ?? (m[4] !== undefined ? "user" : undefined),
          user: m[3] ?? m[4], invalidUser: m[2] === "invalid" ? true : undefined, sourceIp: m[5], sourcePort: port(m[6]),
        });
      if ((m = DISCONNECTING.exec(text)))
        return event(base, "ssh_disconnect", "unknown", {
          reason: `Disconnecting: ${m[6]}`, preamble: (m[1] as HostEvent["preamble"]) ?? (m[3] !== undefined ? "user" : undefined),
          user: m[2] ?? m[3], invalidUser: m[1] === "invalid" ? true : undefined, sourceIp: m[4], sourcePort: port(m[5]),
        });
      if ((m = DISCONNECTING_OLD.exec(text))) return event(base, "ssh_disconnect", "unknown", { reason: `Disconnecting: ${m[1]}` });
      return undefined;
    case 82 /* R */:
      if ((m = RECEIVED_DISCONNECT.exec(text)))
        return event(base, "ssh_disconnect", "unknown", {
          reason: `Received disconnect ${m[3]}: ${m[4]}`.trimEnd(), sourceIp: m[1], sourcePort: port(m[2]),
        });
      if ((m = ROOT_REFUSED.exec(text)))
        return event(base, "ssh_not_allowed", "failure", { user: "root", sourceIp: m[1], sourcePort: port(m[2]), reason: "ROOT LOGIN REFUSED" });
      return undefined;
    case 84 /* T */:
      if ((m = TIMEOUT.exec(text)))
        return event(base, "ssh_grace_timeout", "failure", {
          sourceIp: m[1], sourcePort: port(m[2]), reason: "Timeout before authentication",
          process: m[3] ? { pid: Number(m[3]) } : undefined,
        });
      return undefined;
    case 83 /* S */:
    case 115 /* s */:
      if ((m = CRASH.exec(text)) || (m = KILLED.exec(text)))
        return event(base, "ssh_child_crash", "failure", {
          process: { pid: Number(m[1]) }, sourceIp: m[2], sourcePort: port(m[3]),
          reason: m[4] ? `killed by signal ${m[4]}` : text.includes("unpriv") ? "unpriv child crash" : "terminated abnormally",
        });
      return undefined;
    case 100 /* d */:
      if ((m = DROP.exec(text)))
        return event(base, "ssh_penalty_drop", "failure", {
          sourceIp: m[2], sourcePort: port(m[3]), destinationIp: m[4], destinationPort: port(m[5]), reason: m[6],
          penalty: { startups: Number(m[1]), reason: m[6] },
        });
      return undefined;
    case 85 /* U */:
      if ((m = NOT_ALLOWED.exec(text)))
        return event(base, "ssh_not_allowed", "failure", { user: m[1], sourceIp: m[2], reason: `not allowed because ${m[3]}` });
      return undefined;
    default:
      return penaltyLine(text, base);
  }
}

/** srclimit_penalise lines (after the "srclimit_penalise: " prefix) and the 10.0+ rate-limit summary. */
function penaltyLine(text: string, base: EventBase): HostEvent | undefined {
  let m: RegExpExecArray | null;
  if ((m = NEW_PENALTY.exec(text)))
    return event(base, "ssh_penalty_new", "unknown", {
      sourceIp: m[2], reason: m[6],
      penalty: {
        family: m[1] as "ipv4" | "ipv6", address: m[2], prefixLength: Number(m[3]),
        state: m[4] as "active" | "deferred", seconds: Number(m[5]), reason: m[6],
      },
    });
  if ((m = ACTIVATE_PENALTY.exec(text)))
    return event(base, "ssh_penalty_activate", "unknown", {
      sourceIp: m[1], reason: m[5],
      penalty: { family: m[3] as "ipv4" | "ipv6", address: m[1], prefixLength: Number(m[2]), state: "active", seconds: Number(m[4]), reason: m[5] },
    });
  if ((m = RATE_LIMITED.exec(text)))
    return event(base, "ssh_penalty_ratelimited", "failure", { reason: m[1], penalty: { dropped: Number(m[2]), reason: m[1] } });
  return undefined;
}

const IP_LITERAL = /^[0-9.]+$|:/;

function clientConnect(base: EventBase, host: string, ip: string, portText: string, method: string | undefined): HostEvent {
  return event(base, "ssh_client_connect", method ? "success" : "unknown", {
    destinationIp: ip, destinationPort: Number(portText), destinationDomain: IP_LITERAL.test(host) ? undefined : host, method,
  });
}
