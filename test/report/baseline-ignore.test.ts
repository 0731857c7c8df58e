// --baseline (previous JSON or SARIF report) and fingerprint entries in .exfilscanignore.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { finishReport, newReport } from "../../src/core/report.js";
import type { Finding } from "../../src/core/types.js";
import { applyIgnoreList } from "../../src/ignore/apply.js";
import { loadIgnoreFile } from "../../src/ignore/load.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { runCli } from "../helpers/cli.js";
import { FIXTURES } from "../helpers/expectations.js";

const ruleIds = new Set(loadSignatures().rules.keys());
const tmp = mkdtempSync(join(tmpdir(), "exfilscan-baseline-"));
const file = (name: string, text: string) => {
  writeFileSync(join(tmp, name), text);
  return join(tmp, name);
};
const PAIR = join(FIXTURES, "diff", "npm", "malicious", "padkit-postinstall");

function finding(fingerprint: string, ruleId = "credential-exfiltration"): Finding {
  return { ruleId, severity: "critical", category: "c", message: "m", package: { ecosystem: "npm", name: "a", version: "1.0.0" }, location: { file: "x.js", line: 1, column: 1 }, flow: [], indicators: [], attack: [], fingerprint };
}

describe("fingerprint ignore entries", () => {
  it("suppress exactly that finding until the expiry day, with its reason", () => {
    const list = loadIgnoreFile(file("fp.yaml", "- fingerprint: 00112233445566778899aabbccddeeff\n  reason: reviewed in PR 12\n  expires: 2030-06-15\n"), ruleIds);
    const report = finishReport({ ...newReport(), findings: [finding("00112233445566778899aabbccddeeff"), finding("ffeeddccbbaa99887766554433221100")] });
    applyIgnoreList(report, list, new Date("2030-06-15T23:00:00Z"));
    expect(report.findings.map((f) => f.suppressed?.reason)).toEqual(["reviewed in PR 12", undefined]);
    const later = finishReport({ ...newReport(), findings: [finding("00112233445566778899aabbccddeeff")] });
    const expired = applyIgnoreList(later, list, new Date("2030-06-16T00:00:00Z"));
    expect(later.findings[0]!.suppressed).toBeUndefined();
    expect(expired[0]!.message).toContain("fingerprint 00112233445566778899aabbccddeeff");
  });

  it("with a rule, match only that rule; without reason or with a malformed fingerprint, fail with the line", () => {
    const list = loadIgnoreFile(file("fp2.yaml", "- fingerprint: 00112233445566778899aabbccddeeff\n  rule: install-time-network\n  reason: r\n"), ruleIds);
    const report = finishReport({ ...newReport(), findings: [finding("00112233445566778899aabbccddeeff")] });
    applyIgnoreList(report, list);
    expect(report.findings[0]!.suppressed).toBeUndefined();
    expect(() => loadIgnoreFile(file("fp3.yaml", "- fingerprint: 00112233445566778899aabbccddeeff\n"), ruleIds)).toThrow(/:1: 0\.reason: reason is required/);
    expect(() => loadIgnoreFile(file("fp4.yaml", "- fingerprint: not-hex\n  reason: r\n"), ruleIds)).toThrow(/0\.fingerprint: fingerprint is the hex string/);
    expect(() => loadIgnoreFile(file("fp5.yaml", "- reason: r\n  path: x/**\n"), ruleIds)).toThrow(/give rule \(with package and\/or path\) or fingerprint/);
  });
});

describe("--baseline", () => {
  it("reports only findings whose fingerprint the previous JSON or SARIF report lacks", () => {
    const first = runCli(["scan", join(PAIR, "new"), "-f", "json"]);
    expect(first.code).toBe(1);
    const json = file("previous.json", first.stdout);
    const again = runCli(["scan", join(PAIR, "new"), "-f", "json", "--baseline", json]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { findings: unknown[] }).findings).toEqual([]);
    expect(again.stderr).toMatch(/1 finding already in the baseline/);

    const sarif = file("previous.sarif", runCli(["scan", join(PAIR, "new"), "-f", "sarif"]).stdout);
    const diff = runCli(["diff", join(PAIR, "old"), join(PAIR, "new"), "-f", "json", "--baseline", sarif]);
    const left = (JSON.parse(diff.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((id) => id === "new-capability-in-update")).toBe(true);
  });

  it("fails with exit 2 on a file that is not a report", () => {
    const run = runCli(["scan", join(PAIR, "old"), "-f", "json", "--baseline", file("bad.json", "{\"x\":1}")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.json: baseline has neither findings\[\]/);
  });
});
