// The pure join on hand-made events: npm install scripts and their children, indicator
// addresses, DNS exfiltration in subdomains, unresolved names, installed copies.
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/types.js";
import { correlate } from "../../src/correlate/join.js";
import { installerOf, isInstallScriptDir } from "../../src/correlate/processes.js";
import { targetsOf } from "../../src/correlate/indicators.js";
import type { HostEvent } from "../../src/logs/events.js";

const T0 = Date.parse("2026-11-02T10:00:00Z");
const DAY = 86_400_000;

function finding(name: string, indicators: Finding["indicators"], ecosystem: "npm" | "pypi" = "npm"): Finding {
  return {
    ruleId: "credential-exfiltration", severity: "critical", category: "credential-exfiltration", message: "SSH private key sent by HTTPS",
    package: { ecosystem, name, version: "2.0.1" }, location: { file: "index.js", line: 26, column: 1 }, flow: [], indicators,
    attack: ["T1552.004", "T1041"], fingerprint: `fp-${name}`,
  };
}

let line = 0;
function ev(partial: Partial<HostEvent> & Pick<HostEvent, "action">, offsetMs: number): HostEvent {
  return { outcome: "success", timestamp: T0 + offsetMs, file: "audit.log", line: ++line, format: "auditd", host: "ci1", user: "builder", ...partial };
}

const npmTree = (): HostEvent[] => [
  ev({ action: "process_start", process: { pid: 100, ppid: 1, args: ["npm", "install"], cwd: "/srv/app" } }, 0),
  ev({ action: "process_start", process: { pid: 110, ppid: 100, args: ["sh", "-c", "node index.js"], cwd: "/srv/app/node_modules/node-sshkey-helper" } }, 1000),
  ev({ action: "process_start", process: { pid: 111, ppid: 110, args: ["node", "index.js"], cwd: "/srv/app/node_modules/node-sshkey-helper" } }, 1100),
  ev({ action: "access", filePath: "/home/builder/.ssh/id_rsa", process: { pid: 111, ppid: 110, name: "node" } }, 1200),
  ev({ action: "connection_attempted", destinationIp: "198.51.100.99", destinationPort: 443, process: { pid: 111, ppid: 110, name: "node" } }, 1300),
  // another package's install script: not ours
  ev({ action: "process_start", process: { pid: 120, ppid: 100, args: ["sh", "-c", "node-gyp rebuild"], cwd: "/srv/app/node_modules/better-sqlite3" } }, 2000),
  ev({ action: "access", filePath: "/home/builder/.npmrc", process: { pid: 120, ppid: 100, name: "sh" } }, 2100),
  ev({ action: "connection_attempted", destinationIp: "198.51.100.5", destinationPort: 443, process: { pid: 120, ppid: 100, name: "sh" } }, 2200),
];

describe("correlate(): install scripts", () => {
  it("ties the script's child, its key read and its connection to the package, and nothing of its neighbours", () => {
    const { incidents, statements } = correlate({
      findings: [{ file: "f.json", findings: [finding("node-sshkey-helper", [{ type: "domain", value: "keys.example.invalid" }])] }],
      events: npmTree(), alerts: [], installed: [], windowMs: 7 * DAY,
    });
    expect(incidents).toHaveLength(1);
    const steps = incidents[0]!.steps.map((s) => `${s.kind}:${s.evidence[0]!.line}:${s.confidence}`);
    expect(steps).toEqual(["install-script:2:high", "credential-read:4:high", "connection:5:medium"]);
    expect(incidents[0]!.steps[1]!.reason).toMatch(/child of the install script started at audit\.log:2/);
    expect(incidents[0]!.steps[2]!.title).toContain("198.51.100.99:443");
    expect(incidents[0]).toMatchObject({ host: "ci1", user: "builder", severity: "high", confidence: "medium" });
    // The domain never resolved in these logs: said so, and the connection is not claimed to be it.
    expect(statements.map((s) => s.kind)).toEqual(["unresolved", "not-observed"]);
  });
});

