// Installed trees: node_modules (hoisted, nested, @scope, pnpm's .pnpm store, binary-only
// platform packages) and site-packages (distributions by METADATA/RECORD, environment .pth).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ResultCache } from "../../src/deps/cache.js";
import { readInstalledNpm } from "../../src/deps/installed-npm.js";
import { readInputs, scanDependencies } from "../../src/deps/scan.js";
import { createAnalyzer } from "../../src/deps/workers.js";
import { DEFAULT_LIMITS } from "../../src/ingest/index.js";
import { defaultRegistryOptions } from "../../src/registry/http.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { ROOT } from "../helpers/cli.js";

const INSTALLED = join(ROOT, "fixtures", "installed");
let signatures: Signatures;
beforeAll(() => {
  signatures = loadSignatures();
});

async function scan(inputs: string[], installed = false) {
  const cacheDir = mkdtempSync(join(tmpdir(), "exfilscan-installed-"));
  return scanDependencies(await readInputs(inputs, installed), {
    signatures,
    limits: DEFAULT_LIMITS,
    // No network: an installed tree is read from disk only.
    registry: { ...defaultRegistryOptions({}), npmRegistry: "http://127.0.0.1:9", pypiUrl: "http://127.0.0.1:9", cacheDir, offline: true },
    analyzer: createAnalyzer(1, signatures, []),
    cache: new ResultCache(cacheDir, "test"),
  });
}

describe("node_modules", () => {
  it("finds the nested malicious copy with its path; a binary-only platform package is listed, not an error", async () => {
    const report = await scan([join(INSTALLED, "npm-project")], true);
    const finding = report.findings.find((f) => f.severity === "critical")!;
    expect(finding).toMatchObject({ ruleId: "credential-exfiltration", package: { name: "lodahs-utils", version: "4.17.22" }, location: { file: "index.js", line: 5 } });
    expect(finding.dependency!.paths).toEqual([["webkit-helpers@1.0.0", "lodahs-utils@4.17.22"]]);
    expect(report.targets.map((t) => t.name).sort()).toEqual(["@acme/logger", "lodahs-utils", "webkit-helpers"]);
    expect(report.deps!.binaryOnly).toEqual(["npm:@esbuild-lite/linux-x64@1.0.0"]);
    expect(report.deps!.notAnalysed).toEqual([]);
    expect(report.errors.filter((e) => !e.file)).toEqual([]);
  });

  it("without --installed a project with only node_modules says so", async () => {
    const report = await scan([join(INSTALLED, "npm-project")], false);
    expect(report.errors[0]!.message).toMatch(/no lockfile found.*--installed/);
  });

  it("pnpm's .pnpm store counts each package version once and resolves through symlinks", async () => {
    const root = mkdtempSync(join(tmpdir(), "exfilscan-pnpm-"));
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "app", dependencies: { outer: "1.0.0" } }));
    const store = join(root, "node_modules", ".pnpm");
    const add = (id: string, name: string, version: string, deps: Record<string, string> = {}) => {
      const dir = join(store, id, "node_modules", name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version, dependencies: deps }));
      writeFileSync(join(dir, "index.js"), "module.exports = 1;\n");
      return dir;
    };
    const outer = add("outer@1.0.0", "outer", "1.0.0", { inner: "^2" });
    add("inner@2.0.0", "inner", "2.0.0");
    add("inner@2.0.0_react@18.0.0", "inner", "2.0.0"); // a peer variant of the same version
    symlinkSync(join(store, "inner@2.0.0", "node_modules", "inner"), join(store, "outer@1.0.0", "node_modules", "inner"));
    symlinkSync(outer, join(root, "node_modules", "outer"));
    const tree = await readInstalledNpm(join(root, "node_modules"));
    expect(tree.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(["inner@2.0.0", "outer@1.0.0"]);
    expect(tree.packages.find((p) => p.name === "inner")!.paths).toEqual([["outer@1.0.0", "inner@2.0.0"]]);
  });
});

describe("site-packages", () => {
  it("each distribution is its own target; an unclaimed .pth belongs to the environment and is analysed; RECORD mismatches are reported", async () => {
    const report = await scan([join(INSTALLED, "site-packages")]);
    expect(report.targets.map((t) => `${t.name}@${t.version}`).sort()).toEqual(["(environment)@installed", "sitepkg-tools@1.0.0", "tampered-mod@2.0"]);
    const pth = report.findings.find((f) => f.severity === "critical")!;
    expect(pth).toMatchObject({ ruleId: "credential-exfiltration", package: { name: "(environment)" }, location: { file: "zz-telemetry.pth", line: 1 } });
    const modified = report.findings.filter((f) => f.ruleId === "installed-file-modified");
    expect(modified).toEqual([expect.objectContaining({ severity: "high", package: expect.objectContaining({ name: "tampered-mod" }), location: expect.objectContaining({ file: "tampered_mod/__init__.py" }) })]);
    // The benign sitecustomize.py and app-mode.pth are analysed without a finding.
    expect(report.findings.filter((f) => f.location.file === "sitecustomize.py" || f.location.file === "app-mode.pth")).toEqual([]);
  });
});
