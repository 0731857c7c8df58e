// OpenSSH server (and client) messages, the part after "sshd[pid]: ". Shared by the syslog,
// journald and docker parsers. Formats: research/HOSTLOGS.md §1.2–1.4 (auth.c, packet.c,
// sshd.c, srclimit.c). A cheap first-word dispatch runs before any regex: most lines miss.
import type { EventAction, HostEvent, Outcome } from "../events.js";
import { normaliseIp } from "../net.js";

export type EventBase = Pick<HostEvent, "timestamp" | "file" | "line" | "format" | "host" | "program" | "pid">;

const ACCEPTED = /^Accepted (\S+) for (.*?) from (\S+) port (\d+)(?: ssh2)?(?:: (.*))?$/;
const FAILED = /^Failed (\S+) for (invalid user )?(.*?) from (\S+?)(?: port (\d+))?(?: ssh[12])?(?:: (.*))?$/;
const INVALID = /^(?:[Ii]nvalid|[Ii]llegal) user (.*?) from (\S+)(?: port (\d+))?$/;
const MAX_ATTEMPTS = /^maximum authentication attempts exceeded for (invalid user )?(.*?) from (\S+) port (\d+)(?: ssh2)?$/;
const OPENSSH_PAM = /^PAM: (?:[Aa]uthentication (?:failure|error)|User not known to the underlying authentication module) for (illegal user |invalid user )?(.*?) from (\S+?)(?: via \S+)?\s*$/;
const PAM_FAILURE = /^pam_\w+\(sshd:auth\): authentication failure;.*?rhost=(\S*)(?:\s+user=(\S+))?/;
const PAM_MORE = /^PAM (\d+) more authentication failures?;.*?rhost=(\S*)(?:\s+user=(\S+))?/;
const SESSION_OPEN = /^pam_\w+\(sshd:session\): session opened for user (.+?)(?:\(uid=(\d+)\))? by/;
const SESSION_CLOSE = /^pam_\w+\(sshd:session\): session closed for user (\S+)/;
const CLOSED = /^(Connection closed|Connection reset|Disconnected) (?:by|from) (?:(authenticating|invalid) user (.*?) |user (.*?) )?(\S+?)(?: port (\d+))?$/;
const RECEIVED_DISCONNECT = /^(?=.*$)Received disconnect from (\S+?)(?: port (\d+))?: ?(\d+): ?([\s\S]*)$/;
const DISCONNECTING = /^Disconnecting (?:(authenticating|invalid) user (.*?) |user (.*?) )?(\S+) port (\d+): (.*)$/;
const DISCONNECTING_OLD = /^Disconnecting: (.*?)(?: for (\S+))?$/;
const TIMEOUT = /^Timeout before authentication for (?:connection from )?(\S+?)(?: port (\d+))?(?: to (\S+?))?(?:, pid = (\d+))?(?: \((?:early|sending config|sending keys)\))?$/;
const CRASH = /^Session process (\d+) unpriv child crash for (?:connection from )?(\S+?)(?: port (\d+))?(?: to (\S+?))?(?: \(|$)/;
const KILLED = /^session process (\d+) for (?:connection from )?(\S+?)(?: port (\d+))?(?: to (\S+?))? (?:killed by signal (\d+)|terminated abnormally)/;
const DROP = /^drop connection #(\d+) from \[([0-9a-fA-F:.]+)\]:(\d+) on \[([0-9a-fA-F:.]+)\]:(\d+) (penalty: .+|past Maxstartups|Maxstartups|PerSourcePenalties|too many penalised addresses)$/;
const NEW_PENALTY = /^(ipv4|ipv6): new (\S+)\/(\d+) (active|deferred) penalty of (\d+(?:\.\d+)?) seconds for (.+)$/;
const ACTIVATE_PENALTY = /^(\S+)\/(\d+): activating (ipv4|ipv6) penalty of (\d+(?:\.\d+)?) seconds for (.+)$/;
const RATE_LIMITED = /^(\S+) logging rate-limited: additional (\d+) connections dropped$/;
const NOT_ALLOWED = /^(?=.*$)User (.*?)(?: from (\S+))? not allowed because ([\s\S]*)$/;
const ROOT_REFUSED = /^ROOT LOGIN REFUSED FROM (\S+?)(?: port (\d+))?$/;
const CONNECTION_FROM = /^Connection from (\S+?)(?: port (\d+))?(?: on (\S+) port (\d+))?(?: rdomain "[^"]*")?$/;
const REFUSED = /^refused connect from (\S+?)(?: \((\S+)\))?$/;
const NO_IDENTIFICATION = /^Did not receive identification string from (\S+?)(?: port (\d+))?$/;
const BAD_PROTOCOL = /^Bad protocol version identification (.*) from (\S+?)(?: port (\d+))?$/;
const NEGOTIATE_OLD = /^(?:Unable to negotiate a (.*)|(no matching .*? found)(?::.*)?)$/;
const NEGOTIATE = /^Unable to negotiate with (?:(?:authenticating|invalid) user \S+ )?(\S+?)(?: port (\d+))?: (no matching .*? found)/;
const BANNER = /^banner exchange: Connection from (\S+?)(?: port (\d+))?: (.*)$/;
const DISPATCH_FATAL = /^ssh_dispatch_run_fatal: Connection from (?:(?:authenticating|invalid) user \S+ )?(\S+?)(?: port (\d+))?: (.*)$/;
const KEX_IDENT = /^kex_exchange_identification: (.*)$/;
const READ_FAILED = /^Read from socket failed: (.*)$/;
const SOLARIS_ID = /^\[ID \d+ [\w.]+\] /;
const CLIENT_AUTHENTICATED = /^Authenticated to (\S+) \(\[([^\]]+)\]:(\d+)\)(?: using "([^"]+)")?\.?$/;
const CLIENT_CONNECTING = /^Connecting to (\S+) \[([^\]]+)\] port (\d+)\.?$/;

