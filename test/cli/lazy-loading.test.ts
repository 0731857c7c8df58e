// Start-up loads only what a command uses: which modules a run loads is behaviour (not
// timing) and is checked here; how long start-up takes is `npm run bench`'s business.
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { BUILTIN_SIGNATURES_DIR, COMPILED_SIGNATURES_FILE, compiledData, readSignatureDirectory, signatureDigest, signatureStamp } from "../../src/rules/signatures.js";

const root = join(import.meta.dirname, "..", "..");
/** The built command line as users run it: dist/cli.js loads the bundle (dist/bundle/, scripts/bundle.mjs). */
const cli = join(root, "dist", "cli.js");
/** The same program unbundled (tsc's modules; src/cli.ts only adds the guard's fast path in front of it): module-level checks read these. */
const unbundled = join(root, "dist", "cli", "main.js");
const ENTRIES = [cli, unbundled];

/** Every module file the CLI run loads (ESM imports and CommonJS requires), as paths. */
function loadedModules(args: string[], cwd: string, entry = cli): string[] {
  const dir = mkdtempSync(join(tmpdir(), "exfilscan-lazy-"));
  const list = join(dir, "loaded.txt");
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(hooks, `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { if (url.startsWith("file:")) appendFileSync(${JSON.stringify(list)}, url + "\\n"); return next(url, context); }\n`);
  const preload = join(dir, "preload.mjs");
  writeFileSync(
    preload,
    `import { register, createRequire } from "node:module";\nimport { appendFileSync } from "node:fs";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n` +
      `process.on("exit", () => appendFileSync(${JSON.stringify(list)}, Object.keys(createRequire(import.meta.url).cache).join("\\n") + "\\n"));\n`,
  );
  writeFileSync(list, "");
  execFileSync(process.execPath, ["--import", pathToFileURL(preload).href, entry, ...args], { cwd, stdio: "ignore", env: { ...process.env, EXFILSCAN_ADVISORY_STORE: join(dir, "none.json") } });
  return readFileSync(list, "utf8").split("\n").filter(Boolean);
}

const packages = (modules: string[]) => new Set(modules.flatMap((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1] ?? []));

