// A git dependency whose package.json has a `prepare` script: resolving it can run that script
// (pacote "prepares" a git clone with `npm install --force` in it, and packs it after running
// `prepare`). Real npm, real pacote, a local bare git repository: the guard's two resolution
// paths (npm's Arborist in this process, a lockfile-only npm in a temporary copy) resolve it
// without the script running, where the same resolution without the guard's options runs it.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommand } from "../../src/guard/command.js";
import { findOnPath } from "../../src/guard/npm-inline.js";
import { checkInsideReify, npmArborist } from "../../src/guard/npm-inside.js";
import { planNpm } from "../../src/guard/npm.js";
import { git, hasGit } from "../helpers/git.js";

const npmOnPath = findOnPath("npm", process.cwd(), process.env["PATH"]);
const npmCli = npmOnPath ? realpathSync(npmOnPath) : undefined;
const Arborist = npmCli ? npmArborist(npmCli) : undefined;

interface ArboristLike {
  new (options: Record<string, unknown>): { options: Record<string, unknown>; buildIdealTree(o?: Record<string, unknown>): Promise<unknown>; reify(o?: Record<string, unknown>): Promise<unknown> };
}

let root: string;
let marker: string;
let project: string;
let gitMarker: string;
let project2: string;


beforeAll(() => {
  if (!hasGit) return;
  root = mkdtempSync(join(tmpdir(), "exfilscan-git-prepare-"));
  marker = join(root, "prepare-ran");
  const src = join(root, "src");
  mkdirSync(src);
  // bundleDependencies: a lockfile-only resolution opens such a package up (pacote packs it, preparing first).
  const script = `node -e "require('fs').writeFileSync(${JSON.stringify(marker).replace(/"/g, "'")}, 'ran')"`;
  writeFileSync(join(src, "package.json"), JSON.stringify({ name: "gitdep", version: "1.0.0", bundleDependencies: ["gitdep-inner"], scripts: { prepare: script, install: script } }));
  git(src, "init", "-q");
  git(src, "add", ".");
  git(src, "commit", "-qm", "gitdep");
  const sha = git(src, "rev-parse", "HEAD");
  git(root, "clone", "-q", "--bare", "src", "bare.git");
  project = join(root, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, dependencies: { gitdep: `git+file://${join(root, "bare.git")}#${sha}` } }));

  // A git dependency whose .npmrc names its own "git", and which has a git dependency of its own:
  // the npm that prepares its clone would run that script to fetch the inner one.
  gitMarker = join(root, "git-script-ran");
  const src2 = join(root, "src2");
  mkdirSync(src2);
  writeFileSync(join(src2, "fake-git.sh"), `#!/bin/sh\ntouch '${gitMarker}'\nexec git "$@"\n`, { mode: 0o755 });
  writeFileSync(join(src2, ".npmrc"), "git=./fake-git.sh\n");
  writeFileSync(join(src2, "package.json"), JSON.stringify({ name: "gitdep2", version: "1.0.0", bundleDependencies: ["gitdep-inner"], scripts: { prepare: "true" }, dependencies: { gitdep: `git+file://${join(root, "bare.git")}#${sha}` } }));
  git(src2, "init", "-q");
  git(src2, "add", ".");
  git(src2, "commit", "-qm", "gitdep2");
  const sha2 = git(src2, "rev-parse", "HEAD");
  git(root, "clone", "-q", "--bare", "src2", "bare2.git");
  project2 = join(root, "project2");
  mkdirSync(project2);
  writeFileSync(join(project2, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, dependencies: { gitdep2: `git+file://${join(root, "bare2.git")}#${sha2}` } }));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const env = () => ({ ...process.env, npm_config_cache: join(root, "npm-cache"), npm_config_update_notifier: "false", npm_config_audit: "false", npm_config_fund: "false" });

describe.skipIf(!hasGit || !Arborist)("a git dependency's prepare script during resolution", () => {
  it("runs when npm's Arborist resolves without the guard, and not inside the guard's wrapped reify", async () => {
    const A = Arborist as unknown as ArboristLike;
    const options = () => ({ path: project, cache: join(root, "arb-cache"), packageLockOnly: true });
    // Without the guard: the same complete resolution prepares the clone (the shape is live).
    rmSync(marker, { force: true });
    await new A(options()).buildIdealTree({ complete: true });
    expect(existsSync(marker)).toBe(true);
    rmSync(marker, { force: true });

    // With the guard: reify wrapped (on a subclass, so npm's class stays as it is), refused at the check.
    class Wrapped extends A {}
    const seen: string[] = [];
    checkInsideReify(Wrapped as never, {
      check: async (lockfile) => {
        seen.push(JSON.stringify(lockfile));
        return { exitCode: 1 };
      },
      resolutionFailed: async (error) => {
        seen.push(`failed ${String(error)}`);
        return { exitCode: 2 };
      },
    });
    const arb = new Wrapped(options());
    const npmOwn = { ignoreScripts: arb.options["ignoreScripts"], npmBin: arb.options["npmBin"], npmInstallCmd: arb.options["npmInstallCmd"] };
    await expect(arb.reify()).rejects.toThrow(/refused the install/);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain("git+file://");
    expect(existsSync(marker)).toBe(false);
    // npm's own options are back for whatever follows.
    expect({ ignoreScripts: arb.options["ignoreScripts"], npmBin: arb.options["npmBin"], npmInstallCmd: arb.options["npmInstallCmd"] }).toEqual(npmOwn);
    expect("npmCliConfig" in arb.options).toBe(false);
    expect(process.env["npm_config_ignore_scripts"]).toBeUndefined();
  }, 60_000);

  it("runs in a plain lockfile-only npm, and not in the guard's lockfile-only resolution", () => {
    const copy = join(root, "plain");
    cpSync(project, copy, { recursive: true });
    rmSync(marker, { force: true });
    const plain = spawnSync(npmOnPath!, ["install", "--package-lock-only"], { cwd: copy, env: env(), encoding: "utf8" });
    expect(plain.status, plain.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
    rmSync(marker, { force: true });

    const plan = planNpm(parseCommand(["npm", "install"]), project, env());
    try {
      expect(plan.lockfile.packages.map((p) => p.name)).toContain("gitdep");
      expect(existsSync(marker)).toBe(false);
    } finally {
      plan.cleanup();
    }
  }, 60_000);

  it("a git dependency's .npmrc `git=` script runs in a lockfile-only npm with --ignore-scripts, and not in the guard's", () => {
    const copy = join(root, "plain2");
    cpSync(project2, copy, { recursive: true });
    rmSync(gitMarker, { force: true });
    const plain = spawnSync(npmOnPath!, ["install", "--package-lock-only", "--ignore-scripts"], { cwd: copy, env: { ...env(), npm_config_ignore_scripts: "true" }, encoding: "utf8" });
    expect(plain.status, plain.stderr).toBe(0);
    expect(existsSync(gitMarker)).toBe(true);
    rmSync(gitMarker, { force: true });

    const plan = planNpm(parseCommand(["npm", "install"]), project2, env());
    try {
      expect(plan.lockfile.packages.map((p) => p.name)).toContain("gitdep2");
      expect(existsSync(gitMarker)).toBe(false);
      expect(existsSync(marker)).toBe(false);
    } finally {
      plan.cleanup();
    }
  }, 60_000);
});
