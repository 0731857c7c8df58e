// The generic fixture test: every package under fixtures/<ecosystem>/{malicious,benign}/
// is scanned.
// - malicious: high/critical findings are exactly the `expect:` ones; annotated
//   medium/low ones are present; `todo-expect:` ones (known misses) are absent, so the
//   test fails the day one starts passing and the annotation gets promoted.
// - benign: no credential finding at any severity (a rule whose metadata category is
//   credential-exfiltration), nothing else high or critical, and the look-alike rules silent;
//   a `known-false-positive:` finding must still be produced (it is the only exception).
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isAtLeast, type Finding } from "../src/core/types.js";
import { loadSignatures, type Signatures } from "../src/rules/signatures.js";
import { scanTargets } from "../src/scan.js";
import {
  ECOSYSTEMS,
  FIXTURES,
  expectationKey,
  fixtureCases,
  readExpectations,
  readKnownFalsePositives,
  readLookAlikes,
  readTodoExpectations,
} from "./helpers/expectations.js";

/** The rule category of findings that say a credential leaves (or may leave) the machine. */
const CREDENTIAL_CATEGORY = "credential-exfiltration";

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

const isCredentialFinding = (f: Finding): boolean => signatures.rules.get(f.ruleId)?.category === CREDENTIAL_CATEGORY;

describe("malicious fixtures report exactly their annotated findings", () => {
  it.each(fixtureCases("malicious"))("%s", async (caseDir) => {
    const expectations = readExpectations(join(FIXTURES, caseDir));
    const todos = readTodoExpectations(join(FIXTURES, caseDir));
    const serious = [...new Set(expectations.filter((e) => isAtLeast(e.severity as Finding["severity"], "high")).map(expectationKey))].sort();
    const seriousTodos = todos.filter((e) => isAtLeast(e.severity as Finding["severity"], "high"));
    expect(serious.length + seriousTodos.length, `${caseDir} has no high/critical expect: or todo-expect: annotation`).toBeGreaterThan(0);
    for (const e of [...expectations, ...todos]) expect(signatures.rules.has(e.ruleId), `unknown rule ${e.ruleId} in ${caseDir}`).toBe(true);
    const findings = await scanCase(caseDir);
    const all = keysOf(findings);
    for (const todo of todos) {
      expect(all, `${caseDir}: ${expectationKey(todo)} is found now: promote its todo-expect: to expect:`).not.toContain(expectationKey(todo));
    }
    expect(keysOf(findings.filter((f) => isAtLeast(f.severity, "high")))).toEqual(serious);
    for (const lesser of expectations.filter((e) => !isAtLeast(e.severity as Finding["severity"], "high"))) {
      expect(all, `${caseDir}: expected ${expectationKey(lesser)}`).toContain(expectationKey(lesser));
    }
  });
});

describe("benign fixtures report no credential finding and nothing high or critical", () => {
  it.each(fixtureCases("benign"))("%s", async (caseDir) => {
    const dir = join(FIXTURES, caseDir);
    expect([...readExpectations(dir), ...readTodoExpectations(dir)], `${caseDir} is benign but carries expect: annotations`).toEqual([]);
    const known = readKnownFalsePositives(dir).map(expectationKey);
    const produced = await scanCase(caseDir);
    for (const key of known) expect(keysOf(produced), `${caseDir}: known false positive ${key} is gone: remove its annotation`).toContain(key);
    const findings = produced.filter((f) => !known.includes(keysOf([f])[0]!));
    expect(keysOf(findings.filter(isCredentialFinding)), `${caseDir}: credential findings in a benign package`).toEqual([]);
    expect(keysOf(findings.filter((f) => isAtLeast(f.severity, "high")))).toEqual([]);
    for (const rule of readLookAlikes(dir)) {
      expect(signatures.rules.has(rule), `unknown look-alike rule ${rule}`).toBe(true);
      expect(keysOf(findings.filter((f) => f.ruleId === rule)), `${caseDir} is a look-alike for ${rule}`).toEqual([]);
    }
  });
});

describe("the fixture contract", () => {
  it("has malicious and benign packages for both ecosystems", () => {
    for (const eco of ECOSYSTEMS) {
      expect(fixtureCases("malicious").filter((c) => c.startsWith(`${eco}/`)).length, eco).toBeGreaterThanOrEqual(15);
      expect(fixtureCases("benign").filter((c) => c.startsWith(`${eco}/`)).length, eco).toBeGreaterThanOrEqual(8);
    }
  });

  it("names a credential category that rules use, and every finding about a credential source belongs to it", () => {
    const credentialRules = [...signatures.rules.values()].filter((r) => r.category === CREDENTIAL_CATEGORY).map((r) => r.id);
    expect(credentialRules).toContain("credential-exfiltration");
    expect(credentialRules).toContain("credential-to-dynamic-destination");
  });
});
