// Real pnpm, Yarn 1 and Yarn 2+ against a loopback registry, with a temporary HOME: the guard
// installs a clean package from the frozen, checked lockfile and blocks a malicious one before
// its install script runs. Each manager's block is skipped (with the reason) when it is not
// installed; EXFILSCAN_TEST_PNPM / EXFILSCAN_TEST_YARN1 / EXFILSCAN_TEST_YARN_BERRY name a binary.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GuardRegistry } from "./registry.js";

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

let root: string;
let home: string;
let project: string;
beforeAll(() => registry.start());
afterAll(() => registry.stop());
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

function guard(args: string[]) {
  const env: NodeJS.ProcessEnv = {
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
  };
  return new Promise<{ status: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, "guard", "--timeout", "5000", ...args], { cwd: project, env });
    let err = "";
    child.stdout.on("data", () => {});
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (status) => resolve({ status, err }));
  });
}

const managers: [string, string | undefined, string][] = [
  ["pnpm", pnpm, "pnpm-lock.yaml"],
  ["Yarn 1", yarn1, "yarn.lock"],
  ["Yarn 2+", berry, "yarn.lock"],
];
for (const [label, bin, lockName] of managers) {
  describe.skipIf(!bin)(`guard with real ${label}${bin ? "" : " (not installed: skipped)"}`, () => {
    it("installs a clean package from the checked, frozen lockfile", async () => {
      const r = await guard(["--", bin!, "add", "benign-pad"]);
      expect(r.err).toContain("checked 1 package (1 new)");
      expect(r.err).toContain("benign-pad@1.0.0");
      expect(r.status).toBe(0);
      expect(existsSync(join(project, "node_modules", "benign-pad", "index.js"))).toBe(true);
      expect(readFileSync(join(project, lockName), "utf8")).toContain("benign-pad");
      expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).dependencies["benign-pad"]).toBeDefined();
    }, 120_000);

    it("refuses a malicious package: exit 1, and its install script never ran", async () => {
      const r = await guard(["--", bin!, "add", "evil-postinstall@^2"]);
      expect(r.status).toBe(1);
      expect(r.err).toMatch(/CRITICAL credential-exfiltration\s+evil-postinstall@2\.0\.0/);
      expect(existsSync(join(home, "evil-ran"))).toBe(false);
      expect(existsSync(join(project, "node_modules"))).toBe(false);
      expect(existsSync(join(project, lockName))).toBe(false);
      expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).dependencies).toBeUndefined();
    }, 120_000);
  });
}
