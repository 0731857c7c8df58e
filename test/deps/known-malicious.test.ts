// The known-malicious check in deps needs only a name and a version: it runs on installed
// distributions (named from their METADATA, not their folder) and on lockfile packages that
// could not be fetched at all.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { loadAdvisoryStore } from "../../src/advisories/index.js";
import { ResultCache } from "../../src/deps/cache.js";
import { readInputs, scanDependencies } from "../../src/deps/scan.js";
import { createAnalyzer } from "../../src/deps/workers.js";
import { DEFAULT_LIMITS } from "../../src/ingest/index.js";
import { defaultRegistryOptions } from "../../src/registry/http.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { writeSampleStore } from "../signatures/sample-store.js";

it("installed distributions and unfetchable lockfile packages are checked against the advisory store by name and version", async () => {
  const root = mkdtempSync(join(tmpdir(), "exfilscan-deps-known-"));
  // Version 0.29 is in MAL-2099-2001 (fixtures/osv/PyPI); 1.0 is not.
  writeFileSync(join(root, "requirements.txt"), "# app\nssh_decorator==0.29\nrequests-toolbelt-ext==2.0\n");
  const site = join(root, ".venv", "lib", "python3.12", "site-packages");
  mkdirSync(site, { recursive: true });
  writeFileSync(join(root, ".venv", "pyvenv.cfg"), "home = /usr/bin\n");
  for (const [folder, name, version] of [["ssh_decorator-0.31.dist-info", "ssh-decorator", "0.31"], ["sshdeco-1.0.dist-info", "ssh-decorator", "1.0"]] as const) {
    mkdirSync(join(site, folder), { recursive: true });
    writeFileSync(join(site, folder, "METADATA"), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
  }
  const signatures = loadSignatures();
  const cacheDir = mkdtempSync(join(tmpdir(), "exfilscan-deps-known-cache-"));
  const report = await scanDependencies(await readInputs([root], true), {
    signatures,
    advisories: loadAdvisoryStore(writeSampleStore())!,
    limits: DEFAULT_LIMITS,
    registry: { ...defaultRegistryOptions({}), npmRegistry: "http://127.0.0.1:9", pypiUrl: "http://127.0.0.1:9", cacheDir, offline: true },
    analyzer: createAnalyzer(1, signatures, []),
    cache: new ResultCache(cacheDir, "test"),
  });
  const known = report.findings.filter((f) => f.ruleId === "known-malicious-package").map((f) => ({ pkg: `${f.package!.name}@${f.package!.version}`, file: f.location.file, line: f.location.line, severity: f.severity }));
  expect(known.sort((a, b) => a.line - b.line)).toEqual([
    { pkg: "ssh-decorator@0.31", file: join(site, "ssh_decorator-0.31.dist-info", "METADATA"), line: 1, severity: "critical" },
    { pkg: "ssh_decorator@0.29", file: join(root, "requirements.txt"), line: 2, severity: "critical" },
  ]);
  // The lockfile package could not be fetched (offline, empty cache): listed as not analysed as well.
  expect(report.deps!.notAnalysed.map((n) => n.package).sort()).toEqual(["pypi:requests-toolbelt-ext@2.0", "pypi:ssh_decorator@0.29"]);
});
