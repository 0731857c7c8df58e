// npm debug logs and pip --log files: which versions were installed when, and which install
// scripts ran; and `correlate --project DIR` scanning the project's dependencies in-process.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageManagerLogKind, readPackageManagerLogs, splitPackageManagerLogs } from "../../src/correlate/pm-logs.js";
import type { CorrelateReport } from "../../src/correlate/types.js";
import { runCli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "exfilscan-pm-logs-"));
const npmLogs = join(tmp, "_logs");
mkdirSync(npmLogs);
const NPM_LOG = join(npmLogs, "2026-10-14T08_58_30_125Z-debug-0.log");
writeFileSync(
  NPM_LOG,
  [
    "0 verbose cli /usr/bin/node /usr/bin/npm",
    "1 info using npm@11.19.1",
    "2 verbose title npm install webkit-helpers",
    "3 silly placeDep ROOT webkit-helpers@1.0.0 OK for: app@1.0.0 want: *",
    "4 silly placeDep ROOT lodahs-utils@4.17.22 OK for: webkit-helpers@1.0.0 want: ^4.17.0",
    "5 http fetch GET 200 https://registry.npmjs.org/@acme/logger/-/logger-2.0.1.tgz 10ms (cache miss)",
    "6 silly ADD node_modules/webkit-helpers",
    "7 silly ADD node_modules/webkit-helpers/node_modules/lodahs-utils",
    "8 silly ADD node_modules/@acme/logger",
    "9 info run lodahs-utils@4.17.22 postinstall node_modules/lodahs-utils node index.js",
    "10 info run lodahs-utils@4.17.22 postinstall { code: 0, signal: null }",
    "11 verbose cwd /home/alice/app",
    "12 verbose exit 0",
    "13 info ok",
    "",
  ].join("\n"),
);
const PIP_LOG = join(tmp, "pip.log");
writeFileSync(
  PIP_LOG,
  [
    "2026-10-14T11:00:00,100 Using pip 23.2.1 from /usr/lib/python3/dist-packages/pip (python 3.11)",
    "2026-10-14T11:00:01,200 Collecting ssh-decorate==0.0.3",
    "2026-10-14T11:00:01,300   Downloading ssh-decorate-0.0.3.tar.gz (4.1 kB)",
    "2026-10-14T11:00:01,400   Preparing metadata (setup.py): started",
    "2026-10-14T11:00:02,500 Collecting paramiko",
    "2026-10-14T11:00:03,000 Successfully installed paramiko-3.4.0 ssh-decorate-0.0.3",
    "",
  ].join("\n"),
);

describe("package-manager logs", () => {
  it("are told from host logs by their first line, and an npm _logs folder is taken whole", () => {
    expect(packageManagerLogKind(NPM_LOG)).toBe("npm");
    expect(packageManagerLogKind(PIP_LOG)).toBe("pip");
    expect(packageManagerLogKind("fixtures/correlate/quiet/auth.log")).toBeUndefined();
    expect(splitPackageManagerLogs([npmLogs, PIP_LOG, "fixtures/correlate/quiet"])).toEqual({ pm: [NPM_LOG, PIP_LOG], rest: ["fixtures/correlate/quiet"] });
  });

  it("npm: ADD lines with versions from placeDep and tarball URLs, at the command's start; install scripts", () => {
    const records = readPackageManagerLogs([NPM_LOG], 0).map((r) => `${r.kind} ${r.package.name}@${r.package.version} ${new Date(r.timestampMs).toISOString()} :${r.line}${r.script ? ` ${r.script}` : ""}`);
    expect(records).toEqual([
      "install webkit-helpers@1.0.0 2026-10-14T08:58:30.125Z :7",
      "install lodahs-utils@4.17.22 2026-10-14T08:58:30.125Z :8",
      "install @acme/logger@2.0.1 2026-10-14T08:58:30.125Z :9",
      "install-script lodahs-utils@4.17.22 2026-10-14T08:58:30.125Z :10 postinstall",
    ]);
    expect(readPackageManagerLogs([NPM_LOG], 0)[0]).toMatchObject({ command: "npm install webkit-helpers", cwd: "/home/alice/app" });
  });

  it("pip: Successfully installed, and setup.py runs of sdists, in the local time --utc-offset gives", () => {
    const records = readPackageManagerLogs([PIP_LOG], 120).map((r) => `${r.kind} ${r.package.name}@${r.package.version} ${new Date(r.timestampMs).toISOString()} :${r.line}`);
    expect(records).toEqual([
      "install-script ssh-decorate@0.0.3 2026-10-14T09:00:01.400Z :4",
      "install paramiko@3.4.0 2026-10-14T09:00:03.000Z :6",
      "install ssh-decorate@0.0.3 2026-10-14T09:00:03.000Z :6",
    ]);
  });
});

