// exfilscan deps --changed-since <ref>: every lockfile at the merge base compared with
// the working tree. Only added or changed packages are scanned; a package that moved
// between versions is also diffed against its old version (new-capability-in-update);
// the project's own changed code and manifests are scanned and diffed too.
import { existsSync, readFileSync } from "node:fs";
import { basename, relative, resolve, sep } from "node:path";
import type { AdvisoryStore } from "../advisories/index.js";
import { errorMessage } from "../core/errors.js";
import { finishReport } from "../core/report.js";
import type { ChangeSummary, Ecosystem, Finding, PackageChange, ScanReport } from "../core/types.js";
import { RULE_ID, diffVersions, type ScannedVersion } from "../diff/index.js";
import { identifyPackage } from "../ingest/package-identity.js";
import { loadArchive, loadTarget, type IngestLimits, type LoadedPackage } from "../ingest/index.js";
import { fetchLockedNpm, fetchLockedPypi } from "../registry/locked.js";
import type { RegistryOptions } from "../registry/http.js";
import type { Signatures } from "../rules/signatures.js";
import { scanLoadedPackage } from "../scan.js";
import { changedPaths, findBase, showAt, type GitBase } from "./git-base.js";
import { isLockfileName, parseLockfileText } from "./lockfiles/index.js";
import { normalizePypiName } from "./lockfiles/common.js";
import { dependencyInfo, type DepsInputs } from "./scan.js";
import type { ParsedLockfile, ResolvedPackage } from "./types.js";

export interface ChangedInputs {
  inputs: DepsInputs;
  summary: ChangeSummary;
  base: GitBase;
  /** Packages whose version moved: diffed against the old version after the scan. */
  moved: { pkg: ResolvedPackage; from: string; previous?: ResolvedPackage }[];
}

const nameKey = (eco: Ecosystem, name: string) => `${eco}:${eco === "pypi" ? normalizePypiName(name) : name.toLowerCase()}`;
const integrityKey = (p: ResolvedPackage) => p.integrity.map((d) => `${d.algorithm}-${d.value}`).sort().join(",");
const toChange = (p: ResolvedPackage, previous?: string): PackageChange => ({
  ecosystem: p.ecosystem,
  name: p.name,
  ...(p.version ? { version: p.version } : {}),
  ...(previous ? { previous } : {}),
  lockfile: p.lockfile,
  line: p.line,
  paths: p.paths,
});

/** Compare one lockfile with its base text: packages added, changed (version or integrity) and removed. */
export function compareLockfile(current: ParsedLockfile, base: ParsedLockfile | undefined) {
  const before = new Map<string, ResolvedPackage[]>();
  for (const p of base?.packages ?? []) {
    const key = nameKey(p.ecosystem, p.name);
    before.set(key, [...(before.get(key) ?? []), p]);
  }
  const added: ResolvedPackage[] = [];
  const changed: { pkg: ResolvedPackage; from?: string; previous?: ResolvedPackage }[] = [];
  const kept = new Set<ResolvedPackage>();
  for (const p of current.packages) {
    const olds = before.get(nameKey(p.ecosystem, p.name));
    if (!olds) {
      added.push(p);
      continue;
    }
    const same = olds.find((o) => o.version === p.version);
    if (same) {
      kept.add(same);
      const a = integrityKey(same);
      const b = integrityKey(p);
      if (a && b && a !== b) changed.push({ pkg: p });
      continue;
    }
    const versions = olds.filter((o) => !current.packages.some((c) => c.version === o.version && nameKey(c.ecosystem, c.name) === nameKey(o.ecosystem, o.name)));
    versions.forEach((o) => kept.add(o));
    changed.push({ pkg: p, ...(versions[0]?.version ? { from: versions[0].version, previous: versions[0] } : {}) });
  }
  const removed = (base?.packages ?? []).filter(
    (o) => !kept.has(o) && !current.packages.some((c) => nameKey(c.ecosystem, c.name) === nameKey(o.ecosystem, o.name) && c.version === o.version),
  );
  return { added, changed, removed };
}

