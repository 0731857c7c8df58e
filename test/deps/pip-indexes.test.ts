// deps honours pip's own index settings (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, pip.conf) for
// lockfiles that name no index; a lockfile's own index wins; --pypi-url overrides them.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/types.js";
import { ResultCache } from "../../src/deps/cache.js";
import { readInputs, scanDependencies } from "../../src/deps/scan.js";
import { createAnalyzer } from "../../src/deps/workers.js";
import { DEFAULT_LIMITS } from "../../src/ingest/index.js";
import { loadPipIndexConfig } from "../../src/registry/config.js";
import { defaultRegistryOptions, type RegistryOptions } from "../../src/registry/http.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { CLI, ROOT } from "../helpers/cli.js";
import { TestRegistry } from "./registry-server.js";

const DEAD = "http://127.0.0.1:9";
const registry = new TestRegistry([{ ecosystem: "pypi", name: "jsonkit-pro", version: "1.2.0", dir: join(ROOT, "fixtures", "lockfiles", "packages", "pypi", "jsonkit-pro") }]);
let signatures: Signatures;
beforeAll(async () => {
  signatures = loadSignatures();
  await registry.start();
});
afterAll(() => registry.stop());

function project(extraLines = ""): string {
  const root = mkdtempSync(join(tmpdir(), "exfilscan-pipidx-"));
  writeFileSync(join(root, "requirements.txt"), `${extraLines}jsonkit-pro==1.2.0 --hash=sha256:${registry.sha256("jsonkit-pro@1.2.0")}\n`);
  return root;
}

async function scan(root: string, registryOptions: Partial<RegistryOptions>): Promise<ScanReport> {
  const cacheDir = mkdtempSync(join(tmpdir(), "exfilscan-pipidx-cache-"));
  return scanDependencies(await readInputs([root], false), {
    signatures,
    limits: DEFAULT_LIMITS,
    registry: { ...defaultRegistryOptions({}), npmRegistry: DEAD, pypiUrl: DEAD, cacheDir, timeoutMs: 3000, attempts: 1, ...registryOptions },
    analyzer: createAnalyzer(1, signatures, []),
    cache: new ResultCache(cacheDir, "test"),
  });
}

const analysed = (report: ScanReport) => report.targets.map((t) => `${t.name}@${t.version}`);

describe("pip's index configuration", () => {
  it("pip.conf's index-url and extra-index-url; the environment replaces the option it names", () => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-pipconf-"));
    const conf = join(dir, "pip.conf");
    writeFileSync(conf, "[global]\nindex-url = https://mirror.example/simple/\nextra-index-url =\n    https://a.example/simple\n    https://b.example/simple\n[freeze]\nindex-url = https://ignored.example/simple\n");
    const env = { PIP_CONFIG_FILE: conf, HOME: dir, XDG_CONFIG_HOME: dir };
    expect(loadPipIndexConfig(env)).toEqual({ index: "https://mirror.example/simple", extra: ["https://a.example/simple", "https://b.example/simple"] });
    expect(loadPipIndexConfig({ ...env, PIP_INDEX_URL: "https://env.example/simple" })).toEqual({ index: "https://env.example/simple", extra: ["https://a.example/simple", "https://b.example/simple"] });
    expect(loadPipIndexConfig({ ...env, PIP_EXTRA_INDEX_URL: "https://c.example/simple https://d.example/simple" })).toEqual({ index: "https://mirror.example/simple", extra: ["https://c.example/simple", "https://d.example/simple"] });
    expect(loadPipIndexConfig({ HOME: dir, XDG_CONFIG_HOME: dir, PIP_CONFIG_FILE: join(dir, "absent.conf") })).toEqual({ extra: [] });
  });

  it("a lockfile naming no index is fetched from pip's index (PEP 691), or from an extra index when the index lacks it", async () => {
    expect(analysed(await scan(project(), { pipIndexes: { index: `${registry.base}/simple`, extra: [] } }))).toEqual(["jsonkit-pro@1.2.0"]);
    const viaExtra = await scan(project(), { pipIndexes: { index: DEAD, extra: ["file:///opt/local/simple", `${registry.base}/simple`] } });
    expect(analysed(viaExtra)).toEqual(["jsonkit-pro@1.2.0"]);
    // Without pip's settings the (dead) default index is all there is: not analysed, with the reason.
    const without = await scan(project(), {});
    expect(analysed(without)).toEqual([]);
    expect(without.deps!.notAnalysed.map((n) => n.package)).toEqual(["pypi:jsonkit-pro@1.2.0"]);
  });

  it("a file:// index is named as not read, never silently skipped", async () => {
    const report = await scan(project(), { pipIndexes: { index: "file:///opt/local/simple", extra: [] } });
    expect(report.deps!.notAnalysed[0]!.reason).toContain("file:///opt/local/simple: not an http(s) index; not read");
  });

  it("the lockfile's own --index-url wins over pip's settings", async () => {
    const report = await scan(project(`--index-url ${registry.base}/simple\n`), { pipIndexes: { index: DEAD, extra: [] } });
    expect(analysed(report)).toEqual(["jsonkit-pro@1.2.0"]);
  });

  it("CLI: PIP_INDEX_URL is used without --pypi-url", async () => {
    const root = project();
    const home = mkdtempSync(join(tmpdir(), "exfilscan-pipidx-home-"));
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, "deps", root, "--format", "json", "-q", "--cache-dir", join(home, "cache"), "--advisory-store", join(home, "none.json"), "--timeout", "3000"], {
          env: { ...process.env, NO_COLOR: "1", HOME: home, XDG_CONFIG_HOME: home, PIP_CONFIG_FILE: join(home, "absent.conf"), EXFILSCAN_PYPI_URL: "", PIP_EXTRA_INDEX_URL: "", ...env },
        });
        let stdout = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.on("close", (code) => resolve({ code, stdout }));
      });
    const result = await run({ PIP_INDEX_URL: `${registry.base}/simple` });
    const report = JSON.parse(result.stdout) as ScanReport;
    expect(analysed(report)).toEqual(["jsonkit-pro@1.2.0"]);
    expect(report.deps!.notAnalysed).toEqual([]);
    expect(registry.hits).toContain("/simple/jsonkit-pro/");
  });
});
