// Dropbear's auth lines as the same events OpenSSH's give, so the detectors read both alike.
// Every line below is written from the format strings of mkj/dropbear (tag DROPBEAR_2026.94,
// commit 28216cd9, unless a row names an older tag), never from this tool's output:
//   svr-main.c        "Child connection from %s:%s" ("[%s]:%s" for IPv6 since 2026.94, commit 6c293a3a)
//   svr-authpasswd.c  "Bad password attempt for '%s' from %s", "Too-long password attempt for '%s' from %s",
//                     "Password auth succeeded for '%s' from %s[, extra auth required]",
//                     "User account '%s' is locked", "User '%s' has blank password, rejected"
//   svr-authpam.c     "Bad PAM password attempt for '%s' from %s", "PAM password auth succeeded for '%s' from %s"
//   svr-authpubkey.c  "Pubkey auth succeeded for '%s' with %s key %s from %s" (2019.78: "with key %s"),
//                     "Pubkey auth bad signature for '%s' with key %s from %s"
//   svr-auth.c        "Login attempt for nonexistent user from %s" (2020.79–2024.85: no " from %s"; it
//                     came back in 2024.86, commit 155639d4), "Login attempt with wrong user %s from %s",
//                     "root login rejected", "User '%s' has invalid shell, rejected", "Logins are restricted
//                     to the group %s but user '%s' is not a member", "Auth succeeded with blank password for
//                     '%s' from %s", exit "Max auth tries reached - user '%s'" (2019.78: "… from %s")
//   svr-session.c     svr_dropbear_exit "Exit before auth from <%s>: [(user '%s', %u fails): ]%s",
//                     "Early exit from <%s>: %s", "Exit (%s) from <%s>: %s" (2019.78: no " from <%s>",
//                     and "Exit before auth (user '%s', %u fails): %s"); dropbear_close("Exited normally")
//   dbutil.c          startsyslog: openlog("dropbear", LOG_PID, LOG_AUTHPRIV), so "dropbear[pid]: "
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Alert, AlertDraft } from "../../src/logs/alerts.js";
import { SshBruteForceDetector, type SshBruteForceState } from "../../src/logs/detectors/ssh-brute-force.js";
import { SshdInContainerDetector } from "../../src/logs/detectors/sshd-in-container.js";
import type { HostEvent } from "../../src/logs/events.js";
import { defaultPenaltyConfig } from "../../src/logs/penalties.js";
import { journaldParser } from "../../src/logs/parsers/journald.js";
import { syslogParser } from "../../src/logs/parsers/syslog.js";
import { alertView, run, type FixtureOptions } from "./helpers.js";

function parse(lines: string[]): HostEvent[] {
  const session = syslogParser.open({ file: "messages", referenceMs: Date.parse("2026-12-31T00:00:00Z"), offsetMinutes: 0 });
  const out: HostEvent[] = [];
  lines.forEach((line, i) => session.line(line, i + 1, 0, out));
  return out;
}

const H = "Dec  6 10:00:00 router authpriv.info dropbear[4242]: ";

