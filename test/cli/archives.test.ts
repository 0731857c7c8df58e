// The same malicious package in every archive shape a registry serves must give the same finding.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/types.js";
import { makeTar, makeZip } from "../helpers/archives.js";
import { runCli, ROOT } from "../helpers/cli.js";
import { listFiles } from "../helpers/expectations.js";

const tmp = mkdtempSync(join(tmpdir(), "exfilscan-archives-"));

function filesOf(fixture: string): Record<string, Buffer> {
  const dir = join(ROOT, "fixtures", fixture);
  return Object.fromEntries(listFiles(dir).map((file) => [file, readFileSync(join(dir, file))]));
}

function criticalOf(archive: string): { name?: string; version?: string; where: string[] } {
  const { code, stdout } = runCli(["scan", archive]);
  expect(code).toBe(1);
  const report = JSON.parse(stdout) as ScanReport;
  return {
    ...(report.targets[0]?.name ? { name: report.targets[0].name } : {}),
    ...(report.targets[0]?.version ? { version: report.targets[0].version } : {}),
    where: report.findings.filter((f) => f.severity === "critical").map((f) => `${f.ruleId} ${f.location.file}:${f.location.line}`),
  };
}

describe("Python archives", () => {
  const files = filesOf("pypi/malicious/ssh-decorate");
  const expected = { name: "ssh-decorate", version: "0.0.3", where: ["credential-exfiltration ssh_decorate/__init__.py:38"] };

  it.each([
    ["ssh-decorate-0.0.3.tar.gz", () => makeTar(Object.entries(files).map(([p, c]) => ({ path: `ssh-decorate-0.0.3/${p}`, content: c })))],
    ["ssh-decorate-0.0.3.zip", () => makeZip(Object.fromEntries(Object.entries(files).map(([p, c]) => [`ssh-decorate-0.0.3/${p}`, c])))],
    [
      "ssh_decorate-0.0.3-py3-none-any.whl",
      () =>
        makeZip({
          "ssh_decorate/__init__.py": files["ssh_decorate/__init__.py"]!,
          "ssh_decorate-0.0.3.dist-info/METADATA": "Metadata-Version: 2.1\nName: ssh-decorate\nVersion: 0.0.3\n",
        }),
    ],
    [
      "ssh_decorate-0.0.3-py2.7.egg",
      () =>
        makeZip({
          "ssh_decorate/__init__.py": files["ssh_decorate/__init__.py"]!,
          "EGG-INFO/PKG-INFO": "Metadata-Version: 1.1\nName: ssh-decorate\nVersion: 0.0.3\n",
        }),
    ],
  ])("%s", (name, build) => {
    const archive = join(tmp, name);
    writeFileSync(archive, build());
    expect(criticalOf(archive)).toEqual(expected);
  });
});

describe("npm tarballs", () => {
  it("finds the postinstall key theft inside an npm pack tarball", () => {
    const files = filesOf("npm/malicious/postinstall-ssh-key-https");
    const archive = join(tmp, "node-sshkey-helper-2.0.1.tgz");
    writeFileSync(archive, makeTar(Object.entries(files).map(([p, c]) => ({ path: `package/${p}`, content: c }))));
    expect(criticalOf(archive)).toEqual({ name: "node-sshkey-helper", version: "2.0.1", where: ["credential-exfiltration index.js:26"] });
  });
});
