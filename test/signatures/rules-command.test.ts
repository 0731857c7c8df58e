// `exfilscan rules [id]`, and README's rule table generated from the same data.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RuleMeta } from "../../src/rules/schema.js";
import { currentRuleSection, renderRuleTable, replaceRuleSection } from "../../src/rules/rule-docs.js";
import { findRuleFixtures } from "../../src/rules/rule-fixtures.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { ROOT, runCli } from "../helpers/cli.js";
import { fixtureCoverage } from "./coverage.js";

const signatures = loadSignatures();

describe("exfilscan rules", () => {
  it("lists every rule with severity, ATT&CK and summary, worst first", () => {
    const { code, stdout } = runCli(["rules"]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^RULE\s+SEVERITY\s+ATT&CK\s+SUMMARY$/);
    expect(lines).toHaveLength(signatures.rules.size + 1);
    const known = lines.find((l) => l.startsWith("known-malicious-package "))!;
    expect(known).toMatch(/known-malicious-package\s+critical\s+T1195\.002\s+The package name and version are listed in an OSV/);
    expect(lines[1]).toMatch(/\scritical\s/);
  });

  it("lists them as JSON", () => {
    const { code, stdout } = runCli(["rules", "--format", "json"]);
    expect(code).toBe(0);
    const { schemaVersion, rules } = JSON.parse(stdout) as { schemaVersion: number; rules: RuleMeta[] };
    expect(schemaVersion).toBe(1);
    expect(rules.map((r) => r.id).sort()).toEqual([...signatures.rules.keys()].sort());
    expect(rules.find((r) => r.id === "known-malicious-package")).toMatchObject({ severity: "critical", attack: ["T1195.002"] });
  });

  it("prints one rule's full help", () => {
    const { code, stdout } = runCli(["rules", "known-malicious-package"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^known-malicious-package: Known-malicious package version/);
    expect(stdout).toContain("severity: critical");
    expect(stdout).toContain("ATT&CK:   T1195.002");
    expect(stdout).toContain("`exfilscan signatures update`");
    expect(stdout).toContain("  https://github.com/ossf/malicious-packages");
  });

  it("shows where the rule is found by its id: code, signature, fixtures both ways", () => {
    const { code, stdout } = runCli(["rules", "credential-exfiltration"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Code:      src/rules/credential-exfiltration.ts");
    expect(stdout).toContain("Signature: signatures/rules/credential-exfiltration.yaml");
    expect(stdout).toMatch(/Fixtures that must report it:\n {2}fixtures\/\S+:\d+ critical/);
    expect(stdout).toContain("  fixtures/npm/malicious/env-dump-fetch/index.js:3 critical");
    expect(stdout).toMatch(/Look-alikes that must not report it:\n {2}fixtures\/npm\/benign\//);
    const json = JSON.parse(runCli(["rules", "ssh-brute-force", "--format", "json"]).stdout) as { code: string; fixtures: { expect: string[] } };
    expect(json.code).toBe("src/logs/detectors/ssh-brute-force.ts");
    expect(json.fixtures.expect).toContain("fixtures/logs/syslog/brute-force-9.8.log (3 alerts)");
  });

  it("lists the same fixtures the coverage meta-test counts", () => {
    const coverage = fixtureCoverage();
    const rel = (dir: string) => dir.slice(ROOT.length + 1).split("\\").join("/");
    for (const id of signatures.rules.keys()) {
      const found = findRuleFixtures(id);
      for (const dir of coverage.positives.get(id) ?? []) expect(found.expect.some((e) => e.startsWith(`${rel(dir)}/`)), `${id}: ${rel(dir)}`).toBe(true);
      for (const dir of coverage.lookAlikes.get(id) ?? []) expect(found.lookAlikes.some((e) => e.startsWith(`${rel(dir)}/`)), `${id}: ${rel(dir)}`).toBe(true);
    }
  });

  it("exits 2 with a clear message for an unknown id", () => {
    const { code, stdout, stderr } = runCli(["rules", "no-such-rule"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/unknown rule "no-such-rule"/);
  });

  it("includes rules from --signatures directories, and stops on a broken one with file and line", () => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-rules-"));
    mkdirSync(join(dir, "rules"));
    writeFileSync(join(dir, "rules", "team-beacon.yaml"), "id: team-beacon\ntitle: Team beacon\nseverity: low\ncategory: custom\nsummary: Ours.\nhelp: Ours.\n");
    const listed = runCli(["--signatures", dir, "rules", "team-beacon"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("team-beacon: Team beacon");
    writeFileSync(join(dir, "rules", "team-beacon.yaml"), "id: team-beacon\ntitle: Team beacon\nseverity: urgent\ncategory: custom\nsummary: Ours.\nhelp: Ours.\n");
    const broken = runCli(["--signatures", dir, "rules"]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/team-beacon\.yaml:3: severity: /);
  });
});

describe("README rule table", () => {
  it("is what the generator produces (run `npm run build && node scripts/update-readme-rules.mjs`)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(currentRuleSection(readme), "README.md has no <!-- rules:start --> … <!-- rules:end --> section").toBeDefined();
    expect(currentRuleSection(readme)).toBe(renderRuleTable(signatures.rules.values()));
  });

  it("has a row per rule and survives a rewrite", () => {
    const table = renderRuleTable(signatures.rules.values());
    expect(table.split("\n")).toHaveLength(signatures.rules.size + 2);
    expect(table).toContain("| `known-malicious-package` | critical | T1195.002 |");
    const readme = "# x\n\n<!-- rules:start -->\nold\n<!-- rules:end -->\n\nrest\n";
    const once = replaceRuleSection(readme, table);
    expect(replaceRuleSection(once, table)).toBe(once);
    expect(currentRuleSection(once)).toBe(table);
    expect(once.endsWith("<!-- rules:end -->\n\nrest\n")).toBe(true);
  });
});
