// .exfilscanignore: validation with file and line, suppression, expiry.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { finishReport, newReport } from "../../src/core/report.js";
import type { Finding, ScanReport } from "../../src/core/types.js";
import { applyIgnoreList, globMatches } from "../../src/ignore/apply.js";
import { loadIgnoreFile } from "../../src/ignore/load.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { runCli } from "../helpers/cli.js";
import { ADVISORY_FIXTURES } from "./coverage.js";
import { writeSampleStore } from "./sample-store.js";

const ruleIds = new Set(loadSignatures().rules.keys());
const tmp = mkdtempSync(join(tmpdir(), "exfilscan-ignore-"));
let counter = 0;
function ignoreFile(text: string): string {
  const file = join(tmp, `ignore-${++counter}.yaml`);
  writeFileSync(file, text);
  return file;
}

function finding(ruleId: string, pkg: string, version: string, file: string, severity: Finding["severity"] = "critical"): Finding {
  return {
    ruleId,
    severity,
    category: "c",
    message: "m",
    package: { ecosystem: "npm", name: pkg, version },
    location: { file, line: 1, column: 1 },
    flow: [],
    indicators: [],
    attack: [],
    fingerprint: `${ruleId}-${pkg}-${file}`,
  };
}
function report(findings: Finding[]): ScanReport {
  return finishReport({ ...newReport(), findings });
}

describe("loading an ignore file", () => {
  it("requires a reason, naming the file and the entry's line", () => {
    const file = ignoreFile("- rule: credential-exfiltration\n  package: a\n  reason: vendored test data\n\n- rule: install-time-network\n  package: b\n");
    expect(() => loadIgnoreFile(file, ruleIds)).toThrow(new RegExp(`${file.replace(/[.\\/]/g, "\\$&")}:5: 1\\.reason: reason is required`));
  });

  it.each([
    ["an empty reason", "- rule: credential-exfiltration\n  package: a\n  reason: '  '\n", /:3: 0\.reason: reason must not be empty/],
    ["an unknown rule", "- rule: credential-exfiltrate\n  package: a\n  reason: r\n", /:1: 0\.rule: unknown rule id "credential-exfiltrate"/],
    ["neither package nor path", "- rule: credential-exfiltration\n  reason: r\n", /:1: 0: give package, path or both/],
    ["a bad date", "- rule: credential-exfiltration\n  package: a\n  reason: r\n  expires: 31/12/2099\n", /:4: 0\.expires: expires must be a date/],
    ["an unknown key", "- rule: credential-exfiltration\n  package: a\n  reason: r\n  until: 2099-01-01\n", /:1: 0: Unrecognized key/],
    ["broken YAML", "- rule: [credential-exfiltration\n", /:\d+: invalid YAML/],
  ])("rejects %s with file and line", (_name, text, message) => {
    expect(() => loadIgnoreFile(ignoreFile(text), ruleIds)).toThrow(message);
  });

  it("accepts an empty file, and keeps each entry's line", () => {
    expect(loadIgnoreFile(ignoreFile("# nothing yet\n"), ruleIds).entries).toEqual([]);
    const list = loadIgnoreFile(ignoreFile("# header\n- rule: credential-exfiltration\n  path: test/**\n  reason: r\n- rule: known-malicious-package\n  package: x@1.0.0\n  reason: r2\n  expires: 2099-12-31\n"), ruleIds);
    expect(list.entries.map((e) => [e.line, e.rule, e.expires])).toEqual([[2, "credential-exfiltration", undefined], [5, "known-malicious-package", "2099-12-31"]]);
  });
});

