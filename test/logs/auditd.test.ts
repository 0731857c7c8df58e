import { describe, expect, it } from "vitest";
import type { HostEvent } from "../../src/logs/events.js";
import { toEcs } from "../../src/logs/ecs.js";
import { actorOf } from "../../src/logs/events.js";
import { auditdParser, decodeSockaddr, decodeValue, parseFields } from "../../src/logs/parsers/auditd.js";

function parse(lines: string[]): HostEvent[] {
  const session = auditdParser.open({ file: "audit.log", referenceMs: 0, offsetMinutes: 0 });
  const out: HostEvent[] = [];
  lines.forEach((line, i) => session.line(line, i + 1, 0, out));
  session.end(out);
  return out;
}

describe("SOCKADDR decoding", () => {
  it("decodes AF_INET (family little-endian, port big-endian)", () => {
    expect(decodeSockaddr("02000050A9FEA9FE0000000000000000")).toEqual({ family: "inet", port: 80, address: "169.254.169.254" });
    expect(decodeSockaddr("0200E31C4853E664")).toEqual({ family: "inet", port: 58140, address: "72.83.230.100" });
  });

  it("decodes AF_INET6 with RFC 5952 compression and unmaps IPv4-mapped addresses", () => {
    expect(decodeSockaddr("0A0000160000000020010DB800000000000000000000002200000000")).toEqual({ family: "inet6", port: 22, address: "2001:db8::22" });
    expect(decodeSockaddr("0A0001BB00000000FE800000000000000211223344556677000000000")).toMatchObject({ address: "fe80::211:2233:4455:6677", port: 443 });
    expect(decodeSockaddr("0A00001600000000" + "00000000000000000000FFFF0A000014" + "00000000")).toEqual({ family: "inet6", port: 22, address: "10.0.0.20" });
  });

  it("decodes AF_UNIX paths (abstract ones with @) and rejects junk", () => {
    expect(decodeSockaddr("01002F7661722F72756E2F6E7363642F736F636B657400")).toEqual({ family: "local", path: "/var/run/nscd/socket" });
    expect(decodeSockaddr("0100006162630000")).toEqual({ family: "local", path: "@abc" });
    expect(decodeSockaddr("zz")).toBeUndefined();
  });
});

describe("hex-encoded values", () => {
  it("decodes bare uppercase hex, keeps quoted values literal", () => {
    expect(decodeValue("2F7573722F62696E2F707974686F6E322E373B3538643163636662202864656C6574656429")).toBe("/usr/bin/python2.7;58d1ccfb (deleted)");
    expect(decodeValue('"ABCD"')).toBe("ABCD");
    expect(decodeValue("(null)")).toBeUndefined();
    expect(decodeValue("756E616D65002D61", true)).toBe("uname -a");
  });

  it("reads enriched fields after the GS separator", () => {
    const fields = parseFields('auid=1000 uid=0 comm="bash"\x1dAUID="alice" UID="root"');
    expect(fields.get("AUID")).toBe('"alice"');
    expect(fields.get("comm")).toBe('"bash"');
  });
});

describe("record grouping", () => {
  const syscall = (serial: number, extra: string): string =>
    `type=SYSCALL msg=audit(1700000000.500:${serial}): arch=c000003e ${extra} items=1 ppid=10 pid=11 auid=1000 uid=1000 comm="x" exe="/usr/bin/ssh"`;

  it("joins EXECVE arguments split into aN[i] chunks and decodes hex arguments", () => {
    const long = Buffer.from("a long argument with spaces").toString("hex").toUpperCase();
    const events = parse([
      syscall(1, "syscall=59 success=yes exit=0"),
      `type=EXECVE msg=audit(1700000000.500:1): argc=3 a0="ssh" a1=${Buffer.from("-o Opt=1").toString("hex").toUpperCase()}`,
      `type=EXECVE msg=audit(1700000000.500:1): a2_len=27 a2[0]=${long.slice(0, 20)} a2[1]=${long.slice(20)}`,
      "type=EOE msg=audit(1700000000.500:1): ",
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "process_start", lines: [1, 2, 3, 4], process: { args: ["ssh", "-o Opt=1", "a long argument with spaces"] } });
    expect(events[0]!.timestamp).toBe(1_700_000_000_500);
  });

  it("ends a group when another serial starts, without EOE", () => {
    const events = parse([
      syscall(1, "syscall=42 success=yes exit=0"),
      "type=SOCKADDR msg=audit(1700000000.500:1): saddr=020000160A0000140000000000000000",
      syscall(2, "syscall=42 success=no exit=-111"),
      "type=SOCKADDR msg=audit(1700000000.500:2): saddr=020000160A0000150000000000000000",
    ]);
    expect(events.map((e) => [e.destinationIp, e.outcome, e.lines])).toEqual([
      ["10.0.0.20", "success", [1, 2]],
      ["10.0.0.21", "failure", [3, 4]],
    ]);
  });

  it("counts non-audit lines as unparseable without failing", () => {
    const session = auditdParser.open({ file: "a", referenceMs: 0, offsetMinutes: 0 });
    const out: HostEvent[] = [];
    expect(session.line("\u0000\u0001 binary junk", 1, 0, out)).toBe("unparseable");
    expect(session.line("type=LOGIN msg=audit(1700000000.500:9): pid=1", 2, 0, out)).toBe("skipped");
    expect(out).toEqual([]);
  });
});