/**
 * sshd events share one shape for the fields most lines set (unset ones undefined), so the
 * detectors' property reads see few hidden classes, and no event is built by spreading or
 * deleting properties. Rarer fields (keys, destinations, penalties, process) are added when set.
 */
class SshdEvent implements HostEvent {
  timestamp: number;
  file: string;
  line: number;
  format: string;
  host: string | undefined;
  program: string | undefined;
  pid: number | undefined;
  action: EventAction;
  outcome: Outcome;
  user: string | undefined = undefined;
  invalidUser: boolean | undefined = undefined;
  method: string | undefined = undefined;
  sourceIp: string | undefined = undefined;
  sourcePort: number | undefined = undefined;
  preamble: HostEvent["preamble"] = undefined;
  phase: HostEvent["phase"] = undefined;
  reason: string | undefined = undefined;
  message: string | undefined = undefined;
  declare userId?: string;
  declare keyType?: string;
  declare keyFingerprint?: string;
  declare sourceDomain?: string;
  declare destinationIp?: string;
  declare destinationPort?: number;
  declare destinationDomain?: string;
  declare process?: HostEvent["process"];
  declare penalty?: HostEvent["penalty"];
  declare container?: HostEvent["container"];
  declare id?: string;

  constructor(base: EventBase, action: EventAction, outcome: Outcome) {
    this.timestamp = base.timestamp;
    this.file = base.file;
    this.line = base.line;
    this.format = base.format;
    this.host = base.host;
    this.program = base.program;
    this.pid = base.pid;
    this.action = action;
    this.outcome = outcome;
  }
}

/** The last address text read and what it normalised to: a log names the same source line after line. */
let lastSourceText = "";
let lastSourceIp = "";

