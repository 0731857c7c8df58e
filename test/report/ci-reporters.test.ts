// Reporters for CI: markdown PR comment, GitLab SAST report, SARIF for code scanning,
// and the format an --output file's extension picks.
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { finishReport, newReport } from "../../src/core/report.js";
import type { Finding, ScanReport } from "../../src/core/types.js";
import { diffTargets } from "../../src/diff/index.js";
import { REPORTERS, formatForFile } from "../../src/report/index.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { runCli } from "../helpers/cli.js";
import { FIXTURES } from "../helpers/expectations.js";
import { sarifSchemaErrors } from "../helpers/sarif-schema.js";

const rules = loadSignatures().rules;
const context = { color: false, rules, version: "0.1.0", failOn: "high" as const };
const PAIR = join(FIXTURES, "diff", "npm", "malicious", "padkit-postinstall");

function finding(n: number, partial: Partial<Finding> = {}): Finding {
  return {
    ruleId: "credential-exfiltration",
    severity: "critical",
    category: "credential-exfiltration",
    message: `Token | sent ${n} by HTTP to x.example.invalid`,
    package: { ecosystem: "npm", name: "evil|pkg", version: "1.0.0" },
    target: "pkgs/evil",
    location: { file: `src/f${n}.js`, line: n + 1, column: 1 },
    source: "registry-token",
    sink: "http",
    flow: [{ file: `src/f${n}.js`, line: n + 1, column: 1, note: "sent by fetch()" }],
    indicators: [{ type: "domain", value: "x.example.invalid" }],
    attack: ["T1041"],
    fingerprint: `fp${n}`.padEnd(32, "0"),
    ...partial,
  };
}

function report(findings: Finding[], errors: ScanReport["errors"] = []): ScanReport {
  const r = newReport();
  r.targets.push({ input: "pkgs/evil", ecosystem: "npm", name: "evil", version: "1.0.0", files: 3, bytes: 100 });
  r.findings.push(...findings);
  r.errors.push(...errors);
  return finishReport(r);
}

describe("markdown (PR comment)", () => {
  it("states the verdict, tabulates findings with escaped cells, details flows, lists what was not analysed", () => {
    const md = REPORTERS.markdown(report([finding(1), finding(2, { severity: "medium", ruleId: "install-time-network" })], [{ input: "broken.tgz", message: "not a readable tar archive" }]), context);
    expect(md.split("\n")[2]).toBe("❌ **1 finding at or above `high`** (1 critical, 1 medium).");
    expect(md).toContain("| 🔴 critical | `evil\\|pkg@1.0.0` | Token \\| sent 1 by HTTP to x.example.invalid | `src/f1.js:2` | pkgs/evil |");
    expect(md).toContain("<details><summary>Flow details</summary>");
    expect(md).toContain("### Not analysed");
    expect(md).toContain("- `broken.tgz`: not a readable tar archive");
  });

  it("says clean when clean and not-analysed when an input failed", () => {
    expect(REPORTERS.markdown(report([]), context)).toContain("✅ No findings in 1 package scanned.");
    const failed = report([], [{ input: "npm:x@1.0.0", message: "offline and not in the cache" }]);
    expect(REPORTERS.markdown(failed, context)).toContain("⚠️ **Not fully analysed**");
  });

  it("stays under the size limit and counts what it left out", () => {
    const many = report(Array.from({ length: 2000 }, (_, i) => finding(i)));
    const md = renderMarkdown(many, { maxChars: 65_000 });
    expect(md.length).toBeLessThan(65_000);
    const shown = md.split("\n").filter((l) => l.startsWith("| 🔴")).length;
    expect(shown).toBeGreaterThan(10);
    expect(md).toContain(`… ${2000 - shown} more findings not shown here`);
  });
});

// What GitLab's security-report schema (15.x, SAST) requires; checked with ajv.
const GITLAB_REQUIRED = {
  type: "object",
  required: ["version", "scan", "vulnerabilities"],
  properties: {
    version: { type: "string", pattern: "^15\\.\\d+\\.\\d+$" },
    scan: {
      type: "object",
      required: ["analyzer", "scanner", "start_time", "end_time", "status", "type"],
      properties: {
        analyzer: { $ref: "#/definitions/tool" },
        scanner: { $ref: "#/definitions/tool" },
        start_time: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$" },
        end_time: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$" },
        status: { enum: ["success", "failure"] },
        type: { enum: ["sast"] },
        messages: { type: "array", items: { type: "object", required: ["level", "value"], properties: { level: { enum: ["info", "warn", "fatal"] }, value: { type: "string" } } } },
      },
    },
    vulnerabilities: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "identifiers", "location"],
        properties: {
          id: { type: "string", minLength: 1 },
          name: { type: "string", maxLength: 255 },
          description: { type: "string", maxLength: 1048576 },
          severity: { enum: ["Info", "Unknown", "Low", "Medium", "High", "Critical"] },
          identifiers: {
            type: "array",
            minItems: 1,
            items: { type: "object", required: ["type", "name", "value"], properties: { type: { type: "string", minLength: 1 }, name: { type: "string", minLength: 1 }, value: { type: "string", minLength: 1 }, url: { type: "string", format: "uri" } } },
          },
          location: { type: "object", required: ["file"], properties: { file: { type: "string", minLength: 1 }, start_line: { type: "integer", minimum: 1 }, end_line: { type: "integer", minimum: 1 } } },
        },
      },
    },
  },
  definitions: {
    tool: { type: "object", required: ["id", "name", "version", "vendor"], properties: { id: { type: "string" }, name: { type: "string" }, version: { type: "string" }, vendor: { type: "object", required: ["name"] } } },
  },
};

