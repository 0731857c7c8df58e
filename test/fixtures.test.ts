// The generic fixture test: every package under fixtures/<ecosystem>/{malicious,benign}/
// is scanned, and the high/critical findings must be exactly the annotated ones.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isAtLeast } from "../src/core/types.js";
import { loadSignatures, type Signatures } from "../src/rules/signatures.js";
import { scanTargets } from "../src/scan.js";
import { expectationKey, readExpectations } from "./helpers/expectations.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const ECOSYSTEMS = ["npm", "pypi"];

function cases(kind: "malicious" | "benign"): string[] {
  return ECOSYSTEMS.flatMap((eco) => {
    const dir = join(FIXTURES, eco, kind);
    return existsSync(dir) ? readdirSync(dir).sort().map((name) => join(eco, kind, name)) : [];
  });
}

let signatures: Signatures;
beforeAll(() => {
  signatures = loadSignatures();
});

async function reported(caseDir: string): Promise<string[]> {
  const report = await scanTargets([join(FIXTURES, caseDir)], { signatures });
  expect(report.targets, `${caseDir} was not scanned: ${JSON.stringify(report.errors)}`).toHaveLength(1);
  return report.findings
    .filter((f) => isAtLeast(f.severity, "high"))
    .map((f) => expectationKey({ file: f.location.file, line: f.location.line, ruleId: f.ruleId, severity: f.severity }))
    .filter((key, index, all) => all.indexOf(key) === index)
    .sort();
}

describe("malicious fixtures report exactly their annotated findings", () => {
  it.each(cases("malicious"))("%s", async (caseDir) => {
    const expected = readExpectations(join(FIXTURES, caseDir)).map(expectationKey).sort();
    expect(expected.length, `${caseDir} has no expect: annotation`).toBeGreaterThan(0);
    for (const key of expected) expect(signatures.rules.has(key.split(" ")[1]!), `unknown rule in ${key}`).toBe(true);
    expect(await reported(caseDir)).toEqual([...new Set(expected)].sort());
  });
});

describe("benign fixtures report nothing high or critical", () => {
  it.each(cases("benign"))("%s", async (caseDir) => {
    expect(readExpectations(join(FIXTURES, caseDir)), `${caseDir} is benign but carries expect: annotations`).toEqual([]);
    expect(await reported(caseDir)).toEqual([]);
  });
});

describe("the fixture corpus", () => {
  it("has malicious and benign packages for both ecosystems", () => {
    for (const eco of ECOSYSTEMS) {
      expect(cases("malicious").filter((c) => c.startsWith(`${eco}/`)).length, eco).toBeGreaterThanOrEqual(15);
      expect(cases("benign").filter((c) => c.startsWith(`${eco}/`)).length, eco).toBeGreaterThanOrEqual(8);
    }
  });
});
