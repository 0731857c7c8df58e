// `exfilscan correlate` end to end on the fixtures: the ssh-decorate findings (from scanning
// fixtures/pypi/malicious/ssh-decorate) against the logs of a host where it ran, and of a
// host where it was installed but nothing happened.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CorrelateReport } from "../../src/correlate/types.js";
import { runCli } from "../helpers/cli.js";
import { sarifSchemaErrors } from "../helpers/sarif-schema.js";

const FINDINGS = "fixtures/correlate/findings.json";
const tmp = mkdtempSync(join(tmpdir(), "exfilscan-correlate-"));

function correlateJson(dir: string, extra: string[] = []): { code: number | null; report: CorrelateReport; stderr: string } {
  const { code, stdout, stderr } = runCli(["correlate", "--findings", FINDINGS, "--learning-window", "1d", "--format", "json", ...extra, dir]);
  return { code, report: JSON.parse(stdout) as CorrelateReport, stderr };
}

describe("correlate: the stealer ran", () => {
  const { code, report } = correlateJson("fixtures/correlate/incident");

  it("tells one story for the package on the host and user, and exits 1", () => {
    expect(code).toBe(1);
    expect(report.schemaVersion).toBe(1);
    expect(report.incidents).toHaveLength(1);
    const incident = report.incidents[0]!;
    expect(incident).toMatchObject({ host: "dev1", user: "alice", severity: "critical", confidence: "high", package: { ecosystem: "pypi", name: "ssh-decorate", version: "0.0.3" } });
    expect(incident.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual(["credential-exfiltration ssh_decorate/__init__.py:38"]);
    expect(incident.attack).toEqual(expect.arrayContaining(["T1195.002", "T1552.004", "T1041", "T1021.004", "T1098.004"]));
  });

  it("orders install → DNS → credential read → connection → stolen-key login → follow-up alerts, each citing its log line", () => {
    const steps = report.incidents[0]!.steps.map((s) => `${s.timestamp} ${s.kind} ${s.evidence.map((e) => `${e.file.split("/").pop()}:${e.line}`).join(",")}`);
    expect(steps).toEqual([
      "2026-10-14T09:00:00.000Z install audit.log:14",
      "2026-10-14T09:05:01.200Z dns dns.log:3",
      "2026-10-14T09:05:01.300Z credential-read audit.log:25",
      "2026-10-14T09:05:01.600Z connection audit.log:28",
      "2026-10-14T09:05:01.650Z connection conn.log:13",
      "2026-10-15T02:13:00.000Z stolen-key-login auth.log:4",
      "2026-10-15T02:14:10.000Z ssh-alert audit.log:34",
      "2026-10-15T02:20:00.300Z ssh-alert audit.log:41,conn.log:15",
    ]);
    const byKind = Object.fromEntries(report.incidents[0]!.steps.map((s) => [s.kind, s]));
    expect(byKind["connection"]!.reason).toMatch(/203\.0\.113\.66 is ssh-decorate\.cf by the DNS answer at .*dns\.log:3/);
    expect(byKind["credential-read"]!.title).toContain("/home/alice/.ssh/id_rsa");
    expect(byKind["stolen-key-login"]!.title).toMatch(/from 198\.51\.100\.23 .*used before only from 10\.0\.0\.20/);
    const alerts = report.incidents[0]!.steps.filter((s) => s.kind === "ssh-alert").map((s) => s.ruleId);
    expect(alerts).toEqual(["authorized-keys-modified", "new-ssh-destination"]);
  });

  it("leaves out the legitimate traffic around it", () => {
    const all = JSON.stringify(report.incidents);
    for (const benign of ["198.51.100.7", "198.51.100.80", "10.0.0.40", "updates.example.com"]) expect(all).not.toContain(benign);
    expect(report.statements.filter((s) => s.kind === "not-observed")).toEqual([]);
  });

  it("text output reads as a timeline", () => {
    const { code: textCode, stdout } = runCli(["correlate", "--findings", FINDINGS, "--learning-window", "1d", "--format", "text", "fixtures/correlate/incident"]);
    expect(textCode).toBe(1);
    expect(stdout).toContain("CRITICAL ssh-decorate@0.0.3 on dev1 (alice): installed → credentials read → connection to the indicator → the key used from a new source");
    expect(stdout).toMatch(/2026-10-14T09:05:01\.300Z {2}credential-read +python3 \(pid 4200\) read \/home\/alice\/\.ssh\/id_rsa/);
  });

  it("SARIF validates and carries the steps as a code flow", () => {
    const { stdout } = runCli(["correlate", "--findings", FINDINGS, "--learning-window", "1d", "--format", "sarif", "fixtures/correlate/incident"]);
    const log = JSON.parse(stdout) as { runs: { results: { ruleId: string; codeFlows: { threadFlows: { locations: unknown[] }[] }[] }[] }[] };
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0]!.results).toHaveLength(1);
    expect(log.runs[0]!.results[0]!.codeFlows[0]!.threadFlows[0]!.locations).toHaveLength(8);
  });

  it("a state database with the learned baseline is read, never written", () => {
    const db = join(tmp, "state.db");
    const learn = runCli(["logs", "--db", db, "--learning-window", "1d", "--format", "json", "fixtures/correlate/quiet/auth.log", "fixtures/correlate/quiet/audit.log"]);
    expect(learn.code).not.toBe(2);
    const before = readFileSync(db);
    const { code: dbCode, report: withDb } = correlateJson("fixtures/correlate/incident", ["--db", db]);
    expect(dbCode).toBe(1);
    expect(withDb.incidents[0]!.steps.map((s) => s.kind)).toContain("stolen-key-login");
    expect(readFileSync(db).equals(before)).toBe(true);
  });
});

