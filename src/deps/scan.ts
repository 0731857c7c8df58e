// exfilscan deps: lockfiles and installed trees → one deduplicated package list → each
// package taken from the result cache, or fetched, verified and analysed (worker threads),
// or scanned from disk → one report whose findings carry the dependency path.
import { existsSync } from "node:fs";
import type { AdvisoryStore } from "../advisories/index.js";
import { matchKnownMalicious } from "../advisories/known-malicious.js";
import { errorMessage } from "../core/errors.js";
import { finishReport, newReport } from "../core/report.js";
import type { DependencyInfo, DepsSummary, Ecosystem, Finding, PackageRef, ScanReport } from "../core/types.js";
import { loadTarget, type IngestLimits } from "../ingest/index.js";
import { IntegrityError, type RegistryOptions } from "../registry/http.js";
import { fetchLockedNpm, fetchLockedPypi, type LockedArchive } from "../registry/locked.js";
import { finalize } from "../rules/evaluate.js";
import type { Signatures } from "../rules/signatures.js";
import { scanLoadedPackage, type PackageScan } from "../scan.js";
import { ResultCache } from "./cache.js";
import type { SharedVerdictCache } from "./shared-cache.js";
import { discover } from "./discover.js";
import { checkInstalled, installedKey, pairInstalled, type InstalledCheck } from "./installed-lock.js";
import { readInstalledNpm } from "./installed-npm.js";
import { loadInstalledDistribution, readSitePackages } from "./installed-python.js";
import { parseLockfile } from "./lockfiles/index.js";
import { normalizePypiName } from "./lockfiles/common.js";
import { integrityFinding } from "./integrity.js";
import { MAX_PATHS, type ParsedLockfile, type ResolvedPackage } from "./types.js";
import type { Analyzer } from "./workers.js";

export interface DepsProgress {
  total: number;
  fetched: number;
  scanned: number;
  cached: number;
  failed: number;
  bytes: number;
}

export interface DepsScanOptions {
  signatures: Signatures;
  advisories?: AdvisoryStore;
  limits: IngestLimits;
  registry: RegistryOptions;
  analyzer: Analyzer;
  cache: ResultCache;
  /** --db: the verdict cache shared by every runner on one database (read before, written after the scan). */
  sharedCache?: SharedVerdictCache;
  /** Parallel downloads (default 8). */
  concurrency?: number;
  installed?: boolean;
  prodOnly?: boolean;
  devOnly?: boolean;
  ecosystem?: Ecosystem;
  onProgress?: (progress: DepsProgress) => void;
}

export interface DepsInputs {
  sources: ParsedLockfile[];
  usageErrors: { input: string; message: string }[];
}

/** Parse every lockfile and installed tree the inputs name. */
export async function readInputs(inputs: string[], installed: boolean): Promise<DepsInputs> {
  const found = discover(inputs, { installed });
  const sources: ParsedLockfile[] = found.lockfiles.map((file) => parseLockfile(file));
  for (const dir of found.nodeModules) sources.push(await readInstalledNpm(dir));
  for (const dir of found.sitePackages) sources.push(await readSitePackages(dir));
  return { sources, usageErrors: found.unknown };
}

const idOf = (p: ResolvedPackage) =>
  p.unscannable && !p.version
    ? `unscannable:${p.lockfile}:${p.line}`
    : `${p.source === "installed" ? `installed:${p.localPath}` : p.localPath && p.source !== "registry" ? `local:${p.localPath}` : "registry"}:${p.ecosystem}:${p.ecosystem === "pypi" ? normalizePypiName(p.name) : p.name}@${p.version}`;

/** One entry per package version: paths and flags merged over every lockfile naming it. */
export function mergePackages(sources: ParsedLockfile[]): { pkg: ResolvedPackage; indexUrls: string[] }[] {
  const merged = new Map<string, { pkg: ResolvedPackage; indexUrls: string[] }>();
  for (const source of sources) {
    for (const pkg of source.packages) {
      const id = idOf(pkg);
      const existing = merged.get(id);
      if (!existing) {
        merged.set(id, { pkg: { ...pkg, paths: [...pkg.paths], integrity: [...pkg.integrity] }, indexUrls: [...(source.indexUrls ?? [])] });
        continue;
      }
      const into = existing.pkg;
      into.dev &&= pkg.dev;
      into.optional &&= pkg.optional;
      into.direct ||= pkg.direct;
      for (const path of pkg.paths) if (into.paths.length < MAX_PATHS && !into.paths.some((p) => p.join(">") === path.join(">"))) into.paths.push(path);
      for (const d of pkg.integrity) if (!into.integrity.some((e) => e.algorithm === d.algorithm && e.value === d.value)) into.integrity.push(d);
      existing.indexUrls.push(...(source.indexUrls ?? []));
    }
  }
  return [...merged.values()];
}