export async function changedInputs(ref: string, cwd: string, current: DepsInputs): Promise<ChangedInputs> {
  const base = await findBase(cwd, ref);
  const summary: ChangeSummary = { ref, mergeBase: base.mergeBase, added: [], changed: [], removed: [], firstPartyFiles: [], notes: base.notes };
  const moved: ChangedInputs["moved"] = [];
  const fromRoot = (file: string) => relative(base.root, resolve(cwd, file)).split(sep).join("/");
  const sources: ParsedLockfile[] = [];
  for (const source of current.sources) {
    const text = await showAt(base.git, base.mergeBase, fromRoot(source.file));
    let parsedBase: ParsedLockfile | undefined;
    try {
      parsedBase = text === undefined ? undefined : parseLockfileText(source.file, text);
    } catch {
      parsedBase = undefined;
    }
    const { added, changed, removed } = compareLockfile(source, parsedBase);
    summary.added.push(...added.map((p) => toChange(p)));
    summary.changed.push(...changed.map((c) => toChange(c.pkg, c.from ?? c.pkg.version)));
    summary.removed.push(...removed.map((p) => toChange(p)));
    for (const c of changed) if (c.from && c.pkg.version && c.from !== c.pkg.version && !c.pkg.unscannable) moved.push({ pkg: c.pkg, from: c.from, ...(c.previous ? { previous: c.previous } : {}) });
    const keep = new Set<ResolvedPackage>([...added, ...changed.map((c) => c.pkg)]);
    sources.push({ ...source, packages: source.packages.filter((p) => keep.has(p)) });
  }
  // Lockfiles the change deleted: everything they locked is removed.
  const { deleted } = await changedPaths(base.git, base.mergeBase);
  const cwdFromRoot = fromRoot(".");
  for (const path of deleted.filter((p) => isLockfileName(basename(p)) && (cwdFromRoot === "" || p.startsWith(`${cwdFromRoot}/`)))) {
    const text = await showAt(base.git, base.mergeBase, path);
    if (text === undefined) continue;
    try {
      summary.removed.push(...parseLockfileText(path, text).packages.map((p) => toChange(p)));
    } catch {
      /* an unreadable deleted lockfile removes nothing we can name */
    }
  }
  return { inputs: { ...current, sources }, summary, base, moved };
}

export interface ChangeScanOptions {
  signatures: Signatures;
  advisories?: AdvisoryStore;
  limits: IngestLimits;
  registry: RegistryOptions;
}

const CODE = /\.(c|m)?(j|t)sx?$|\.py$|\.pth$/i;
const MANIFESTS = new Set(["package.json", "setup.py", "pyproject.toml", "setup.cfg"]);

/** After the dependency scan: version diffs of moved packages and the project's own changed files. */
export async function scanChanges(report: ScanReport, changed: ChangedInputs, cwd: string, options: ChangeScanOptions): Promise<ScanReport> {
  report.changes = changed.summary;
  for (const { pkg, from, previous: old } of changed.moved) {
    const spec = (v: string) => `${pkg.ecosystem}:${pkg.name}@${v}`;
    try {
      // Both versions as their lockfiles pin them (resolved URL and integrity); a spec lookup otherwise.
      const [previous, next] = await Promise.all([
        old?.source === "registry" ? loadLocked(old, options) : loadAndScan(spec(from), options),
        loadLocked(pkg, options),
      ]);
      const added = diffVersions(previous, next, options.signatures).filter((f) => f.ruleId === RULE_ID);
      report.findings.push(...added.map((f) => ({ ...f, target: spec(pkg.version!), dependency: dependencyInfo(pkg) })));
    } catch (error) {
      report.errors.push({ input: spec(pkg.version!), file: pkg.lockfile, line: pkg.line, message: `version diff ${from} → ${pkg.version} not made: ${errorMessage(error)}` });
    }
  }
  await scanFirstParty(report, changed, cwd, options);
  return finishReport(report);
}

