// deps --installed with the project's lockfile: installed versions against the pinned ones,
// installed npm files against the archive the lockfile's integrity pins (loopback registry),
// and a warm run that reuses the archive's verdict for packages whose files match exactly.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultCache } from "../../src/deps/cache.js";
import { readInputs, scanDependencies } from "../../src/deps/scan.js";
import { createAnalyzer } from "../../src/deps/workers.js";
import { DEFAULT_LIMITS } from "../../src/ingest/index.js";
import { defaultRegistryOptions } from "../../src/registry/http.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { TestRegistry } from "./registry-server.js";

const sources = mkdtempSync(join(tmpdir(), "exfilscan-installed-lock-src-"));
function pkgDir(name: string, version: string, files: Record<string, string>, scripts?: Record<string, string>): string {
  const dir = join(sources, `${name}-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version, main: "index.js", ...(scripts ? { scripts } : {}) }, null, 2));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}
const LEFT = pkgDir("left-trim", "1.0.0", { "index.js": "module.exports = (s) => s.replace(/^\\s+/, '');\n" });
const LEFT2 = pkgDir("left-trim", "1.0.1", { "index.js": "module.exports = (s) => s.trimStart();\n" });
const COLORS = pkgDir("tiny-colors", "2.0.0", { "index.js": "exports.red = (s) => `\\u001b[31m${s}\\u001b[39m`;\n" });
const NATIVE = pkgDir("native-shim", "3.0.0", { "install.js": "require('fs').copyFileSync('prebuilt.bin', 'bin.js');\n", "bin.js": "console.log('shim');\n" }, { postinstall: "node install.js" });

const registry = new TestRegistry([
  { ecosystem: "npm", name: "left-trim", version: "1.0.0", dir: LEFT },
  { ecosystem: "npm", name: "tiny-colors", version: "2.0.0", dir: COLORS },
  { ecosystem: "npm", name: "native-shim", version: "3.0.0", dir: NATIVE },
]);
let signatures: Signatures;
beforeAll(async () => {
  signatures = loadSignatures();
  await registry.start();
});
afterAll(() => registry.stop());

/** A project whose package-lock.json pins the three packages, installed from the given folders. */
function project(installed: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "exfilscan-installed-lock-"));
  const ids = { "left-trim": "1.0.0", "tiny-colors": "2.0.0", "native-shim": "3.0.0" };
  const packages: Record<string, unknown> = { "": { name: "app", version: "1.0.0", dependencies: Object.fromEntries(Object.entries(ids).map(([n, v]) => [n, v])) } };
  for (const [name, version] of Object.entries(ids)) {
    packages[`node_modules/${name}`] = { version, resolved: `${registry.base}/${name}/-/${name}-${version}.tgz`, integrity: registry.sri(`${name}@${version}`), ...(name === "native-shim" ? { hasInstallScript: true } : {}) };
  }
  writeFileSync(join(root, "package.json"), JSON.stringify(packages[""]));
  writeFileSync(join(root, "package-lock.json"), JSON.stringify({ name: "app", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2));
  for (const [name, from] of Object.entries(installed)) cpSync(from, join(root, "node_modules", name), { recursive: true });
  return root;
}

async function scan(root: string, cacheDir = mkdtempSync(join(tmpdir(), "exfilscan-installed-lock-cache-")), offline = false) {
  return scanDependencies(await readInputs([root], true), {
    signatures,
    limits: DEFAULT_LIMITS,
    registry: { ...defaultRegistryOptions({}), npmRegistry: registry.base, pypiUrl: registry.base, cacheDir, offline },
    analyzer: createAnalyzer(1, signatures, []),
    cache: new ResultCache(cacheDir, "test"),
  });
}

const integrityFindings = (report: Awaited<ReturnType<typeof scan>>) =>
  report.findings.filter((f) => f.ruleId === "installed-file-modified" || f.ruleId === "installed-lock-mismatch").map((f) => ({ rule: f.ruleId, severity: f.severity, pkg: `${f.package!.name}@${f.package!.version}`, file: f.location.file }));

describe("installed tree against the lockfile", () => {
  it("a tree installed exactly from the lockfile: no finding; warm run reuses the archive verdicts, offline", async () => {
    const root = project({ "left-trim": LEFT, "tiny-colors": COLORS, "native-shim": NATIVE });
    const cacheDir = mkdtempSync(join(tmpdir(), "exfilscan-installed-lock-cache-"));
    const cold = await scan(root, cacheDir);
    expect(integrityFindings(cold)).toEqual([]);
    expect(cold.deps!.installedCheck).toEqual({ compared: 3, matching: 3, notCompared: [] });
    const tarballHits = registry.hits.filter((h) => h.endsWith(".tgz")).length;
    const warm = await scan(root, cacheDir, true);
    expect(integrityFindings(warm)).toEqual([]);
    expect(warm.deps!.installedCheck).toEqual({ compared: 3, matching: 3, notCompared: [] });
    // Lockfile entries and installed copies alike come from the cache; nothing was downloaded.
    expect(warm.targets.every((t) => t.cached)).toBe(true);
    expect(warm.targets).toHaveLength(6);
    expect(registry.hits.filter((h) => h.endsWith(".tgz")).length).toBe(tarballHits);
  });

  it("the installed packages' archives are fetched in parallel, and the result is the same as one at a time", async () => {
    const root = project({ "left-trim": LEFT, "tiny-colors": COLORS, "native-shim": NATIVE });
    registry.holdTarballsUntil = 3;
    registry.maxTarballsOpen = 0;
    try {
      const report = await scan(root);
      expect(registry.maxTarballsOpen).toBe(3);
      expect(report.deps!.installedCheck).toEqual({ compared: 3, matching: 3, notCompared: [] });
    } finally {
      registry.holdTarballsUntil = 0;
    }
  });

  it("a file changed after installation is high; a code file added is reported; the changed copy is scanned from disk", async () => {
    const root = project({ "left-trim": LEFT, "tiny-colors": COLORS, "native-shim": NATIVE });
    writeFileSync(join(root, "node_modules", "left-trim", "index.js"), "module.exports = (s) => s.trimStart(); // edited\n");
    writeFileSync(join(root, "node_modules", "tiny-colors", "extra.js"), "module.exports = 1;\n");
    writeFileSync(join(root, "node_modules", "tiny-colors", "NOTES.md"), "not code\n");
    const report = await scan(root);
    expect(integrityFindings(report)).toEqual([
      { rule: "installed-file-modified", severity: "high", pkg: "left-trim@1.0.0", file: "index.js" },
      { rule: "installed-file-modified", severity: "high", pkg: "tiny-colors@2.0.0", file: "extra.js" },
    ]);
    const modified = report.findings.find((f) => f.package?.name === "left-trim")!;
    expect(modified.message).toMatch(/node_modules\/left-trim\/index\.js differs from the same file in the archive .*package-lock\.json:\d+ pins/);
    expect(modified.dependency!.paths).toEqual([["left-trim@1.0.0"]]);
    expect(report.deps!.installedCheck!.matching).toBe(1);
    const installedTargets = report.targets.filter((t) => t.input.includes("node_modules") || !t.cached);
    expect(installedTargets.length).toBeGreaterThan(0);
  });

  it("a package with its own install script that rewrote its files is medium, not high", async () => {
    const root = project({ "left-trim": LEFT, "tiny-colors": COLORS, "native-shim": NATIVE });
    writeFileSync(join(root, "node_modules", "native-shim", "bin.js"), "#!/bin/sh\nexec ./prebuilt\n");
    expect(integrityFindings(await scan(root))).toEqual([{ rule: "installed-file-modified", severity: "medium", pkg: "native-shim@3.0.0", file: "bin.js" }]);
  });

  it("old npm's _from/_resolved keys in an installed package.json are not a change; any other key is", async () => {
    const root = project({ "left-trim": LEFT, "tiny-colors": COLORS, "native-shim": NATIVE });
    const manifest = (extra: Record<string, string>) => JSON.stringify({ name: "left-trim", version: "1.0.0", main: "index.js", ...extra }, null, 2);
    writeFileSync(join(root, "node_modules", "left-trim", "package.json"), manifest({ _from: "left-trim@1.0.0", _resolved: "x" }));
    expect(integrityFindings(await scan(root))).toEqual([]);
    writeFileSync(join(root, "node_modules", "left-trim", "package.json"), manifest({ _from: "left-trim@1.0.0", main: "other.js" }));
    expect(integrityFindings(await scan(root))).toEqual([{ rule: "installed-file-modified", severity: "high", pkg: "left-trim@1.0.0", file: "package.json" }]);
  });

  it("another version than the pinned one is medium; a package the lockfile does not list is low", async () => {
    const root = project({ "left-trim": LEFT2, "tiny-colors": COLORS, "native-shim": NATIVE });
    cpSync(pkgDir("stray-pkg", "0.1.0", { "index.js": "module.exports = 0;\n" }), join(root, "node_modules", "stray-pkg"), { recursive: true });
    const report = await scan(root);
    expect(integrityFindings(report)).toEqual([
      { rule: "installed-lock-mismatch", severity: "medium", pkg: "left-trim@1.0.1", file: join(root, "node_modules", "left-trim", "package.json") },
      { rule: "installed-lock-mismatch", severity: "low", pkg: "stray-pkg@0.1.0", file: join(root, "node_modules", "stray-pkg", "package.json") },
    ]);
    expect(report.findings.find((f) => f.package?.name === "left-trim")!.message).toMatch(/holds left-trim@1\.0\.1, but the lockfile pins 1\.0\.0 \(.*package-lock\.json:\d+\)/);
  });

  it("offline with an empty cache: the packages are listed as not compared, not as clean", async () => {
    const root = project({ "left-trim": LEFT, "tiny-colors": COLORS, "native-shim": NATIVE });
    const report = await scan(root, undefined, true);
    expect(report.deps!.installedCheck!.compared).toBe(0);
    expect(report.deps!.installedCheck!.notCompared.map((n) => n.package).sort()).toEqual(["left-trim@1.0.0", "native-shim@3.0.0", "tiny-colors@2.0.0"]);
  });

  it("a virtualenv under a Python project: an installed version the requirements do not pin is medium", async () => {
    const root = mkdtempSync(join(tmpdir(), "exfilscan-installed-lock-py-"));
    writeFileSync(join(root, "requirements.txt"), "six==1.16.0\n");
    const site = join(root, ".venv", "lib", "python3.11", "site-packages");
    mkdirSync(join(site, "six-1.15.0.dist-info"), { recursive: true });
    writeFileSync(join(root, ".venv", "pyvenv.cfg"), "home = /usr/bin\n");
    writeFileSync(join(site, "six-1.15.0.dist-info", "METADATA"), "Metadata-Version: 2.1\nName: six\nVersion: 1.15.0\n");
    writeFileSync(join(site, "six.py"), "PY3 = True\n");
    writeFileSync(join(site, "six-1.15.0.dist-info", "RECORD"), "six.py,,\nsix-1.15.0.dist-info/METADATA,,\n");
    const report = await scan(root, undefined, true);
    expect(integrityFindings(report)).toEqual([{ rule: "installed-lock-mismatch", severity: "medium", pkg: "six@1.15.0", file: join(site, "six-1.15.0.dist-info", "METADATA") }]);
  });
});
