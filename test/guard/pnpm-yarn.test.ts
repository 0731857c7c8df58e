// Real pnpm, Yarn 1 and Yarn 2+ against a loopback registry, with a temporary HOME: the guard
// installs a clean package from the frozen, checked lockfile and blocks a malicious one before
// its install script runs. Each manager's block is skipped (with the reason) when it is not
// installed; EXFILSCAN_TEST_PNPM / EXFILSCAN_TEST_YARN1 / EXFILSCAN_TEST_YARN_BERRY name a binary.
// A git dependency with install-time scripts (served by the test over git's plain HTTP protocol:
// Yarn 2+ takes no file:// git URL) never runs while the guard resolves: each manager prepares
// such a clone when resolving without the guard's settings, and the guard fails closed on it.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GuardRegistry } from "./registry.js";
import { git, hasGit } from "../helpers/git.js";

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");
const registry = new GuardRegistry([
  { ecosystem: "npm", name: "benign-pad", version: "1.0.0", fixture: "benign-pad" },
  { ecosystem: "npm", name: "evil-postinstall", version: "2.0.0", fixture: "evil-postinstall" },
]);

function which(name: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}
function major(bin: string | undefined): number | undefined {
  if (!bin) return undefined;
  const r = spawnSync(bin, ["--version"], { encoding: "utf8", cwd: tmpdir(), env: { ...process.env, COREPACK_ENABLE_STRICT: "0" } });
  const m = /^(\d+)\./.exec(r.stdout?.trim() ?? "");
  return m ? Number(m[1]) : undefined;
}
const pnpm = process.env["EXFILSCAN_TEST_PNPM"] ?? which("pnpm");
const anyYarn = which("yarn");
const yarn1 = process.env["EXFILSCAN_TEST_YARN1"] ?? (major(anyYarn) === 1 ? anyYarn : undefined);
const berry = process.env["EXFILSCAN_TEST_YARN_BERRY"] ?? ((major(anyYarn) ?? 0) >= 2 ? anyYarn : undefined);

let gitRoot: string;
let gitServer: Server;
/** The git dependency's spec, and the file each of its scripts appends its name to. */
let gitUrl: string;
let gitMarker: string;