const require = createRequire(import.meta.url);
type Validator = ((doc: unknown) => boolean) & { errors?: unknown };
const Ajv = (require("ajv") as { default: new (o: object) => { compile(s: object): Validator } }).default;
const addFormats = (require("ajv-formats") as { default: (a: unknown) => void }).default;
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const validateGitlab = ajv.compile(GITLAB_REQUIRED);

describe("gitlab (SAST report)", () => {
  it("has every field GitLab requires, stable ids, and leaves suppressed findings out", async () => {
    const diffed = await diffTargets(join(PAIR, "old"), join(PAIR, "new"), { signatures: loadSignatures() });
    diffed.findings.push({ ...finding(9), suppressed: { reason: "reviewed" } });
    const doc = JSON.parse(REPORTERS.gitlab(diffed, context)) as { vulnerabilities: { id: string; location: { file: string }; severity: string }[]; scan: { status: string } };
    expect(validateGitlab(doc), JSON.stringify(validateGitlab.errors)).toBe(true);
    expect(doc.scan.status).toBe("success");
    expect(doc.vulnerabilities).toHaveLength(diffed.findings.length - 1);
    expect(doc.vulnerabilities.map((v) => v.severity)).toContain("Critical");
    expect(doc.vulnerabilities[0]!.location.file).toMatch(/padkit-postinstall\/new\//);
    const again = JSON.parse(REPORTERS.gitlab(diffed, context)) as typeof doc;
    expect(again.vulnerabilities.map((v) => v.id)).toEqual(doc.vulnerabilities.map((v) => v.id));
    const failed = JSON.parse(REPORTERS.gitlab(finishReport({ ...newReport(), errors: [{ input: "x", message: "unreadable" }] }), context)) as { scan: { status: string; messages: { level: string }[] } };
    expect(validateGitlab(failed)).toBe(true);
    expect(failed.scan).toMatchObject({ status: "failure", messages: [{ level: "fatal" }] });
  });
});

describe("sarif for GitHub code scanning", () => {
  it("validates, gives every source→sink finding a code flow, keeps fingerprints, reports failures as notifications", async () => {
    const diffed = await diffTargets(join(PAIR, "old"), join(PAIR, "new"), { signatures: loadSignatures() });
    diffed.errors.push({ input: "npm:gone@1.0.0", message: "not found" });
    const log = JSON.parse(REPORTERS.sarif(diffed, context)) as {
      runs: { tool: { driver: { rules: { id: string; properties: { tags: string[]; "security-severity": string } }[] } }; results: { ruleId: string; codeFlows?: unknown[]; partialFingerprints: Record<string, string>; properties: { source?: string; sink?: string } }[]; invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string }[] }[] }[];
    };
    expect(sarifSchemaErrors(log)).toEqual([]);
    const run = log.runs[0]!;
    const rule = run.tool.driver.rules.find((r) => r.id === "new-capability-in-update")!;
    expect(rule.properties.tags).toContain("external/attack/T1195.002");
    expect(Number(rule.properties["security-severity"])).toBeGreaterThan(0);
    for (const r of run.results) {
      expect(r.partialFingerprints["exfilscan/v1"]).toMatch(/^[0-9a-f]{32}$/);
      if (r.properties.source && r.properties.sink) expect(r.codeFlows, r.ruleId).toHaveLength(1);
    }
    expect(run.invocations[0]!.executionSuccessful).toBe(false);
    expect(run.invocations[0]!.toolExecutionNotifications).toEqual([expect.objectContaining({ level: "error" })]);
  });
});

describe("output format from the file extension", () => {
  it("maps .sarif .md .json gl-*.json and leaves unknown extensions to --format", () => {
    expect(["a.sarif", "a.sarif.json", "a.md", "b.json", "reports/gl-exfilscan.json", "x.txt", "x.out"].map(formatForFile)).toEqual(["sarif", "sarif", "markdown", "json", "gitlab", "text", undefined]);
  });

  it("exfilscan diff -o x.md writes markdown and still names each blocking finding on stderr", () => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-md-"));
    const out = join(dir, "comment.md");
    const run = runCli(["diff", join(PAIR, "old"), join(PAIR, "new"), "-o", out]);
    expect(run.code).toBe(1);
    expect(readFileSync(out, "utf8")).toMatch(/^## exfilscan\n\n❌/);
    const blocking = run.stderr.split("\n").filter((l) => /^exfilscan: (critical|high) /.test(l));
    expect(blocking).toHaveLength(3);
    expect(blocking[0]).toContain("padkit@1.0.1 lib/telemetry.js:");
  });
});
