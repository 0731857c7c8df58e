// exfilscan deps end to end (in-process): every lockfile format, against a loopback
// registry built from fixture packages; the malicious package deep in each tree is found
// with its dependency path and the lockfile line that declares it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultCache } from "../../src/deps/cache.js";
import { readInputs, scanDependencies, type DepsScanOptions } from "../../src/deps/scan.js";
import { createAnalyzer } from "../../src/deps/workers.js";
import { DEFAULT_LIMITS } from "../../src/ingest/index.js";
import { parseNpmrc } from "../../src/registry/config.js";
import { defaultRegistryOptions, type RegistryOptions } from "../../src/registry/http.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { ROOT } from "../helpers/cli.js";
import { LOCKFILES, materialize } from "./helpers.js";
import { TestRegistry } from "./registry-server.js";

const NPM_PKGS = join(LOCKFILES, "packages", "npm");
const PYPI_PKGS = join(LOCKFILES, "packages", "pypi");
const registry = new TestRegistry([
  { ecosystem: "npm", name: "webkit-helpers", version: "1.0.0", dir: join(NPM_PKGS, "webkit-helpers") },
  { ecosystem: "npm", name: "tidy-format", version: "2.0.0", dir: join(NPM_PKGS, "tidy-format") },
  { ecosystem: "npm", name: "lodahs-utils", version: "4.17.22", dir: join(ROOT, "fixtures", "npm", "malicious", "env-dump-fetch") },
  { ecosystem: "npm", name: "tampered-lib", version: "1.0.0", dir: join(NPM_PKGS, "tampered-lib"), tamper: true },
  { ecosystem: "npm", name: "flaky-lib", version: "1.0.0", dir: join(NPM_PKGS, "flaky-lib"), failFirst: 2 },
  { ecosystem: "npm", name: "slow-lib", version: "1.0.0", dir: join(NPM_PKGS, "slow-lib"), hang: true },
  { ecosystem: "npm", name: "@private/private-lib", version: "1.0.0", dir: join(NPM_PKGS, "private-lib"), token: "s3cret-token" },
  { ecosystem: "pypi", name: "jsonkit-pro", version: "1.2.0", dir: join(PYPI_PKGS, "jsonkit-pro") },
  { ecosystem: "pypi", name: "pytest-tidy", version: "0.1.0", dir: join(PYPI_PKGS, "pytest-tidy") },
  { ecosystem: "pypi", name: "fastjsonx", version: "0.9.3", dir: join(ROOT, "fixtures", "pypi", "malicious", "develop-env-dump") },
]);

let signatures: Signatures;
beforeAll(async () => {
  signatures = loadSignatures();
  await registry.start();
});
afterAll(() => registry.stop());

const values = () => ({ registry: registry.base, pypi: registry.base, sri: (id: string) => registry.sri(id), sha256: (id: string) => registry.sha256(id) });

function registryOptions(extra: Partial<RegistryOptions> = {}): RegistryOptions {
  return { ...defaultRegistryOptions({}), npmRegistry: registry.base, pypiUrl: registry.base, cacheDir: mkdtempSync(join(tmpdir(), "exfilscan-deps-cache-")), timeoutMs: 2000, attempts: 3, backoffMs: 1, ...extra };
}

async function run(inputs: string[], extra: Partial<DepsScanOptions> = {}, reg: RegistryOptions = registryOptions()) {
  const cache = new ResultCache(reg.cacheDir, "test");
  return scanDependencies(await readInputs(inputs, false), {
    signatures,
    limits: DEFAULT_LIMITS,
    registry: reg,
    analyzer: createAnalyzer(1, signatures, []),
    cache,
    ...extra,
  });
}

