// sshd output as it appears in the wild: line kinds and header variants across OpenSSH
// versions and platforms (forms from OpenSSH's auth.c, packet.c, sshd.c and auth-pam.c at
// the tags named; platform prefixes from Solaris syslog and rsyslog), what one line says
// about the next, and what a run over real directories must do with files it cannot read.
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isIP } from "node:net";
import { EcsFlat } from "@elastic/ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toEcs } from "../../src/logs/ecs.js";
import type { HostEvent } from "../../src/logs/events.js";
import { normaliseIp } from "../../src/logs/net.js";
import { syslogParser } from "../../src/logs/parsers/syslog.js";
import { run } from "./helpers.js";

function parse(lines: string[]): HostEvent[] {
  const session = syslogParser.open({ file: "auth.log", referenceMs: Date.parse("2024-12-31T00:00:00Z"), offsetMinutes: 0 });
  const out: HostEvent[] = [];
  lines.forEach((line, i) => session.line(line, i + 1, 0, out));
  return out;
}

const one = (line: string): Partial<HostEvent> => {
  const [event] = parse([line]);
  return event ? { action: event.action, outcome: event.outcome, sourceIp: event.sourceIp, sourceDomain: event.sourceDomain, user: event.user } : {};
};

describe("sshd line kinds", () => {
  it.each([
    ["Mar 29 05:59:23 sol sshd[20878]: [ID 800047 auth.info] Failed keyboard-interactive for carol from 203.0.113.9 port 42742 ssh2", "ssh_login", "failure", "203.0.113.9"],
    ["Apr 30 01:42:12 mac sshd[2554]: Failed keyboard-interactive/pam for invalid user dave from 203.0.113.10 port 33723 ssh2", "ssh_login", "failure", "203.0.113.10"],
    ["Feb 25 14:34:11 h sshd[31603]: Failed password for invalid user ROOT from 2001:db8:cc::1:1", "ssh_login", "failure", "2001:db8:cc::1:1"],
    ["Sep 29 16:28:02 h sshd[16699]: Failed password for dan from 127.0.0.1 port 45416 ssh1", "ssh_login", "failure", "127.0.0.1"],
    ["Jan  5 01:31:41 h sshd[1643]: ROOT LOGIN REFUSED FROM ::ffff:198.51.100.4", "ssh_not_allowed", "failure", "198.51.100.4"],
    ["Nov 11 23:33:27 h sshd[5174]: refused connect from host@::ffff:198.51.100.161 (::ffff:198.51.100.161)", "ssh_refused_connect", "failure", "198.51.100.161"],
    ["Apr 29 17:16:20 mac sshd[62312]: error: PAM: authentication error for james from 198.51.100.201 via 192.168.1.201", "ssh_pam_auth_failure", "failure", "198.51.100.201"],
    ["Jun 21 16:47:48 h sshd[13709]: error: PAM: Authentication failure for eve from 192.030.0.6", "ssh_pam_auth_failure", "failure", "192.30.0.6"],
    ["Jul 20 14:42:11 h sshd[22708]: Illegal user ftp from 192.0.2.1", "ssh_invalid_user", "failure", "192.0.2.1"],
    ["Aug 21 10:00:00 h sshd[1]: Did not receive identification string from 192.0.2.7 port 51000", "ssh_no_identification", "failure", "192.0.2.7"],
    ["Aug 21 10:00:00 h sshd[1]: Bad protocol version identification 'GET / HTTP/1.1' from 192.0.2.8 port 51001", "ssh_bad_protocol", "failure", "192.0.2.8"],
    ["Aug 21 10:00:00 h sshd[1]: Unable to negotiate with 192.0.2.9 port 51002: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]", "ssh_negotiation_failure", "failure", "192.0.2.9"],
    ["Aug 21 10:00:00 h sshd[1]: banner exchange: Connection from 192.0.2.10 port 51003: invalid format", "ssh_kex_failure", "failure", "192.0.2.10"],
    ["Aug 21 10:00:00 h sshd[1]: ssh_dispatch_run_fatal: Connection from 192.0.2.11 port 51004: message authentication code incorrect [preauth]", "ssh_kex_failure", "failure", "192.0.2.11"],
    ["Aug 21 10:00:00 h sshd[1]: Disconnecting invalid user xxx 192.0.2.12 port 49941: Too many authentication failures [preauth]", "ssh_disconnect", "failure", "192.0.2.12"],
    ["Aug 21 10:00:00 h sshd[1]: error: Received disconnect from 192.0.2.13 port 1684:14: No supported authentication methods available [preauth]", "ssh_disconnect", "failure", "192.0.2.13"],
    ["Aug 21 10:00:00 h sshd[1]: Received disconnect from 192.0.2.14 port 1685:11: disconnected by user", "ssh_disconnect", "unknown", "192.0.2.14"],
    ["Mar  3 00:17:22 [sshd]: User root from 192.0.2.15 not allowed because not listed in AllowUsers", "ssh_not_allowed", "failure", "192.0.2.15"],
    ["Jun 25 23:53:34 [sshd] User root from 192.0.2.16 not allowed because not listed in AllowUsers", "ssh_not_allowed", "failure", "192.0.2.16"],
    ["Nov 23 21:50:19 sshd[8148]: Invalid user bob from 192.0.2.17 port 4000", "ssh_invalid_user", "failure", "192.0.2.17"],
    ["Nov 23 21:50:19 h sshd(pam_unix)[8148]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=192.0.2.18", undefined, undefined, undefined],
    // RFC 5424 structured data whose quoted value holds an unescaped "]" (fail2ban tests/files/logs/sshd, gh-2309)
    ['<38>1 2019-07-08T17:40:17.954167-04:00 hostname.example.com sshd 55555 - [timeQuality tzKnown="1" isSynced="0"][xxx@123 test="[brackets]"] Failed unknown for invalid user redmond from 192.0.2.2 port 55555 ssh2', "ssh_login", "failure", "192.0.2.2"],
    ['<38>1 2019-07-08T17:40:16.954167-04:00 hostname.example.com sshd 57915 - - Failed unknown for invalid user redmond from 192.0.2.1 port 59197 ssh2', "ssh_login", "failure", "192.0.2.1"],
  ])("%s", (line, action, outcome, ip) => {
    const event = one(line);
    expect(event.action).toBe(action);
    expect(event.outcome).toBe(outcome);
    expect(event.sourceIp).toBe(ip);
  });

  // Every auth method sshd logs through auth.c auth_log() ("%s %s%s%s for %s%.100s from %.200s
  // port %d ssh2%s%s", V_9_9_P1): hostbased appends auth2-hostbased.c's "client user …, client
  // host …" record, not a key; gssapi-with-mic appends nothing.
  it("reads hostbased and gssapi-with-mic outcomes like the other methods", () => {
    const events = parse([
      'Aug 21 10:00:00 h sshd[40]: Accepted hostbased for alice from 192.0.2.40 port 40022 ssh2: client user "alice", client host "ws1.example.com"',
      "Aug 21 10:00:00 h sshd[41]: Accepted gssapi-with-mic for alice from 192.0.2.41 port 40023 ssh2",
      "Aug 21 10:00:00 h sshd[42]: Failed gssapi-with-mic for invalid user bob from 192.0.2.42 port 40024 ssh2",
      'Aug 21 10:00:00 h sshd[43]: Failed hostbased for carol from 192.0.2.43 port 40025 ssh2: client user "carol", client host "ws2.example.com"',
    ]);
    expect(events.map((e) => [e.action, e.outcome, e.method, e.user, e.invalidUser, e.sourceIp, e.sourcePort, e.keyType])).toEqual([
      ["ssh_login", "success", "hostbased", "alice", undefined, "192.0.2.40", 40022, undefined],
      ["ssh_login", "success", "gssapi-with-mic", "alice", undefined, "192.0.2.41", 40023, undefined],
      ["ssh_login", "failure", "gssapi-with-mic", "bob", true, "192.0.2.42", 40024, undefined],
      ["ssh_login", "failure", "hostbased", "carol", undefined, "192.0.2.43", 40025, undefined],
    ]);
  });

  // kex.c kex_exchange_identification() (V_8_2_P1 on) names no address: the pid's earlier line
  // does. packet.c's "Read from socket failed: %.100s" (OpenSSH <= 7.x) ends a connection.
  it("reads kex_exchange_identification (its peer from the pid) and the old Read from socket failed", () => {
    const events = parse([
      "Aug 21 10:00:00 h sshd[44]: Connection from 192.0.2.44 port 40026 on 10.0.0.2 port 22",
      "Aug 21 10:00:01 h sshd[44]: kex_exchange_identification: Connection closed by remote host",
      'Aug 21 10:00:02 h sshd[45]: kex_exchange_identification: client sent invalid protocol identifier "GET / HTTP/1.1"',
      "Aug 21 10:00:03 h sshd[46]: fatal: Read from socket failed: Connection reset by peer [preauth]",
    ]);
    expect(events.slice(1).map((e) => [e.action, e.outcome, e.sourceIp, e.reason, e.phase])).toEqual([
      ["ssh_kex_failure", "failure", "192.0.2.44", "kex_exchange_identification: Connection closed by remote host", undefined],
      ["ssh_kex_failure", "failure", undefined, 'kex_exchange_identification: client sent invalid protocol identifier "GET / HTTP/1.1"', undefined],
      ["ssh_disconnect", "unknown", undefined, "Read from socket failed: Connection reset by peer", "preauth"],
    ]);
  });

  it("puts a hostname sshd logged (UseDNS) in source.domain, never in source.ip", () => {
    const event = one("May 29 20:56:52 h sshd[28732]: error: PAM: Authentication failure for stefan from Example.COM");
    expect(event).toMatchObject({ action: "ssh_pam_auth_failure", sourceDomain: "example.com" });
    expect(event.sourceIp).toBeUndefined();
  });

  it("gives a line that names no address the peer its process logged before", () => {
    const events = parse([
      "Nov 28 09:16:05 srv sshd[32310]: Failed password for git from 192.0.2.111 port 57910 ssh2",
      "Nov 28 09:16:05 srv sshd[32399]: Failed password for git from 192.0.2.200 port 57999 ssh2",
      "Nov 28 09:16:05 srv sshd[32310]: Disconnecting: Too many authentication failures for git [preauth]",
    ]);
    expect(events[2]).toMatchObject({ action: "ssh_disconnect", outcome: "failure", user: "git", sourceIp: "192.0.2.111", phase: "preauth" });
  });

  it("counts every failure rsyslog folded into 'message repeated N times'", () => {
    const events = parse(["Aug 21 10:00:00 h sshd[9]: message repeated 4 times: [ Failed password for root from 192.0.2.30 port 22 ssh2]"]);
    expect(events).toHaveLength(4);
    expect(new Set(events.map((e) => e.sourceIp))).toEqual(new Set(["192.0.2.30"]));
  });

  it("reads the listener's grace timeout in both orders OpenSSH printed it (9.8: local first; 9.9+: remote first)", () => {
    // 9.9+ (sshd.c V_9_9_P1: "connection from %s to %s", raddr, laddr)
    expect(parse(["Aug 21 10:00:00 h sshd[5]: Timeout before authentication for connection from 198.51.100.7 to 10.0.0.2, pid = 4242"])[0]).toMatchObject({
      action: "ssh_grace_timeout", sourceIp: "198.51.100.7", destinationIp: "10.0.0.2", process: { pid: 4242 },
    });
    // 9.8 (V_9_8_P1: laddr, raddr): the server's own address recurs with different peers.
    const events = parse([
      "Aug 21 10:00:00 h sshd[5]: Timeout before authentication for connection from 10.0.0.2 to 198.51.100.7, pid = 4242",
      "Aug 21 10:00:30 h sshd[5]: Timeout before authentication for connection from 10.0.0.2 to 198.51.100.8, pid = 4243",
      "Aug 21 10:01:00 h sshd[5]: Timeout before authentication for connection from 10.0.0.2 to 198.51.100.9, pid = 4244",
    ]);
    expect(events.slice(1).map((e) => e.sourceIp)).toEqual(["198.51.100.8", "198.51.100.9"]);
    // A VERBOSE "Connection from … on <local>" line settles it from the first timeout on.
    const oriented = parse([
      "Aug 21 09:59:00 h sshd-session[4242]: Connection from 198.51.100.7 port 5000 on 10.0.0.2 port 22 rdomain \"\"",
      "Aug 21 10:00:00 h sshd[5]: Timeout before authentication for connection from 10.0.0.2 to 198.51.100.7, pid = 4242",
    ]);
    expect(oriented[1]).toMatchObject({ sourceIp: "198.51.100.7", destinationIp: "10.0.0.2" });
  });
});