describe("lazy loading", () => {
  const cwd = mkdtempSync(join(tmpdir(), "exfilscan-lazy-cwd-"));
  const pkg = join(cwd, "pkg");
  execFileSync("mkdir", [pkg]);
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "tiny", version: "1.0.0" }));
  writeFileSync(join(pkg, "index.js"), "module.exports = (a, b) => a + b;\n");

  it("--version loads no command and no dependency but commander", () => {
    const modules = loadedModules(["--version"], cwd, unbundled);
    expect([...packages(modules)]).toEqual(["commander"]);
    expect(modules.some((m) => m.includes("/dist/cli/commands/"))).toBe(false);
    // The bundle carries commander (and acorn, picocolors) inside: no package at all.
    expect([...packages(loadedModules(["--version"], cwd))]).toEqual([]);
  });

  it.each(ENTRIES)("a one-package npm scan loads no YAML parser, no zod, no SQLite, no tree-sitter, no HTTP client, no archive reader (%s)", (entry) => {
    const out = join(cwd, `out-${ENTRIES.indexOf(entry)}.json`);
    const loaded = packages(loadedModules(["scan", pkg, "--offline", "-f", "json", "-o", out], cwd, entry));
    for (const heavy of ["yaml", "zod", "better-sqlite3", "web-tree-sitter", "node-fetch", "tar", "fflate", "@babel/parser", "smol-toml", "@yarnpkg/parsers", "cli-progress"]) {
      expect(loaded.has(heavy), heavy).toBe(false);
    }
    expect(loaded.has("acorn")).toBe(entry === unbundled);
    expect(JSON.parse(readFileSync(out, "utf8")).targets[0].name).toBe("tiny");
  });

  it("the bundled command line reads a third of the files the unbundled modules are, with the same report", () => {
    const files = (entry: string, out: string) => loadedModules(["scan", pkg, "--offline", "-f", "json", "-o", out], cwd, entry).filter((m) => m.includes("/dist/") || m.includes("/node_modules/"));
    const bundled = new Set(files(cli, join(cwd, "b.json")));
    const modules = new Set(files(unbundled, join(cwd, "u.json")));
    expect(bundled.size).toBeLessThan(modules.size / 3);
    expect([...bundled].every((m) => /\/dist\/(cli\.js|bundle\/)/.test(m))).toBe(true);
    expect(readFileSync(join(cwd, "b.json"), "utf8")).toBe(readFileSync(join(cwd, "u.json"), "utf8"));
  });

  it("a one-package scan reads the bundle in a few files, and --version reads none of the scan's", () => {
    const bundleFiles = (args: string[]) => loadedModules(args, cwd).filter((m) => m.includes("/dist/bundle/"));
    const bytes = (files: string[]) => files.reduce((sum, file) => sum + statSync(new URL(file)).size, 0);
    const scan = bundleFiles(["scan", pkg, "--offline", "-f", "json", "-o", join(cwd, "few.json")]);
    const version = bundleFiles(["--version"]);
    // Each file costs the ESM loader its own resolve, read and link: the scan's code comes in one chunk.
    expect(scan.length).toBeLessThanOrEqual(10);
    expect(version.every((file) => scan.includes(file))).toBe(true);
    expect(bytes(version)).toBeLessThan(bytes(scan) / 4);
  });

  it("a one-package scan writing its report to a file, stdout a pipe, loads neither net nor the streams (process.stdout and stderr are never made)", () => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-builtins-"));
    const list = join(dir, "builtins.txt");
    const preload = join(dir, "preload.cjs");
    writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join("\\n")));\n`);
    const out = join(dir, "out.json");
    const stdout = execFileSync(process.execPath, ["--require", preload, cli, "scan", pkg, "--offline", "-f", "json", "-o", out], { cwd, stdio: ["ignore", "pipe", "ignore"], encoding: "utf8", env: { ...process.env, EXFILSCAN_ADVISORY_STORE: join(dir, "none.json") } });
    const builtins = readFileSync(list, "utf8").split("\n");
    expect(stdout).toBe("");
    expect(JSON.parse(readFileSync(out, "utf8")).targets[0].name).toBe("tiny");
    expect(builtins).toContain("NativeModule fs");
    expect(builtins).not.toContain("NativeModule net");
    expect(builtins).not.toContain("NativeModule internal/fs/streams");
    expect(builtins).not.toContain("NativeModule stream");
  });

  it("a reader of stdout that stops early is not an error (the EPIPE handler is on stdout once it is made)", () => {
    // 100 kB of report, more than a pipe holds: the writer is still writing when `head` has gone.
    const many = Array.from({ length: 20 }, (_, i) => {
      const dir = join(cwd, `many-${i}`);
      execFileSync("mkdir", ["-p", dir]);
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `p${i}${"a".repeat(5000)}`, version: "1.0.0" }));
      writeFileSync(join(dir, "index.js"), "module.exports = 1;\n");
      return JSON.stringify(dir);
    });
    const run = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} scan ${many.join(" ")} --offline -f json --workers 1`;
    const { stderr } = spawnSync("sh", ["-c", `{ ${run}; echo "exit $?" >&2; } | head -c 1 >/dev/null`], { cwd, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, EXFILSCAN_ADVISORY_STORE: join(cwd, "none.json") } });
    expect(stderr).toBe("exit 0\n");
  });

  it("the bundle is ASCII (a module's source with one other character is decoded into a two-byte string, slower to parse)", () => {
    const bundle = join(root, "dist", "bundle");
    const files = readdirSync(bundle).filter((name) => name.endsWith(".js"));
    expect(files.length).toBeGreaterThan(3);
    for (const name of files) expect(/[^\x00-\x7f]/.test(readFileSync(join(bundle, name), "latin1")), name).toBe(false);
  });

  it.each(ENTRIES)("rules lists the rules without parsing the signature YAML (%s)", (entry) => {
    const loaded = packages(loadedModules(["rules"], cwd, entry));
    expect(loaded.has("yaml")).toBe(false);
    expect(loaded.has("zod")).toBe(false);
  });

  it("deps (as the guard's check) loads no database driver when no shared cache is named", () => {
    const project = join(cwd, "project");
    execFileSync("mkdir", [project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0" }));
    writeFileSync(join(project, "package-lock.json"), JSON.stringify({ name: "app", version: "1.0.0", lockfileVersion: 3, packages: { "": { name: "app", version: "1.0.0" } } }));
    const out = join(cwd, "deps.json");
    const loaded = packages(loadedModules(["deps", project, "--offline", "--cache-dir", join(cwd, "cache"), "-f", "json", "-o", out], cwd));
    expect(loaded.has("pg")).toBe(false);
    expect(loaded.has("better-sqlite3")).toBe(false);
    expect(JSON.parse(readFileSync(out, "utf8")).deps.lockfiles).toHaveLength(1);
  });

  it("--help still lists every command", () => {
    const help = execFileSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
    for (const command of ["scan", "rules", "signatures", "logs", "alerts", "diff", "deps", "render", "guard", "hook", "correlate"]) expect(help).toContain(`  ${command}`);
  });
});

