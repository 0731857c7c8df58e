import { describe, expect, it } from "vitest";
import type { HostEvent } from "../../src/logs/events.js";
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
