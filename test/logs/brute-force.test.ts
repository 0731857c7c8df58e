// ssh-brute-force episodes: sshd's own PerSourcePenalties lines as ground truth, one alert per
// source per episode (updated, never repeated), and releases without PerSourcePenalties
// (< 9.8: Ubuntu 22.04's 8.9, 24.04's 9.6) judged by fail2ban's default jail (maxretry 5,
// findtime 10 min: fail2ban config/jail.conf [DEFAULT]).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateStore } from "../../src/logs/store.js";
import { defaultPenaltyConfig, normaliseOpenSshVersion } from "../../src/logs/penalties.js";
import { SshBruteForceDetector } from "../../src/logs/detectors/ssh-brute-force.js";
import type { HostEvent } from "../../src/logs/events.js";
import { run, type FixtureOptions } from "./helpers.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "exfilscan-bf-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse("2024-08-21T10:00:00Z");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function stamp(seconds: number): string {
  const d = new Date(T0 + seconds * 1000);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** One failed-password connection from `ip` ending at `t` seconds (pid distinct per connection). */
function failedConnection(t: number, ip: string, pid: number): string[] {
  return [
    `${stamp(t)} srv sshd-session[${pid}]: Failed password for root from ${ip} port ${40000 + (pid % 20000)} ssh2`,
    `${stamp(t)} srv sshd-session[${pid}]: Connection closed by authenticating user root ${ip} port ${40000 + (pid % 20000)} [preauth]`,
  ];
}

async function alertsFor(lines: string[], options: FixtureOptions = {}, store?: StateStore) {
  const file = join(dir, `auth-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  const { result } = await run([file], { referenceTime: "2024-08-22T00:00:00Z", ...options }, store ? { store } : {});
  return result.alerts;
}

describe("ssh-brute-force from sshd's own PerSourcePenalties lines", () => {
  it("alerts on a block sshd logged even when the replay with default settings would not block", async () => {
    // Two failed connections 10 s apart never block with 9.8 defaults (5 s each), but this
    // server runs authfail:30s and says so: "new … active" and drops are ground truth.
    const lines = [
      ...failedConnection(0, "198.51.100.7", 5001),
      ...failedConnection(10, "198.51.100.7", 5002),
      `${stamp(10)} srv sshd[700]: srclimit_penalise: ipv4: new 198.51.100.7/32 active penalty of 30 seconds for penalty: failed authentication`,
      `${stamp(12)} srv sshd[700]: drop connection #0 from [198.51.100.7]:40101 on [10.0.0.1]:22 penalty: failed authentication`,
      `${stamp(20)} srv sshd[700]: drop connection #0 from [198.51.100.7]:40102 on [10.0.0.1]:22 penalty: failed authentication`,
    ];
    const alerts = await alertsFor(lines);
    expect(alerts.map((a) => a.ruleId)).toEqual(["ssh-brute-force"]);
    expect(alerts[0]!.source).toEqual({ ip: "198.51.100.7" });
    expect(alerts[0]!.details).toMatchObject({ basis: "logged", observedDrops: 2, loggedPenaltyLines: 3, blockedUntil: new Date(T0 + 40_000).toISOString() });
    expect(alerts[0]!.message).toContain("sshd's PerSourcePenalties blocked 198.51.100.7/32");
  });

  it("ignores drop lines that are not penalties (MaxStartups) and deferred entries", async () => {
    const alerts = await alertsFor([
      `${stamp(0)} srv sshd[700]: srclimit_penalise: ipv4: new 198.51.100.8/32 deferred penalty of 5 seconds for penalty: failed authentication`,
      `${stamp(1)} srv sshd[700]: drop connection #10 from [198.51.100.8]:40001 on [10.0.0.1]:22 past Maxstartups`,
    ]);
    expect(alerts).toEqual([]);
  });
});

