// Real npm and pip against a loopback registry and index, with a temporary HOME: the guard
// lets a clean package install and blocks a malicious one before any of its code runs.
import { spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GUARD_FIXTURES, GuardRegistry } from "./registry.js";

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");
const registry = new GuardRegistry([
  { ecosystem: "npm", name: "benign-pad", version: "1.0.0", fixture: "benign-pad" },
  { ecosystem: "npm", name: "evil-postinstall", version: "2.0.0", fixture: "evil-postinstall" },
  { ecosystem: "npm", name: "wraps-evil", version: "1.0.0", fixture: "benign-pad", dependencies: { "evil-postinstall": "^2.0.0" } },
  { ecosystem: "pypi", name: "benign-wheel", version: "1.0.0", fixture: "benign_wheel" },
  { ecosystem: "pypi", name: "evil-setup", version: "1.0.0", fixture: "evil_setup", kind: "sdist" },
]);

let root: string;
let home: string;
let project: string;

beforeAll(async () => {
  await registry.start();
});
afterAll(async () => {
  await registry.stop();
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "exfilscan-guard-e2e-"));
  home = join(root, "home");
  project = join(root, "project");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  writeFileSync(join(home, ".ssh", "id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }, null, 2));
  return () => rmSync(root, { recursive: true, force: true });
});

function guard(args: string[], registryUrl = registry.base, extraEnv: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env["PATH"],
    HOME: home,
    XDG_CACHE_HOME: join(root, "cache"),
    XDG_STATE_HOME: join(root, "state"),
    XDG_CONFIG_HOME: join(home, ".config"),
    EXFILSCAN_ADVISORY_STORE: join(root, "no-store.json"),
    npm_config_registry: `${registryUrl}/`,
    npm_config_cache: join(root, "npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_fetch_retries: "0",
    npm_config_fetch_timeout: "5000",
    PIP_INDEX_URL: `${registryUrl}/simple`,
    PIP_NO_CACHE_DIR: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_CONFIG_FILE: "/dev/null",
    NO_COLOR: "1",
    ...extraEnv,
  };
  // Asynchronous: the registry answers from this same process while the guard runs.
  return new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, CLI, "guard", "--timeout", "5000", ...args], { cwd: project, env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (status) => resolve({ status, out, err }));
  });
}

