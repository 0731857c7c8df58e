// Meta-test: every package rule has a fixture that triggers it (an `expect:` annotation)
// and a benign fixture that must not (a `look-alike:` header). A rule with neither is
// untested, and fails here. Host-log rules are covered by fixtures/logs instead.
import { describe, expect, it } from "vitest";
import { LOG_RULE_IDS } from "../../src/logs/detectors/index.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { fixtureCoverage, hostLogRuleIds } from "./coverage.js";

const signatures = loadSignatures();
// What the log detectors raise (their registry) and what the log fixtures expect: no hand-kept list here.
const logRules = new Set<string>([...LOG_RULE_IDS, ...hostLogRuleIds()]);
const packageRules = [...signatures.rules.keys()].filter((id) => !logRules.has(id)).sort();
const coverage = fixtureCoverage();

describe("every package rule is tested both ways", () => {
  it.each(packageRules)("%s", (id) => {
    expect(coverage.positives.get(id), `no fixture package has an "expect: ${id} <severity>" annotation (fixtures/{npm,pypi}/malicious, fixtures/advisories)`).toBeDefined();
    expect(coverage.lookAlikes.get(id), `no benign fixture package names ${id} in a "look-alike:" header`).toBeDefined();
  });
});

describe("the coverage data itself", () => {
  it("finds the package rules and the host-log rules", () => {
    expect(packageRules).toEqual(expect.arrayContaining(["credential-exfiltration", "known-malicious-package"]));
    for (const id of logRules) expect(signatures.rules.has(id), `host-log rule ${id} has no signatures/rules/${id}.yaml`).toBe(true);
  });

  it("names only rules that exist", () => {
    for (const [id, where] of [...coverage.positives, ...coverage.lookAlikes]) {
      expect(signatures.rules.has(id), `${where.join(", ")} name unknown rule ${id}`).toBe(true);
    }
  });
});