export function dependencyInfo(pkg: ResolvedPackage): DependencyInfo {
  return { lockfile: pkg.lockfile, line: pkg.line, paths: pkg.paths, direct: pkg.direct, dev: pkg.dev, optional: pkg.optional };
}

const display = (pkg: ResolvedPackage) => `${pkg.ecosystem}:${pkg.name}${pkg.version ? `@${pkg.version}` : ""}`;

export async function scanDependencies(inputs: DepsInputs, options: DepsScanOptions): Promise<ScanReport> {
  const report = newReport();
  const summary: DepsSummary = { lockfiles: [], packages: 0, scanned: 0, fromCache: 0, fromDisk: 0, binaryOnly: [], notAnalysed: [], downloadedBytes: 0 };
  report.deps = summary;
  for (const source of inputs.sources) {
    summary.lockfiles.push({ file: source.file, kind: source.kind, ...(source.formatVersion ? { formatVersion: source.formatVersion } : {}), packages: source.packages.length });
    // A broken lockfile is an error on that file and line; the others are still scanned.
    for (const problem of source.problems) report.errors.push({ input: source.file, file: problem.file, ...(problem.line ? { line: problem.line } : {}), message: problem.message });
  }
  for (const usage of inputs.usageErrors) report.errors.push({ input: usage.input, message: usage.message });
  const entries = mergePackages(inputs.sources).filter(({ pkg }) => {
    if (options.ecosystem && pkg.ecosystem !== options.ecosystem) return false;
    if (options.prodOnly && pkg.dev) return false;
    if (options.devOnly && !pkg.dev) return false;
    return true;
  });
  summary.packages = entries.length;
  const progress: DepsProgress = { total: entries.length, fetched: 0, scanned: 0, cached: 0, failed: 0, bytes: 0 };
  const tick = () => options.onProgress?.({ ...progress });
  tick();
  // Bytes actually received from a registry (archives and metadata), never cache reads.
  const registry: RegistryOptions = {
    ...options.registry,
    onDownload: (bytes) => {
      summary.downloadedBytes += bytes;
      progress.bytes += bytes;
      options.registry.onDownload?.(bytes);
    },
  };

  const notAnalysed = (pkg: ResolvedPackage, reason: string) => {
    summary.notAnalysed.push({ package: display(pkg), reason, lockfile: pkg.lockfile, line: pkg.line });
    report.errors.push({ input: display(pkg), message: `not analysed: ${reason} (${pkg.lockfile}:${pkg.line})` });
    progress.failed++;
    tick();
  };
  const record = (pkg: ResolvedPackage, result: PackageScan, cached: boolean) => {
    const dependency = dependencyInfo(pkg);
    report.targets.push({ ...result.target, dependency, ...(cached ? { cached: true } : {}) });
    report.findings.push(...result.findings.map((f) => ({ ...f, dependency })));
    report.errors.push(...result.errors);
  };

  // The known-malicious check needs only name and version: it runs on every package, even unscannable ones.
  if (options.advisories) {
    for (const { pkg } of entries) {
      if (!pkg.version) continue;
      const ref: PackageRef = { ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.version };
      const draft = matchKnownMalicious(options.advisories, ref);
      if (draft) {
        const [finding] = finalize([{ ...draft, location: { file: pkg.lockfile, line: pkg.line, column: 1 } }], ref, options.signatures);
        report.findings.push({ ...finding!, target: display(pkg), dependency: dependencyInfo(pkg) });
      }
    }
  }

  // Installed trees against their project's lockfile (versions; npm files against the pinned archive).
  let installedCheck: InstalledCheck | undefined;
  if (pairInstalled(inputs.sources).length) {
    installedCheck = await checkInstalled(inputs.sources, { registry, limits: options.limits, signatures: options.signatures });
    report.findings.push(...installedCheck.findings.map((f) => ({ ...f, ...(dependencyOf(entries, f) ?? {}) })));
    summary.installedCheck = { compared: installedCheck.compared, matching: installedCheck.matching, notCompared: installedCheck.notCompared };
  }

  // One query for every stored verdict of these archives; an unreachable database only means no shared cache.
  const shared = await options.sharedCache?.session([...entries.flatMap(({ pkg }) => pkg.integrity), ...(installedCheck?.verified.values() ?? [])]);

  const queue = [...entries];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { pkg, indexUrls } = next;
      try {
        await scanOne(pkg, indexUrls);
      } catch (error) {
        notAnalysed(pkg, errorMessage(error));
      }
    }
  };
  const scanOne = async (pkg: ResolvedPackage, indexUrls: string[]) => {
    if (pkg.binaryOnly) {
      summary.binaryOnly.push(display(pkg));
      progress.scanned++;
      return tick();
    }
    if (pkg.localPath && pkg.source !== "registry") {
      if (!existsSync(pkg.localPath)) return notAnalysed(pkg, pkg.unscannable ?? `${pkg.source} dependency not found on disk at ${pkg.localPath}`);
      // Exactly the files of the archive the lockfile pins: that archive's verdict holds.
      const verified = installedCheck?.verified.get(pkg.localPath);
      const cachedVerdict = verified && (options.cache.get([verified]) ?? shared?.get([verified]));
      if (cachedVerdict) {
        record(pkg, withIdentity(cachedVerdict, pkg), true);
        summary.fromCache++;
        progress.cached++;
        return tick();
      }
      let result: PackageScan;
      if (pkg.localFiles) {
        const installed = await loadInstalledDistribution(pkg, options.limits, options.signatures, installedCheck?.wheelReported.get(installedKey(pkg)));
        result = await scanLoadedPackage(installed.pkg, options.signatures);
        result.findings.push(...installed.findings);
      } else {
        result = await scanLoadedPackage(await loadTarget(pkg.localPath, options.limits), options.signatures);
      }
      record(pkg, withIdentity(result, pkg), false);
      summary.fromDisk++;
      progress.scanned++;
      return tick();
    }
    if (pkg.unscannable) return notAnalysed(pkg, pkg.unscannable);
    const cached = options.cache.get(pkg.integrity) ?? shared?.get(pkg.integrity) ?? (pkg.integrity.length ? undefined : options.cache.getById(pkg));
    if (cached) {
      record(pkg, withIdentity(cached, pkg), true);
      summary.fromCache++;
      progress.cached++;
      return tick();
    }
    let archive: LockedArchive;
    try {
      archive = pkg.ecosystem === "npm" ? await fetchLockedNpm(pkg, registry) : await fetchLockedPypi(pkg, registry, indexUrls);
    } catch (error) {
      if (error instanceof IntegrityError) {
        report.findings.push(integrityFinding(pkg, error, options.signatures, dependencyInfo(pkg)));
        return notAnalysed(pkg, `integrity mismatch: the registry's archive is not the one the lockfile pins`);
      }
      throw error;
    }
    progress.fetched++;
    tick();
    const result = await options.analyzer.analyze(display(pkg), archive.fileName, archive.data, options.limits);
    const identified = withIdentity(result, pkg);
    options.cache.put(archive.digest, identified);
    shared?.add(archive.digest, identified);
    if (archive.verifiedAgainst === "registry") options.cache.putId(pkg, archive.digest);
    record(pkg, identified, false);
    summary.scanned++;
    progress.scanned++;
    tick();
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  if (shared) summary.sharedCache = await shared.finish();
  summary.scanned += summary.fromDisk;
  summary.binaryOnly.sort();
  summary.notAnalysed.sort((a, b) => a.package.localeCompare(b.package));
  report.targets.sort((a, b) => a.input.localeCompare(b.input));
  report.errors.sort((a, b) => a.input.localeCompare(b.input) || (a.file ?? "").localeCompare(b.file ?? "") || (a.line ?? 0) - (b.line ?? 0) || a.message.localeCompare(b.message));
  return finishReport(report);
}

function dependencyOf(entries: { pkg: ResolvedPackage }[], finding: Finding): { dependency: DependencyInfo } | undefined {
  const pkg = entries.find(({ pkg }) => pkg.source === "installed" && pkg.ecosystem === finding.package?.ecosystem && pkg.name === finding.package?.name && pkg.version === finding.package?.version)?.pkg;
  return pkg ? { dependency: dependencyInfo(pkg) } : undefined;
}

/** Findings and targets named after the locked package when the archive does not say. */
function withIdentity(result: PackageScan, pkg: ResolvedPackage): PackageScan {
  const ref: PackageRef = { ecosystem: pkg.ecosystem, name: result.target.name ?? pkg.name, ...(result.target.version || pkg.version ? { version: result.target.version ?? pkg.version! } : {}) };
  return {
    target: { ...result.target, ecosystem: pkg.ecosystem, name: ref.name, ...(ref.version ? { version: ref.version } : {}) },
    findings: result.findings.map((f) => ({ ...f, package: f.package ?? ref })),
    errors: result.errors,
  };
}
