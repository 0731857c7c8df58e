// Issue #16, part 1: nothing the analyzer could not read is reported clean. Every case
// comes from scripts/gen-hostile.mjs, so `node scripts/gen-hostile.mjs DIR` reproduces it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hostileCases } from "../../scripts/gen-hostile.mjs";
import { loadSignatures } from "../../src/rules/signatures.js";
import { scanTargets } from "../../src/scan.js";

const signatures = loadSignatures();
const root = mkdtempSync(join(tmpdir(), "exfilscan-hostile-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function materialize(id: string, files: Record<string, string | Buffer>): string {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, id, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return join(root, id);
}

describe("hostile packages that hide code behind the analyzer's limits", () => {
  for (const c of hostileCases().filter((c) => c.group === "unanalysed")) {
    it(`${c.id}: ${c.about}`, async () => {
      const report = await scanTargets([materialize(c.id, c.files)], { signatures });
      const rule = report.findings.filter((f) => f.ruleId === "unanalysed-code");
      if (c.expect.rule) {
        const hit = rule.find((f) => f.location.file === c.expect.file);
        expect(hit, JSON.stringify(report.findings.map((f) => [f.ruleId, f.location.file]))).toBeDefined();
        expect(hit!.severity).toBe(c.expect.severity);
        expect(hit!.trigger).toBe(c.expect.severity === "high" ? "install" : "import");
        // The reason is said, and the file is also listed in errors[] with it.
        expect(report.errors.some((e) => e.file?.replace(/#.*$/, "") === c.expect.file)).toBe(true);
      }
      if (c.expect.noRule) expect(rule).toEqual([]);
      if (c.expect.clean) expect([...report.findings, ...report.errors]).toEqual([]);
      if (c.expect.found) {
        const [ruleId, file] = c.expect.found;
        expect(report.findings.map((f) => [f.ruleId, f.location.file])).toContainEqual([ruleId, file]);
      }
      if (c.expect.listed) expect(report.errors.map((e) => e.file)).toContain(c.expect.listed);
      if (c.expect.notClean) {
        // Analysed past the exception, or said not to be: never a silent clean result.
        expect(report.findings.length + report.errors.length).toBeGreaterThan(0);
      }
    });
  }
});

// Issue #16, part 2: tiny inputs that used to cost minutes. The readers are linear by
// construction; the test's own timeout is only the guard against a hang.
describe("manifests built to make parsers quadratic", () => {
  for (const c of hostileCases().filter((c) => c.group === "dos")) {
    it(`${c.id}: ${c.about}`, async () => {
      const report = await scanTargets([materialize(c.id, c.files)], { signatures });
      expect(report.targets).toHaveLength(1);
      const target = report.targets[0]!;
      if (c.expect.ecosystem) expect(target.ecosystem).toBe(c.expect.ecosystem);
      if (c.expect.name) expect(target.name).toBe(c.expect.name);
      if (c.expect.version) expect(target.version).toBe(c.expect.version);
      if (c.expect.rule) {
        const hit = report.findings.find((f) => f.ruleId === c.expect.rule);
        expect(hit?.severity).toBe(c.expect.severity);
        expect(hit?.location.file).toBe(c.expect.file);
      }
    }, 30_000);
  }
});