describe("Dropbear line kinds", () => {
  it.each([
    // [message, action, outcome, method, user, invalidUser, sourceIp, sourcePort]
    ["Child connection from 203.0.113.5:51022", "ssh_connection", "unknown", undefined, undefined, undefined, "203.0.113.5", 51022],
    ["Child connection from [2001:db8::7]:40022", "ssh_connection", "unknown", undefined, undefined, undefined, "2001:db8::7", 40022],
    // before 2026.94 an IPv6 address is printed unbracketed: the last colon ends it
    ["Child connection from 2001:db8::7:40022", "ssh_connection", "unknown", undefined, undefined, undefined, "2001:db8::7", 40022],
    ["Child connection from ::ffff:198.51.100.9:40023", "ssh_connection", "unknown", undefined, undefined, undefined, "198.51.100.9", 40023],
    ["Bad password attempt for 'root' from 203.0.113.5:51022", "ssh_login", "failure", "password", "root", undefined, "203.0.113.5", 51022],
    ["Bad PAM password attempt for 'admin' from 203.0.113.6:51023", "ssh_login", "failure", "password", "admin", undefined, "203.0.113.6", 51023],
    ["Too-long password attempt for 'root' from 203.0.113.7:51024", "ssh_login", "failure", "password", "root", undefined, "203.0.113.7", 51024],
    // before 2011 (commit 38ed870f capitalised the log strings)
    ["bad password attempt for 'root' from 203.0.113.8:51025", "ssh_login", "failure", "password", "root", undefined, "203.0.113.8", 51025],
    ["Pubkey auth bad signature for 'git' with key SHA256:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde from 203.0.113.9:51026", "ssh_login", "failure", "publickey", "git", undefined, "203.0.113.9", 51026],
    ["Login attempt for nonexistent user from 203.0.113.10:51027", "ssh_invalid_user", "failure", undefined, undefined, true, "203.0.113.10", 51027],
    // 2020.79–2024.85: no address (the pid's Child connection line has it)
    ["Login attempt for nonexistent user", "ssh_invalid_user", "failure", undefined, undefined, true, undefined, undefined],
    ["login attempt for nonexistent user from 203.0.113.11:51028", "ssh_invalid_user", "failure", undefined, undefined, true, "203.0.113.11", 51028],
    ["Login attempt with wrong user bob from 203.0.113.12:51029", "ssh_not_allowed", "failure", undefined, "bob", undefined, "203.0.113.12", 51029],
    ["root login rejected", "ssh_not_allowed", "failure", undefined, "root", undefined, undefined, undefined],
    ["User 'nobody' has invalid shell, rejected", "ssh_not_allowed", "failure", undefined, "nobody", undefined, undefined, undefined],
    ["User account 'carol' is locked", "ssh_not_allowed", "failure", undefined, "carol", undefined, undefined, undefined],
    ["User 'dave' has blank password, rejected", "ssh_not_allowed", "failure", undefined, "dave", undefined, undefined, undefined],
    ["Logins are restricted to the group sshusers but user 'erin' is not a member", "ssh_not_allowed", "failure", undefined, "erin", undefined, undefined, undefined],
    ["Password auth succeeded for 'alice' from 192.0.2.4:5000", "ssh_login", "success", "password", "alice", undefined, "192.0.2.4", 5000],
    ["PAM password auth succeeded for 'alice' from 192.0.2.4:5001", "ssh_login", "success", "password", "alice", undefined, "192.0.2.4", 5001],
    ["Auth succeeded with blank password for 'guest' from 192.0.2.4:5002", "ssh_login", "success", "none", "guest", undefined, "192.0.2.4", 5002],
    ["Pubkey auth succeeded for 'alice' with ssh-ed25519 key SHA256:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde from 192.0.2.4:5003", "ssh_login", "success", "publickey", "alice", undefined, "192.0.2.4", 5003],
    // 2019.78: no key type, an MD5 fingerprint
    ["Pubkey auth succeeded for 'alice' with key md5 0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9 from 192.0.2.4:5004", "ssh_login", "success", "publickey", "alice", undefined, "192.0.2.4", 5004],
    ["Exit before auth from <203.0.113.5:51022>: (user 'root', 10 fails): Max auth tries reached - user 'root'", "ssh_max_auth_attempts", "failure", undefined, "root", undefined, "203.0.113.5", 51022],
    ["Exit before auth from <203.0.113.5:51023>: Max auth tries reached - user 'is invalid'", "ssh_max_auth_attempts", "failure", undefined, undefined, true, "203.0.113.5", 51023],
    // 2019.78: the address is in the exit text, not in a " from <…>" prefix
    ["Exit before auth (user 'root', 10 fails): Max auth tries reached - user 'root' from 203.0.113.5:51024", "ssh_max_auth_attempts", "failure", undefined, "root", undefined, "203.0.113.5", 51024],
    ["Exit before auth from <203.0.113.5:51025>: (user 'root', 2 fails): Exited normally", "ssh_disconnect", "unknown", undefined, "root", undefined, "203.0.113.5", 51025],
    ["Exit before auth from <203.0.113.5:51026>: Timeout before auth", "ssh_disconnect", "unknown", undefined, undefined, undefined, "203.0.113.5", 51026],
    ["Early exit from <203.0.113.5:51027>: Incompatible remote version 'SSH-1.5-x'", "ssh_disconnect", "unknown", undefined, undefined, undefined, "203.0.113.5", 51027],
    ["Exit (alice) from <192.0.2.4:5000>: Disconnect received", "ssh_disconnect", "unknown", undefined, "alice", undefined, "192.0.2.4", 5000],
    // 2026.94 sizes svr_ses.addrstring for the unbracketed form: "[2001:db8::7]:40022" loses two port digits, so no port
    ["Exit before auth from <[2001:db8::7]:400>: Exited normally", "ssh_disconnect", "unknown", undefined, undefined, undefined, "2001:db8::7", undefined],
  ])("%s", (message, action, outcome, method, user, invalidUser, ip, port) => {
    const events = parse([`${H}${message}`]);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect([e.program, e.pid, e.action, e.outcome, e.method, e.user, e.invalidUser, e.sourceIp, e.sourcePort]).toEqual(["dropbear", 4242, action, outcome, method, user, invalidUser, ip, port]);
  });

  it("keeps the key type and fingerprint of a public key login", () => {
    const [e] = parse([`${H}Pubkey auth succeeded for 'alice' with ecdsa-sha2-nistp256 key SHA256:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde from 192.0.2.4:5003`]);
    expect([e!.keyType, e!.keyFingerprint]).toEqual(["ecdsa-sha2-nistp256", "SHA256:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde"]);
  });

  it("takes a first factor of several (-t, ', extra auth required') for no login, and leaves other dropbear lines unmodelled", () => {
    const events = parse([
      `${H}Password auth succeeded for 'alice' from 192.0.2.4:5000, extra auth required`,
      `${H}Pubkey auth succeeded for 'alice' with ssh-rsa key SHA256:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde from 192.0.2.4:5000, extra auth required`,
      `${H}Running in background`,
      `${H}pam_authenticate() failed, rc=7, Authentication failure`,
    ]);
    expect(events).toEqual([]);
  });

  it("gives a line that names no address (2020.79–2024.85) the peer its Child connection line named", () => {
    const events = parse([
      "Dec  6 10:00:00 router dropbear[77]: Child connection from 203.0.113.20:40100",
      "Dec  6 10:00:01 router dropbear[77]: Login attempt for nonexistent user",
      "Dec  6 10:00:02 router dropbear[77]: Exit before auth: Max auth tries reached - user 'is invalid'",
    ]);
    expect(events.map((e) => [e.action, e.sourceIp, e.sourcePort])).toEqual([
      ["ssh_connection", "203.0.113.20", 40100],
      ["ssh_invalid_user", "203.0.113.20", 40100],
      ["ssh_max_auth_attempts", "203.0.113.20", 40100],
    ]);
  });

  it("reads dropbear's messages from the journal too (_COMM=dropbear)", () => {
    const session = journaldParser.open({ file: "journal.json", referenceMs: Date.parse("2026-12-31T00:00:00Z"), offsetMinutes: 0 });
    const out: HostEvent[] = [];
    const line = JSON.stringify({ __REALTIME_TIMESTAMP: "1796551200000000", _COMM: "dropbear", _PID: "88", _HOSTNAME: "box", MESSAGE: "Bad password attempt for 'root' from 203.0.113.40:40300" });
    expect(session.line(line, 1, 0, out)).toBe("recognised");
    expect(out.map((e) => [e.program, e.pid, e.action, e.outcome, e.user, e.sourceIp, e.sourcePort])).toEqual([["dropbear", 88, "ssh_login", "failure", "root", "203.0.113.40", 40300]]);
  });

  it("reads BusyBox syslogd's 'facility.priority' header and its -S form without a host", () => {
    const events = parse([
      "Dec  6 10:00:00 alpine authpriv.warn dropbear[5]: Bad password attempt for 'root' from 203.0.113.30:40200",
      "Dec  6 10:00:00 alpine <86> dropbear[5]: Bad password attempt for 'root' from 203.0.113.30:40200",
      "Dec  6 10:00:00 dropbear[5]: Bad password attempt for 'root' from 203.0.113.30:40200",
    ]);
    expect(events.map((e) => [e.host, e.program, e.action, e.sourceIp])).toEqual([
      ["alpine", "dropbear", "ssh_login", "203.0.113.30"],
      ["alpine", "dropbear", "ssh_login", "203.0.113.30"],
      [undefined, "dropbear", "ssh_login", "203.0.113.30"],
    ]);
  });
});

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "exfilscan-dropbear-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const T0 = Date.parse("2026-12-06T10:00:00Z");
function stamp(seconds: number): string {
  const d = new Date(T0 + seconds * 1000);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

type Connection = { t: number; ip: string; port: number; pid: number; user: string; failures: number; success?: boolean };

/** One connection as Dropbear logs it, four or more lines in the same order as openssh() below. */
function dropbear(c: Connection): string[] {
  const p = `srv dropbear[${c.pid}]:`;
  const a = `${c.ip}:${c.port}`;
  const lines = [`${stamp(c.t)} ${p} Child connection from ${a}`];
  for (let i = 0; i < c.failures; i++) lines.push(`${stamp(c.t + 1)} ${p} Bad password attempt for '${c.user}' from ${a}`);
  if (c.success) {
    lines.push(`${stamp(c.t + 2)} ${p} Password auth succeeded for '${c.user}' from ${a}`);
    lines.push(`${stamp(c.t + 60)} ${p} Exit (${c.user}) from <${a}>: Disconnect received`);
  } else lines.push(`${stamp(c.t + 2)} ${p} Exit before auth from <${a}>: (user '${c.user}', ${c.failures} fails): Exited normally`);
  return lines;
}

/** The same connection as OpenSSH logs it (auth.c auth_log, sshd VERBOSE "Connection from", packet.c). */
function openssh(c: Connection): string[] {
  const p = `srv sshd-session[${c.pid}]:`;
  const a = `${c.ip} port ${c.port}`;
  const lines = [`${stamp(c.t)} ${p} Connection from ${a}`];
  for (let i = 0; i < c.failures; i++) lines.push(`${stamp(c.t + 1)} ${p} Failed password for ${c.user} from ${a} ssh2`);
  if (c.success) {
    lines.push(`${stamp(c.t + 2)} ${p} Accepted password for ${c.user} from ${a} ssh2`);
    lines.push(`${stamp(c.t + 60)} ${p} Disconnected from user ${c.user} ${a}`);
  } else lines.push(`${stamp(c.t + 2)} ${p} Connection closed by authenticating user ${c.user} ${a} [preauth]`);
  return lines;
}

async function alertsOf(lines: string[], options: FixtureOptions) {
  const file = join(dir, `messages-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  const { result } = await run([file], { referenceTime: "2026-12-31T00:00:00Z", ...options });
  return result.alerts;
}

/** What was detected — rule, source, time, host, evidence lines — without the wording. */
const detected = (alerts: Alert[]) => alerts.map((a) => ({ ...alertView(a), ruleId: a.ruleId, evidence: a.evidence.map((e) => e.line) }));
const bruteForce = (alerts: Alert[], ip: string) => alerts.filter((a) => a.ruleId === "ssh-brute-force" && a.source?.ip === ip);

describe("detectors read Dropbear as they read OpenSSH", () => {
  // ten guessing connections a second apart, then a guess that works after five failures
  const attack: Connection[] = [
    ...Array.from({ length: 10 }, (_, i) => ({ t: i, ip: "203.0.113.50", port: 41000 + i, pid: 3000 + i, user: "root", failures: 2 })),
    { t: 300, ip: "198.51.100.30", port: 52000, pid: 3100, user: "alice", failures: 5, success: true },
  ];

  // Dropbear has no PerSourcePenalties (mkj/dropbear default_options.h: only MAX_UNAUTH_PER_IP,
  // MAX_UNAUTH_CLIENTS, MAX_AUTH_TRIES, UNAUTH_CLOSE_DELAY 0), so it is judged as OpenSSH before 9.8 is.
  it.each([["9.8"], ["9.6"]])("detects what the OpenSSH log of the same connections gives without PerSourcePenalties, whatever --openssh-version says (%s)", async (version) => {
    const fromDropbear = await alertsOf(attack.flatMap(dropbear), { openssh: version });
    const fromOpenssh = await alertsOf(attack.flatMap(openssh), { openssh: "9.6" });
    expect(fromDropbear.map((a) => a.ruleId)).toContain("ssh-brute-force");
    expect(fromDropbear.map((a) => a.ruleId)).toContain("login-after-failures");
    expect(detected(fromDropbear)).toEqual(detected(fromOpenssh));

    const [alert] = bruteForce(fromDropbear, "203.0.113.50");
    expect(alert!.details).toMatchObject({ basis: "threshold", server: "dropbear", failures: 20, maxRetry: 5, findTimeSeconds: 600 });
    expect(alert!.details).not.toHaveProperty("openssh");
    expect(alert!.message).toContain("Dropbear has no per-source penalties");
    expect(alert!.message).toContain("MAX_UNAUTH_PER_IP 5");
    expect(alert!.message).toContain("MAX_AUTH_TRIES 10");
    expect(alert!.message).not.toMatch(/OpenSSH|PerSourcePenalties/);
    expect(bruteForce(fromOpenssh, "203.0.113.50")[0]!.message).toContain("OpenSSH 9.6 has no PerSourcePenalties");
  });

  it("still replays OpenSSH 9.8's penalties for the OpenSSH log of the same connections", async () => {
    const [alert] = bruteForce(await alertsOf(attack.flatMap(openssh), { openssh: "9.8" }), "203.0.113.50");
    expect(alert!.details).toMatchObject({ basis: "simulated", openssh: "9.8" });
    expect(alert!.details).not.toHaveProperty("server");
    expect(alert!.message).toContain("OpenSSH 9.8 PerSourcePenalties would block");
  });

  it("keeps a host's two servers apart: OpenSSH's lines by the replay, Dropbear's by the threshold, one alert each", async () => {
    // the same source guesses on both servers of one host at once (Dropbear on another port)
    const both = attack.slice(0, 10).flatMap((c) => [...dropbear(c), ...openssh({ ...c, pid: c.pid + 2000, port: c.port + 500 })]);
    const alerts = bruteForce(await alertsOf(both, { openssh: "9.8" }), "203.0.113.50");
    expect(alerts.map((a) => [a.host, a.details?.basis, a.details?.server ?? `openssh ${String(a.details?.openssh)}`]).sort()).toEqual([
      ["srv", "simulated", "openssh 9.8"],
      ["srv", "threshold", "dropbear"],
    ]);
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(2);
    // Dropbear's failures are not charged to OpenSSH's penalty replay: it blocks as it does alone
    const alone = bruteForce(await alertsOf(attack.slice(0, 10).flatMap(openssh), { openssh: "9.8" }), "203.0.113.50");
    const replayed = alerts.find((a) => a.details?.basis === "simulated")!;
    expect([replayed.timestamp, replayed.details?.penalisedConnections]).toEqual([alone[0]!.timestamp, alone[0]!.details?.penalisedConnections]);
  });

  it("raises nothing for the same server's ordinary logins", async () => {
    const quiet: Connection[] = Array.from({ length: 10 }, (_, i) => ({ t: i * 600, ip: "192.0.2.10", port: 50000 + i, pid: 4000 + i, user: "admin", failures: 0, success: true }));
    expect(await alertsOf(quiet.flatMap(dropbear), {})).toEqual([]);
  });
});

describe("Dropbear's brute-force state across runs", () => {
  const options = {
    penalties: defaultPenaltyConfig("9.8"), maxRetry: 5, findTimeMs: 600_000, slowFailures: 10, slowWindowMs: 3_600_000, recidiveCount: 3, recidiveWindowMs: 86_400_000,
  };
  const failure = (seconds: number): HostEvent => ({
    action: "ssh_login", outcome: "failure", method: "password", user: "root", timestamp: T0 + seconds * 1000, file: "messages", line: seconds + 1,
    format: "syslog", host: "router", program: "dropbear", pid: 500 + seconds, sourceIp: "203.0.113.77", sourcePort: 40000 + seconds,
  });

  it("saves its failures beside OpenSSH's state and goes on from them in the next run", () => {
    const drafts: AlertDraft[] = [];
    const first = new SshBruteForceDetector((d) => drafts.push(d), options);
    for (const t of [0, 10, 20]) first.onEvent(failure(t));
    const state = JSON.parse(JSON.stringify(first.exportState())) as SshBruteForceState;
    expect(state.hosts).toEqual([]);
    expect(state.dropbear?.hosts.map(([name]) => name)).toEqual(["router"]);

    const resumed = new SshBruteForceDetector((d) => drafts.push(d), options);
    resumed.importState(state);
    for (const t of [30, 40]) resumed.onEvent(failure(t));
    resumed.finish();
    expect(drafts.map((d) => [d.ruleId, d.key, d.details?.basis, d.details?.failures])).toEqual([
      ["ssh-brute-force", `dropbear|router|203.0.113.77/32|${T0 + 40_000}`, "threshold", 5],
    ]);

    // without the saved state the second run sees two failures: no brute force
    const fresh: AlertDraft[] = [];
    const alone = new SshBruteForceDetector((d) => fresh.push(d), options);
    for (const t of [30, 40]) alone.onEvent(failure(t));
    alone.finish();
    expect(fresh).toEqual([]);
  });
});

describe("sshd-in-container names the server it saw", () => {
  const line = (program: string, extra: Partial<HostEvent> = {}): HostEvent => ({
    action: "ssh_login", outcome: "failure", timestamp: T0, file: "journal.json", line: 1, format: "journald", host: "box", program,
    container: { name: "edge" }, ...extra,
  });
  const messages = (event: HostEvent): string[] => {
    const drafts: AlertDraft[] = [];
    new SshdInContainerDetector((d) => drafts.push(d)).onEvent(event);
    return drafts.map((d) => `${d.message} [${String(d.details?.server)}]`);
  };

  it.each([
    ["a dropbear line", line("dropbear"), "dropbear runs inside container edge on box [dropbear]"],
    ["an sshd-session line", line("sshd-session"), "sshd runs inside container edge on box [sshd]"],
    ["a dropbear process start", line("runc", { action: "process_start", process: { executable: "/usr/sbin/dropbear", pid: 9 } }), "dropbear runs inside container edge on box [dropbear]"],
    ["an sshd process start", line("runc", { action: "process_start", process: { executable: "/usr/sbin/sshd", pid: 9 } }), "sshd runs inside container edge on box [sshd]"],
  ])("%s", (_name, event, expected) => {
    expect(messages(event)).toEqual([expected]);
  });

  it("raises nothing for another program's process in a container", () => {
    expect(messages(line("runc", { action: "process_start", process: { executable: "/usr/bin/dropbearkey", pid: 9 } }))).toEqual([]);
  });
});