/** source.ip holds only IP literals (ECS type ip); a name sshd logged (UseDNS) is source.domain. */
function setSource(target: SshdEvent, text: string | undefined): void {
  if (text === undefined || text === "") return;
  if (text === lastSourceText) {
    target.sourceIp = lastSourceIp;
    return;
  }
  const ip = normaliseIp(text);
  if (ip) {
    lastSourceText = text;
    lastSourceIp = ip;
  }
  if (ip) target.sourceIp = ip;
  else target.sourceDomain = text.toLowerCase();
}

export function event(base: EventBase, action: EventAction, outcome: Outcome, fields: Partial<HostEvent>): HostEvent {
  const result = new SshdEvent(base, action, outcome);
  const target = result as unknown as Record<string, unknown>;
  const source = fields as Record<string, unknown>;
  // Addresses are normalised as they are copied; empty values are left unset.
  for (const key in source) {
    const value = source[key];
    if (value === undefined || value === "") continue;
    if (key === "sourceIp") setSource(result, value as string);
    else if (key === "destinationIp") {
      const ip = normaliseIp(value as string);
      if (ip) result.destinationIp = ip;
    } else target[key] = value;
  }
  return result;
}

/** A disconnect line as event() builds it (empty values left unset), without a fields object a line. */
function disconnect(base: EventBase, outcome: Outcome, reason: string, preamble: string | undefined, user: string | undefined, invalid: boolean, sourceText: string | undefined, sourcePort: number | undefined): HostEvent {
  const e = new SshdEvent(base, "ssh_disconnect", outcome);
  if (reason) e.reason = reason;
  if (preamble) e.preamble = preamble as HostEvent["preamble"];
  if (user) e.user = user;
  if (invalid) e.invalidUser = true;
  setSource(e, sourceText);
  if (sourcePort !== undefined) e.sourcePort = sourcePort;
  return e;
}

/** CLOSED's captures as a disconnect event. */
function closedLine(base: EventBase, m: RegExpExecArray): HostEvent {
  return disconnect(base, "unknown", m[1]!, m[2] ?? (m[4] !== undefined ? "user" : undefined), m[3] ?? m[4], m[2] === "invalid", m[5], port(m[6]));
}

const MAX_MESSAGE = 4096;

const TOO_MANY = /Too many authentication failures|Change of username or service not allowed|Auth fail/i;

const port = (text: string | undefined): number | undefined => (text ? Number(text) : undefined);

/** The hot lines (failed and invalid logins, pam_unix failures) built field by field, as event() would. */
function failedLogin(base: EventBase, m: RegExpExecArray): HostEvent {
  const e = new SshdEvent(base, "ssh_login", "failure");
  if (m[1]) e.method = m[1];
  if (m[2]) e.invalidUser = true;
  if (m[3]) e.user = m[3];
  setSource(e, m[4]);
  if (m[5]) e.sourcePort = Number(m[5]);
  if (m[6]) {
    const key = keyFields(m[6]);
    if (key.keyType) e.keyType = key.keyType;
    if (key.keyFingerprint) e.keyFingerprint = key.keyFingerprint;
  }
  return e;
}

function invalidUser(base: EventBase, m: RegExpExecArray): HostEvent {
  const e = new SshdEvent(base, "ssh_invalid_user", "failure");
  if (m[1]) e.user = m[1];
  e.invalidUser = true;
  setSource(e, m[2]);
  if (m[3]) e.sourcePort = Number(m[3]);
  return e;
}

function pamFailure(base: EventBase, m: RegExpExecArray): HostEvent {
  const e = new SshdEvent(base, "ssh_pam_auth_failure", "failure");
  setSource(e, m[1]);
  if (m[2]) e.user = m[2];
  return e;
}

/** "ED25519 SHA256:abc" or a certificate "RSA-CERT SHA256:x ID a (serial 1) CA ..." after "ssh2: ". */
function keyFields(extra: string | undefined): Partial<HostEvent> {
  const match = extra ? /^(\S+) ((?:SHA256|MD5):\S+)/.exec(extra) : null;
  return match ? { keyType: match[1], keyFingerprint: match[2]!.replace(/,$/, "") } : {};
}