describe("normaliseIp", () => {
  it.each([
    ["192.030.0.6", "192.30.0.6"],
    ["::FFFF:1.2.3.4", "1.2.3.4"],
    ["[2001:DB8:0:0:0:0:0:1]", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
    ["example.com", undefined],
    ["256.1.1.1", undefined],
  ])("%s → %s", (input, expected) => expect(normaliseIp(input)).toBe(expected));
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "exfilscan-wild-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("inputs as found on a host", () => {
  it("looks past comment lines to detect the format, and does not count them as unparseable", async () => {
    const file = join(dir, "annotated.log");
    writeFileSync(file, `# an annotated excerpt\n# expect: failure\n\n${"Aug 21 10:00:00 h sshd[7]: Failed password for root from 192.0.2.40 port 1 ssh2\n".repeat(2)}`);
    const { result, events } = await run([file], { referenceTime: "2024-12-31T00:00:00Z" });
    expect(result.inputs[0]).toMatchObject({ format: "syslog", unparseable: 0 });
    expect(events).toHaveLength(2);
  });

  it("says a file that is no known log was skipped, without failing the run, when other inputs were read", async () => {
    const dpkg = join(dir, "dpkg.log");
    writeFileSync(dpkg, "2024-08-21 10:00:00 startup archives unpack\n2024-08-21 10:00:01 install foo:amd64 <none> 1.0\n");
    const auth = join(dir, "auth.log");
    writeFileSync(auth, "Aug 21 10:00:00 h sshd[7]: Invalid user x from 192.0.2.41 port 1\n");
    const { result } = await run([dir], { referenceTime: "2024-12-31T00:00:00Z" });
    expect(result.errors).toEqual([]);
    expect(result.readable).toBe(1);
    const skipped = result.inputs.find((i) => i.input.endsWith("dpkg.log"));
    expect(skipped).toMatchObject({ format: "unrecognised" });
    expect(skipped?.note).toMatch(/not a log format exfilscan reads/);
  });

  it("reads Zeek logs that share their header lines as different logs", async () => {
    const zeek = join(import.meta.dirname, "..", "..", "fixtures", "logs", "zeek");
    const { result } = await run([join(zeek, "conn.log"), join(zeek, "ssh.log")], { referenceTime: "2024-12-31T00:00:00Z" });
    expect(result.inputs.map((i) => i.duplicateOf)).toEqual([undefined, undefined]);
    expect(result.inputs.every((i) => i.events > 0)).toBe(true);
  });

  it("still takes a renamed copy of the same log for the same log", async () => {
    const a = join(dir, "auth.log");
    const b = join(dir, "auth.log.1");
    const body = "# header\nAug 21 10:00:00 h sshd[7]: Invalid user x from 192.0.2.41 port 1\n";
    writeFileSync(a, body);
    writeFileSync(b, body);
    const { result } = await run([a, b], { referenceTime: "2024-12-31T00:00:00Z" });
    expect(result.inputs[1]!.duplicateOf).toBe(a);
  });

  it("says when the logs are shorter than the learning window instead of a bare 'no alerts'", async () => {
    const file = join(dir, "auth.log");
    writeFileSync(file, "Aug 21 10:00:00 h sshd[7]: Accepted publickey for alice from 192.0.2.42 port 1 ssh2\n");
    const { result } = await run([file], { referenceTime: "2024-12-31T00:00:00Z" });
    expect(result.learning).toMatchObject({ newest: "2024-08-21T10:00:00.000Z" });
    const { result: none } = await run([file], { referenceTime: "2024-12-31T00:00:00Z", learningWindow: "0s" });
    expect(none.learning).toBeUndefined();
  });
});

// ECS validity: every field every log fixture produces is an ECS field of the right type
// (from Elastic's published field definitions), or one of the two documented extension
// namespaces; categorisation values are ECS allowed values, in allowed combinations.
type FieldDef = { type: string; allowed_values?: { name: string; expected_event_types?: string[] }[] };
const FIELDS = EcsFlat as unknown as Record<string, FieldDef>;
// user.audit.* is Auditbeat's auditd-module field for the login uid (auid), which ECS core lacks.
const EXTENSIONS = ["exfilscan.", "system.auth.ssh.", "user.audit."];

function flatten(doc: Record<string, unknown>, prefix = "", out: [string, unknown][] = []): [string, unknown][] {
  for (const [key, value] of Object.entries(doc)) {
    const path = prefix + key;
    if (value && typeof value === "object" && !Array.isArray(value) && !path.startsWith("exfilscan.")) flatten(value as Record<string, unknown>, `${path}.`, out);
    else out.push([path, value]);
  }
  return out;
}

function typeOk(type: string, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.every((v) => {
    switch (type) {
      case "ip": return typeof v === "string" && isIP(v) !== 0;
      case "long": return Number.isInteger(v);
      case "date": return typeof v === "string" && !Number.isNaN(Date.parse(v));
      case "boolean": return typeof v === "boolean";
      case "keyword": case "wildcard": case "match_only_text": case "constant_keyword": return typeof v === "string";
      default: return true;
    }
  });
}

function logFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const full = join(root, name);
    if (statSync(full).isDirectory()) return logFiles(full);
    return name.endsWith(".expect.json") ? [] : [full];
  });
}

