// Dropbear SSH server messages, the part after "dropbear[pid]: " (openlog(PROGNAME = "dropbear",
// LOG_PID, LOG_AUTHPRIV): dbutil.c startsyslog, sysoptions.h). Written from the format strings of
// mkj/dropbear at DROPBEAR_2026.94 (28216cd9) and older tags, as the same events OpenSSH's
// lines give, so the detectors read both alike:
//   svr-main.c     "Child connection from %s:%s" ("[%s]:%s" for IPv6 from 2026.94)
//   svr-authpasswd.c "Bad password attempt for '%s' from %s", "Too-long password attempt …",
//                  "Password auth succeeded for '%s' from %s[, extra auth required]",
//                  "User account '%s' is locked", "User '%s' has blank password, rejected"
//   svr-authpam.c  "Bad PAM password attempt for '%s' from %s", "PAM password auth succeeded …"
//   svr-authpubkey.c "Pubkey auth succeeded for '%s' with %s key %s from %s" (2022.82+; before:
//                  "with key %s"), "Pubkey auth bad signature for '%s' with key %s from %s"
//   svr-auth.c     "Login attempt for nonexistent user from %s" (≤ 2019.78 and 2024.86+; 2020.79–
//                  2024.85 without " from %s"; before 2011 "login attempt …"), "Login attempt with
//                  wrong user %s from %s", "root login rejected", "User '%s' has invalid shell,
//                  rejected", "Logins are restricted to the group %s but user '%s' is not a member",
//                  "Auth succeeded with blank password for '%s' from %s", and the exit
//                  "Max auth tries reached - user '%s'[ from %s]" ('is invalid' for no such user)
//   svr-session.c  svr_dropbear_exit: "Exit before auth[ from <%s>]: [(user '%s', %u fails): ]%s",
//                  "Early exit[ from <%s>]: %s", "Exit (%s)[ from <%s>]: %s" (" from <…>" 2020.79+;
//                  before, "Exit before auth (user '%s', %u fails): %s")
// The address (svr_ses.addrstring) is "host:port", for IPv6 unbracketed before 2026.94 (the last
// colon ends the host) and "[host]:port" since; 2026.94 sizes that buffer for the unbracketed
// form, so a bracketed session address loses the port's last two digits: its port is not kept.
import type { HostEvent } from "../events.js";
import { event, type EventBase } from "./sshd.js";

