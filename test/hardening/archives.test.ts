// Issue #16, part 2 (archives): bombs stopped while inflating (counted in bytes, never
// timed), declared sizes that lie, duplicate names, and sdists whose setup.py hides as a
// link or a tar member type tar skips. Every archive comes from scripts/gen-hostile.mjs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hostileArchives } from "../../scripts/gen-hostile.mjs";
import { DEFAULT_LIMITS, loadArchive } from "../../src/ingest/index.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { scanTargets } from "../../src/scan.js";

const signatures = loadSignatures();
const root = mkdtempSync(join(tmpdir(), "exfilscan-hostile-archives-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const MiB = 1024 * 1024;

describe("hostile archives", () => {
  for (const c of hostileArchives()) {
    it(`${c.id}: ${c.about}`, async () => {
      const pkg = await loadArchive(c.name, c.name, c.data, DEFAULT_LIMITS);
      const problems = pkg.errors.map((e) => `${e.file ?? ""}: ${e.message}`);
      if (c.expect.stopped) expect(pkg.errors.some((e) => !e.file && c.expect.stopped!.test(e.message)), problems.join("\n")).toBe(true);
      if (c.expect.maxInflatedMiB) expect(pkg.inflatedBytes ?? 0).toBeLessThanOrEqual(c.expect.maxInflatedMiB * MiB);
      if (c.expect.listed) {
        const [file, pattern] = c.expect.listed;
        expect(pkg.errors.some((e) => e.file === file && pattern.test(e.message)), problems.join("\n")).toBe(true);
      }
      if (c.expect.content) expect(pkg.files.get(c.expect.content[0])?.toString()).toContain(c.expect.content[1]);
      if (c.expect.rule || c.expect.finding) {
        const path = join(root, c.name);
        writeFileSync(path, c.data);
        const report = await scanTargets([path], { signatures });
        const where = JSON.stringify(report.findings.map((f) => [f.ruleId, f.severity, f.location.file, f.trigger]));
        if (c.expect.rule) {
          const hit = report.findings.find((f) => f.ruleId === c.expect.rule && f.location.file === c.expect.file);
          expect(hit, where).toBeDefined();
          expect(hit!.severity).toBe(c.expect.severity);
        }
        if (c.expect.finding) {
          const { file, trigger } = c.expect.finding;
          expect(report.findings.some((f) => f.location.file === file && f.trigger === trigger), where).toBe(true);
        }
      }
    }, 60_000);
  }

  it("a 2 MiB gzip bomb costs no more than the caps allow, also with small caps", async () => {
    const bomb = hostileArchives().find((c) => c.id === "tgz-bomb")!;
    const limits = { ...DEFAULT_LIMITS, maxTotalBytes: 8 * MiB };
    const pkg = await loadArchive(bomb.name, bomb.name, bomb.data, limits);
    // One slice of compressed input (16 KiB) inflates to at most ~16.5 MiB past the cap.
    expect(pkg.inflatedBytes).toBeLessThanOrEqual(8 * MiB + 17 * MiB);
    expect(pkg.errors.some((e) => /bytes in total/.test(e.message))).toBe(true);
  });
});