const CASES: [string, string, string, number][] = [
  ["npm-v1", "package-lock.json", "lodahs-utils", 7],
  ["npm-v2", "package-lock.json", "lodahs-utils", 31],
  ["npm-v3", "package-lock.json", "lodahs-utils", 17],
  ["npm-shrinkwrap", "npm-shrinkwrap.json", "lodahs-utils", 17],
  ["yarn-v1", "yarn.lock", "lodahs-utils", 5],
  ["yarn-berry", "yarn.lock", "lodahs-utils", 17],
  ["pnpm-v6", "pnpm-lock.yaml", "lodahs-utils", 19],
  ["pnpm-v9", "pnpm-lock.yaml", "lodahs-utils", 21],
  ["poetry", "poetry.lock", "fastjsonx", 3],
  ["uv", "uv.lock", "fastjsonx", 17],
  ["pdm", "pdm.lock", "fastjsonx", 10],
  ["pipfile", "Pipfile.lock", "fastjsonx", 19],
  ["requirements", "requirements.txt", "fastjsonx", 9],
];

describe("every lockfile format finds the malicious package deep in the tree", () => {
  it.each(CASES)("%s", async (dir, file, malicious, line) => {
    const project = materialize(dir, values());
    const report = await run([project]);
    const lockfile = join(project, file);
    const finding = report.findings.find((f) => f.ruleId === "credential-exfiltration" && f.severity === "critical");
    expect(finding, JSON.stringify(report.errors)).toBeDefined();
    expect(finding!.package?.name).toBe(malicious);
    expect(finding!.dependency).toMatchObject({ lockfile, line, direct: dir === "pipfile" || dir === "requirements", dev: false });
    const path = dir === "pipfile" || dir === "requirements" ? [[`${malicious}@${malicious === "fastjsonx" ? "0.9.3" : "4.17.22"}`]] : malicious === "fastjsonx" ? [["jsonkit-pro@1.2.0", "fastjsonx@0.9.3"]] : [["webkit-helpers@1.0.0", "lodahs-utils@4.17.22"]];
    expect(finding!.dependency!.paths).toEqual(path);
    const target = report.targets.find((t) => t.name === malicious)!;
    expect(target.dependency?.line).toBe(line);
    if (dir === "requirements") {
      // VCS, URL and unpinned lines are listed as not analysed, never dropped.
      expect(report.deps!.notAnalysed.map((n) => n.line).sort((a, b) => a - b)).toEqual([2, 12, 13, 14]);
    } else {
      expect(report.deps!.notAnalysed).toEqual([]);
      expect(report.deps!.scanned).toBe(3);
    }
  });
});