const CHILD = /^Child connection from (\S+)$/;
const BAD_PASSWORD = /^[Bb]ad (?:PAM )?password attempt for '(.*)' from (\S+)$/;
const TOO_LONG = /^Too-long password attempt for '(.*)' from (\S+)$/;
const PASSWORD_OK = /^(?:[Pp]assword|PAM password) auth succeeded for '(.*)' from (\S+?)(, extra auth required)?$/;
const BLANK_OK = /^Auth succeeded with blank password for '(.*)' from (\S+)$/;
// The key printed is one token (SHA256:…, after its type since 2022.82) or, before, "md5 aa:bb:…":
// at most two words, so the pattern stays linear (test/hardening/regex-runtime.test.ts).
const PUBKEY_OK = /^Pubkey auth succeeded for '(.*)' with (?:(\S+) )?key (\S+(?: \S+)?) from (\S+?)(, extra auth required)?$/;
const PUBKEY_BAD = /^Pubkey auth bad signature for '(.*)' with key (\S+(?: \S+)?) from (\S+)$/;
const NONEXISTENT = /^[Ll]ogin attempt for nonexistent user(?: from (\S+))?$/;
const WRONG_USER = /^Login attempt with wrong user (.*) from (\S+)$/;
const REJECTED = /^(?:User '(.*)' has (invalid shell|blank password), rejected|User account '(.*)' is (locked)|Logins are restricted to the group \S+ but user '(.*)' is (not a member))$/;
const EXIT = /^(Exit before auth|Early exit|Exit \((.*?)\))(?: from <(\S+)>)?(?:: | (?=\(user '))(?:\(user '(.*?)', (\d+) fails\): )?(.*)$/;
const MAX_TRIES = /^Max auth tries reached - user '(.*)'(?: from (\S+))?$/;

/** "1.2.3.4:22", "[2001:db8::1]:22" (2026.94+), "2001:db8::1:22" (before). */
function address(text: string): { sourceIp: string; sourcePort: number | undefined } {
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    return { sourceIp: text.slice(1, end < 0 ? undefined : end), sourcePort: undefined };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0 || !/^\d+$/.test(text.slice(colon + 1))) return { sourceIp: text, sourcePort: undefined };
  return { sourceIp: text.slice(0, colon), sourcePort: Number(text.slice(colon + 1)) };
}

/** The Child connection line's own address is printed in full (svr-main.c): keep its port. */
function childAddress(text: string): { sourceIp: string; sourcePort: number | undefined } {
  const m = /^\[(.+)\]:(\d+)$/.exec(text);
  return m ? { sourceIp: m[1]!, sourcePort: Number(m[2]) } : address(text);
}

/** Parse one dropbear message. undefined: not a line we model. */
export function parseDropbearMessage(message: string, base: EventBase): HostEvent | undefined {
  if (message.length > 1024) return undefined; // svr_dropbear_log formats into 1 KiB
  const parsed = dispatch(message.trimEnd(), base);
  if (parsed) parsed.message = message.length > 300 ? message.slice(0, 300) : message;
  return parsed;
}

function dispatch(text: string, base: EventBase): HostEvent | undefined {
  let m: RegExpExecArray | null;
  if ((m = BAD_PASSWORD.exec(text)) || (m = TOO_LONG.exec(text)))
    return event(base, "ssh_login", "failure", { method: "password", user: m[1], ...address(m[2]!) });
  if ((m = CHILD.exec(text))) return event(base, "ssh_connection", "unknown", childAddress(m[1]!));
  if ((m = EXIT.exec(text))) return exit(base, m);
  if ((m = NONEXISTENT.exec(text)))
    return event(base, "ssh_invalid_user", "failure", { invalidUser: true, ...(m[1] ? address(m[1]) : {}) });
  if ((m = PASSWORD_OK.exec(text)))
    // a first factor of several (-t): not a login yet
    return m[3] ? undefined : event(base, "ssh_login", "success", { method: "password", user: m[1], ...address(m[2]!) });
  if ((m = PUBKEY_OK.exec(text)))
    return m[5] ? undefined : event(base, "ssh_login", "success", { method: "publickey", user: m[1], keyType: m[2], keyFingerprint: m[3], ...address(m[4]!) });
  if ((m = PUBKEY_BAD.exec(text)))
    return event(base, "ssh_login", "failure", { method: "publickey", user: m[1], keyFingerprint: m[2], ...address(m[3]!) });
  if ((m = BLANK_OK.exec(text))) return event(base, "ssh_login", "success", { method: "none", user: m[1], ...address(m[2]!) });
  if ((m = WRONG_USER.exec(text)))
    return event(base, "ssh_not_allowed", "failure", { user: m[1], ...address(m[2]!), reason: "login with wrong user (server not running as root)" });
  if (text === "root login rejected") return event(base, "ssh_not_allowed", "failure", { user: "root", reason: "root login rejected" });
  if ((m = REJECTED.exec(text)))
    return event(base, "ssh_not_allowed", "failure", { user: m[1] ?? m[3] ?? m[5], reason: m[2] ?? m[4] ?? m[6] });
  return undefined;
}

function exit(base: EventBase, m: RegExpExecArray): HostEvent {
  const kind = m[1]!;
  const source = m[3] ? address(m[3]) : {};
  const detail = m[6]!;
  const tries = MAX_TRIES.exec(detail);
  if (tries) {
    const invalid = tries[1] === "is invalid";
    const e = event(base, "ssh_max_auth_attempts", "failure", {
      user: invalid ? m[4] : tries[1], invalidUser: invalid ? true : undefined, ...source, ...(tries[2] ? address(tries[2]) : {}),
      reason: "Max auth tries reached",
    });
    e.phase = "preauth";
    return e;
  }
  const e = event(base, "ssh_disconnect", "unknown", { user: m[2] ?? m[4], ...source, reason: `${kind.startsWith("Exit (") ? "Exit" : kind}: ${detail}`.slice(0, 200) });
  e.phase = m[2] !== undefined ? "postauth" : "preauth";
  return e;
}