describe("correlate(): network indicators", () => {
  it("matches an indicator address and a DNS query carrying data in a subdomain", () => {
    const events = [
      ev({ action: "dns_query", format: "zeek-dns", host: undefined, user: undefined, sourceIp: "10.1.1.1", destinationDomain: "aGVsbG8.oast.example", answers: ["192.0.2.9"] }, 0),
      ev({ action: "connection_attempted", destinationIp: "203.0.113.7", destinationPort: 8443, process: { pid: 5, name: "python3" } }, 10),
    ];
    const { incidents } = correlate({
      findings: [{ file: "f.json", findings: [finding("beacon", [{ type: "domain", value: "oast.example" }, { type: "url", value: "https://203.0.113.7:8443/c" }], "pypi")] }],
      events, alerts: [], installed: [], windowMs: DAY,
    });
    const all = incidents.flatMap((i) => i.steps.map((s) => `${i.host} ${s.kind} ${s.attack.join(",")}`)).sort();
    expect(all).toEqual(["10.1.1.1 dns T1048.003", "ci1 connection T1041"]);
  });

  it("a sensor's DNS lookup joins the named host that connected to its answer seconds later", () => {
    const events = [
      ev({ action: "dns_query", format: "zeek-dns", host: undefined, user: undefined, sourceIp: "10.1.1.1", destinationDomain: "c2.example", answers: ["192.0.2.9"] }, 0),
      ev({ action: "connection_attempted", destinationIp: "192.0.2.9", destinationPort: 443, process: { pid: 5, name: "node" } }, 300),
    ];
    const { incidents } = correlate({
      findings: [{ file: "f.json", findings: [finding("p", [{ type: "domain", value: "c2.example" }])] }], events, alerts: [], installed: [], windowMs: DAY,
    });
    expect(incidents.map((i) => `${i.host} ${i.steps.map((s) => s.kind).join(",")}`)).toEqual(["ci1 dns,connection"]);
  });

  it("a package that reached nothing gives no incident and one precise statement", () => {
    const events = [ev({ action: "connection_attempted", destinationIp: "198.51.100.1", destinationPort: 443 }, 0), ev({ action: "connection_attempted", destinationIp: "198.51.100.2", destinationPort: 443 }, DAY)];
    const { incidents, statements } = correlate({
      findings: [{ file: "f.json", findings: [finding("quiet", [{ type: "ip", value: "203.0.113.50" }])] }], events, alerts: [], installed: [], windowMs: DAY,
    });
    expect(incidents).toEqual([]);
    expect(statements).toEqual([{ package: { ecosystem: "npm", name: "quiet", version: "2.0.1" }, indicator: "203.0.113.50", kind: "not-observed", text: "no connection to 203.0.113.50 in the given logs between 2026-11-02T10:00:00.000Z and 2026-11-03T10:00:00.000Z" }]);
  });

  it("an installed copy on disk dates the install in the story", () => {
    const events = [ev({ action: "connection_attempted", destinationIp: "203.0.113.50", destinationPort: 443, process: { pid: 9, name: "node" } }, 0)];
    const { incidents } = correlate({
      findings: [{ file: "f.json", findings: [finding("pkg", [{ type: "ip", value: "203.0.113.50" }])] }], events, alerts: [],
      installed: [{ package: { ecosystem: "npm", name: "pkg", version: "2.0.1" }, path: "/srv/app/node_modules/pkg/package.json", mtimeMs: T0 - 60_000 }], windowMs: DAY,
    });
    expect(incidents[0]!.steps.map((s) => `${s.kind} ${s.confidence}`)).toEqual(["install medium", "connection high"]);
    expect(incidents[0]!.gaps.some((g) => g.startsWith("the install itself"))).toBe(false);
  });
});

describe("helpers", () => {
  it("recognises package-manager installs through their wrappers", () => {
    expect(installerOf(["/usr/bin/python3", "-m", "pip", "install", "x"])).toBe("pip");
    expect(installerOf(["python3", "/venv/bin/pip", "install", "x"])).toBe("pip");
    expect(installerOf(["node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "install", "x"])).toBe("npm");
    expect(installerOf(["npm", "run", "build"])).toBeUndefined();
    expect(installerOf(["pip", "show", "x"])).toBeUndefined();
  });

  it("knows where install scripts run", () => {
    expect(isInstallScriptDir("/a/node_modules/@scope/pkg", { ecosystem: "npm", name: "@scope/pkg" })).toBe(true);
    expect(isInstallScriptDir("/a/node_modules/pkg-extra", { ecosystem: "npm", name: "pkg" })).toBe(false);
    expect(isInstallScriptDir("/tmp/pip-install-k2j3/ssh-decorate_1a2b3c4d", { ecosystem: "pypi", name: "ssh_decorate" })).toBe(true);
  });

  it("takes hosts and ports from URL indicators", () => {
    expect(targetsOf([finding("p", [{ type: "url", value: "http://ssh-decorate.cf/index.php" }, { type: "email", value: "x@mail.example" }, { type: "url", value: "https://[2001:db8::1]:9000/" }])])).toEqual({
      domains: ["mail.example", "ssh-decorate.cf"], ips: ["2001:db8::1"], ports: [80, 9000],
    });
  });
});
