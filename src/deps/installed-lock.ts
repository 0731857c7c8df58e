// An installed tree against the lockfile of the same project: every installed package
// version must be one the lockfile pins, and its files must be those of the archive the
// lockfile's integrity pins (npm: the tarball; Python: the wheel's RECORD, installed-wheel.ts). The archive's file digests (its "manifest") are cached by
// the archive digest, so a warm run reads no archive; a package whose files match exactly
// can reuse the archive's cached verdict instead of being analysed again from disk.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { errorMessage } from "../core/errors.js";
import type { Finding, PackageRef } from "../core/types.js";
import { loadArchive, type IngestLimits } from "../ingest/index.js";
import { writeAtomically, type Digest, type RegistryOptions } from "../registry/http.js";
import { fetchLockedNpm, strongest } from "../registry/locked.js";
import { finalize } from "../rules/evaluate.js";
import type { Signatures } from "../rules/signatures.js";
import { normalizePypiName } from "./lockfiles/common.js";
import { checkAgainstWheel } from "./installed-wheel.js";
import { INSTALLED_FILE_MODIFIED, INSTALLED_LOCK_MISMATCH } from "./rules.js";
import type { ParsedLockfile, ResolvedPackage } from "./types.js";

const NPM_LOCKS = new Set(["npm-package-lock", "npm-shrinkwrap", "yarn-v1", "yarn-berry", "pnpm"]);
const PYPI_LOCKS = new Set(["requirements", "poetry", "uv", "pdm", "pipfile"]);
/** Files an installed package runs or loads; other extra files (build output, docs) are not findings. */
const CODE = /\.(c|m)?js$|\.node$|\.sh$|\.py$/;

export interface InstalledCheck {
  findings: Finding[];
  /** localPath of an installed package whose files are exactly its locked archive's → that archive's digest. */
  verified: Map<string, Digest>;
  /** Installed packages that could not be compared, with the reason (not errors: the package is still scanned from disk). */
  notCompared: { package: string; reason: string }[];
  compared: number;
  /** Compared packages with no difference (npm: those in `verified`; Python: files as in the pinned wheel). */
  matching: number;
  /** Installed Python distribution (installedKey) → files already reported as differing from the pinned wheel. */
  wheelReported: Map<string, Set<string>>;
}

/** One installed distribution of a site-packages (they share its localPath). */
export const installedKey = (pkg: ResolvedPackage) => `${pkg.localPath}\0${pkg.ecosystem}:${pkg.name}@${pkg.version}`;

interface Manifest {
  /** POSIX path inside the package → sha256 hex. */
  files: Record<string, string>;
  /** The archive hit an ingest cap: files absent from the manifest may still be in the archive. */
  partial: boolean;
  /** sha256 of the archive's package.json without `_`-keys, re-serialised (see strippedDigest). */
  packageJson?: string;
}

export interface InstalledCheckOptions {
  registry: RegistryOptions;
  limits: IngestLimits;
  signatures: Signatures;
}

const keyOf = (ecosystem: string, name: string) => `${ecosystem}:${ecosystem === "pypi" ? normalizePypiName(name) : name}`;

/** Which lockfile describes which installed tree: node_modules next to an npm-family lockfile; a virtualenv under a Python lockfile's folder. */
export function pairInstalled(sources: ParsedLockfile[]): { tree: ParsedLockfile; locks: ParsedLockfile[] }[] {
  const out: { tree: ParsedLockfile; locks: ParsedLockfile[] }[] = [];
  for (const tree of sources) {
    if (tree.kind === "node_modules") {
      const locks = sources.filter((s) => NPM_LOCKS.has(s.kind) && dirname(s.file) === dirname(tree.file));
      if (locks.length) out.push({ tree, locks });
    } else if (tree.kind === "site-packages") {
      const locks = sources.filter((s) => PYPI_LOCKS.has(s.kind) && `${tree.file}${sep}`.startsWith(`${dirname(s.file)}${sep}`));
      if (locks.length) out.push({ tree, locks });
    }
  }
  return out;
}

/** One installed package's comparison: merged into the check in tree order, whatever order the fetches finish in. */
interface Outcome {
  findings: Finding[];
  verified?: [string, Digest];
  notCompared?: { package: string; reason: string };
  compared?: boolean;
  matching?: boolean;
  wheelReported?: [string, Set<string>];
}

