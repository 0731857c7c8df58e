import { describe, expect, it } from "vitest";
import type { Finding, ScanReport } from "../../src/core/types.js";
import { REPORTERS } from "../../src/report/index.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { finishReport, newReport } from "../../src/core/report.js";
import { sarifSchemaErrors } from "../helpers/sarif-schema.js";

const rules = loadSignatures().rules;
const context = { color: false, rules, version: "0.1.0" };

function finding(partial: Partial<Finding>): Finding {
  return {
    ruleId: "credential-exfiltration",
    severity: "critical",
    category: "credential-exfiltration",
    message: "SSH private key and password sent by HTTP to ssh-decorate.cf",
    package: { ecosystem: "pypi", name: "ssh-decorate", version: "0.0.3" },
    target: "fixtures/pypi/malicious/ssh-decorate",
    location: { file: "ssh_decorate/__init__.py", line: 42, column: 9 },
    trigger: "call",
    source: "password-prompt,ssh-key",
    sink: "http",
    flow: [
      { file: "ssh_decorate/__init__.py", line: 30, column: 5, note: "reads ~/.ssh/id_rsa" },
      { file: "ssh_decorate/__init__.py", line: 42, column: 9, note: "requests.post()" },
    ],
    indicators: [{ type: "domain", value: "ssh-decorate.cf" }],
    attack: ["T1041", "T1552.004"],
    fingerprint: "0123456789abcdef0123456789abcdef",
    ...partial,
  };
}

function sampleReport(): ScanReport {
  const report = newReport();
  report.targets.push({ input: "fixtures/pypi/malicious/ssh-decorate", ecosystem: "pypi", name: "ssh-decorate", version: "0.0.3", files: 3, bytes: 2048 });
  report.targets.push({ input: "pkgs/evil-1.0.0.tgz", ecosystem: "npm", name: "evil", version: "1.0.0", files: 2, bytes: 500 });
  report.findings.push(
    finding({}),
    finding({
      ruleId: "install-time-network",
      severity: "medium",
      target: "pkgs/evil-1.0.0.tgz",
      package: { ecosystem: "npm", name: "evil", version: "1.0.0" },
      location: { file: "install.js", line: 3, column: 1 },
      flow: [],
      suppressed: { reason: "vendor binary download, reviewed" },
    }),
  );
  report.errors.push({ input: "broken.tgz", message: "not a readable tar archive" }, { input: "x", file: "a.js", message: "parse error" });
  return finishReport(report);
}

describe("json", () => {
  it("writes the documented schemaVersion 1 shape and leaves suppressed findings out of the summary", () => {
    const json = JSON.parse(REPORTERS.json(sampleReport(), context)) as ScanReport;
    expect(Object.keys(json)).toEqual(["schemaVersion", "tool", "targets", "findings", "errors", "summary"]);
    expect(json.schemaVersion).toBe(1);
    expect(json.summary).toEqual({ critical: 1, high: 0, medium: 0, low: 0, info: 0 });
    expect(json.findings[0]).toMatchObject({ ruleId: "install-time-network", suppressed: { reason: "vendor binary download, reviewed" } });
  });
});

describe("text", () => {
  it("shows severity, package, file:line, the sentence and the flow, without colour codes when off", () => {
    const text = REPORTERS.text(sampleReport(), context);
    expect(text).toContain("CRITICAL credential-exfiltration  ssh-decorate@0.0.3  ssh_decorate/__init__.py:42:9");
    expect(text).toContain("SSH private key and password sent by HTTP to ssh-decorate.cf");
    expect(text).toMatch(/┌ ssh_decorate\/__init__\.py:30 reads ~\/\.ssh\/id_rsa\n\s+└▶ ssh_decorate\/__init__\.py:42 requests\.post\(\)/);
    expect(text).toContain("error broken.tgz: not a readable tar archive");
    expect(text).not.toMatch(/\u001b\[/);
    expect(REPORTERS.text(sampleReport(), { ...context, color: true })).toMatch(/\u001b\[/);
  });
});

describe("sarif", () => {
  const log = JSON.parse(REPORTERS.sarif(sampleReport(), context));
  const run = log.runs[0];

  it("validates against the SARIF 2.1.0 schema", () => {
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it("lists every rule with GitHub's security-severity, and points results at them", () => {
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toContain("credential-exfiltration");
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === "credential-exfiltration");
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    expect(run.tool.driver.rules[result.ruleIndex].properties["security-severity"]).toBe("9.5");
  });

  it("addresses directory files from the working directory, archives as a whole, with flows and fingerprints", () => {
    const [archived, critical] = run.results; // sorted by package name: evil, ssh-decorate
    expect(critical.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "fixtures/pypi/malicious/ssh-decorate/ssh_decorate/__init__.py" },
      region: { startLine: 42, startColumn: 9 },
    });
    expect(critical.level).toBe("error");
    expect(critical.partialFingerprints).toEqual({ "exfilscan/v1": "0123456789abcdef0123456789abcdef" });
    expect(critical.codeFlows[0].threadFlows[0].locations).toHaveLength(2);
    expect(archived.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "pkgs/evil-1.0.0.tgz" } });
    expect(archived.suppressions).toEqual([{ kind: "external", justification: "vendor binary download, reviewed" }]);
  });

  it("reports tool errors as notifications, not results", () => {
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications.map((n: { level: string }) => n.level)).toEqual(["error", "warning"]);
    expect(run.results).toHaveLength(2);
  });
});