describe("guard with real npm", () => {
  it("installs a clean package, scripts included, from the checked lockfile", async () => {
    const r = await guard(["--", "npm", "install", "benign-pad"]);
    expect(r.err).toContain("checked 1 package (1 new)");
    expect(r.err).toContain("benign-pad@1.0.0");
    expect(r.status).toBe(0);
    expect(existsSync(join(project, "node_modules", "benign-pad", "index.js"))).toBe(true);
    expect(existsSync(join(home, "benign-installed"))).toBe(true);
    const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"));
    expect(lock.packages["node_modules/benign-pad"].version).toBe("1.0.0");
    expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).dependencies["benign-pad"]).toBe("^1.0.0");
  });

  it("refuses a malicious package: exit 1, findings and how to override, and its install script never ran", async () => {
    const r = await guard(["--", "npm", "install", "-D", "evil-postinstall@^2"]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/CRITICAL credential-exfiltration\s+evil-postinstall@2\.0\.0\s+collect\.js:9/);
    expect(r.err).toContain("--allow evil-postinstall@2.0.0 --reason");
    expect(existsSync(join(home, "evil-ran"))).toBe(false);
    expect(existsSync(join(project, "node_modules"))).toBe(false);
    expect(existsSync(join(project, "package-lock.json"))).toBe(false);
    expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).devDependencies).toBeUndefined();
  });

  it("refuses a clean package whose dependency is malicious", async () => {
    const r = await guard(["--", "npm", "i", "wraps-evil"]);
    expect(r.status).toBe(1);
    expect(r.err).toContain("evil-postinstall@2.0.0");
    expect(existsSync(join(home, "evil-ran"))).toBe(false);
  });

  it("fails closed when the registry is down, and --fail-open runs the command with a warning", async () => {
    const down = "http://127.0.0.1:9"; // discard port: connection refused
    const r = await guard(["--", "npm", "install", "benign-pad"], down);
    expect(r.status).toBe(2);
    expect(r.err).toContain("nothing was installed (fail closed)");
    expect(existsSync(join(project, "node_modules"))).toBe(false);
    const open = await guard(["--fail-open", "--", "npm", "install", "benign-pad"], down);
    expect(open.err).toContain("UNCHECKED because of --fail-open");
    expect(open.status).not.toBe(0); // npm itself could not reach the registry either
  }, 180_000);

  it("--allow installs the refused version and records who, why and which findings", async () => {
    const refused = await guard(["--allow", "evil-postinstall@2.0.0", "--", "npm", "install", "evil-postinstall"]);
    expect(refused.status).toBe(2); // --allow without --reason is a usage error
    const r = await guard(["--allow", "evil-postinstall@2.0.0", "--reason", "test fixture", "--check-only", "--", "npm", "install", "evil-postinstall"]);
    expect(r.status).toBe(0);
    const log = readFileSync(join(root, "state", "exfilscan", "guard-allowed.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ package: "npm:evil-postinstall@2.0.0", reason: "test fixture" });
    expect(log[0].findings[0]).toMatch(/^credential-exfiltration critical/);
    expect(existsSync(join(home, "evil-ran"))).toBe(false);
  });

  it("commands that install nothing pass straight through", async () => {
    const r = await guard(["--", "npm", "pkg", "get", "name"]);
    expect(r.status).toBe(0);
    expect(r.out).toContain('"app"');
  });

  it("a second check of the same tree is served from the verdict cache", async () => {
    expect((await guard(["--check-only", "--", "npm", "install", "benign-pad"])).status).toBe(0);
    const again = await guard(["--check-only", "--", "npm", "install", "benign-pad"]);
    expect(again.err).toContain("1 from cache");
  });

  it("a refusal is still a refusal when the resolved lockfile's report is reused whole; --fail-on is applied again to it", async () => {
    const first = await guard(["--check-only", "--", "npm", "install", "-D", "evil-postinstall@^2"]);
    expect(first.status).toBe(1);
    const memo = readdirSync(join(root, "cache", "exfilscan", "lockfile-results"), { recursive: true }).filter((f) => String(f).includes("guard-"));
    expect(memo.length).toBeGreaterThan(0);
    const again = await guard(["--check-only", "--", "npm", "install", "-D", "evil-postinstall@^2"]);
    expect(again.status).toBe(1);
    expect(again.err).toMatch(/CRITICAL credential-exfiltration\s+evil-postinstall@2\.0\.0\s+collect\.js:9/);
    expect(existsSync(join(home, "evil-ran"))).toBe(false);
  }, 180_000);

  it("adding a package: npm resolves once, in the guard's own process, and installs the tree that was checked", async () => {
    // The preload lists, per process, the script it started with and what it loaded.
    const dir = mkdtempSync(join(root, "procs-"));
    const list = join(dir, "loaded.jsonl");
    const preload = join(dir, "preload.cjs");
    writeFileSync(preload, `const started = process.argv[1];\nprocess.on("exit", () => require("node:fs").appendFileSync(${JSON.stringify(list)}, JSON.stringify({ started, loaded: Object.keys(require.cache) }) + "\\n"));\n`);
    const r = await guard(["--", "npm", "install", "benign-pad"], registry.base, { NODE_OPTIONS: `--require ${preload}` });
    expect(r.status, r.err).toBe(0);
    expect(r.err).toContain("checked 1 package (1 new)");
    const procs = readFileSync(list, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { started: string; loaded: string[] });
    // Besides the installed package's own install script: the guard alone, no npm of its own, no lockfile-only run first.
    expect(procs.map((p) => p.started).filter((s) => !s.startsWith(join(project, "node_modules")))).toEqual([CLI]);
    expect(procs.find((p) => p.started === CLI)!.loaded.some((f) => f.endsWith("/@npmcli/arborist/lib/arborist/reify.js"))).toBe(true);
    expect(JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")).packages["node_modules/benign-pad"].version).toBe("1.0.0");
    expect(existsSync(join(home, "benign-installed"))).toBe(true);
    // A refusal inside npm: npm stops with the guard's exit code, having written nothing.
    const refused = await guard(["--", "npm", "install", "wraps-evil"]);
    expect(refused.status).toBe(1);
    expect(refused.err).toContain("exfilscan guard refused the install");
    expect(existsSync(join(home, "evil-ran"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "wraps-evil"))).toBe(false);
    expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).dependencies).toEqual({ "benign-pad": "^1.0.0" });
  }, 180_000);

  it("a local folder (file:) of a project without a lockfile is checked where it lies: a malicious one is refused and never ran", async () => {
    cpSync(join(GUARD_FIXTURES, "npm", "evil-postinstall"), join(project, "local"), { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, dependencies: { "evil-postinstall": "file:local" } }, null, 2));
    const refused = await guard(["--", "npm", "install", "benign-pad"]);
    expect(refused.status, refused.err).toBe(1);
    expect(refused.err).toContain("refused: evil-postinstall@2.0.0");
    expect(existsSync(join(home, "evil-ran"))).toBe(false);
    expect(existsSync(join(project, "node_modules"))).toBe(false);
    // The same folder made clean: checked from the project, then installed.
    rmSync(join(project, "local"), { recursive: true });
    cpSync(join(GUARD_FIXTURES, "npm", "benign-pad"), join(project, "local"), { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, dependencies: { "benign-pad": "file:local" } }, null, 2));
    const clean = await guard(["--", "npm", "install"]);
    expect(clean.status, clean.err).toBe(0);
    expect(clean.err).toContain("checked 1 package (1 new)");
    expect(existsSync(join(project, "node_modules", "benign-pad", "index.js"))).toBe(true);
  }, 180_000);

  it("EXFILSCAN_GUARD_INSIDE=0: npm resolves in a temporary copy first, then installs the checked lockfile", async () => {
    const off = { EXFILSCAN_GUARD_INSIDE: "0" };
    const r = await guard(["--", "npm", "install", "benign-pad"], registry.base, off);
    expect(r.status, r.err).toBe(0);
    expect(existsSync(join(project, "node_modules", "benign-pad", "index.js"))).toBe(true);
    const refused = await guard(["--", "npm", "install", "wraps-evil"], registry.base, off);
    expect(refused.status).toBe(1);
    expect(refused.err).toContain("refused: evil-postinstall@2.0.0");
    expect(refused.err).not.toContain("npm error"); // no npm ran after the check
    expect(existsSync(join(home, "evil-ran"))).toBe(false);
  }, 180_000);
});

