// known-malicious-package through the scan pipeline and the CLI, on the packages of
// fixtures/advisories/ with a store built from the OSV sample.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAdvisoryStore } from "../../src/advisories/index.js";
import { isAtLeast, type Finding, type ScanReport } from "../../src/core/types.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { scanTargets } from "../../src/scan.js";
import { runCli } from "../helpers/cli.js";
import { FIXTURES, expectationKey, readExpectations, readLookAlikes } from "../helpers/expectations.js";
import { ADVISORY_FIXTURES, advisoryCases } from "./coverage.js";
import { writeSampleStore } from "./sample-store.js";

const storeFile = writeSampleStore();
const advisories = loadAdvisoryStore(storeFile)!;
const signatures = loadSignatures();
const RULE = "known-malicious-package";

const keys = (findings: Finding[]) =>
  findings.map((f) => expectationKey({ file: f.location.file, line: f.location.line, ruleId: f.ruleId, severity: f.severity })).sort();

describe("scan with an advisory store", () => {
  it.each(advisoryCases("malicious"))("%s raises exactly its annotated findings", async (caseDir) => {
    const report = await scanTargets([join(ADVISORY_FIXTURES, caseDir)], { signatures, advisories });
    expect(report.errors).toEqual([]);
    const expected = readExpectations(join(ADVISORY_FIXTURES, caseDir)).map(expectationKey).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(keys(report.findings.filter((f) => isAtLeast(f.severity, "high")))).toEqual(expected);
    const finding = report.findings.find((f) => f.ruleId === RULE)!;
    expect(finding.message).toMatch(/is a known-malicious package: MAL-2099-\d{4} "Malicious code in /);
    expect(finding.category).toBe("known-malicious");
    expect(finding.attack).toContain("T1195.002");
    expect(finding.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each(advisoryCases("benign"))("%s (a version outside the advisory) does not raise it", async (caseDir) => {
    expect(readLookAlikes(join(ADVISORY_FIXTURES, caseDir))).toContain(RULE);
    const report = await scanTargets([join(ADVISORY_FIXTURES, caseDir)], { signatures, advisories });
    expect(report.targets).toHaveLength(1);
    expect(report.findings.filter((f) => f.ruleId === RULE || isAtLeast(f.severity, "high"))).toEqual([]);
  });

  it("does no advisory check without a store", async () => {
    const report = await scanTargets([join(ADVISORY_FIXTURES, "npm/malicious/colorz-util-compromised")], { signatures });
    expect(report.findings.filter((f) => f.ruleId === RULE)).toEqual([]);
  });
});

describe("exfilscan scan and the store", () => {
  const target = join(ADVISORY_FIXTURES, "npm/malicious/colorz-util-compromised");

  it("uses the store named by --advisory-store and exits 1 on the critical finding", () => {
    const { code, stdout, stderr } = runCli(["scan", target, "--advisory-store", storeFile]);
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ScanReport;
    expect(report.findings.filter((f) => f.ruleId === RULE).map((f) => [f.severity, f.location])).toEqual([
      ["critical", { file: "package.json", line: 3, column: 1 }],
    ]);
    expect(report.summary.critical).toBe(1);
  });

  it("without a store, says once how to get one and scans without the check", () => {
    const missing = join(mkdtempSync(join(tmpdir(), "exfilscan-nostore-")), "none.json");
    const { code, stdout, stderr } = runCli(["scan", target, "--offline"], { env: { EXFILSCAN_ADVISORY_STORE: missing, XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "exfilscan-state-")) } });
    expect(code).toBe(0);
    expect(stderr.match(/exfilscan signatures update/g)).toHaveLength(1);
    expect(stderr).toContain(missing);
    expect((JSON.parse(stdout) as ScanReport).findings.filter((f) => f.ruleId === RULE)).toEqual([]);
  });
});

it("the advisory fixtures live where coverage.ts looks for them", () => {
  expect(ADVISORY_FIXTURES.startsWith(FIXTURES)).toBe(true);
  expect(advisoryCases("malicious").length).toBeGreaterThanOrEqual(3);
});