describe("applying an ignore file", () => {
  const today = new Date("2030-06-15T12:00:00Z");
  const text = [
    "- rule: credential-exfiltration",
    "  package: '@corp/tool@2.0.0'",
    "  reason: reviewed, sends to our own collector",
    "- rule: install-time-network",
    "  path: scripts/**",
    "  reason: downloads the prebuilt binary",
    "  expires: 2030-06-15",
    "- rule: obfuscated-code-execution",
    "  package: old-thing",
    "  reason: was waiting for upstream fix",
    "  expires: 2030-06-14",
  ].join("\n");

  it("suppresses matching findings, keeps them in the report and out of the counts", () => {
    const list = loadIgnoreFile(ignoreFile(text), ruleIds);
    const r = report([
      finding("credential-exfiltration", "@corp/tool", "2.0.0", "index.js"),
      finding("credential-exfiltration", "@corp/tool", "2.0.1", "index.js"),
      finding("install-time-network", "x", "1.0.0", "scripts/postinstall.js", "medium"),
      finding("install-time-network", "x", "1.0.0", "lib/postinstall.js", "medium"),
    ]);
    applyIgnoreList(r, list, today);
    finishReport(r);
    expect(r.findings.map((f) => [f.package?.version, f.location.file, f.suppressed?.reason ?? null])).toEqual([
      ["2.0.0", "index.js", "reviewed, sends to our own collector"],
      ["2.0.1", "index.js", null],
      ["1.0.0", "lib/postinstall.js", null],
      ["1.0.0", "scripts/postinstall.js", "downloads the prebuilt binary"],
    ]);
    expect(r.findings.find((f) => f.location.file === "scripts/postinstall.js")!.suppressed).toEqual({ reason: "downloads the prebuilt binary", expires: "2030-06-15" });
    expect(r.summary).toMatchObject({ critical: 1, medium: 1 });
  });

  it("stops suppressing after the expiry day and reports each expired entry with file and line", () => {
    const file = ignoreFile(text);
    const r = report([finding("obfuscated-code-execution", "old-thing", "1.0.0", "a.js", "medium")]);
    const expired = applyIgnoreList(r, loadIgnoreFile(file, ruleIds), today);
    finishReport(r);
    expect(r.findings[0]!.suppressed).toBeUndefined();
    expect(r.summary.medium).toBe(1);
    expect(expired).toEqual([
      {
        input: `${file}:8`,
        file,
        message: "ignore entry expired on 2030-06-14 (rule obfuscated-code-execution, package old-thing): it no longer suppresses anything",
      },
    ]);
    expect(r.errors).toEqual(expired);
  });

  it("matches globs on the finding's file", () => {
    expect(globMatches("test/**", "test/a/b.js")).toBe(true);
    expect(globMatches("test/", "test/a.js")).toBe(true);
    expect(globMatches("**/*.min.js", "dist/x.min.js")).toBe(true);
    expect(globMatches("**/*.min.js", "x.min.js")).toBe(true);
    expect(globMatches("*.js", "lib/x.js")).toBe(false);
    expect(globMatches("lib/?.py", "lib/a.py")).toBe(true);
    expect(globMatches("a.b", "axb")).toBe(false);
  });
});

describe("exfilscan scan with an ignore file", () => {
  const store = writeSampleStore();
  const target = join(ADVISORY_FIXTURES, "npm/malicious/colorz-util-compromised");
  const scan = (args: string[], cwd?: string) => runCli(["scan", target, "--advisory-store", store, ...args], cwd ? { cwd } : {});

  it("suppresses with --ignore-file: the finding stays in the report, the run passes", () => {
    const file = ignoreFile("- rule: known-malicious-package\n  package: colorz-util@2.4.2\n  reason: pinned in an isolated sandbox for analysis\n");
    const { code, stdout } = scan(["--ignore-file", file]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as ScanReport;
    expect(r.findings.find((f) => f.ruleId === "known-malicious-package")!.suppressed).toEqual({ reason: "pinned in an isolated sandbox for analysis" });
    expect(r.summary.critical).toBe(0);
  });

  it("reads ./.exfilscanignore from the working directory", () => {
    const dir = mkdtempSync(join(tmp, "cwd-"));
    writeFileSync(join(dir, ".exfilscanignore"), "- rule: known-malicious-package\n  package: colorz-util\n  reason: analysis sandbox\n");
    const { code, stdout } = scan([], dir);
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as ScanReport;
    expect(r.findings.find((f) => f.ruleId === "known-malicious-package")!.suppressed).toEqual({ reason: "analysis sandbox" });
  });

  it("an expired entry no longer suppresses: exit 1, reported in errors[] and on stderr", () => {
    const file = ignoreFile("- rule: known-malicious-package\n  package: colorz-util\n  reason: temporary\n  expires: 2020-01-31\n");
    const { code, stdout, stderr } = scan(["--ignore-file", file]);
    expect(code).toBe(1);
    const r = JSON.parse(stdout) as ScanReport;
    expect(r.findings.find((f) => f.ruleId === "known-malicious-package")!.suppressed).toBeUndefined();
    expect(r.errors).toEqual([expect.objectContaining({ input: `${file}:1`, message: expect.stringMatching(/^ignore entry expired on 2020-01-31/) })]);
    expect(stderr).toContain(`${file}:1`);
    expect(stderr).toContain("ignore entry expired on 2020-01-31");
  });

  it("a broken ignore file stops the scan before it starts (exit 2, file:line)", () => {
    const file = ignoreFile("- rule: known-malicious-package\n  package: colorz-util\n");
    const { code, stdout, stderr } = scan(["--ignore-file", file]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${file}:1: 0.reason: reason is required`);
  });
});