/** guard(), telling whether the run took the full path (its step trace says so) and whether it loaded commander (neither path does for `guard [options] -- <command>`). */
async function traced(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(root, "trace-"));
  const list = join(dir, "loaded.txt");
  writeFileSync(list, "");
  writeFileSync(join(dir, "hooks.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { if (url.startsWith("file:")) appendFileSync(${JSON.stringify(list)}, url + "\\n"); return next(url, context); }\n`);
  writeFileSync(join(dir, "preload.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
  const r = await guard(args, registry.base, { EXFILSCAN_GUARD_TRACE: "1", ...extraEnv }, ["--import", pathToFileURL(join(dir, "preload.mjs")).href]);
  const loaded = readFileSync(list, "utf8").split("\n");
  const full = r.err.includes("exfilscan trace: fast path not taken");
  // The command line is dist/cli/main.js unbundled, the chunk named after it in dist/bundle/ (scripts/bundle.mjs), which also carries commander.
  const commandLine = loaded.some((url) => url.endsWith("/dist/cli/main.js") || /\/dist\/bundle\/main-[^/]*\.js$/.test(url) || url.includes("/node_modules/commander/"));
  // The JavaScript analyzer (the scan chunk in dist/bundle/, dist/analyzers/js/ unbundled): loaded only when something is scanned.
  const analyzer = loaded.some((url) => /^file:.*\/dist\/.*\.js$/.test(url) && readFileSync(new URL(url), "utf8").includes("function analyzeNpmPackage("));
  return { ...r, full, commander: commandLine, analyzer };
}

describe("guard's warm fast path", () => {
  const fastEntries = () => {
    const dir = join(root, "cache", "exfilscan", "guard-fast");
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).length : 0;
  };

  it("a clean in-sync npm install is recorded, then runs from the record; any changed input takes the full path again", async () => {
    const add = await traced(["--", "npm", "install", "benign-pad"]);
    expect(add.status, add.err).toBe(0);
    expect(add.full).toBe(true);
    expect(add.commander).toBe(false); // the full guard of the common shape reads its own arguments (src/guard/entry.ts)
    expect(fastEntries()).toBe(0); // adding a package resolves against the registry: never recorded
    const first = await traced(["--", "npm", "install"]);
    expect(first.status, first.err).toBe(0);
    expect(first.full).toBe(true);
    expect(first.analyzer).toBe(false); // the tree's report is stored: the full path loads no analyzer
    expect(add.analyzer).toBe(true); // benign-pad was scanned
    expect(fastEntries()).toBe(1);
    rmSync(join(project, "node_modules"), { recursive: true });
    const fast = await traced(["--", "npm", "install"]);
    expect(fast.status, fast.err).toBe(0);
    expect(fast.full).toBe(false);
    expect(fast.commander).toBe(false);
    expect(fast.err).toContain("checked 1 package (0 new), 1 from cache: benign-pad@1.0.0");
    expect(existsSync(join(project, "node_modules", "benign-pad", "index.js"))).toBe(true); // npm really ran
    expect((await traced(["--check-only", "--", "npm", "install"])).full).toBe(true); // other arguments: another key
    expect((await traced(["--", "npm", "install"], { npm_config_loglevel: "warn" })).full).toBe(true);
    writeFileSync(join(project, ".npmrc"), "fund=false\n");
    expect((await traced(["--", "npm", "install"])).full).toBe(true);
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ ...pkg, description: "changed" }, null, 2));
    const changed = await traced(["--", "npm", "install"]);
    expect(changed.status, changed.err).toBe(0);
    expect(changed.full).toBe(true);
    expect((await traced(["--", "npm", "install"])).full).toBe(false); // recorded again for the new inputs
  }, 300_000);

  it("a malicious package in an in-sync lockfile is refused on every run, never from a record", async () => {
    // The lockfile written by npm itself (lockfile only, no scripts): the guard sees an in-sync project.
    const env = { ...process.env, HOME: home, npm_config_registry: `${registry.base}/`, npm_config_cache: join(root, "npm-cache"), npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
    // Asynchronous: the registry answers from this same process.
    const status = await new Promise<number | null>((done) => spawn("npm", ["install", "--package-lock-only", "--ignore-scripts", "evil-postinstall@2.0.0"], { cwd: project, env, stdio: "ignore" }).on("close", done));
    expect(status).toBe(0);
    for (let run = 0; run < 2; run++) {
      const r = await traced(["--", "npm", "install"]);
      expect(r.status).toBe(1);
      expect(r.full).toBe(true);
      expect(r.err).toContain("evil-postinstall@2.0.0");
    }
    expect(fastEntries()).toBe(0);
    expect(existsSync(join(home, "evil-ran"))).toBe(false);
    expect(existsSync(join(project, "node_modules"))).toBe(false);
  }, 300_000);

  it("a recorded run hands its own process to npm (no second Node), and npm's exit code is the guard's", async () => {
    // NODE_OPTIONS reaches npm wherever it runs (and is part of the key), unlike node's own
    // arguments; the preload lists, per process, the script it started with and what it loaded.
    const dir = mkdtempSync(join(root, "procs-"));
    const list = join(dir, "loaded.jsonl");
    const preload = join(dir, "preload.cjs");
    writeFileSync(preload, `const started = process.argv[1];\nprocess.on("exit", () => require("node:fs").appendFileSync(${JSON.stringify(list)}, JSON.stringify({ started, loaded: Object.keys(require.cache) }) + "\\n"));\n`);
    const env = { NODE_OPTIONS: `--require ${preload}` };
    expect((await guard(["--", "npm", "install", "benign-pad"], registry.base, env)).status).toBe(0);
    expect((await guard(["--", "npm", "install"], registry.base, env)).status).toBe(0); // records
    rmSync(join(project, "node_modules"), { recursive: true });
    writeFileSync(list, "");
    const fast = await guard(["--", "npm", "install"], registry.base, env);
    expect(fast.status, fast.err).toBe(0);
    expect(fast.err).toContain("benign-pad@1.0.0");
    expect(existsSync(join(project, "node_modules", "benign-pad", "index.js"))).toBe(true);
    const procs = readFileSync(list, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { started: string; loaded: string[] });
    const guards = procs.filter((p) => p.started === CLI);
    expect(guards).toHaveLength(1);
    expect(guards[0]!.loaded.some((f) => f.endsWith("/npm/lib/cli/entry.js"))).toBe(true); // npm ran in the guard's process
    expect(procs.filter((p) => /\/npm(-cli\.js)?$/.test(p.started))).toEqual([]); // and in no process of its own
    // npm fails (its cache folder is a file; the key holds the folder's name, not its contents): the guard ends with npm's own code.
    rmSync(join(project, "node_modules"), { recursive: true });
    rmSync(join(root, "npm-cache"), { recursive: true });
    writeFileSync(join(root, "npm-cache"), "");
    const plain = await new Promise<number | null>((done) => spawn("npm", ["install"], { cwd: project, env: { ...process.env, HOME: home, npm_config_registry: `${registry.base}/`, npm_config_cache: join(root, "npm-cache") }, stdio: "ignore" }).on("close", done));
    expect(plain).not.toBe(0);
    const failed = await guard(["--", "npm", "install"], registry.base, env);
    expect(failed.err).toContain("benign-pad@1.0.0"); // still the recorded run
    expect(failed.err).toContain("ENOTDIR"); // npm's own error
    expect(failed.status).toBe(plain);
  }, 300_000);

  it("a tampered record is ignored: the full path runs", async () => {
    expect((await guard(["--", "npm", "install", "benign-pad"])).status).toBe(0);
    expect((await guard(["--check-only", "--", "npm", "install"])).status).toBe(0);
    const dir = join(root, "cache", "exfilscan", "guard-fast");
    const [file] = readdirSync(dir);
    const stored = JSON.parse(readFileSync(join(dir, file!), "utf8"));
    stored.entry.say = "exfilscan: checked 0 packages\n";
    writeFileSync(join(dir, file!), JSON.stringify(stored));
    const r = await traced(["--check-only", "--", "npm", "install"]);
    expect(r.full).toBe(true);
    expect(r.err).toContain("benign-pad@1.0.0");
  }, 300_000);
});