describe("ECS validity of --events", () => {
  it("emits only ECS fields with ECS types and allowed categorisation, for every log fixture", async () => {
    const { events } = await run(logFiles(join(import.meta.dirname, "..", "..", "fixtures", "logs")), { referenceTime: "2026-12-31T00:00:00Z" });
    expect(events.length).toBeGreaterThan(100);
    const problems = new Set<string>();
    const categories = FIELDS["event.category"]!.allowed_values!;
    for (const event of events) {
      const doc = toEcs(event);
      for (const [path, value] of flatten(doc)) {
        if (EXTENSIONS.some((p) => path.startsWith(p))) continue;
        const field = FIELDS[path];
        if (!field) problems.add(`${event.action}: ${path} is not an ECS field`);
        else if (!typeOk(field.type, value)) problems.add(`${event.action}: ${path}=${JSON.stringify(value)} is not ${field.type}`);
        else if (field.allowed_values && !(Array.isArray(value) ? value : [value]).every((v) => field.allowed_values!.some((a) => a.name === v))) problems.add(`${event.action}: ${path}=${JSON.stringify(value)} not allowed`);
      }
      const ev = doc["event"] as { category: string[]; type: string[] };
      for (const category of ev.category) {
        const expected = categories.find((c) => c.name === category)?.expected_event_types ?? [];
        for (const type of ev.type) if (!expected.includes(type)) problems.add(`${event.action}: event.type ${type} not expected with category ${category}`);
      }
    }
    expect([...problems]).toEqual([]);
  });
});