describe("compiled signature set", () => {
  it("is the YAML, validated, and carries the digest of the YAML it came from", () => {
    const compiled = JSON.parse(readFileSync(COMPILED_SIGNATURES_FILE, "utf8")) as { digest: string; stamp: string; data: unknown };
    expect(compiled.digest).toBe(signatureDigest(BUILTIN_SIGNATURES_DIR));
    expect(compiled.stamp).toBe(signatureStamp(BUILTIN_SIGNATURES_DIR));
    expect(compiled.data).toEqual(JSON.parse(JSON.stringify(readSignatureDirectory(BUILTIN_SIGNATURES_DIR))));
  });

  it("is used while its digest matches and ignored once the YAML changed", () => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-compiled-"));
    const data = readSignatureDirectory(BUILTIN_SIGNATURES_DIR);
    data.rules[0]!.title = "changed in the compiled copy";
    const file = join(dir, "signatures.json");
    writeFileSync(file, JSON.stringify({ digest: signatureDigest(BUILTIN_SIGNATURES_DIR), data }));
    expect(compiledData(file, BUILTIN_SIGNATURES_DIR)?.rules[0]!.title).toBe("changed in the compiled copy");
    writeFileSync(file, JSON.stringify({ digest: "0".repeat(64), data }));
    expect(compiledData(file, BUILTIN_SIGNATURES_DIR)).toBeUndefined();
    writeFileSync(file, "{ not json");
    expect(compiledData(file, BUILTIN_SIGNATURES_DIR)).toBeUndefined();
  });

  it("is used without hashing the YAML while the files' stamp is the build's; once a file changed, the digest decides", () => {
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-stamp-"));
    const yaml = join(dir, "signatures");
    cpSync(BUILTIN_SIGNATURES_DIR, yaml, { recursive: true, preserveTimestamps: true });
    const data = readSignatureDirectory(yaml);
    data.rules[0]!.title = "changed in the compiled copy";
    const file = join(dir, "signatures.json");
    // A digest that matches nothing: only the stamp can make the compiled copy count.
    writeFileSync(file, JSON.stringify({ digest: "0".repeat(64), stamp: signatureStamp(yaml), data }));
    expect(compiledData(file, yaml)?.rules[0]!.title).toBe("changed in the compiled copy");
    appendFileSync(join(yaml, "sources.yaml"), "\n# edited\n");
    expect(compiledData(file, yaml)).toBeUndefined();
    writeFileSync(file, JSON.stringify({ digest: signatureDigest(yaml), stamp: "stale", data }));
    expect(compiledData(file, yaml)?.rules[0]!.title).toBe("changed in the compiled copy");
  });
});
