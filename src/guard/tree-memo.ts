// The guard's stored report for the tree npm resolved in the guard's own process
// (src/guard/npm-inside.ts): that tree never exists as lockfile text, so its key is made of
// what is scanned: the whole parsed lockfile (its name, kind and problems, every field of every
// package: name, version, integrity, source, paths…), plus the analysis version and the known-malicious
// store in use. The report is stored, not the verdict: --fail-on and --allow apply on every run.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { memoEntry, memoizable, stampOf, type LockfileMemo } from "../deps/memo.js";
import type { ParsedLockfile } from "../deps/types.js";

export function openTreeMemo(lockfile: ParsedLockfile, cacheDir: string, analysisVersion: string, advisoryStore: string | undefined): LockfileMemo {
  const hash = createHash("sha256").update(`guard-tree-v1\0${analysisVersion}\0${stampOf(advisoryStore)}\0`).update(JSON.stringify(lockfile));
  return memoEntry(join(cacheDir, "lockfile-results", analysisVersion, `guard-tree-${hash.digest("hex")}.json`), memoizable);
}