async function loadLocked(pkg: ResolvedPackage, options: ChangeScanOptions): Promise<ScannedVersion> {
  const archive = pkg.ecosystem === "npm" ? await fetchLockedNpm(pkg, options.registry) : await fetchLockedPypi(pkg, options.registry);
  const loaded = await loadArchive(`${pkg.ecosystem}:${pkg.name}@${pkg.version}`, archive.fileName, archive.data, options.limits);
  return { pkg: loaded, scan: await scanLoadedPackage(loaded, options.signatures, options.advisories) };
}

async function loadAndScan(input: string, options: ChangeScanOptions): Promise<ScannedVersion> {
  const pkg = await loadTarget(input, options.limits, options.registry);
  return { pkg, scan: await scanLoadedPackage(pkg, options.signatures, options.advisories) };
}

async function scanFirstParty(report: ScanReport, changed: ChangedInputs, cwd: string, options: ChangeScanOptions): Promise<void> {
  const { base } = changed;
  const prefix = relative(base.root, resolve(cwd)).split(sep).join("/");
  const { changed: paths } = await changedPaths(base.git, base.mergeBase);
  const mine = paths
    .filter((p) => prefix === "" || p.startsWith(`${prefix}/`))
    .map((p) => (prefix ? p.slice(prefix.length + 1) : p))
    .filter((p) => !/(^|\/)(node_modules|\.git|site-packages)\//.test(p) && !isLockfileName(basename(p)))
    .filter((p) => CODE.test(p) || MANIFESTS.has(basename(p)));
  if (!mine.length) return;
  changed.summary.firstPartyFiles = mine;
  for (const ecosystem of ["npm", "pypi"] as const) {
    const own = mine.filter((p) => (ecosystem === "npm" ? /\.(c|m)?(j|t)sx?$/i.test(p) || basename(p) === "package.json" : /\.(py|pth)$/i.test(p) || ["setup.py", "pyproject.toml", "setup.cfg"].includes(basename(p))));
    if (!own.length) continue;
    const manifests = ecosystem === "npm" ? ["package.json"] : ["pyproject.toml", "setup.py", "setup.cfg"];
    const files = [...new Set([...own, ...manifests.filter((m) => existsSync(resolve(cwd, m)))])];
    const current = packageFrom(".", files, (f) => (existsSync(resolve(cwd, f)) ? readFileSync(resolve(cwd, f)) : undefined));
    const old = packageFrom(".", [], () => undefined);
    for (const f of files) {
      const text = await showAt(base.git, base.mergeBase, prefix ? `${prefix}/${f}` : f);
      if (text !== undefined) old.files.set(f, Buffer.from(text));
    }
    identifyPackage(old);
    if (!current.ecosystem) continue;
    const next = { pkg: current, scan: await scanLoadedPackage(current, options.signatures) };
    report.targets.push({ ...next.scan.target, input: "." });
    report.errors.push(...next.scan.errors);
    report.findings.push(...next.scan.findings.map((f) => ({ ...f, target: "." })));
    if (old.ecosystem === current.ecosystem) {
      const previous = { pkg: old, scan: await scanLoadedPackage(old, options.signatures) };
      const added: Finding[] = diffVersions(previous, next, options.signatures).filter((f) => f.ruleId === RULE_ID);
      report.findings.push(...added.map((f) => ({ ...f, target: ".", message: f.message.replace(/^Update .*? adds: /, "This change adds: ") })));
    }
  }
}

function packageFrom(input: string, files: string[], read: (f: string) => Buffer | undefined): LoadedPackage {
  const map = new Map<string, Buffer>();
  for (const f of files) {
    const data = read(f);
    if (data) map.set(f, data);
  }
  const pkg: LoadedPackage = { input, files: map, bytes: [...map.values()].reduce((n, b) => n + b.length, 0), errors: [] };
  identifyPackage(pkg);
  return pkg;
}
