// The result-cache key covers every piece of code and data that can change a result, and the
// lockfile-level memo (the warm path) serves a whole unchanged project from one entry.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLE_ENTRY_MARK } from "../../src/deps/analysis-version.js";
import { analysisVersion, CODE_DIGEST_FILE, codeDigest, codeStamp, computeCodeDigest } from "../../src/deps/cache.js";
import { memoizable, openLockMemo, openMemo } from "../../src/deps/memo.js";
import { finishReport, newReport } from "../../src/core/report.js";
import type { ScanReport } from "../../src/core/types.js";
import { BUILTIN_SIGNATURES_DIR } from "../../src/rules/signatures.js";

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `exfilscan-${prefix}-`));

function codeTree(): string {
  const root = tmp("code");
  for (const [file, text] of Object.entries({ "core/types.js": "export const A = 1;\n", "analyzers/js/x.js": "export const B = 2;\n", "scan.js": "export {};\n", "core/types.d.ts": "export declare const A: number;\n" })) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

describe("analysis version (result-cache key)", () => {
  it("a changed signature file changes the key", () => {
    const dir = tmp("sigs");
    cpSync(BUILTIN_SIGNATURES_DIR, dir, { recursive: true });
    const before = analysisVersion([dir]);
    expect(analysisVersion([dir])).toBe(before);
    writeFileSync(join(dir, "sinks.yaml"), `${"# a comment is a change too\n"}${"\n"}`, { flag: "a" });
    expect(analysisVersion([dir])).not.toBe(before);
  });

  it("a change anywhere in the code changes the key, core included; declaration files do not", () => {
    const root = codeTree();
    const before = computeCodeDigest(root);
    writeFileSync(join(root, "core/types.d.ts"), "export declare const A: 1;\n");
    expect(computeCodeDigest(root)).toBe(before);
    writeFileSync(join(root, "core/types.js"), "export const A = 2;\n");
    const afterCore = computeCodeDigest(root);
    expect(afterCore).not.toBe(before);
    writeFileSync(join(root, "scan.js"), "export const C = 3;\n");
    expect(computeCodeDigest(root)).not.toBe(afterCore);
    expect(analysisVersion([], root)).toHaveLength(16);
  });

  it("uses the digest the build stored while the tree is unchanged, and hashes again once it is not", () => {
    const root = codeTree();
    writeFileSync(join(root, CODE_DIGEST_FILE), JSON.stringify({ digest: "a".repeat(64), ...codeStamp(root) }));
    expect(codeDigest(root)).toBe("a".repeat(64));
    // tsc rebuilt a file without the build step: the stored digest is stale and not used.
    writeFileSync(join(root, "core/types.js"), "export const A = 3;\n");
    utimesSync(join(root, "core/types.js"), new Date(), new Date(Date.now() + 5000));
    expect(codeDigest(root)).toBe(computeCodeDigest(root));
  });

  it("with the bundle's entry as cli.js, only cli.js and bundle/ decide whether the stored digest still holds", () => {
    const root = codeTree();
    mkdirSync(join(root, "bundle"));
    writeFileSync(join(root, "bundle", "cli.js"), "export const D = 4;\n");
    writeFileSync(join(root, "cli.js"), `#!/usr/bin/env node\n${BUNDLE_ENTRY_MARK}: the command line, bundled.\nimport "./bundle/cli.js";\n`);
    const later = (file: string) => utimesSync(join(root, file), new Date(), new Date(Date.now() + 5000));
    writeFileSync(join(root, CODE_DIGEST_FILE), JSON.stringify({ digest: "a".repeat(64), ...codeStamp(root) }));
    expect(codeStamp(root)).toMatchObject({ scope: "bundle", files: 2 });
    // A module the bundle does not load (tsc --watch rewrote it): what runs is unchanged.
    writeFileSync(join(root, "core/types.js"), "export const A = 3;\n");
    later("core/types.js");
    expect(codeDigest(root)).toBe("a".repeat(64));
    // A rebuilt chunk: stale.
    later("bundle/cli.js");
    expect(codeDigest(root)).toBe(computeCodeDigest(root));
    // tsc alone: cli.js is its unbundled entry again, every module runs, and the stored digest (of the bundled scope) is stale.
    writeFileSync(join(root, CODE_DIGEST_FILE), JSON.stringify({ digest: "a".repeat(64), ...codeStamp(root) }));
    expect(codeDigest(root)).toBe("a".repeat(64));
    writeFileSync(join(root, "cli.js"), "#!/usr/bin/env node\nimport './scan.js';\n");
    expect(codeStamp(root).scope).toBe("all");
    expect(codeDigest(root)).toBe(computeCodeDigest(root));
  });
});

function report(extra: Partial<NonNullable<ScanReport["deps"]>> = {}, errors: ScanReport["errors"] = []): ScanReport {
  const r = newReport();
  r.targets.push({ input: "npm:tidy-format@2.0.0", kind: "archive", ecosystem: "npm", name: "tidy-format", version: "2.0.0", files: 2, bytes: 10 } as ScanReport["targets"][number]);
  r.errors.push(...errors);
  r.deps = { lockfiles: [], packages: 1, scanned: 1, fromCache: 0, fromDisk: 0, binaryOnly: [], notAnalysed: [], downloadedBytes: 1234, ...extra };
  return finishReport(r);
}

describe("lockfile-level memo", () => {
  const project = () => {
    const dir = tmp("memo-project");
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { "": {} } }));
    return dir;
  };
  const opts = { installed: false, prodOnly: false, devOnly: false };

  it("serves the stored report as a warm run (all from cache, nothing downloaded) until a lockfile byte, an option or the version changes", () => {
    const dir = project();
    const cache = tmp("memo-cache");
    const memo = openMemo([dir], opts, cache, "v1")!;
    expect(memo.get()).toBeUndefined();
    memo.put(report());
    const warm = openMemo([dir], opts, cache, "v1")!.get()!;
    expect(warm.deps).toMatchObject({ scanned: 0, fromCache: 1, downloadedBytes: 0, memo: true });
    expect(warm.targets.every((t) => t.cached)).toBe(true);
    expect(openMemo([dir], opts, cache, "v2")!.get()).toBeUndefined();
    expect(openMemo([dir], { ...opts, prodOnly: true }, cache, "v1")!.get()).toBeUndefined();
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { "": { name: "x" } } }));
    expect(openMemo([dir], opts, cache, "v1")!.get()).toBeUndefined();
  });

  it("stores nothing that depends on more than the key: unanalysed packages, lockfile errors, files read from disk; no memo for installed trees or requirements files", () => {
    expect(memoizable(report())).toBe(true);
    expect(memoizable(report({}, [{ input: "npm:tidy-format@2.0.0", file: "lib/a.js", message: "step budget" }]))).toBe(true);
    expect(memoizable(report({ notAnalysed: [{ package: "npm:x@1.0.0", reason: "registry unreachable", lockfile: "l", line: 1 }] }))).toBe(false);
    expect(memoizable(report({}, [{ input: "/p/package-lock.json", file: "/p/package-lock.json", line: 3, message: "bad" }]))).toBe(false);
    expect(memoizable(report({ fromDisk: 1 }))).toBe(false);
    const dir = project();
    expect(openMemo([dir], { ...opts, installed: true }, tmp("c"), "v1")).toBeUndefined();
    writeFileSync(join(dir, "requirements.txt"), "six==1.16.0\n");
    expect(openMemo([dir], opts, tmp("c"), "v1")).toBeUndefined();
    // A corrupt entry is a miss, not an error.
    const cache = tmp("memo-corrupt");
    const other = project();
    const memo = openMemo([other], opts, cache, "v1")!;
    memo.put(report());
    expect(memo.get()).toBeDefined();
    const entries = join(cache, "lockfile-results", "v1");
    for (const name of readdirSync(entries)) writeFileSync(join(entries, name), "{\"check\":\"x\",");
    expect(memo.get()).toBeUndefined();
  });

  it("guard: one entry per resolved lockfile's bytes; none for pip's dry-run plan (not a file) or a requirements file", () => {
    const dir = project();
    const cache = tmp("memo-guard");
    const lock = join(dir, "package-lock.json");
    const memo = openLockMemo(lock, "npm-package-lock", cache, "v1", undefined)!;
    memo.put(report());
    expect(openLockMemo(lock, "npm-package-lock", cache, "v1", undefined)!.get()?.deps?.memo).toBe(true);
    expect(openLockMemo(lock, "npm-package-lock", cache, "v1", join(dir, "store.json"))!.get()).toBeUndefined();
    expect(openLockMemo("pip install --dry-run", "requirements", cache, "v1", undefined)).toBeUndefined();
    writeFileSync(join(dir, "requirements.txt"), "six==1.16.0\n");
    expect(openLockMemo(join(dir, "requirements.txt"), "requirements", cache, "v1", undefined)).toBeUndefined();
  });
});
