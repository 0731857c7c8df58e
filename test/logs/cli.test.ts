// The logs command in-process (commander + registerLogs), for exit codes, formats and the baseline commands.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerAlerts, registerLogs } from "../../src/cli/commands/logs.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "logs");
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "exfilscan-cli-"));
  process.exitCode = undefined;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = undefined;
});

async function cli(...args: string[]): Promise<number> {
  const program = new Command("exfilscan").option("--signatures <dir...>").exitOverride();
  registerLogs(program);
  await program.parseAsync(["node", "exfilscan", ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return code;
}

describe("exfilscan logs", () => {
  it("exits 1 on a high alert, writes JSON with the alert list", async () => {
    const out = join(dir, "report.json");
    const code = await cli("logs", join(FIXTURES, "syslog", "auth-rfc3164.log"), "--db", join(dir, "s.db"), "--reference-time", "2024-08-22T00:00:00Z", "-f", "json", "-o", out);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(out, "utf8")) as { schemaVersion: number; alerts: { ruleId: string; severity: string; evidence: unknown[] }[]; summary: Record<string, number> };
    expect(report.schemaVersion).toBe(1);
    expect(report.alerts.map((a) => a.ruleId)).toContain("login-after-failures");
    expect(report.summary.high).toBe(1);
  });

  it("exits 0 when nothing reaches --fail-on, and 0 with no new alerts on a second run", async () => {
    const db = join(dir, "s.db");
    const args = ["logs", join(FIXTURES, "syslog", "auth-rfc3164.log"), "--db", db, "--reference-time", "2024-08-22T00:00:00Z", "-f", "json", "-o", join(dir, "r.json")];
    expect(await cli(...args, "--fail-on", "critical")).toBe(0);
    expect(await cli(...args)).toBe(0);
    expect((JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as { alerts: unknown[] }).alerts).toEqual([]);
  });

  it("reads a BusyBox/Alpine messages file of Dropbear lines as syslog and alerts on it", async () => {
    const out = join(dir, "r.json");
    const code = await cli("logs", join(FIXTURES, "syslog", "dropbear-busybox.log"), "--no-state", "--reference-time", "2026-12-31T00:00:00Z", "-f", "json", "-o", out);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(out, "utf8")) as { alerts: { ruleId: string; source?: { ip: string } }[] };
    expect(report.alerts.map((a) => [a.ruleId, a.source?.ip])).toEqual([["ssh-brute-force", "203.0.113.50"], ["ssh-brute-force", "198.51.100.30"], ["login-after-failures", "198.51.100.30"]]);
  });

  it("exits 2 when no input could be read", async () => {
    expect(await cli("logs", join(dir, "nope.log"), "--no-state", "-f", "json", "-o", join(dir, "r.json"))).toBe(2);
  });

  it("writes SARIF 2.1.0 with rule metadata and file:line locations", async () => {
    const out = join(dir, "r.sarif");
    await cli("logs", join(FIXTURES, "auditd", "audit.log"), "--no-state", "--learning-window", "1h", "-f", "sarif", "-o", out);
    const sarif = JSON.parse(readFileSync(out, "utf8")) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(["authorized-keys-modified", "new-ssh-destination", "ssh-key-generated"]);
    expect(sarif.runs[0]!.results.find((r) => r.ruleId === "authorized-keys-modified")!.locations[0]!.physicalLocation.region.startLine).toBe(20);
  });

  it("--events writes one ECS document per recognised event", async () => {
    const out = join(dir, "events.ndjson");
    expect(await cli("logs", join(FIXTURES, "syslog", "seed-persourcepenalties.log"), "--events", "-o", out)).toBe(0);
    const docs = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { exfilscan: { line: number }; event: { category: string[]; outcome: string } });
    expect(docs.map((d) => d.exfilscan.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(docs[2]!.event).toMatchObject({ category: ["authentication"], outcome: "failure" });
  });

  it("--ssh-port repeats without swallowing the inputs that follow it", async () => {
    const out = join(dir, "r.json");
    const file = join(FIXTURES, "zeek", "conn.log");
    expect(await cli("logs", "--no-state", "--ssh-port", "2222", "--ssh-port", "22", file, "-f", "json", "-o", out)).toBe(0);
    expect((JSON.parse(readFileSync(out, "utf8")) as { inputs: { input: string }[] }).inputs.map((i) => i.input)).toEqual([file]);
  });

  it("rejects bad options with a usage error", async () => {
    await expect(cli("logs", "x.log", "--no-state", "--openssh-version", "9.x")).rejects.toThrow(/--openssh-version/);
    await expect(cli("logs", "x.log", "--no-state", "--penalties", "authfail:soon")).rejects.toThrow(/bad time/);
  });

  it("baseline show and reset", async () => {
    const db = join(dir, "s.db");
    await cli("logs", join(FIXTURES, "syslog", "new-year.log"), "--db", db, "--reference-time", "2025-01-03T00:00:00Z", "-f", "json", "-o", join(dir, "r.json"));
    const shown = join(dir, "b.json");
    const program = new Command("exfilscan").exitOverride();
    registerLogs(program);
    const original = process.stdout.write.bind(process.stdout);
    let captured = "";
    process.stdout.write = ((chunk: string) => ((captured += chunk), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(["node", "exfilscan", "baseline", "show", "--db", db, "--format", "json"]);
      await program.parseAsync(["node", "exfilscan", "baseline", "reset", "--db", db]);
    } finally {
      process.stdout.write = original;
    }
    void shown;
    const json = JSON.parse(captured.slice(0, captured.lastIndexOf("}") + 1)) as { baseline: { side: string; peer: string }[]; learningStart: string };
    expect(json.learningStart).toBe("2024-12-30T09:00:00.000Z");
    expect(json.baseline.filter((b) => b.side === "server").map((b) => b.peer).sort()).toEqual(["10.0.0.5", "198.51.100.7"]);
    expect(captured).toContain("removed 4 baseline entries");
  });
});

describe("exfilscan alerts", () => {
  async function alertsCli(...args: string[]): Promise<{ code: number; out: string }> {
    const program = new Command("exfilscan").option("--signatures <dir...>").exitOverride();
    registerLogs(program);
    registerAlerts(program);
    let out = "";
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(["node", "exfilscan", ...args]);
    } finally {
      process.stdout.write = write;
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { code, out };
  }

  it("lists and shows the alerts an earlier run stored, which a second run does not print again", async () => {
    const db = join(dir, "s.db");
    const log = join(FIXTURES, "syslog", "brute-force-9.8.log");
    await alertsCli("logs", log, "--db", db, "-f", "json", "-o", join(dir, "first.json"));
    await alertsCli("logs", log, "--db", db, "-f", "json", "-o", join(dir, "second.json"));
    expect((JSON.parse(readFileSync(join(dir, "second.json"), "utf8")) as { alerts: unknown[] }).alerts).toEqual([]);
    const third = await alertsCli("logs", log, "--db", db, "-f", "text", "-o", join(dir, "third.txt"));
    expect(third.code).toBe(0);
    expect(readFileSync(join(dir, "third.txt"), "utf8")).toMatch(/no new alerts \(\d+ stored by earlier runs in .*s\.db: `exfilscan alerts list` shows them\)/);
    const listed = await alertsCli("alerts", "list", "--db", db, "-f", "json");
    const alerts = (JSON.parse(listed.out) as { alerts: { ruleId: string; fingerprint: string; timestamp: string }[] }).alerts;
    expect(alerts.length).toBe((JSON.parse(readFileSync(join(dir, "first.json"), "utf8")) as { alerts: unknown[] }).alerts.length);
    expect(alerts.map((a) => a.ruleId)).toContain("ssh-brute-force");
    const later = await alertsCli("alerts", "list", "--db", db, "-f", "json", "--since", alerts.at(-1)!.timestamp);
    expect((JSON.parse(later.out) as { alerts: unknown[] }).alerts.length).toBeLessThan(alerts.length);
    const shown = await alertsCli("alerts", "show", alerts[0]!.fingerprint.slice(0, 10), "--db", db);
    expect(shown.out).toContain(alerts[0]!.ruleId);
    expect(shown.out).toContain("brute-force-9.8.log:");
  });

  it("refuses a state database that does not exist instead of creating an empty one", async () => {
    await expect(alertsCli("alerts", "list", "--db", join(dir, "typo.db"))).rejects.toThrow(/no state database/);
    await expect(alertsCli("baseline", "show", "--db", join(dir, "typo.db"))).rejects.toThrow(/no state database/);
    expect(existsSync(join(dir, "typo.db"))).toBe(false);
  });
});
