import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/types.js";
import { makeTar } from "../helpers/archives.js";
import { runCli } from "../helpers/cli.js";
import { sarifSchemaErrors } from "../helpers/sarif-schema.js";

const MALICIOUS = "fixtures/pypi/malicious/ssh-decorate";
const tmp = mkdtempSync(join(tmpdir(), "exfilscan-cli-"));

describe("exfilscan scan", () => {
  it("exits 1 and reports the ssh-decorate backdoor as critical, naming key, password and destination", () => {
    const { code, stdout } = runCli(["scan", MALICIOUS]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ScanReport;
    expect(report.schemaVersion).toBe(1);
    expect(report.targets[0]).toMatchObject({ input: MALICIOUS, ecosystem: "pypi", name: "ssh-decorate", version: "0.0.3" });
    const critical = report.findings.filter((f) => f.severity === "critical");
    expect(critical).toHaveLength(1);
    expect(critical[0]!.message).toMatch(/SSH private key/);
    expect(critical[0]!.message).toMatch(/[Pp]assword/);
    expect(critical[0]!.message).toMatch(/ssh-decorate\.cf/);
    expect(critical[0]!.indicators).toContainEqual({ type: "domain", value: "ssh-decorate.cf" });
    expect(report.summary.critical).toBe(1);
  });

  it("exits 0 on a clean package", () => {
    const dir = mkdtempSync(join(tmp, "clean-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "clean", version: "1.0.0", main: "index.js" }));
    writeFileSync(join(dir, "index.js"), "module.exports = (a, b) => a + b;\n");
    const { code, stdout } = runCli(["scan", dir]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as ScanReport).findings).toEqual([]);
  });

  it("exits 2 for a missing target and reports it in errors[] and on stderr", () => {
    const { code, stdout, stderr } = runCli(["scan", "does/not/exist"]);
    expect(code).toBe(2);
    expect((JSON.parse(stdout) as ScanReport).errors).toEqual([{ input: "does/not/exist", message: "no such file or directory", level: "error" }]);
    expect(stderr).toContain("does/not/exist: no such file or directory");
  });

  it("keeps scanning after a corrupt archive; findings decide the exit code, the error is kept", () => {
    const corrupt = join(tmp, "corrupt.tgz");
    writeFileSync(corrupt, Buffer.from("definitely not gzip"));
    const mixed = runCli(["scan", corrupt, MALICIOUS]);
    expect(mixed.code).toBe(1);
    const report = JSON.parse(mixed.stdout) as ScanReport;
    expect(report.targets.map((t) => t.input)).toEqual([MALICIOUS]);
    expect(report.errors.map((e) => e.input)).toEqual([corrupt]);
    // Alone, the corrupt archive is exit 2: nothing could be scanned.
    expect(runCli(["scan", corrupt]).code).toBe(2);
  });

  it("scans an npm tarball and reports a cap that stops reading as an error on that target", () => {
    const tarball = join(tmp, "big.tgz");
    writeFileSync(
      tarball,
      makeTar([
        { path: "package/package.json", content: JSON.stringify({ name: "big", version: "1.0.0" }) },
        ...Array.from({ length: 5 }, (_, i) => ({ path: `package/f${i}.js`, content: `exports.v${i} = ${i};\n` })),
      ]),
    );
    const ok = runCli(["scan", tarball]);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as ScanReport).targets[0]).toMatchObject({ name: "big", version: "1.0.0", files: 6 });
    const capped = runCli(["scan", tarball, "--max-files", "3"]);
    expect(capped.code).toBe(2);
    expect((JSON.parse(capped.stdout) as ScanReport).errors[0]?.message).toMatch(/more than 3 files/);
  });

  it("honours --fail-on", () => {
    expect(runCli(["scan", MALICIOUS, "--fail-on", "critical"]).code).toBe(1);
    const dropper = runCli(["scan", "fixtures/pypi/benign/setup-binary-download", "--fail-on", "medium"]);
    expect(dropper.code).toBe(1);
    expect(runCli(["scan", "fixtures/pypi/benign/setup-binary-download"]).code).toBe(0);
  });

  it("writes --output files in text, json and sarif", () => {
    const text = join(tmp, "r.txt");
    expect(runCli(["scan", MALICIOUS, "--format", "text", "--output", text]).code).toBe(1);
    expect(readFileSync(text, "utf8")).toMatch(/CRITICAL credential-exfiltration {2}ssh-decorate@0\.0\.3/);
    expect(readFileSync(text, "utf8")).not.toMatch(/\u001b\[/);
    const sarif = join(tmp, "r.sarif");
    runCli(["scan", MALICIOUS, "--format", "sarif", "--output", sarif]);
    const log = JSON.parse(readFileSync(sarif, "utf8"));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/^fixtures\/pypi\/malicious\/ssh-decorate\/ssh_decorate\//);
  });

  it("exits 2 with a clear message on usage errors", () => {
    const badSeverity = runCli(["scan", MALICIOUS, "--fail-on", "severe"]);
    expect(badSeverity.code).toBe(2);
    expect(badSeverity.stderr).toMatch(/--fail-on must be one of/);
    expect(runCli(["scan", MALICIOUS, "--format", "xml"]).code).toBe(2);
    expect(runCli(["scan"]).code).toBe(2);
    expect(runCli(["frobnicate"]).code).toBe(2);
  });

  it("refuses to start on a broken signature directory, naming file and line", () => {
    const dir = mkdtempSync(join(tmp, "sig-"));
    writeFileSync(join(dir, "sources.yaml"), "credentialFiles:\n  - kind: not-a-kind\n    pattern: x\n    note: n\nenvSecretNames: []\nsecretParameterNames: []\n");
    const { code, stderr, stdout } = runCli(["--signatures", dir, "scan", MALICIOUS]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/sources\.yaml:2: credentialFiles\.0\.kind/);
  });
});