describe("auditd users, renames and PAM records", () => {
  it("keeps the process's uid as user.id and the login uid (auid) as user.audit.id; euid when it differs", () => {
    const [event] = parse([
      'type=SYSCALL msg=audit(1724234500.000:1): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=1 a2=10 a3=0 items=0 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=3 comm="curl" exe="/usr/bin/curl" key=(null)\x1dARCH=x86_64 SYSCALL=connect AUID="alice" UID="root" EUID="root"',
      "type=SOCKADDR msg=audit(1724234500.000:1): saddr=020001BB0A0000140000000000000000",
      "type=EOE msg=audit(1724234500.000:1): ",
    ]);
    expect(event).toMatchObject({ userId: "0", user: "root", auditUserId: "1000", auditUser: "alice" });
    expect(toEcs(event!)).toMatchObject({ user: { id: "0", name: "root", audit: { id: "1000", name: "alice" } } });
    const [daemon] = parse([
      'type=SYSCALL msg=audit(1724234500.000:2): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=1 a2=10 a3=0 items=0 ppid=1 pid=2 auid=4294967295 uid=33 gid=33 euid=0 suid=0 fsuid=0 egid=33 sgid=33 fsgid=33 tty=(none) ses=4294967295 comm="x" exe="/usr/bin/x" key=(null)',
      "type=SOCKADDR msg=audit(1724234500.000:2): saddr=020001BB0A0000140000000000000000",
    ]);
    expect(daemon).toMatchObject({ userId: "33", effectiveUserId: "0" });
    expect(daemon!.auditUserId).toBeUndefined();
    expect(actorOf(daemon!)).toEqual({ id: "33" });
    expect(actorOf(event!)).toEqual({ name: "alice", id: "1000" });
  });

  it("reports a rename's source and destination paths (the replaced target is not the source)", () => {
    const events = parse([
      'type=SYSCALL msg=audit(1724235000.000:7): arch=c000003e syscall=82 success=yes exit=0 a0=1 a1=2 a2=0 a3=0 items=5 ppid=1 pid=5000 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="node" exe="/usr/bin/node" key="authkeys"',
      'type=CWD msg=audit(1724235000.000:7): cwd="/home/alice"',
      'type=PATH msg=audit(1724235000.000:7): item=0 name="/tmp/" inode=1 dev=08:01 mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT',
      'type=PATH msg=audit(1724235000.000:7): item=1 name=".ssh/" inode=2 dev=08:01 mode=040700 ouid=1000 ogid=1000 rdev=00:00 nametype=PARENT',
      'type=PATH msg=audit(1724235000.000:7): item=2 name="/tmp/k" inode=3 dev=08:01 mode=0100600 ouid=1000 ogid=1000 rdev=00:00 nametype=DELETE',
      'type=PATH msg=audit(1724235000.000:7): item=3 name=".ssh/authorized_keys" inode=4 dev=08:01 mode=0100600 ouid=1000 ogid=1000 rdev=00:00 nametype=DELETE',
      'type=PATH msg=audit(1724235000.000:7): item=4 name=".ssh/authorized_keys" inode=3 dev=08:01 mode=0100600 ouid=1000 ogid=1000 rdev=00:00 nametype=CREATE',
      "type=EOE msg=audit(1724235000.000:7): ",
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "rename", filePath: "/home/alice/.ssh/authorized_keys", oldFilePath: "/tmp/k" });
    expect(toEcs(events[0]!)).toMatchObject({ file: { path: "/home/alice/.ssh/authorized_keys" }, exfilscan: { old_path: "/tmp/k" } });
  });

  it("turns USER_AUTH and USER_LOGIN into authentication events with the client address and the account tried", () => {
    const events = parse([
      "type=USER_AUTH msg=audit(1724235100.000:300): pid=5100 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=PAM:authentication grantors=? acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=203.0.113.50 addr=203.0.113.50 terminal=ssh res=failed'",
      "type=USER_LOGIN msg=audit(1724235101.000:301): pid=5100 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=login acct=\"(unknown)\" exe=\"/usr/sbin/sshd\" hostname=? addr=::ffff:203.0.113.51 terminal=sshd res=failed'",
      "type=USER_LOGIN msg=audit(1724235102.000:302): pid=5200 uid=0 auid=1000 ses=7 msg='op=login id=1000 exe=\"/usr/sbin/sshd\" hostname=ws1.example.org addr=? terminal=/dev/pts/0 res=success'",
    ]);
    expect(events.map((e) => [e.action, e.outcome, e.user, e.userId, e.sourceIp, e.sourceDomain])).toEqual([
      ["user_authentication", "failure", "root", undefined, "203.0.113.50", undefined],
      ["user_login", "failure", undefined, undefined, "203.0.113.51", undefined],
      ["user_login", "success", undefined, "1000", undefined, "ws1.example.org"],
    ]);
    expect(events[2]).toMatchObject({ auditUserId: "1000", process: { executable: "/usr/sbin/sshd", pid: 5200 } });
    expect(toEcs(events[0]!)).toMatchObject({ event: { category: ["authentication"], outcome: "failure", action: "user_authentication" }, source: { ip: "203.0.113.50" } });
  });
});