describe("correlate: installed, nothing happened", () => {
  const { code, report } = correlateJson("fixtures/correlate/quiet");

  it("gives no incident and exits 0", () => {
    expect(code).toBe(0);
    expect(report.incidents).toEqual([]);
  });

  it("says precisely what was not observed, and what could not be told", () => {
    const texts = report.statements.map((s) => `${s.kind}: ${s.text}`);
    expect(texts).toContain("not-observed: no connection to ssh-decorate.cf in the given logs between 2026-10-12T08:00:00.000Z and 2026-10-15T08:30:00.000Z");
    expect(texts).toContain("unresolved: ssh-decorate.cf: no DNS answer for it in the given logs, so connections to its addresses could not be recognised; give a Zeek dns.log or ECS DNS events of the same hosts");
    expect(texts.some((t) => /^installed-only: ssh-decorate@0\.0\.3: alice ran .*pip install ssh-decorate==0\.0\.3 at 2026-10-14T09:00:00\.000Z on dev1/.test(t))).toBe(true);
  });
});

describe("correlate: bad input", () => {
  it("needs --findings", () => {
    const { code, stderr } = runCli(["correlate", "fixtures/correlate/quiet"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--findings");
  });

  it("refuses a file that is not an exfilscan report", () => {
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, JSON.stringify({ hello: 1 }));
    const { code, stderr } = runCli(["correlate", "--findings", bad, "fixtures/correlate/quiet"]);
    expect(code).toBe(2);
    expect(stderr).toContain("not an exfilscan JSON report");
  });

  it("refuses a state database that does not exist instead of creating one", () => {
    const { code, stderr } = runCli(["correlate", "--findings", FINDINGS, "--db", join(tmp, "nope.db"), "fixtures/correlate/quiet"]);
    expect(code).toBe(2);
    expect(stderr).toContain("no such database");
  });

  it("exits 2 when a log cannot be read", () => {
    const { code } = runCli(["correlate", "--findings", FINDINGS, "--format", "json", "fixtures/correlate/quiet", join(tmp, "missing.log")]);
    expect(code).toBe(2);
  });
});

describe("correlate: project history and installed copies", () => {
  it("dates the pin from the lockfile's git history and the install from the dist-info", () => {
    const project = join(tmp, "project");
    mkdirSync(project);
    const git = (...args: string[]): void => {
      const r = spawnSync("git", args, { cwd: project, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "Alice", GIT_AUTHOR_EMAIL: "alice@example.com", GIT_COMMITTER_NAME: "Alice", GIT_COMMITTER_EMAIL: "alice@example.com", GIT_AUTHOR_DATE: args.some((a) => a.startsWith("pin")) ? "2026-10-14T08:50:00Z" : "2026-10-01T12:00:00Z", GIT_COMMITTER_DATE: "2026-10-14T08:50:00Z" } });
      expect(r.status, r.stderr).toBe(0);
    };
    const pinned = readFileSync("fixtures/correlate/project/requirements.txt", "utf8");
    git("init", "-q");
    writeFileSync(join(project, "requirements.txt"), pinned.split("\n").filter((l) => !l.startsWith("ssh-decorate")).join("\n"));
    git("add", "requirements.txt");
    git("commit", "-q", "-m", "start");
    writeFileSync(join(project, "requirements.txt"), pinned);
    git("commit", "-q", "-am", "pin ssh helpers");
    const venv = join(project, ".venv");
    const distInfo = join(venv, "lib", "python3.11", "site-packages", "ssh_decorate-0.0.3.dist-info");
    mkdirSync(distInfo, { recursive: true });
    const installedAt = new Date("2026-10-14T09:00:05Z");
    utimesSync(distInfo, installedAt, installedAt);

    const { report } = correlateJson("fixtures/correlate/incident", ["--project", project, "--installed", venv]);
    const steps = report.incidents[0]!.steps;
    expect(steps.slice(0, 3).map((s) => `${s.timestamp} ${s.kind}`)).toEqual([
      "2026-10-14T08:50:00.000Z lockfile", "2026-10-14T09:00:00.000Z install", "2026-10-14T09:00:05.000Z install",
    ]);
    expect(steps[0]!.title).toMatch(/^Alice committed [0-9a-f]{12} "pin ssh helpers", pinning ssh-decorate@0\.0\.3$/);
    expect(steps[0]!.evidence[0]).toEqual({ file: join(project, "requirements.txt"), line: 3 });
    expect(steps[2]!.evidence[0]!.file).toBe(distInfo);

    const quiet = correlateJson("fixtures/correlate/quiet", ["--project", project]).report;
    expect(quiet.incidents).toEqual([]);
    expect(quiet.statements.some((s) => s.kind === "installed-only" && s.text.includes('"pin ssh helpers", pinning ssh-decorate@0.0.3 at 2026-10-14T08:50:00.000Z'))).toBe(true);
  });

  it("--project outside git is a clear usage error", () => {
    const plain = mkdtempSync(join(tmpdir(), "exfilscan-nogit-"));
    const { code, stderr } = runCli(["correlate", "--findings", FINDINGS, "--project", plain, "fixtures/correlate/quiet"]);
    expect(code).toBe(2);
    expect(stderr).toContain("not inside a git repository");
  });
});