/** A bare repository of a package whose every install-time script appends its name to gitMarker, served read-only over HTTP. */
async function startGit(): Promise<void> {
  gitRoot = mkdtempSync(join(tmpdir(), "exfilscan-guard-pm-git-"));
  gitMarker = join(gitRoot, "scripts-ran");
  const src = join(gitRoot, "src");
  mkdirSync(src);
  const append = (name: string) => `node -e "require('fs').appendFileSync(${JSON.stringify(gitMarker).replace(/"/g, "'")}, '${name} ')"`;
  const scripts = Object.fromEntries(["preinstall", "install", "postinstall", "prepare", "prepack"].map((name) => [name, append(name)]));
  writeFileSync(join(src, "package.json"), JSON.stringify({ name: "gitdep", version: "1.0.0", scripts }));
  writeFileSync(join(src, "index.js"), "module.exports = 1;\n");
  git(src, "init", "-q");
  git(src, "add", ".");
  git(src, "commit", "-qm", "gitdep");
  const sha = git(src, "rev-parse", "HEAD");
  git(gitRoot, "clone", "-q", "--bare", "src", "gitdep.git");
  git(join(gitRoot, "gitdep.git"), "update-server-info");
  gitServer = createServer((req, res) => {
    const file = join(gitRoot, normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
    if (!file.startsWith(join(gitRoot, "gitdep.git")) || !existsSync(file)) return void res.writeHead(404).end();
    try {
      res.writeHead(200).end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => gitServer.listen(0, "127.0.0.1", resolve));
  gitUrl = `git+http://127.0.0.1:${(gitServer.address() as AddressInfo).port}/gitdep.git#${sha}`;
}

let root: string;
let home: string;
let project: string;
beforeAll(async () => {
  await registry.start();
  if (hasGit) await startGit();
});
afterAll(async () => {
  await registry.stop();
  if (gitServer) await new Promise((resolve) => gitServer.close(resolve));
  if (gitRoot) rmSync(gitRoot, { recursive: true, force: true });
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "exfilscan-guard-pm-"));
  home = join(root, "home");
  project = join(root, "project");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  writeFileSync(join(home, ".ssh", "id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }, null, 2));
  return () => rmSync(root, { recursive: true, force: true });
});

function pmEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"],
    HOME: home,
    XDG_CACHE_HOME: join(root, "cache"),
    XDG_STATE_HOME: join(root, "state"),
    XDG_CONFIG_HOME: join(home, ".config"),
    EXFILSCAN_ADVISORY_STORE: join(root, "no-store.json"),
    npm_config_registry: `${registry.base}/`,
    npm_config_cache: join(root, "npm-cache"),
    npm_config_store_dir: join(root, "pnpm-store"),
    npm_config_update_notifier: "false",
    npm_config_fetch_retries: "0",
    YARN_CACHE_FOLDER: join(root, "yarn-cache"),
    YARN_NPM_REGISTRY_SERVER: registry.base,
    YARN_UNSAFE_HTTP_WHITELIST: "127.0.0.1",
    YARN_GLOBAL_FOLDER: join(root, "yarn-global"),
    YARN_ENABLE_GLOBAL_CACHE: "false",
    YARN_NODE_LINKER: "node-modules",
    // Yarn 4.10+ holds back versions without a publication time as "quarantined".
    YARN_NPM_MINIMAL_AGE_GATE: "0",
    COREPACK_ENABLE_STRICT: "0",
    NO_COLOR: "1",
    // Yarn 4.10+ fetches only git repositories this names (the test's own, on the loopback).
    YARN_APPROVED_GIT_REPOSITORIES: "**",
  };
}

/** A child process, run asynchronously (the registry and the git server answer from this process). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = project) {
  return new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (status) => resolve({ status, output }));
  });
}

const guard = (args: string[]) => run(process.execPath, [CLI, "guard", "--timeout", "5000", ...args], pmEnv());

const managers: [string, string | undefined, string][] = [
  ["pnpm", pnpm, "pnpm-lock.yaml"],
  ["Yarn 1", yarn1, "yarn.lock"],
  ["Yarn 2+", berry, "yarn.lock"],
];
for (const [label, bin, lockName] of managers) {
  describe.skipIf(!bin)(`guard with real ${label}${bin ? "" : " (not installed: skipped)"}`, () => {
    it("installs a clean package from the checked, frozen lockfile", async () => {
      const r = await guard(["--", bin!, "add", "benign-pad"]);
      expect(r.output).toContain("checked 1 package (1 new)");
      expect(r.output).toContain("benign-pad@1.0.0");
      expect(r.status).toBe(0);
      expect(existsSync(join(project, "node_modules", "benign-pad", "index.js"))).toBe(true);
      expect(readFileSync(join(project, lockName), "utf8")).toContain("benign-pad");
      expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).dependencies["benign-pad"]).toBeDefined();
    }, 120_000);

    it("refuses a malicious package: exit 1, and its install script never ran", async () => {
      const r = await guard(["--", bin!, "add", "evil-postinstall@^2"]);
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/CRITICAL credential-exfiltration\s+evil-postinstall@2\.0\.0/);
      expect(existsSync(join(home, "evil-ran"))).toBe(false);
      expect(existsSync(join(project, "node_modules"))).toBe(false);
      expect(existsSync(join(project, lockName))).toBe(false);
      expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).dependencies).toBeUndefined();
    }, 120_000);

    it.skipIf(!hasGit)("never runs a git dependency's scripts while resolving, where the same resolution without the guard's settings runs them", async () => {
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, dependencies: { gitdep: gitUrl } }, null, 2));
      const manifest = readFileSync(join(project, "package.json"));
      // The guard: the project's git dependency is resolved without its code running, and refused as unscannable.
      rmSync(gitMarker, { force: true });
      const r = await guard(["--", bin!, "install"]);
      expect(existsSync(gitMarker)).toBe(false);
      expect(r.status, r.output).toBe(2);
      expect(r.output).toMatch(label === "Yarn 2+" ? /a git dependency: Yarn 2\+ would pack its clone/ : /gitdep@.*not analysed: git dependency/);
      // Named on the command line: refused before anything is resolved.
      const added = await guard(["--", bin!, "add", `gitdep@${gitUrl}`]);
      expect(added.status, added.output).toBe(2);
      expect(added.output).toContain("git, URL and file specs are not fetched from a registry");
      expect(existsSync(gitMarker)).toBe(false);
      expect(existsSync(join(project, "node_modules"))).toBe(false);

      // Without the guard's settings (and with caches of its own, so the clone is fetched again): the scripts run.
      const plain = join(root, "plain");
      cpSync(project, plain, { recursive: true });
      if (label !== "pnpm") writeFileSync(join(plain, "yarn.lock"), ""); // Yarn 2+ takes a folder with one as a project of its own
      const [args, extra] = withoutGuard[label]!;
      const caches = { npm_config_cache: join(root, "plain-npm-cache"), npm_config_store_dir: join(root, "plain-pnpm-store"), YARN_CACHE_FOLDER: join(root, "plain-yarn-cache"), YARN_GLOBAL_FOLDER: join(root, "plain-yarn-global") };
      const control = await run(bin!, args, { ...pmEnv(), ...caches, ...extra }, plain);
      expect(control.status, control.output).toBe(0);
      expect(readFileSync(gitMarker, "utf8")).toMatch(/\b(prepare|prepack)\b/);
      expect(readFileSync(join(project, "package.json")).equals(manifest)).toBe(true);
    }, 240_000);
  });
}

describe.skipIf(!berry)("guard with real Yarn 2+: only the registry is reachable while resolving", () => {
  it("a dependency on another host (GitHub's codeload, a tarball URL) is not fetched: blocked by Yarn's network settings, refused as unscannable", async () => {
    // The registry's own tarball, named through another host name of the loopback: another host.
    const elsewhere = `${registry.base.replace("127.0.0.1", "localhost")}/-/files/benign-pad-1.0.0.tgz`;
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, dependencies: { "benign-pad": elsewhere } }, null, 2));
    writeFileSync(join(project, ".yarnrc.yml"), "networkSettings:\n  \"*\":\n    enableNetwork: true\n");
    const r = await guard(["--", berry!, "install"]);
    expect(r.status, r.output).toBe(2);
    expect(r.output).toMatch(/a dependency from outside the package registry/);
    expect(r.output).toMatch(/localhost.*blocked because of your configuration settings/);
    expect(existsSync(join(project, "node_modules"))).toBe(false);
    // The project's own rc file is untouched (only the temporary copy's is rewritten).
    expect(readFileSync(join(project, ".yarnrc.yml"), "utf8")).toContain("enableNetwork: true");
  }, 120_000);

  it("control: a registry dependency still resolves and installs under the same settings", async () => {
    writeFileSync(join(project, ".yarnrc.yml"), "networkSettings:\n  \"*\":\n    enableNetwork: true\n");
    const r = await guard(["--", berry!, "add", "benign-pad"]);
    expect(r.status, r.output).toBe(0);
    expect(existsSync(join(project, "node_modules", "benign-pad", "index.js"))).toBe(true);
  }, 120_000);
});

/** Each manager's resolution as the guard runs it, less the settings that keep a git clone's scripts from running. */
const withoutGuard: Record<string, [string[], NodeJS.ProcessEnv]> = {
  // pnpm prepares a git clone (pnpm install in it) unless scripts are off.
  pnpm: [["install", "--lockfile-only"], {}],
  // Yarn 1 installs a clone with a prepare script in-process, with the clone's own configuration: --ignore-scripts alone does not reach it.
  "Yarn 1": [["install", "--ignore-scripts", "--non-interactive", "--no-progress", "--no-bin-links"], {}],
  // Yarn 2+ packs the clone with its own package manager: enableScripts false does not cover it.
  "Yarn 2+": [["install", "--mode=update-lockfile"], { YARN_ENABLE_SCRIPTS: "false", YARN_ENABLE_IMMUTABLE_INSTALLS: "false" }],
};