export async function checkInstalled(sources: ParsedLockfile[], options: InstalledCheckOptions): Promise<InstalledCheck> {
  const check: InstalledCheck = { findings: [], verified: new Map(), notCompared: [], compared: 0, matching: 0, wheelReported: new Map() };
  const tasks: (() => Promise<Outcome>)[] = [];
  for (const { tree, locks } of pairInstalled(sources)) {
    const locked = new Map<string, ResolvedPackage[]>();
    for (const lock of locks) for (const pkg of lock.packages) if (pkg.version) locked.set(keyOf(pkg.ecosystem, pkg.name), [...(locked.get(keyOf(pkg.ecosystem, pkg.name)) ?? []), pkg]);
    const lockNames = locks.map((l) => l.file).join(", ");
    for (const pkg of tree.packages) {
      if (pkg.source !== "installed" || !pkg.version || pkg.unscannable || pkg.name === "(environment)") continue;
      const candidates = locked.get(keyOf(pkg.ecosystem, pkg.name));
      const ref: PackageRef = { ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.version };
      const where = tree.kind === "node_modules" ? relative(dirname(tree.file), pkg.localPath!) || pkg.localPath! : pkg.lockfile;
      if (!candidates?.length) {
        // Python lockfiles often list only what the project asked for: only npm lockfiles are complete.
        if (pkg.ecosystem === "npm") check.findings.push(mismatch(pkg, ref, "low", `${where} holds ${pkg.name}@${pkg.version}, which ${lockNames} does not list at all (installed outside the lockfile: npm install --no-save, a manual copy, or another package's install script)`, options.signatures));
        continue;
      }
      const same = candidates.find((c) => c.version === pkg.version);
      if (!same) {
        const pinned = candidates.map((c) => `${c.version} (${c.lockfile}:${c.line})`).join(", ");
        check.findings.push(mismatch(pkg, ref, "medium", `${where} holds ${pkg.name}@${pkg.version}, but the lockfile pins ${pinned}: the installed code is not the code that was locked`, options.signatures));
        continue;
      }
      if (same.source !== "registry" || (pkg.ecosystem !== "pypi" && pkg.binaryOnly)) continue;
      const indexUrls = locks.find((l) => l.file === same.lockfile)?.indexUrls ?? [];
      tasks.push(() => (pkg.ecosystem === "pypi" ? compareWheel(pkg, same, indexUrls, options) : compareArchive(pkg, ref, same, where, options)));
    }
  }
  // The archives are fetched a few at a time (each comparison is a registry round trip when the manifest is not cached).
  const outcomes: Outcome[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) outcomes[i] = await tasks[i]!();
  };
  await Promise.all(Array.from({ length: Math.min(8, tasks.length) }, worker));
  for (const o of outcomes) {
    check.findings.push(...o.findings);
    if (o.notCompared) check.notCompared.push(o.notCompared);
    if (o.compared) check.compared++;
    if (o.matching) check.matching++;
    if (o.verified) check.verified.set(...o.verified);
    if (o.wheelReported) check.wheelReported.set(...o.wheelReported);
  }
  return check;
}

/** Against the RECORD of the wheel the lockfile pins: catches a file changed together with its installed RECORD line. */
async function compareWheel(pkg: ResolvedPackage, same: ResolvedPackage, indexUrls: string[], options: InstalledCheckOptions): Promise<Outcome> {
  const wheel = await checkAgainstWheel(pkg, same, indexUrls, options);
  if (wheel.notCompared) return { findings: wheel.findings, notCompared: { package: `${pkg.name}@${pkg.version}`, reason: wheel.notCompared } };
  if (wheel.reported.size) return { findings: wheel.findings, compared: true, wheelReported: [installedKey(pkg), wheel.reported] };
  return { findings: wheel.findings, compared: true, matching: !wheel.findings.length };
}

/** An installed npm package's files against the archive the lockfile pins. */
async function compareArchive(pkg: ResolvedPackage, ref: PackageRef, same: ResolvedPackage, where: string, options: InstalledCheckOptions): Promise<Outcome> {
  try {
    const manifest = await manifestFor(same, options);
    if (!manifest) return { findings: [], notCompared: { package: `${pkg.name}@${pkg.version}`, reason: "the archive is not in the cache (--offline)" } };
    const differences = compareFiles(pkg.localPath!, manifest.manifest);
    if (!differences.length) return { findings: [], compared: true, matching: true, verified: [pkg.localPath!, manifest.digest] };
    return { findings: modified(pkg, ref, same, where, differences, options.signatures), compared: true };
  } catch (error) {
    return { findings: [], notCompared: { package: `${pkg.name}@${pkg.version}`, reason: errorMessage(error) } };
  }
}

