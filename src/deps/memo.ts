// The warm path of `exfilscan deps`: a whole run's report memoized under a key made of the
// analysis version (all code + signatures), the bytes of every lockfile read, the known-
// malicious store's identity and the options that change the report. An unchanged project
// rescans with one read of one file: no lockfile parsing, no per-package cache reads, no
// analyzer or worker loaded. Only runs that are a pure function of those inputs are stored:
// lockfiles only (no installed trees, no requirements.txt, whose -r/-c includes are other
// files), every package from the registry cache or analysed (nothing read from disk, nothing
// unanalysed, no error).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { ScanReport } from "../core/types.js";
import type { ParsedLockfile } from "./types.js";
import { writeAtomically } from "../registry/http.js";
import { discover } from "./discover.js";

export interface MemoOptions {
  installed: boolean;
  prodOnly: boolean;
  devOnly: boolean;
  ecosystem?: string;
  /** The known-malicious store file in use (its size and mtime are part of the key). */
  advisoryStore?: string;
}

export interface LockfileMemo {
  /** The stored report, as a warm run would produce it, or undefined. */
  get(): ScanReport | undefined;
  /** Store this run's report when it is a pure function of the key. */
  put(report: ScanReport): void;
}

const stampOf = (file: string | undefined): string => {
  if (!file) return "none";
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats ? `${resolve(file)}:${stats.size}:${stats.mtimeMs}` : `${resolve(file)}:absent`;
};

/** The memo for these inputs, or undefined when they are not memoizable (installed trees, requirements files, unknown inputs). */
export function openMemo(inputs: string[], options: MemoOptions, cacheDir: string, analysisVersion: string): LockfileMemo | undefined {
  if (options.installed) return undefined;
  const found = discover(inputs, { installed: false });
  if (found.unknown.length || found.nodeModules.length || found.sitePackages.length || !found.lockfiles.length) return undefined;
  if (found.lockfiles.some((f) => /\.txt$|\.in$/i.test(basename(f)))) return undefined;
  const hash = createHash("sha256").update(`memo-v1\0${analysisVersion}\0`);
  hash.update(JSON.stringify({ inputs, prod: options.prodOnly, dev: options.devOnly, ecosystem: options.ecosystem ?? null, advisories: stampOf(options.advisoryStore) }));
  for (const file of found.lockfiles) hash.update(`\0${resolve(file)}\0`).update(readFileSync(file));
  return memoEntry(join(cacheDir, "lockfile-results", analysisVersion, `${hash.digest("hex")}.json`), memoizable);
}

/** A memo entry stored at `file` (checksummed, written atomically); `storable` says which reports may be stored. */
export function memoEntry(file: string, storable: (report: ScanReport) => boolean): LockfileMemo {
  return {
    get() {
      try {
        const entry = JSON.parse(readFileSync(file, "utf8")) as { check?: string; report?: ScanReport };
        if (!entry.report || entry.check !== checksum(JSON.stringify(entry.report))) return undefined;
        return asWarm(entry.report);
      } catch {
        return undefined; // absent or torn: the full path runs and rewrites it
      }
    },
    put(report) {
      if (!storable(report)) return;
      const body = JSON.stringify(report);
      writeAtomically(file, JSON.stringify({ check: checksum(body), report }));
    },
  };
}

/** The guard's memo: one resolved lockfile's bytes (wherever the guard wrote it) + the store in use. */
export function openLockMemo(lockfile: string, kind: string, cacheDir: string, analysisVersion: string, advisoryStore: string | undefined): LockfileMemo | undefined {
  // pip's plan is a dry-run report, not a file; a requirements file may include others: no memo.
  if (kind === "requirements" || !existsSync(lockfile)) return undefined;
  return guardMemo("guard", `${kind}\0`, readFileSync(lockfile), cacheDir, analysisVersion, advisoryStore);
}

/**
 * The guard's memo for the tree npm resolved in the guard's own process (src/guard/npm-inside.ts):
 * that tree never exists as lockfile text, so its key is what is scanned, the whole parsed
 * lockfile (its name, kind and problems, every field of every package: name, version,
 * integrity, source, paths…) + the store in use.
 */
export function openTreeMemo(lockfile: ParsedLockfile, cacheDir: string, analysisVersion: string, advisoryStore: string | undefined): LockfileMemo {
  return guardMemo("guard-tree", "", JSON.stringify(lockfile), cacheDir, analysisVersion, advisoryStore);
}

function guardMemo(name: string, kind: string, body: string | Buffer, cacheDir: string, analysisVersion: string, advisoryStore: string | undefined): LockfileMemo {
  const hash = createHash("sha256").update(`${name}-v1\0${analysisVersion}\0${kind}${stampOf(advisoryStore)}\0`).update(body);
  // The report is stored, not the verdict: --fail-on and --allow are applied to it on every run.
  return memoEntry(join(cacheDir, "lockfile-results", analysisVersion, `${name}-${hash.digest("hex")}.json`), memoizable);
}

const checksum = (body: string) => createHash("sha256").update(body).digest("hex");

/**
 * Nothing read from disk, nothing left unanalysed, no lockfile problem: every error is one
 * the analysis of a package reported about its own files (a note, a budget), which its
 * archive's cached result carries on every run too.
 */
export function memoizable(report: ScanReport): boolean {
  const deps = report.deps;
  if (!deps || deps.fromDisk !== 0 || deps.notAnalysed.length !== 0 || deps.installedCheck || deps.memo) return false;
  const analysed = new Set(report.targets.map((t) => t.input));
  return report.errors.every((e) => analysed.has(e.input));
}

/** What the same run makes when every package comes from the result cache. */
function asWarm(report: ScanReport): ScanReport {
  const deps = report.deps!;
  return {
    ...report,
    targets: report.targets.map((t) => ({ ...t, cached: true })),
    deps: { ...deps, fromCache: deps.fromCache + deps.scanned, scanned: 0, downloadedBytes: 0, memo: true },
  };
}
