// deps --installed with a Python lockfile that pins wheel hashes: every installed file is
// compared with the RECORD inside the wheel the lockfile pins (served by the loopback index),
// so a file changed together with its line in the installed RECORD is caught.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultCache } from "../../src/deps/cache.js";
import { filenameTags } from "../../src/deps/installed-wheel.js";
import { readInputs, scanDependencies } from "../../src/deps/scan.js";
import { createAnalyzer } from "../../src/deps/workers.js";
import { DEFAULT_LIMITS } from "../../src/ingest/index.js";
import { defaultRegistryOptions } from "../../src/registry/http.js";
import { renderText } from "../../src/report/text.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { TestRegistry } from "./registry-server.js";

const ID = "tidy-strings@1.0.0";
const source = mkdtempSync(join(tmpdir(), "exfilscan-wheel-src-"));
mkdirSync(join(source, "tidy_strings"));
writeFileSync(join(source, "tidy_strings", "__init__.py"), "from .core import squeeze\n");
writeFileSync(join(source, "tidy_strings", "core.py"), "def squeeze(text):\n    return ' '.join(text.split())\n");
writeFileSync(join(source, "tidy_strings", "py.typed"), "");

const registry = new TestRegistry([
  { ecosystem: "pypi", name: "tidy-strings", version: "1.0.0", dir: source, wheel: true },
  { ecosystem: "pypi", name: "bent-wheel", version: "2.0.0", dir: source, wheel: true, tamperWheel: true },
]);
let signatures: Signatures;
beforeAll(async () => {
  signatures = loadSignatures();
  await registry.start();
});
afterAll(() => registry.stop());

const b64 = (data: string | Buffer) => createHash("sha256").update(data).digest("base64url");

/** What pip does with the wheel: its files, then INSTALLER, REQUESTED, direct_url.json, bytecode, and a RECORD listing them all. */
function install(site: string, id: string): void {
  const entries = registry.wheelEntries.get(id)!;
  const distInfo = Object.keys(entries).find((p) => p.endsWith(".dist-info/RECORD"))!.replace(/\/RECORD$/, "");
  const written: Record<string, Buffer> = {};
  for (const [path, content] of Object.entries(entries)) if (!path.endsWith("/RECORD")) written[path] = content;
  written[`${distInfo}/INSTALLER`] = Buffer.from("pip\n");
  written[`${distInfo}/REQUESTED`] = Buffer.from("");
  written[`${distInfo}/direct_url.json`] = Buffer.from('{"url": "file:///tmp/x.whl", "archive_info": {}}');
  const top = Object.keys(entries).find((p) => !p.includes(".dist-info/"))!.split("/")[0]!;
  written[`${top}/__pycache__/core.cpython-311.pyc`] = Buffer.from([0x6f, 0x0d, 0x0d, 0x0a, 1, 2, 3]);
  for (const [path, content] of Object.entries(written)) {
    mkdirSync(dirname(join(site, path)), { recursive: true });
    writeFileSync(join(site, path), content);
  }
  writeRecord(site, distInfo, Object.keys(written));
}

/** RECORD as pip writes it, from the files on disk now (what an attacker rewriting RECORD does too). */
function writeRecord(site: string, distInfo: string, paths: string[]): void {
  const lines = paths.sort().map((p) => {
    const content = readFileSync(join(site, p));
    return `${p},sha256=${b64(content)},${content.length}`;
  });
  lines.push("../../../bin/tidy,,", `${distInfo}/RECORD,,`);
  writeFileSync(join(site, distInfo, "RECORD"), `${lines.join("\n")}\n`);
}

interface Project {
  root: string;
  site: string;
  lockfile: string;
}