async function manifestFor(pkg: ResolvedPackage, options: InstalledCheckOptions): Promise<{ manifest: Manifest; digest: Digest } | undefined> {
  const pinned = strongest(pkg.integrity);
  const cached = pinned && readManifest(options.registry.cacheDir, pinned);
  if (cached && pinned) return { manifest: cached, digest: pinned };
  let archive;
  try {
    archive = await fetchLockedNpm(pkg, options.registry);
  } catch (error) {
    if (options.registry.offline) return undefined;
    throw error;
  }
  const loaded = await loadArchive(`npm:${pkg.name}@${pkg.version}`, archive.fileName, archive.data, options.limits);
  const manifest: Manifest = { files: {}, partial: loaded.errors.length > 0 };
  for (const [path, data] of loaded.files) manifest.files[path] = sha256(data);
  const packageJson = loaded.files.get("package.json");
  const stripped = packageJson && strippedDigest(packageJson);
  if (stripped) manifest.packageJson = stripped;
  writeAtomically(manifestFile(options.registry.cacheDir, archive.digest), JSON.stringify(manifest));
  return { manifest, digest: archive.digest };
}

const manifestFile = (cacheDir: string, digest: Digest) => join(cacheDir, "manifests", `${digest.algorithm}-${digest.value}.json`);
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

function readManifest(cacheDir: string, digest: Digest): Manifest | undefined {
  try {
    const parsed = JSON.parse(readFileSync(manifestFile(cacheDir, digest), "utf8")) as Manifest;
    return parsed && typeof parsed.files === "object" && typeof parsed.partial === "boolean" ? parsed : undefined;
  } catch {
    return undefined; // absent or torn: rebuilt from the archive
  }
}

interface Difference {
  file: string;
  kind: "modified" | "added";
}

/** The installed package's own files (not its nested node_modules) against the archive's. */
export function compareFiles(dir: string, manifest: Manifest): Difference[] {
  const out: Difference[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!(rel === "" && entry.name === "node_modules")) walk(path);
        continue;
      }
      if (!entry.isFile()) continue;
      const expected = manifest.files[path];
      if (expected === undefined) {
        if (!manifest.partial && CODE.test(entry.name)) out.push({ file: path, kind: "added" });
        continue;
      }
      const data = readFileSync(join(dir, path));
      if (sha256(data) === expected) continue;
      if (path === "package.json" && manifest.packageJson && strippedDigest(data) === manifest.packageJson) continue;
      out.push({ file: path, kind: "modified" });
    }
  };
  if (existsSync(dir)) walk("");
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** Old npm versions add `_from`, `_resolved`, ... to an installed package.json: those keys alone are not a change. */
function strippedDigest(data: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(data.toString("utf8")) as Record<string, unknown>;
    return sha256(Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(parsed).filter(([k]) => !k.startsWith("_"))))));
  } catch {
    return undefined;
  }
}

function mismatch(pkg: ResolvedPackage, ref: PackageRef, severity: "low" | "medium", message: string, signatures: Signatures): Finding {
  const [finding] = finalize([{ ruleId: INSTALLED_LOCK_MISMATCH, severity, message, location: { file: pkg.lockfile, line: 1, column: 1 }, flow: [], indicators: [], attack: ["T1195.002"], identity: pkg.localPath ?? pkg.lockfile }], ref, signatures);
  return { ...finding!, category: "integrity", target: `${pkg.ecosystem}:${pkg.name}@${pkg.version}` };
}

function modified(pkg: ResolvedPackage, ref: PackageRef, locked: ResolvedPackage, where: string, differences: Difference[], signatures: Signatures): Finding[] {
  // A package's own install script may legitimately rewrite its files (a native binary in place
  // of a JS shim): with install scripts the change is reported, one level lower.
  const ownScripts = hasInstallScript(pkg.localPath!);
  const severity = ownScripts ? ("medium" as const) : ("high" as const);
  const drafts = differences.map((d) => ({
    ruleId: INSTALLED_FILE_MODIFIED,
    severity,
    message:
      d.kind === "modified"
        ? `${where}/${d.file} differs from the same file in the archive ${locked.lockfile}:${locked.line} pins (${pkg.name}@${pkg.version}): changed after installation${ownScripts ? " (the package has an install script, which may have written it)" : ""}`
        : `${where}/${d.file} is not in the archive ${locked.lockfile}:${locked.line} pins (${pkg.name}@${pkg.version}): code added after installation${ownScripts ? " (the package has an install script, which may have written it)" : ""}`,
    location: { file: d.file, line: 1, column: 1 },
    flow: [],
    indicators: [],
    attack: ["T1195.002"],
    identity: `${d.kind}:${d.file}`,
  }));
  return finalize(drafts, ref, signatures).map((f) => ({ ...f, category: "integrity", target: `npm:${pkg.name}@${pkg.version}` }));
}

function hasInstallScript(dir: string): boolean {
  try {
    const scripts = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
    return ["preinstall", "install", "postinstall"].some((s) => typeof scripts[s] === "string");
  } catch {
    return false;
  }
}
