// The generic fixture test: every package under fixtures/<ecosystem>/{malicious,benign}/
// is scanned. High/critical findings must be exactly the annotated ones; annotated
// medium/low ones must be present; a benign package's look-alike rules must not fire.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isAtLeast, type Finding } from "../src/core/types.js";
import { loadSignatures, type Signatures } from "../src/rules/signatures.js";
import { scanTargets } from "../src/scan.js";
import { ECOSYSTEMS, FIXTURES, expectationKey, fixtureCases, readExpectations, readLookAlikes } from "./helpers/expectations.js";


let signatures: Signatures;
beforeAll(() => {
  signatures = loadSignatures();
});

async function scanCase(caseDir: string): Promise<Finding[]> {
  const report = await scanTargets([join(FIXTURES, caseDir)], { signatures });
  expect(report.targets, `${caseDir} was not scanned: ${JSON.stringify(report.errors)}`).toHaveLength(1);
  return report.findings;
}

const keysOf = (findings: Finding[]): string[] =>
  [...new Set(findings.map((f) => expectationKey({ file: f.location.file, line: f.location.line, ruleId: f.ruleId, severity: f.severity })))].sort();

describe("malicious fixtures report exactly their annotated findings", () => {
  it.each(fixtureCases("malicious"))("%s", async (caseDir) => {
    const expectations = readExpectations(join(FIXTURES, caseDir));
    const serious = [...new Set(expectations.filter((e) => isAtLeast(e.severity as Finding["severity"], "high")).map(expectationKey))].sort();
    expect(serious.length, `${caseDir} has no high/critical expect: annotation`).toBeGreaterThan(0);
    for (const e of expectations) expect(signatures.rules.has(e.ruleId), `unknown rule ${e.ruleId} in ${caseDir}`).toBe(true);
    const findings = await scanCase(caseDir);
    expect(keysOf(findings.filter((f) => isAtLeast(f.severity, "high")))).toEqual(serious);
    const all = keysOf(findings);
    for (const lesser of expectations.filter((e) => !isAtLeast(e.severity as Finding["severity"], "high"))) {
      expect(all, `${caseDir}: expected ${expectationKey(lesser)}`).toContain(expectationKey(lesser));
    }
  });
});

describe("benign fixtures report nothing high or critical", () => {
  it.each(fixtureCases("benign"))("%s", async (caseDir) => {
    expect(readExpectations(join(FIXTURES, caseDir)), `${caseDir} is benign but carries expect: annotations`).toEqual([]);
    const findings = await scanCase(caseDir);
    expect(keysOf(findings.filter((f) => isAtLeast(f.severity, "high")))).toEqual([]);
    for (const rule of readLookAlikes(join(FIXTURES, caseDir))) {
      expect(signatures.rules.has(rule), `unknown look-alike rule ${rule}`).toBe(true);
      expect(keysOf(findings.filter((f) => f.ruleId === rule)), `${caseDir} is a look-alike for ${rule}`).toEqual([]);
    }
  });
});

describe("the fixture corpus", () => {
  it("has malicious and benign packages for both ecosystems", () => {
    for (const eco of ECOSYSTEMS) {
      expect(fixtureCases("malicious").filter((c) => c.startsWith(`${eco}/`)).length, eco).toBeGreaterThanOrEqual(15);
      expect(fixtureCases("benign").filter((c) => c.startsWith(`${eco}/`)).length, eco).toBeGreaterThanOrEqual(8);
    }
  });
});