function project(lock: "requirements" | "poetry-wheel" | "poetry-sdist-only", id = ID): Project {
  const [name, version] = id.split("@") as [string, string];
  const root = mkdtempSync(join(tmpdir(), "exfilscan-wheel-"));
  let lockfile: string;
  if (lock === "requirements") {
    lockfile = join(root, "requirements.txt");
    writeFileSync(lockfile, `# pinned\n${name}==${version} \\\n    --hash=sha256:${registry.sha256(id)} \\\n    --hash=sha256:${registry.wheelSha256(id)}\n`);
  } else {
    lockfile = join(root, "poetry.lock");
    const files = [`    {file = "${name}-${version}.tar.gz", hash = "sha256:${registry.sha256(id)}"},`];
    if (lock === "poetry-wheel") files.push(`    {file = "${registry.wheelName(id)}", hash = "sha256:${registry.wheelSha256(id)}"},`);
    writeFileSync(lockfile, `[[package]]\nname = "${name}"\nversion = "${version}"\ndescription = ""\noptional = false\npython-versions = ">=3.8"\nfiles = [\n${files.join("\n")}\n]\n\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "${"0".repeat(64)}"\n`);
  }
  writeFileSync(join(root, "pyproject.toml"), `[tool.poetry]\nname = "app"\nversion = "0.1.0"\n[tool.poetry.dependencies]\n${name} = "${version}"\n`);
  const site = join(root, ".venv", "lib", "python3.11", "site-packages");
  mkdirSync(site, { recursive: true });
  writeFileSync(join(root, ".venv", "pyvenv.cfg"), "home = /usr/bin\n");
  install(site, id);
  return { root, site, lockfile };
}

const newCache = () => mkdtempSync(join(tmpdir(), "exfilscan-wheel-cache-"));

async function scan(root: string, cacheDir = newCache(), offline = false) {
  return scanDependencies(await readInputs([root], true), {
    signatures,
    limits: DEFAULT_LIMITS,
    registry: { ...defaultRegistryOptions({}), npmRegistry: registry.base, pypiUrl: registry.base, cacheDir, offline, timeoutMs: 5000, backoffMs: 1 },
    analyzer: createAnalyzer(1, signatures, []),
    cache: new ResultCache(cacheDir, "test"),
  });
}