describe("fetching, verification and the cache", () => {
  const lock = (entries: Record<string, { version: string; integrity?: string; resolved?: string }>) => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-lock-"));
    const packages: Record<string, unknown> = { "": { dependencies: Object.fromEntries(Object.keys(entries).map((n) => [n, "*"])) } };
    for (const [name, entry] of Object.entries(entries)) packages[`node_modules/${name}`] = entry;
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages }, null, 2));
    return dir;
  };

  it("a tarball that does not match the lockfile is a critical integrity-mismatch finding, not scanned, not cached", async () => {
    const project = lock({ "tampered-lib": { version: "1.0.0", integrity: registry.sri("tampered-lib@1.0.0") } });
    const reg = registryOptions();
    const report = await run([project], {}, reg);
    const finding = report.findings.find((f) => f.ruleId === "integrity-mismatch")!;
    expect(finding).toMatchObject({ severity: "critical", location: { file: join(project, "package-lock.json"), line: 9 } });
    expect(finding.message).toMatch(/pins sha512 [0-9a-f]{128}, the archive downloaded from .* has [0-9a-f]{128}/);
    expect(report.targets).toEqual([]);
    expect(report.deps!.notAnalysed).toEqual([expect.objectContaining({ package: "npm:tampered-lib@1.0.0", reason: expect.stringMatching(/integrity mismatch/) })]);
    // Nothing was cached: a second run downloads and fails again.
    const before = registry.hits.length;
    await run([project], {}, reg);
    expect(registry.hits.length).toBeGreaterThan(before);
  });

  it("a 404 and a hanging registry are listed as not analysed; a 5xx is retried", async () => {
    const project = lock({ "missing-lib": { version: "1.0.0" }, "slow-lib": { version: "1.0.0" }, "flaky-lib": { version: "1.0.0" } });
    const report = await run([project], {}, registryOptions({ timeoutMs: 300, attempts: 3 }));
    const reasons = Object.fromEntries(report.deps!.notAnalysed.map((n) => [n.package, n.reason]));
    expect(Object.keys(reasons).sort()).toEqual(["npm:missing-lib@1.0.0", "npm:slow-lib@1.0.0"]);
    expect(reasons["npm:missing-lib@1.0.0"]).toMatch(/404/);
    expect(reasons["npm:slow-lib@1.0.0"]).toMatch(/unreachable|abort|timeout/i);
    expect(report.targets.map((t) => t.name)).toEqual(["flaky-lib"]);
    expect(report.errors.filter((e) => !e.file).length).toBe(2);
  });

  it("a private scope gets its token, and only its host does", async () => {
    const project = lock({ "@private/private-lib": { version: "1.0.0" }, "tidy-format": { version: "2.0.0" } });
    const npmrc = parseNpmrc(`@private:registry=${registry.base}/private/\n//${new URL(registry.base).host}/private/:_authToken=s3cret-token\n`);
    const report = await run([project], {}, registryOptions({ npmrc }));
    expect(report.deps!.notAnalysed).toEqual([]);
    expect(report.targets.map((t) => t.name).sort()).toEqual(["@private/private-lib", "tidy-format"]);
    const sent = registry.authHeaders.filter((h) => h.authorization);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((h) => h.url.startsWith("/private/@private/"))).toBe(true);
    const without = await run([project], {}, registryOptions({ npmrc: parseNpmrc(`@private:registry=${registry.base}/private/\n`) }));
    expect(without.deps!.notAnalysed.map((n) => n.reason).join()).toMatch(/401/);
  });

  it("an unchanged tree rescans from the cache without a request; --offline lists what is missing", async () => {
    const project = materialize("npm-v3", values());
    const reg = registryOptions();
    const cold = await run([project], {}, reg);
    expect(cold.deps).toMatchObject({ scanned: 3, fromCache: 0 });
    const before = registry.hits.length;
    const warm = await run([project], {}, { ...reg, offline: true });
    expect(registry.hits.length).toBe(before);
    expect(warm.deps).toMatchObject({ scanned: 0, fromCache: 3 });
    expect(warm.findings.map((f) => f.fingerprint)).toEqual(cold.findings.map((f) => f.fingerprint));
    const empty = await run([project], {}, { ...registryOptions(), offline: true });
    expect(empty.deps!.notAnalysed).toHaveLength(3);
    expect(empty.deps!.notAnalysed[0]!.reason).toMatch(/--offline/);
  });

  it("a corrupt cache entry is analysed again", async () => {
    const project = materialize("npm-v3", values());
    const reg = registryOptions();
    await run([project], {}, reg);
    const { readdirSync } = await import("node:fs");
    const dir = join(reg.cacheDir, "results", "test");
    for (const name of readdirSync(dir)) if (name.endsWith(".json")) writeFileSync(join(dir, name), "{ torn");
    const again = await run([project], {}, reg);
    expect(again.deps).toMatchObject({ scanned: 3, fromCache: 0 });
  });

  it("--prod, --dev and --ecosystem filter packages", async () => {
    const project = materialize("npm-v3", values());
    expect((await run([project], { prodOnly: true })).targets.map((t) => t.name).sort()).toEqual(["lodahs-utils", "webkit-helpers"]);
    expect((await run([project], { devOnly: true })).targets.map((t) => t.name)).toEqual(["tidy-format"]);
    expect((await run([project], { ecosystem: "pypi" })).targets).toEqual([]);
  });

  it("a malformed lockfile is an error on its line; the other lockfiles are still scanned", async () => {
    const project = materialize("npm-v3", values());
    writeFileSync(join(project, "yarn.lock"), "# yarn lockfile v1\n\nfoo@^1:\n  version \"1.0.0\n");
    const report = await run([project]);
    expect(report.targets).toHaveLength(3);
    const error = report.errors.find((e) => e.input.endsWith("yarn.lock"))!;
    expect(error.file).toBe(join(project, "yarn.lock"));
  });
});