describe("correlate with package-manager logs", () => {
  it("dates the flagged version's install from the pip log (nothing else happened: a precise statement)", () => {
    const { code, stdout } = runCli(["correlate", "--findings", "fixtures/correlate/findings.json", "--learning-window", "1d", "--utc-offset", "+02:00", "--format", "json", PIP_LOG, "fixtures/correlate/quiet"]);
    const report = JSON.parse(stdout) as CorrelateReport;
    expect(code).toBe(0);
    expect(report.incidents).toEqual([]);
    const texts = report.statements.filter((s) => s.kind === "installed-only").map((s) => s.text);
    expect(texts).toEqual(expect.arrayContaining([expect.stringMatching(/^pip installed ssh-decorate@0\.0\.3 at 2026-10-14T09:00:03\.000Z \(.*pip\.log:6\)/), expect.stringMatching(/^pip ran the setup\.py of ssh-decorate@0\.0\.3 at 2026-10-14T09:00:01\.400Z/)]));
    expect(report.inputs.logs).toEqual(expect.arrayContaining([{ input: PIP_LOG, format: "pip-log", events: 3 }]));
  });

  it("joins the incident as install steps with the log line", () => {
    const { stdout } = runCli(["correlate", "--findings", "fixtures/correlate/findings.json", "--learning-window", "1d", "--utc-offset", "+02:00", "--format", "json", PIP_LOG, "fixtures/correlate/incident"]);
    const steps = (JSON.parse(stdout) as CorrelateReport).incidents[0]!.steps.filter((s) => s.evidence.some((e) => e.file === PIP_LOG));
    expect(steps.map((s) => `${s.kind} ${s.confidence} ${s.evidence[0]!.line}`)).toEqual(["install-script high 4", "install high 6"]);
  });
});

describe("correlate --project without --findings", () => {
  it("scans the project's dependencies in-process (here its installed tree, no network) and correlates them", () => {
    const { code, stdout, stderr } = runCli(["correlate", "--project", "fixtures/installed/npm-project", "--offline", "--cache-dir", join(tmp, "cache"), "--format", "json", NPM_LOG, "fixtures/correlate/quiet"]);
    const report = JSON.parse(stdout) as CorrelateReport;
    expect(stderr).toMatch(/deps fixtures\/installed\/npm-project: \d+ packages.* findings/);
    expect(report.inputs.findings).toEqual(["deps fixtures/installed/npm-project"]);
    expect(report.summary.findings).toBeGreaterThan(0);
    const statement = report.statements.find((s) => s.kind === "installed-only" && s.package?.name === "lodahs-utils" && s.text.startsWith("npm installed"));
    expect(statement?.text).toMatch(/^npm installed lodahs-utils@4\.17\.22 \(npm install webkit-helpers in \/home\/alice\/app\) at 2026-10-14T08:58:30\.125Z \(.*debug-0\.log:8\)/);
    expect(code).toBe(0);
  });

  it("still needs --findings or --project", () => {
    const { code, stderr } = runCli(["correlate", "fixtures/correlate/quiet"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--project");
  });
});
