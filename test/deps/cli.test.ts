// `exfilscan deps` as a user runs it (the built CLI), against the loopback registry.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/types.js";
import { CLI, ROOT } from "../helpers/cli.js";
import { sarifSchemaErrors } from "../helpers/sarif-schema.js";
import { LOCKFILES, materialize } from "./helpers.js";
import { TestRegistry } from "./registry-server.js";

const NPM_PKGS = join(LOCKFILES, "packages", "npm");
const registry = new TestRegistry([
  { ecosystem: "npm", name: "webkit-helpers", version: "1.0.0", dir: join(NPM_PKGS, "webkit-helpers") },
  { ecosystem: "npm", name: "tidy-format", version: "2.0.0", dir: join(NPM_PKGS, "tidy-format") },
  { ecosystem: "npm", name: "lodahs-utils", version: "4.17.22", dir: join(ROOT, "fixtures", "npm", "malicious", "env-dump-fetch") },
]);
beforeAll(() => registry.start());
afterAll(() => registry.stop());

/** Asynchronous, so the registry in this process can answer while the CLI runs. */
function deps(args: string[], cwd: string, cacheDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, "deps", "--registry", registry.base, "--pypi-url", registry.base, "--cache-dir", cacheDir, "--advisory-store", join(cacheDir, "none.json"), ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", HOME: cacheDir, XDG_CONFIG_HOME: cacheDir, PIP_INDEX_URL: "", npm_config_registry: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const values = () => ({ registry: registry.base, sri: (id: string) => registry.sri(id) });
const cache = () => mkdtempSync(join(tmpdir(), "exfilscan-cli-cache-"));

describe("exfilscan deps (CLI)", () => {
  it("JSON: the finding carries package, dependency path and lockfile line; exit 1; same result warm and with one worker", async () => {
    const project = materialize("npm-v3", values());
    const dir = cache();
    const cold = await deps(["--format", "json"], project, dir);
    expect(cold.code, cold.stderr).toBe(1);
    const report = JSON.parse(cold.stdout) as ScanReport;
    const finding = report.findings.find((f) => f.severity === "critical")!;
    expect(finding).toMatchObject({
      ruleId: "credential-exfiltration",
      package: { ecosystem: "npm", name: "lodahs-utils", version: "4.17.22" },
      location: { file: "index.js", line: 3 },
      dependency: { lockfile: "package-lock.json", line: 17, paths: [["webkit-helpers@1.0.0", "lodahs-utils@4.17.22"]], direct: false, dev: false },
    });
    expect(report.deps).toMatchObject({ packages: 3, scanned: 3, fromCache: 0, notAnalysed: [] });
    expect(report.targets.find((t) => t.name === "tidy-format")?.dependency).toMatchObject({ direct: true, dev: true });
    const warm = await deps(["--format", "json", "--workers", "1", "--offline"], project, dir);
    const again = JSON.parse(warm.stdout) as ScanReport;
    expect(again.deps).toMatchObject({ scanned: 0, fromCache: 3, memo: true });
    expect(again.findings).toEqual(report.findings);
    const single = JSON.parse((await deps(["--format", "json", "--workers", "1"], project, cache())).stdout) as ScanReport;
    expect(single.findings).toEqual(report.findings);
  });

  it("text names the path and the declaring line; SARIF points at the lockfile line and validates", async () => {
    const project = materialize("npm-v3", values());
    const dir = cache();
    const text = await deps(["--format", "text"], project, dir);
    expect(text.stdout).toContain("via: (root) > webkit-helpers@1.0.0 > lodahs-utils@4.17.22");
    expect(text.stdout).toContain("declared: package-lock.json:17 (transitive)");
    expect(text.stdout).toMatch(/3 packages: 3 scanned, 0 from cache, 0 not analysed/);
    const sarif = await deps(["--format", "sarif"], project, dir);
    const log = JSON.parse(sarif.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const result = log.runs[0].results.find((r: { level: string }) => r.level === "error");
    expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "package-lock.json" }, region: { startLine: 17 } });
    expect(result.relatedLocations[0].physicalLocation.region.startLine).toBe(3);
  });

  it("exit codes: clean 0; a package that could not be analysed 2 (0 with --allow-unanalysed); nothing to scan 2", async () => {
    const project = mkdtempSync(join(tmpdir(), "exfilscan-clean-"));
    const lock = (extra: Record<string, unknown>) =>
      writeFileSync(join(project, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { "": {}, "node_modules/tidy-format": { version: "2.0.0", integrity: registry.sri("tidy-format@2.0.0") }, ...extra } }, null, 2));
    lock({});
    expect((await deps(["-q"], project, cache())).code).toBe(0);
    lock({ "node_modules/gone": { version: "1.0.0" } });
    const missing = await deps(["--format", "json"], project, cache());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/npm:gone@1\.0\.0: not analysed: registry answered 404/);
    expect((JSON.parse(missing.stdout) as ScanReport).deps!.notAnalysed).toHaveLength(1);
    expect((await deps(["-q", "--allow-unanalysed"], project, cache())).code).toBe(0);
    const empty = mkdtempSync(join(tmpdir(), "exfilscan-empty-"));
    const none = await deps([], empty, cache());
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no lockfile found/);
    expect((await deps(["--prod", "--dev"], project, cache())).code).toBe(2);
  });
});
