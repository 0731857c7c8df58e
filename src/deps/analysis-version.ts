// The analysis version: the key of every cached verdict. It hashes all the code under dist/
// (stored at build time), the pinned dependency versions and the signature files, so a changed
// rule set, analyzer, core type or parser never reuses an old verdict. Node built-ins only: the
// guard's fast path (src/guard/fast.ts) computes it before loading anything else.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT, TOOL_VERSION } from "../core/version.js";
import { BUILTIN_SIGNATURES_DIR, builtinSignatureDigest, signatureDigest } from "../rules/signature-digest.js";

/** dist/ when built, src/ under the tests: the code whose output a cached result is. */
const CODE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Written by scripts/build-signatures.mjs after tsc: the digest of every file under dist/. */
export const CODE_DIGEST_FILE = "analysis-digest.json";
const CODE_FILE = /\.(c|m)?(js|ts)$|\.wasm$/;
const NOT_CODE = /\.d\.ts$|\.map$/;

function hashTree(hash: ReturnType<typeof createHash>, root: string, dir: string, test: (name: string) => boolean): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hashTree(hash, root, path, test);
    else if (test(name)) hash.update(`${path.slice(root.length)}\0`).update(readFileSync(path)).update("\0");
  }
}

/**
 * Every code file under the code root (all of it: core, scan, ingest, analyzers, rules,
 * deps, ... — whatever builds a result) and the pinned dependency versions (acorn, the
 * tree-sitter grammar...) from package.json. Hashes the tree; the build stores the result.
 */
export function computeCodeDigest(codeRoot: string = CODE_ROOT, packageJson: string = join(PACKAGE_ROOT, "package.json")): string {
  const hash = createHash("sha256").update(TOOL_VERSION).update("\0");
  hashTree(hash, codeRoot, codeRoot, (n) => CODE_FILE.test(n) && !NOT_CODE.test(n));
  try {
    const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as { dependencies?: Record<string, string> };
    hash.update(JSON.stringify(Object.entries(manifest.dependencies ?? {}).sort()));
  } catch {
    hash.update("no package.json");
  }
  return hash.digest("hex");
}

/**
 * Count and newest mtime of the code files that run: a dist/ rebuilt by tsc alone makes the
 * stored digest stale. When dist/cli.js is the bundle's entry (scripts/bundle.mjs), what runs
 * is dist/bundle/ and that file, so only they are looked at (start-up: a few dozen stat calls
 * instead of every module tsc wrote); tsc rewrites cli.js, so a tsc-only build is still seen.
 */
export function codeStamp(codeRoot: string): { files: number; newest: number; scope: "bundle" | "all" } {
  const bundled = isBundleEntry(join(codeRoot, "cli.js")) && existsSync(join(codeRoot, "bundle"));
  const stamp = { files: 0, newest: 0, scope: bundled ? ("bundle" as const) : ("all" as const) };
  const add = (file: string) => {
    stamp.files++;
    stamp.newest = Math.max(stamp.newest, statSync(file).mtimeMs);
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (CODE_FILE.test(entry.name) && !NOT_CODE.test(entry.name)) add(join(dir, entry.name));
    }
  };
  if (bundled) {
    add(join(codeRoot, "cli.js"));
    walk(join(codeRoot, "bundle"));
  } else walk(codeRoot);
  return stamp;
}

/** The first line scripts/bundle.mjs gives dist/cli.js (tsc's own entry starts otherwise). */
export const BUNDLE_ENTRY_MARK = "// Written by scripts/bundle.mjs";

function isBundleEntry(file: string): boolean {
  try {
    return readFileSync(file, "utf8").split("\n", 3).some((line) => line.startsWith(BUNDLE_ENTRY_MARK));
  } catch {
    return false;
  }
}

/** The build's stored code digest when it still describes the tree (dist/), else hashed now (src/ under the tests, or a stale build). */
export function codeDigest(codeRoot: string = CODE_ROOT): string {
  try {
    const stored = JSON.parse(readFileSync(join(codeRoot, CODE_DIGEST_FILE), "utf8")) as { digest?: unknown; files?: unknown; newest?: unknown; scope?: unknown };
    const stamp = codeStamp(codeRoot);
    if (typeof stored.digest === "string" && /^[0-9a-f]{64}$/.test(stored.digest) && stored.files === stamp.files && stored.newest === stamp.newest && stored.scope === stamp.scope) return stored.digest;
  } catch {
    // not built: hash the tree
  }
  return computeCodeDigest(codeRoot);
}

const digests = new Map<string, string>();

/** The result-cache key: all analysis code and data (see codeDigest) + every signature directory in use. */
export function analysisVersion(signatureDirs: string[], codeRoot: string = CODE_ROOT): string {
  const hash = createHash("sha256").update(digests.get(codeRoot) ?? digests.set(codeRoot, codeDigest(codeRoot)).get(codeRoot)!);
  for (const dir of signatureDirs) hash.update("\0").update(dir === BUILTIN_SIGNATURES_DIR ? builtinSignatureDigest() : signatureDigest(dir));
  return hash.digest("hex").slice(0, 16);
}