/** Parse one sshd/sshd-session message. undefined: not a line we model. */
export function parseSshdMessage(message: string, base: EventBase): HostEvent | undefined {
  // sshd formats at most MSGBUFSIZ (1 KiB) a message (log.c): anything much longer is not sshd's.
  if (message.length > MAX_MESSAGE) return undefined;
  let text = message.trimEnd();
  // Each prefix and suffix test behind its first (last) character: most lines have none, and
  // startsWith/endsWith on a slice of the line cost more than the character read.
  let first = text.charCodeAt(0);
  if (first === 91 /* [ */ && text.startsWith("[ID ")) {
    text = text.replace(SOLARIS_ID, ""); // Solaris/illumos syslog message ids
    first = text.charCodeAt(0);
  }
  if (first === 101 /* e */ && text.startsWith("error: ")) text = text.slice(7);
  else if (first === 102 /* f */ && text.startsWith("fatal: ")) text = text.slice(7);
  const penaltyFunction = text.charCodeAt(0) === 115 /* s */ && text.startsWith("srclimit_penalise: ");
  if (penaltyFunction) text = text.slice(19);
  let phase: HostEvent["phase"];
  if (text.charCodeAt(text.length - 1) === 93 /* ] */) {
    if (text.endsWith(" [preauth]")) {
      phase = "preauth";
      text = text.slice(0, -10);
    } else if (text.endsWith(" [postauth]")) {
      phase = "postauth";
      text = text.slice(0, -11);
    }
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
      if ((m = FAILED.exec(text))) return failedLogin(base, m);
      return undefined;
    case 73 /* I */:
    case 105 /* i */:
      if ((m = INVALID.exec(text))) return invalidUser(base, m);
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
      if ((m = PAM_FAILURE.exec(text))) return pamFailure(base, m);
      if ((m = SESSION_OPEN.exec(text))) return event(base, "ssh_session_open", "success", { user: m[1], userId: m[2] });
      if ((m = SESSION_CLOSE.exec(text))) return event(base, "ssh_session_close", "success", { user: m[1] });
      return undefined;
    case 67 /* C */:
      if ((m = CLOSED.exec(text))) return closedLine(base, m);
      if ((m = CONNECTION_FROM.exec(text)))
        return event(base, "ssh_connection", "unknown", {
          sourceIp: m[1], sourcePort: port(m[2]), destinationIp: m[3], destinationPort: port(m[4]),
        });
      if ((m = CLIENT_CONNECTING.exec(text))) return clientConnect(base, m[1]!, m[2]!, m[3]!, undefined);
      return undefined;
    case 68 /* D */:
      if ((m = CLOSED.exec(text))) return closedLine(base, m);
      if ((m = DISCONNECTING.exec(text)))
        return disconnect(base, TOO_MANY.test(m[6]!) ? "failure" : "unknown", `Disconnecting: ${m[6]}`, m[1] ?? (m[3] !== undefined ? "user" : undefined), m[2] ?? m[3], m[1] === "invalid", m[4], port(m[5]));
      if ((m = DISCONNECTING_OLD.exec(text)))
        return event(base, "ssh_disconnect", TOO_MANY.test(m[1]!) ? "failure" : "unknown", { reason: `Disconnecting: ${m[1]}`, user: m[2] });
      if ((m = NO_IDENTIFICATION.exec(text)))
        return event(base, "ssh_no_identification", "failure", { sourceIp: m[1], sourcePort: port(m[2]), reason: "Did not receive identification string" });
      return undefined;
    case 82 /* R */:
      if ((m = RECEIVED_DISCONNECT.exec(text)))
        // 3 with "Auth fail" (a client that gave up after failures) and 14 (no more auth methods) end a failed login.
        return disconnect(base, (m[3] === "3" && TOO_MANY.test(m[4]!)) || m[3] === "14" ? "failure" : "unknown", `Received disconnect ${m[3]}: ${m[4]}`.trimEnd(), undefined, undefined, false, m[1], port(m[2]));
      if ((m = ROOT_REFUSED.exec(text)))
        return event(base, "ssh_not_allowed", "failure", { user: "root", sourceIp: m[1], sourcePort: port(m[2]), reason: "ROOT LOGIN REFUSED" });
      if ((m = READ_FAILED.exec(text))) return event(base, "ssh_disconnect", "unknown", { reason: `Read from socket failed: ${m[1]}` });
      return undefined;
    case 110 /* n */:
      if ((m = NEGOTIATE_OLD.exec(text))) return event(base, "ssh_negotiation_failure", "failure", { reason: m[2] });
      return undefined;
    case 114 /* r */:
      if ((m = REFUSED.exec(text)))
        return event(base, "ssh_refused_connect", "failure", { sourceIp: m[2] ?? m[1]!.replace(/^.*@/, ""), reason: "refused connect (tcp_wrappers)" });
      return undefined;
    case 66 /* B */:
      if ((m = BAD_PROTOCOL.exec(text)))
        return event(base, "ssh_bad_protocol", "failure", { sourceIp: m[2], sourcePort: port(m[3]), reason: `Bad protocol version identification ${m[1]}`.slice(0, 200) });
      return undefined;
    case 98 /* b */:
      if ((m = BANNER.exec(text))) return event(base, "ssh_kex_failure", "failure", { sourceIp: m[1], sourcePort: port(m[2]), reason: `banner exchange: ${m[3]}` });
      return undefined;
    case 107 /* k */:
      if ((m = KEX_IDENT.exec(text))) return event(base, "ssh_kex_failure", "failure", { reason: `kex_exchange_identification: ${m[1]}` });
      return undefined;
    case 84 /* T */:
      if ((m = TIMEOUT.exec(text)))
        // "connection from A to B": 9.9+ print (remote, local), 9.8 printed (local, remote);
        // SshdContext.complete() turns it round when it knows B is remote.
        return event(base, "ssh_grace_timeout", "failure", {
          sourceIp: m[1], sourcePort: port(m[2]), destinationIp: m[3], reason: "Timeout before authentication",
          process: m[4] ? { pid: Number(m[4]) } : undefined,
        });
      return undefined;
    case 83 /* S */:
    case 115 /* s */:
      if ((m = CRASH.exec(text)) || (m = KILLED.exec(text)))
        return event(base, "ssh_child_crash", "failure", {
          process: { pid: Number(m[1]) }, sourceIp: m[2], sourcePort: port(m[3]), destinationIp: m[4],
          reason: m[5] ? `killed by signal ${m[5]}` : text.includes("unpriv") ? "unpriv child crash" : "terminated abnormally",
        });
      if ((m = DISPATCH_FATAL.exec(text)))
        return event(base, "ssh_kex_failure", "failure", { sourceIp: m[1], sourcePort: port(m[2]), reason: `ssh_dispatch_run_fatal: ${m[3]}` });
      return undefined;
    case 100 /* d */:
      if ((m = DROP.exec(text)))
        return event(base, "ssh_penalty_drop", "failure", {
          sourceIp: m[2], sourcePort: port(m[3]), destinationIp: m[4], destinationPort: port(m[5]), reason: m[6],
          penalty: { startups: Number(m[1]), reason: m[6] },
        });
      return undefined;
    case 85 /* U */:
      if ((m = NEGOTIATE.exec(text)))
        return event(base, "ssh_negotiation_failure", "failure", { sourceIp: m[1], sourcePort: port(m[2]), reason: m[3] });
      if ((m = NEGOTIATE_OLD.exec(text))) return event(base, "ssh_negotiation_failure", "failure", { reason: m[2] ?? `Unable to negotiate a ${m[1]}` });
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