const integrity = (report: Awaited<ReturnType<typeof scan>>) =>
  report.findings
    .filter((f) => f.category === "integrity")
    .map((f) => ({ rule: f.ruleId, severity: f.severity, file: f.location.file }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.rule.localeCompare(b.rule));
const wheelHits = () => registry.hits.filter((h) => h.endsWith(".whl")).length;

describe("installed Python distributions against the wheel the lockfile pins", () => {
  it("a clean install matches the pinned wheel (installer-written files and bytecode are not differences); a warm offline run reads no wheel", async () => {
    const { root } = project("requirements");
    const cacheDir = newCache();
    const before = wheelHits();
    const cold = await scan(root, cacheDir);
    expect(integrity(cold)).toEqual([]);
    expect(cold.deps!.installedCheck).toEqual({ compared: 1, matching: 1, notCompared: [] });
    expect(wheelHits()).toBe(before + 1);
    const warm = await scan(root, cacheDir, true);
    expect(integrity(warm)).toEqual([]);
    expect(warm.deps!.installedCheck).toEqual({ compared: 1, matching: 1, notCompared: [] });
    expect(wheelHits()).toBe(before + 1);
  });

  it("a file changed together with its installed RECORD line is caught, naming the lockfile and both digests", async () => {
    const { root, site, lockfile } = project("requirements");
    const edited = "import os, urllib.request\ndef squeeze(text):\n    return ' '.join(text.split())\n";
    writeFileSync(join(site, "tidy_strings", "core.py"), edited);
    const distInfo = "tidy_strings-1.0.0.dist-info";
    writeFileSync(join(site, "tidy_strings", "_hook.py"), "pass\n");
    writeRecord(site, distInfo, [
      "tidy_strings/__init__.py",
      "tidy_strings/core.py",
      "tidy_strings/_hook.py",
      "tidy_strings/py.typed",
      `${distInfo}/METADATA`,
      `${distInfo}/WHEEL`,
      `${distInfo}/INSTALLER`,
      `${distInfo}/REQUESTED`,
    ]);
    const report = await scan(root);
    // The installed RECORD agrees with the disk: only the wheel's RECORD shows the change.
    expect(integrity(report)).toEqual([
      { rule: "installed-file-modified", severity: "high", file: "tidy_strings/_hook.py" },
      { rule: "installed-file-modified", severity: "high", file: "tidy_strings/core.py" },
    ]);
    const modified = report.findings.find((f) => f.location.file === "tidy_strings/core.py" && f.category === "integrity")!;
    const original = registry.wheelEntries.get(ID)!["tidy_strings/core.py"]!;
    expect(modified.message).toContain(`${lockfile}:`);
    expect(modified.message).toContain(`sha256 ${registry.wheelSha256(ID)}`);
    expect(modified.message).toContain(`the wheel's RECORD has sha256=${b64(original)}, the installed file sha256=${b64(edited)}`);
    expect(modified.message).toContain("installed RECORD rewritten to match it");
    expect(modified.package).toEqual({ ecosystem: "pypi", name: "tidy-strings", version: "1.0.0" });
    expect(modified.dependency?.paths).toEqual([["tidy-strings@1.0.0"]]);
    expect(report.findings.find((f) => f.location.file === "tidy_strings/_hook.py")!.message).toMatch(/is not in the wheel .*requirements\.txt:2 pins/);
    expect(report.deps!.installedCheck).toMatchObject({ compared: 1, matching: 0, notCompared: [] });
    // The changed copy is what is analysed from disk.
    expect(report.targets.some((t) => t.name === "tidy-strings" && !t.cached)).toBe(true);
  });

  it("a file changed without touching RECORD is reported once (against the wheel), not twice", async () => {
    const { root, site } = project("poetry-wheel");
    writeFileSync(join(site, "tidy_strings", "__init__.py"), "from .core import squeeze  # edited\n");
    const report = await scan(root);
    expect(integrity(report)).toEqual([{ rule: "installed-file-modified", severity: "high", file: "tidy_strings/__init__.py" }]);
    expect(report.findings.find((f) => f.category === "integrity")!.message).toMatch(/differs from the wheel .*poetry\.lock:1 pins \(tidy-strings@1\.0\.0: tidy_strings-1\.0\.0-py3-none-any\.whl, sha256 /);
  });

  it("a file of the wheel removed together with its RECORD line is low", async () => {
    const { root, site } = project("requirements");
    const distInfo = "tidy_strings-1.0.0.dist-info";
    rmSync(join(site, "tidy_strings", "py.typed"));
    writeRecord(site, distInfo, ["tidy_strings/__init__.py", "tidy_strings/core.py", `${distInfo}/METADATA`, `${distInfo}/WHEEL`]);
    const report = await scan(root);
    expect(integrity(report)).toEqual([{ rule: "installed-file-modified", severity: "low", file: `${distInfo}/RECORD` }]);
    expect(report.findings.find((f) => f.category === "integrity")!.message).toMatch(/^tidy_strings\/py\.typed is in the wheel/);
  });

  it("--offline with the wheel not cached: listed as not compared, never as matching", async () => {
    const { root } = project("requirements");
    const report = await scan(root, newCache(), true);
    expect(report.deps!.installedCheck!.compared).toBe(0);
    expect(report.deps!.installedCheck!.matching).toBe(0);
    expect(report.deps!.installedCheck!.notCompared).toEqual([{ package: "tidy-strings@1.0.0", reason: expect.stringMatching(/^--offline: no wheel .*requirements\.txt:2 pins for tidy-strings==1\.0\.0 is in the cache/) }]);
    const text = renderText(report, { color: false });
    expect(text).toContain("installed against the lockfile's archives: 0 compared, 0 identical, 1 not compared");
    expect(text).toMatch(/ {2}not compared: tidy-strings@1\.0\.0: --offline: no wheel/);
  });

  it("a lockfile that pins only the sdist: not compared, with the reason", async () => {
    const { root } = project("poetry-sdist-only");
    const report = await scan(root);
    expect(report.deps!.installedCheck!.compared).toBe(0);
    expect(report.deps!.installedCheck!.notCompared).toEqual([{ package: "tidy-strings@1.0.0", reason: expect.stringMatching(/pins no wheel of tidy-strings==1\.0\.0 \(only sdists\)/) }]);
  });

  it("a wheel whose bytes are not the pinned ones is the critical integrity-mismatch; nothing is compared with it", async () => {
    const id = "bent-wheel@2.0.0";
    const { root } = project("requirements", id);
    // The test installs the real wheel; the index serves other bytes under the pinned digest.
    const report = await scan(root);
    const mismatch = report.findings.filter((f) => f.ruleId === "integrity-mismatch");
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]!.severity).toBe("critical");
    expect(mismatch[0]!.message).toContain(`pins sha256 ${registry.wheelSha256(id)}`);
    expect(report.deps!.installedCheck!.notCompared).toEqual([{ package: "bent-wheel@2.0.0", reason: expect.stringMatching(/integrity mismatch: .*bent_wheel-2\.0\.0-py3-none-any\.whl is not the wheel the lockfile pins/) }]);
  });

  it("wheel file names expand their compressed tag sets", () => {
    expect(filenameTags("six-1.16.0-py2.py3-none-any.whl")).toEqual(["py2-none-any", "py3-none-any"]);
    expect(filenameTags("pkg-1.0-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")).toEqual(["cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"]);
    expect(filenameTags("not-a-wheel.tar.gz")).toEqual([]);
  });
});
