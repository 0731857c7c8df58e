// git for tests that build a repository: a fixed identity, stdout trimmed, stderr thrown on failure.
import { spawnSync } from "node:child_process";

export const hasGit = spawnSync("git", ["--version"]).status === 0;

export function git(cwd: string, ...args: string[]): string {
  const run = spawnSync("git", ["-c", "user.email=t@example.invalid", "-c", "user.name=t", ...args], { cwd, encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.trim();
}