describe("guard with a shared verdict cache (--db)", () => {
  it("a second runner with an empty local cache takes the verdict from the database; an unreachable one is only a warning", async () => {
    const db = join(root, "shared", "verdicts.db");
    const key = { EXFILSCAN_DB_KEY: "0123456789abcdef0123456789abcdef" };
    const a = await guard(["--check-only", "--db", db, "--", "npm", "install", "benign-pad"], registry.base, { ...key, XDG_CACHE_HOME: join(root, "cache-a") });
    expect(a.status, a.err).toBe(0);
    expect(a.err).not.toContain("from cache");
    const b = await guard(["--check-only", "--", "npm", "install", "benign-pad"], registry.base, { ...key, EXFILSCAN_DB: db, XDG_CACHE_HOME: join(root, "cache-b") });
    expect(b.status, b.err).toBe(0);
    expect(b.err).toContain("checked 1 package (1 new), 1 from cache (1 from the shared cache)");
    writeFileSync(join(root, "file"), "");
    const c = await guard(["--check-only", "--db", join(root, "file", "x.db"), "--", "npm", "install", "benign-pad"], registry.base, { XDG_CACHE_HOME: join(root, "cache-c") });
    expect(c.status, c.err).toBe(0);
    expect(c.err).toMatch(/shared verdict cache .* not used: .*every package is analysed here/);
    expect(c.err).not.toContain("from cache");
  }, 300_000);
});

describe("guard with real pip", () => {
  const target = () => join(root, "site");

  it("installs a clean wheel from the verified wheelhouse", async () => {
    const r = await guard(["--", "pip", "install", "--target", target(), "benign-wheel==1.0.0"]);
    expect(r.err).toContain("checked 1 package");
    expect(r.err).toContain("benign-wheel@1.0.0");
    expect(r.status).toBe(0);
    expect(existsSync(join(target(), "benign_wheel", "__init__.py"))).toBe(true);
  });

  it("refuses a malicious sdist without building it: its setup.py never ran", async () => {
    const r = await guard(["--", "python3", "-m", "pip", "install", "--target", target(), "evil-setup==1.0.0"]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/CRITICAL credential-exfiltration\s+evil-setup@1\.0\.0\s+setup\.py:10/);
    expect(existsSync(join(home, "evil-py-ran"))).toBe(false);
    expect(existsSync(target())).toBe(false);
  });

  it("fails closed when the index is down", async () => {
    const r = await guard(["--", "pip", "install", "--retries", "0", "--target", target(), "benign-wheel"], "http://127.0.0.1:9");
    expect(r.status).toBe(2);
    expect(r.err).toContain("fail closed");
    expect(existsSync(target())).toBe(false);
  });
});
