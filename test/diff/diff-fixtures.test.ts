// fixtures/diff/<eco>/<kind>/<case>/{old,new}: version pairs. A malicious pair's diff
// must report exactly the findings annotated in its new version (medium and up); a
// benign pair (a refactor) must add no capability and nothing high.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAtLeast } from "../../src/core/types.js";
import { diffTargets } from "../../src/diff/index.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { FIXTURES, expectationKey, readExpectations, readLookAlikes } from "../helpers/expectations.js";

const signatures = loadSignatures();
const DIFF = join(FIXTURES, "diff");

function pairs(kind: "malicious" | "benign"): string[] {
  return ["npm", "pypi"].flatMap((eco) => {
    const dir = join(DIFF, eco, kind);
    return existsSync(dir) ? readdirSync(dir).sort().map((name) => `${eco}/${kind}/${name}`) : [];
  });
}

async function diffPair(pair: string) {
  const report = await diffTargets(join(DIFF, pair, "old"), join(DIFF, pair, "new"), { signatures });
  expect(report.errors, pair).toEqual([]);
  expect(report.targets).toHaveLength(2);
  return report.findings;
}

describe("malicious update pairs report exactly what the new version adds", () => {
  it.each(pairs("malicious"))("%s", async (pair) => {
    const expected = readExpectations(join(DIFF, pair, "new")).map(expectationKey).sort();
    expect(expected.some((k) => k.includes("new-capability-in-update")), `${pair} has no new-capability-in-update annotation`).toBe(true);
    const findings = await diffPair(pair);
    const got = [...new Set(findings.filter((f) => isAtLeast(f.severity, "medium")).map((f) => expectationKey({ file: f.location.file, line: f.location.line, ruleId: f.ruleId, severity: f.severity })))].sort();
    expect(got).toEqual([...new Set(expected)]);
  });
});

describe("benign update pairs (refactors) add no capability", () => {
  it.each(pairs("benign"))("%s", async (pair) => {
    expect(readLookAlikes(join(DIFF, pair, "new"))).toContain("new-capability-in-update");
    const findings = await diffPair(pair);
    expect(findings.filter((f) => f.ruleId === "new-capability-in-update").map((f) => f.message)).toEqual([]);
    expect(findings.filter((f) => isAtLeast(f.severity, "high")).map((f) => f.message)).toEqual([]);
  });
});

describe("the diff fixture corpus", () => {
  it("has malicious and benign pairs for both ecosystems", () => {
    for (const eco of ["npm", "pypi"]) {
      expect(pairs("malicious").filter((p) => p.startsWith(eco)).length, eco).toBeGreaterThan(0);
      expect(pairs("benign").filter((p) => p.startsWith(eco)).length, eco).toBeGreaterThan(0);
    }
  });
});