describe("one ssh-brute-force alert per source per episode", () => {
  it("a guesser going on for 10 minutes (blocked and released again and again) is one alert, with every block counted", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 600; i++) lines.push(...failedConnection(i, "203.0.113.5", 6000 + i));
    const alerts = await alertsFor(lines);
    const brute = alerts.filter((a) => a.ruleId === "ssh-brute-force");
    expect(brute).toHaveLength(1);
    expect((brute[0]!.details as { blocks: number }).blocks).toBeGreaterThan(1);
    const recidivists = alerts.filter((a) => a.ruleId === "ssh-penalty-recidivist");
    expect(recidivists).toHaveLength(1);
    // sshd logged none of these blocks: only the replay says so, and the alert says it that way
    expect(recidivists[0]!.message).toMatch(/^OpenSSH 9\.8 PerSourcePenalties, replayed over the log, would block 203\.0\.113\.5\/32 \d+ times/);
    expect(recidivists[0]!.message).not.toMatch(/ blocked \d+ times/);
    expect(recidivists[0]!.details).toMatchObject({ basis: "simulated", openssh: "9.8" });
    expect(alerts.filter((a) => a.ruleId === "ssh-slow-brute-force")).toHaveLength(0);
  });

  it("blocks sshd logged itself make a recidivist worded as blocks, with basis logged", async () => {
    const lines = [0, 1200, 2400].map((t) => `${stamp(t)} srv sshd[100]: srclimit_penalise: 198.51.100.7/32: activating ipv4 penalty of 30 seconds for penalty: failed authentication`);
    const alerts = await alertsFor(lines);
    const recidivists = alerts.filter((a) => a.ruleId === "ssh-penalty-recidivist");
    expect(recidivists).toHaveLength(1);
    expect(recidivists[0]!.message).toMatch(/^198\.51\.100\.7\/32 blocked 3 times on srv within 24 h \(sshd logged the latest block itself\)/);
    expect(recidivists[0]!.details).toMatchObject({ basis: "logged" });
  });

  it("a new burst after a quiet findtime is a new episode", async () => {
    const lines = [0, 1, 2, 3].flatMap((t) => failedConnection(t, "203.0.113.6", 7000 + t));
    lines.push(...[1200, 1201, 1202, 1203].flatMap((t) => failedConnection(t, "203.0.113.6", 7100 + t)));
    const alerts = await alertsFor(lines);
    expect(alerts.filter((a) => a.ruleId === "ssh-brute-force").map((a) => a.timestamp)).toEqual([
      new Date(T0 + 3000).toISOString(), new Date(T0 + 1203_000).toISOString(),
    ]);
  });

  it("a slow guesser is one ssh-slow-brute-force alert however long it goes on", async () => {
    // one failed connection every 6 s for an hour: never blocked (5 s authfail drains first)
    const lines: string[] = [];
    for (let i = 0; i < 600; i++) lines.push(...failedConnection(i * 6, "203.0.113.7", 8000 + i));
    const alerts = await alertsFor(lines);
    expect(alerts.map((a) => a.ruleId)).toEqual(["ssh-slow-brute-force"]);
    expect(alerts[0]!.message).toContain("failed 600 logins");
  });

  it("an episode that goes on in the next run updates the same alert (same fingerprint) instead of adding one", async () => {
    const store = new StateStore(":memory:");
    try {
      const file = join(dir, "auth.log");
      const first: string[] = [];
      for (let i = 0; i < 20; i++) first.push(...failedConnection(i, "203.0.113.9", 9000 + i));
      writeFileSync(file, `${first.join("\n")}\n`);
      const one = (await run([file], { referenceTime: "2024-08-22T00:00:00Z" }, { store })).result.alerts.filter((a) => a.ruleId === "ssh-brute-force");
      const more: string[] = [];
      for (let i = 20; i < 40; i++) more.push(...failedConnection(i, "203.0.113.9", 9000 + i));
      writeFileSync(file, `${[...first, ...more].join("\n")}\n`);
      const second = (await run([file], { referenceTime: "2024-08-22T00:00:00Z" }, { store })).result;
      const two = second.alerts.filter((a) => a.ruleId === "ssh-brute-force");
      expect(second.newAlerts).toBe(0);
      expect(one).toHaveLength(1);
      expect(two).toHaveLength(1);
      expect(two[0]!.fingerprint).toBe(one[0]!.fingerprint);
      expect((two[0]!.details as { penalisedConnections: number }).penalisedConnections).toBeGreaterThan((one[0]!.details as { penalisedConnections: number }).penalisedConnections);
      // the store holds the updated episode (an upsert), still one alert, not a new one
      const stored = await store.listAlerts({ ruleId: "ssh-brute-force" });
      expect(stored.map((a) => a.fingerprint)).toEqual([one[0]!.fingerprint]);
      expect(JSON.parse(stored[0]!.json)).toEqual(JSON.parse(JSON.stringify(two[0])));
      // nothing new: a third run raises nothing
      expect((await run([file], { referenceTime: "2024-08-22T00:00:00Z" }, { store })).result.alerts).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe("OpenSSH releases without PerSourcePenalties", () => {
  it("accepts 7.x, 8.x and 9.0–9.7 (with or without the p1 suffix) and refuses unknown ones", () => {
    expect(["8.9p1", "9.6", "7.4", "9.8", "10.3", "OpenSSH_9.7p1"].map(normaliseOpenSshVersion)).toEqual(["8.9", "9.6", "7.4", "9.8", "10.3", "9.7"]);
    expect(["9.x", "11.0", "9.10", ""].map(normaliseOpenSshVersion)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("8.9: a single Timeout before authentication or a crash is no brute force", async () => {
    const alerts = await alertsFor([
      `${stamp(0)} srv sshd[811]: fatal: Timeout before authentication for 203.0.113.60 port 42000`,
      `${stamp(5)} srv sshd[812]: Timeout before authentication for 203.0.113.61 port 42001`,
    ], { openssh: "8.9" });
    expect(alerts).toEqual([]);
  });

  it("8.9: 5 failures within 10 min is one alert (fail2ban's default jail), 4 are none, a long attack stays one alert", async () => {
    const four = [0, 60, 120, 180].flatMap((t) => failedConnection(t, "192.0.2.44", 3000 + t));
    expect(await alertsFor(four, { openssh: "8.9" })).toEqual([]);
    const long: string[] = [];
    for (let i = 0; i < 50; i++) long.push(...failedConnection(i * 30, "192.0.2.45", 4000 + i));
    const alerts = await alertsFor(long, { openssh: "8.9" });
    expect(alerts.map((a) => a.ruleId)).toEqual(["ssh-brute-force"]);
    expect(alerts[0]!.timestamp).toBe(new Date(T0 + 120_000).toISOString());
    expect(alerts[0]!.details).toMatchObject({ basis: "threshold", failures: 50, maxRetry: 5, findTimeSeconds: 600, openssh: "8.9" });
    expect(alerts[0]!.message).toContain("has no PerSourcePenalties");
  });

  it("8.9: a source over the threshold again and again is a recidivist worded as threshold crossings, not blocks", async () => {
    const lines: string[] = [];
    for (let run = 0; run < 3; run++) for (let i = 0; i < 5; i++) lines.push(...failedConnection(run * 3600 + i * 30, "192.0.2.48", 5000 + run * 10 + i));
    const alerts = await alertsFor(lines, { openssh: "8.9" });
    expect(alerts.filter((a) => a.ruleId === "ssh-brute-force")).toHaveLength(3);
    const recidivists = alerts.filter((a) => a.ruleId === "ssh-penalty-recidivist");
    expect(recidivists).toHaveLength(1);
    const message = recidivists[0]!.message;
    expect(message).toContain("192.0.2.48 reached fail2ban's default jail threshold (maxretry 5, findtime 10 min) 3 times on srv within 24 h");
    expect(message).toContain("OpenSSH 8.9 has no PerSourcePenalties (9.8+), so nothing blocked it");
    expect(message).not.toMatch(/blocked \d+ times|each block lasts/);
    expect(recidivists[0]!.details).toMatchObject({ openssh: "8.9" });
    expect(recidivists[0]!.details).not.toHaveProperty("suggestedPenaltySeconds");
  });

  it("9.6 counts invalid users and PAM failures as fail2ban does, but not failed publickey offers of a valid user", async () => {
    const lines = [
      `${stamp(0)} srv sshd[1]: Failed publickey for alice from 192.0.2.46 port 1 ssh2: ED25519 SHA256:AAAA`,
      `${stamp(1)} srv sshd[1]: Failed publickey for alice from 192.0.2.46 port 1 ssh2: RSA SHA256:BBBB`,
      `${stamp(2)} srv sshd[1]: Failed publickey for alice from 192.0.2.46 port 1 ssh2: ECDSA SHA256:CCCC`,
      `${stamp(3)} srv sshd[1]: Failed publickey for alice from 192.0.2.46 port 1 ssh2: ED25519 SHA256:DDDD`,
      `${stamp(4)} srv sshd[1]: Failed publickey for alice from 192.0.2.46 port 1 ssh2: ED25519 SHA256:EEEE`,
    ];
    expect(await alertsFor(lines, { openssh: "9.6" })).toEqual([]);
    const guesses = [
      `${stamp(0)} srv sshd[2]: Invalid user admin from 192.0.2.47 port 2`,
      `${stamp(1)} srv sshd[2]: error: PAM: Authentication failure for illegal user admin from 192.0.2.47`,
      `${stamp(2)} srv sshd[2]: Failed keyboard-interactive/pam for invalid user admin from 192.0.2.47 port 2 ssh2`,
      `${stamp(3)} srv sshd[3]: Invalid user oracle from 192.0.2.47 port 3`,
      `${stamp(4)} srv sshd[3]: Failed password for invalid user oracle from 192.0.2.47 port 3 ssh2`,
    ];
    expect((await alertsFor(guesses, { openssh: "9.6" })).map((a) => a.ruleId)).toEqual(["ssh-brute-force"]);
  });
});

describe("the learned baseline never absorbs an alert's source", () => {
  it("a source that brute-forced and logged in during learning is still new afterwards (also in a later run); a benign one is not", async () => {
    const store = new StateStore(":memory:");
    try {
      const file = join(dir, "auth.log");
      const learning = [
        `${stamp(0)} srv sshd-session[100]: Accepted publickey for alice from 198.51.100.1 port 5000 ssh2: ED25519 SHA256:abc`,
        ...[1, 2, 3, 4, 5].flatMap((t) => failedConnection(10 + t, "203.0.113.66", 200 + t)),
        `${stamp(20)} srv sshd-session[300]: Accepted password for root from 203.0.113.66 port 6000 ssh2`,
      ];
      writeFileSync(file, `${learning.join("\n")}\n`);
      const first = (await run([file], { learningWindow: "1h", referenceTime: "2024-08-22T00:00:00Z" }, { store })).result;
      expect(first.alerts.map((a) => a.ruleId)).toContain("login-after-failures");
      expect(first.alerts.map((a) => a.ruleId)).not.toContain("new-ssh-destination");
      const later = [
        `${stamp(7200)} srv sshd-session[400]: Accepted publickey for alice from 198.51.100.1 port 5001 ssh2: ED25519 SHA256:abc`,
        `${stamp(7300)} srv sshd-session[401]: Accepted password for root from 203.0.113.66 port 6001 ssh2`,
      ];
      writeFileSync(file, `${[...learning, ...later].join("\n")}\n`);
      const second = (await run([file], { learningWindow: "1h", referenceTime: "2024-08-22T00:00:00Z" }, { store })).result;
      expect(second.alerts.map((a) => [a.ruleId, a.source?.ip])).toEqual([["new-ssh-destination", "203.0.113.66"]]);
    } finally {
      store.close();
    }
  });
});

describe("ssh-brute-force connection tracking", () => {
  const ip = "198.51.100.40";
  const make = () =>
    new SshBruteForceDetector(() => {}, {
      penalties: defaultPenaltyConfig("9.8"), maxRetry: 5, findTimeMs: 600_000, slowFailures: 10, slowWindowMs: 3_600_000, recidiveCount: 3, recidiveWindowMs: 86_400_000,
    });
  const event = (seconds: number, action: HostEvent["action"], extra: Partial<HostEvent> = {}): HostEvent => ({
    action, outcome: "failure", timestamp: T0 + seconds * 1000, file: "auth.log", line: seconds + 1, format: "syslog", host: "srv", program: "sshd-session", pid: 9,
    sourceIp: ip, sourcePort: 40000, ...extra,
  });
  const saved = (detector: SshBruteForceDetector) => detector.exportState().hosts[0]![1];

  it("ignores an ended connection's trailing lines, takes a later reuse of its pid as a new connection, and saves both apart", () => {
    const detector = make();
    detector.onEvent(event(0, "ssh_login", { method: "password", user: "root" }));
    detector.onEvent(event(1, "ssh_disconnect", { outcome: "unknown", preamble: "authenticating", user: "root", phase: "preauth" }));
    // "PAM 1 more authentication failure" after the end: no new connection, nothing charged again
    detector.onEvent(event(30, "ssh_pam_auth_failure"));
    expect(saved(detector).connections).toEqual([]);
    expect(saved(detector).closed).toEqual([["pid:9", T0 + 1000]]);
    const state = JSON.parse(JSON.stringify(detector.exportState()));

    detector.onEvent(event(200, "ssh_login", { method: "password", user: "admin" }));
    expect(saved(detector).connections.map(([key, c]) => [key, c.start])).toEqual([["pid:9", T0 + 200_000]]);
    expect(saved(detector).closed).toEqual([]);

    // the saved form loads back: the ended connection still keeps its trailing lines out
    const resumed = make();
    resumed.importState(state);
    resumed.onEvent(event(40, "ssh_pam_auth_failure"));
    expect(saved(resumed).connections).toEqual([]);
    expect(saved(resumed).closed).toEqual([["pid:9", T0 + 1000]]);
  });
});
