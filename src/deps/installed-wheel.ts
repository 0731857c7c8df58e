// An installed Python distribution against the wheel its lockfile pins. The installed RECORD
// is written at installation: whoever changes a file can rewrite its line in RECORD too, so
// installed-python.ts's RECORD check alone cannot see that change. Here every installed file
// is compared with the RECORD inside the wheel whose sha256 the lockfile pins (fetched and
// verified, or from the cache). Only the wheel's RECORD and WHEEL entries are read, in memory:
// nothing is extracted, nothing is run. The result (a "wheel manifest") is cached by the
// wheel's digest, so a warm run reads no wheel.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { errorMessage } from "../core/errors.js";
import type { Finding, PackageRef } from "../core/types.js";
import type { IngestLimits } from "../ingest/index.js";
import { centralDirectory, readEntry } from "../ingest/zip.js";
import { cachedArchive, fetchArchive, IntegrityError, validDigest, writeAtomically, type Digest, type RegistryOptions } from "../registry/http.js";
import { isWheel, pinnedWheels } from "../registry/locked.js";
import { finalize } from "../rules/evaluate.js";
import type { Signatures } from "../rules/signatures.js";
import { CODE_FILE, inside, parseRecord } from "./installed-python.js";
import { integrityFinding } from "./integrity.js";
import { INSTALLED_FILE_MODIFIED } from "./rules.js";
import type { ResolvedPackage } from "./types.js";

export interface WheelManifest {
  /** false: the archive under this digest is not a wheel (an sdist): nothing to compare with. */
  wheel: boolean;
  /** The wheel's own dist-info folder (`name-1.0.dist-info`). */
  distInfo: string;
  /** The `Tag:` lines of the wheel's WHEEL file (`py3-none-any`, ...). */
  tags: string[];
  /** Path as installed in site-packages (purelib/platlib `.data` mapped to the root) → `<alg>=<urlsafe base64>` from the wheel's RECORD. */
  files: Record<string, string>;
  filename?: string;
}

export interface WheelCheck {
  findings: Finding[];
  /** Files reported here as differing from the wheel: not reported again against the installed RECORD. */
  reported: Set<string>;
  /** Why the distribution could not be compared; undefined when it was. */
  notCompared?: string;
}

export interface WheelCheckOptions {
  registry: RegistryOptions;
  limits: IngestLimits;
  signatures: Signatures;
}

/** Files the installer writes into dist-info itself: never in the wheel. */
const INSTALLER_WRITTEN = /^[^/]+\.dist-info\/(INSTALLER|REQUESTED|direct_url\.json|RECORD)$/;
const HASHES = new Set(["sha256", "sha384", "sha512"]);

/** Read RECORD and WHEEL of a wheel held in memory (no extraction). Throws when it is a zip without a dist-info RECORD. */
export function readWheel(data: Buffer, limits: IngestLimits, filename?: string): WheelManifest {
  const entries = centralDirectory(data);
  const records = entries.filter((e) => /^[^/]+\.dist-info\/RECORD$/.test(e.rawName));
  if (records.length !== 1) throw new Error(records.length ? "the wheel holds several *.dist-info/RECORD" : "no *.dist-info/RECORD in the archive: not a wheel");
  const distInfo = records[0]!.rawName.slice(0, -"/RECORD".length);
  const read = (entry: (typeof entries)[number]): string => {
    const result = readEntry(data, entry, limits.maxFileBytes);
    if ("problem" in result) throw new Error(`${entry.rawName}: ${result.problem}`);
    return result.content.toString("utf8");
  };
  const wheelEntry = entries.find((e) => e.rawName === `${distInfo}/WHEEL`);
  const tags = wheelEntry ? wheelTags(read(wheelEntry)) : [];
  const dataDir = `${distInfo.slice(0, -".dist-info".length)}.data/`;
  const files: Record<string, string> = {};
  for (const record of parseRecord(read(records[0]!))) {
    if (!record.hash) continue;
    let path = record.path;
    if (path.startsWith(dataDir)) {
      // purelib/platlib are installed into site-packages; scripts, headers and data elsewhere.
      const match = /^(purelib|platlib)\/(.+)$/.exec(path.slice(dataDir.length));
      if (!match) continue;
      path = match[2]!;
    }
    const installed = inside(path);
    if (installed) files[installed] = record.hash;
  }
  return { wheel: true, distInfo, tags, files, ...(filename ? { filename } : {}) };
}

const wheelTags = (text: string) => [...text.matchAll(/^Tag:\s*(\S+)\s*$/gm)].map((m) => m[1]!.toLowerCase());

/** A wheel file name's compressed tag set (`py2.py3-none-any`) expanded. */
export function filenameTags(filename: string): string[] {
  const parts = filename.replace(/\.whl$/i, "").split("-");
  if (parts.length < 5) return [];
  const [py, abi, plat] = parts.slice(-3).map((p) => p.toLowerCase().split("."));
  return py!.flatMap((p) => abi!.flatMap((a) => plat!.map((t) => `${p}-${a}-${t}`)));
}

const manifestFile = (cacheDir: string, digest: Digest) => join(cacheDir, "manifests", `wheel-${digest.algorithm}-${digest.value}.json`);
const checksum = (body: string) => createHash("sha256").update(body).digest("hex");

function readManifest(cacheDir: string, digest: Digest): WheelManifest | undefined {
  try {
    const entry = JSON.parse(readFileSync(manifestFile(cacheDir, digest), "utf8")) as { check?: string; manifest?: WheelManifest };
    return entry.manifest && entry.check === checksum(JSON.stringify(entry.manifest)) ? entry.manifest : undefined;
  } catch {
    return undefined; // absent, torn or corrupt: rebuilt from the archive
  }
}

function writeManifest(cacheDir: string, digest: Digest, manifest: WheelManifest): void {
  const body = JSON.stringify(manifest);
  writeAtomically(manifestFile(cacheDir, digest), JSON.stringify({ check: checksum(body), manifest }));
}

/** The manifest of an archive already in the cache under this digest (built once, then cached). */
function cachedManifest(digest: Digest, options: WheelCheckOptions): WheelManifest | undefined {
  const stored = readManifest(options.registry.cacheDir, digest);
  if (stored) return stored;
  const data = cachedArchive(digest, options.registry);
  if (!data) return undefined;
  let manifest: WheelManifest;
  try {
    manifest = readWheel(data, options.limits);
  } catch {
    manifest = { wheel: false, distInfo: "", tags: [], files: {} };
  }
  writeManifest(options.registry.cacheDir, digest, manifest);
  return manifest;
}

const fits = (tags: string[], installed: string[]) => tags.some((t) => installed.includes(t));

/**
 * Compare one installed distribution (with a RECORD) with the wheel `locked` pins. `installed`
 * comes from readSitePackages; `locked` is the same name and version in the lockfile.
 */
export async function checkAgainstWheel(installed: ResolvedPackage, locked: ResolvedPackage, indexUrls: string[], options: WheelCheckOptions): Promise<WheelCheck> {
  const check: WheelCheck = { findings: [], reported: new Set() };
  const root = installed.localPath!;
  const recordPath = (installed.localFiles ?? []).find((f) => /^[^/]+\.dist-info\/RECORD$/.test(f));
  if (!recordPath || !installed.record) return { ...check, notCompared: "installed without a RECORD (not from a wheel): nothing to compare with the lockfile's hashes" };
  const distInfo = recordPath.slice(0, -"/RECORD".length);
  const digests: Digest[] = [];
  for (const d of locked.integrity) {
    if (d.algorithm !== "sha256") continue;
    try {
      digests.push(validDigest(d));
    } catch {
      // a malformed digest is the lockfile's problem, reported by the lockfile scan
    }
  }
  if (!digests.length) return { ...check, notCompared: `${locked.lockfile}:${locked.line} pins no sha256 for ${locked.name}==${locked.version}` };
  if (locked.files?.length && !locked.files.some((f) => isWheel(f.name) && f.digest)) {
    return { ...check, notCompared: `${locked.lockfile}:${locked.line} pins no wheel of ${locked.name}==${locked.version} (only sdists): the installed files have no locked RECORD to be compared with` };
  }
  const wheelFile = join(root, distInfo, "WHEEL");
  const installedTags = existsSync(wheelFile) ? wheelTags(readFileSync(wheelFile, "utf8")) : [];
  const choose = <T>(candidates: T[], tagsOf: (c: T) => string[]): T | undefined =>
    installedTags.length ? candidates.find((c) => fits(tagsOf(c), installedTags)) : candidates.length === 1 ? candidates[0] : undefined;

  // The cache first (manifests, then archives), so a warm or --offline run needs no network.
  const cached = digests.flatMap((digest) => {
    const manifest = cachedManifest(digest, options);
    return manifest?.wheel ? [{ digest, manifest }] : [];
  });
  let chosen = choose(cached, (c) => c.manifest.tags);
  if (!chosen) {
    if (options.registry.offline) {
      return { ...check, notCompared: `--offline: no wheel ${locked.lockfile}:${locked.line} pins for ${locked.name}==${locked.version} is in the cache (${options.registry.cacheDir}); the installed files were not compared with it` };
    }
    let wheels;
    try {
      wheels = await pinnedWheels(locked, options.registry, indexUrls);
    } catch (error) {
      return { ...check, notCompared: errorMessage(error) };
    }
    const wheel = choose(wheels, (w) => filenameTags(w.filename));
    if (!wheel) {
      const why = installedTags.length ? `the installed tags (${installedTags.join(", ")})` : "an installation without a WHEEL file";
      return { ...check, notCompared: `none of the ${wheels.length} wheel(s) ${locked.lockfile}:${locked.line} pins for ${locked.name}==${locked.version} (${wheels.map((w) => w.filename).join(", ")}) is known to match ${why}` };
    }
    const digest: Digest = { algorithm: "sha256", value: wheel.sha256 };
    let data: Buffer;
    try {
      data = await fetchArchive(wheel.url, digest, options.registry);
    } catch (error) {
      if (error instanceof IntegrityError) {
        check.findings.push(integrityFinding(locked, error, options.signatures));
        return { ...check, notCompared: `integrity mismatch: the registry's ${wheel.filename} is not the wheel the lockfile pins` };
      }
      return { ...check, notCompared: errorMessage(error) };
    }
    let manifest: WheelManifest;
    try {
      manifest = readWheel(data, options.limits, wheel.filename);
    } catch (error) {
      return { ...check, notCompared: `${wheel.filename}: ${errorMessage(error)}` };
    }
    writeManifest(options.registry.cacheDir, digest, manifest);
    chosen = { digest, manifest };
  }
  compare(installed, locked, distInfo, chosen.digest, chosen.manifest, check, options.signatures);
  return check;
}

function compare(installed: ResolvedPackage, locked: ResolvedPackage, distInfo: string, digest: Digest, manifest: WheelManifest, check: WheelCheck, signatures: Signatures): void {
  const root = installed.localPath!;
  // The installed dist-info folder is the wheel's; should the names differ, paths are mapped.
  const toWheel = (file: string) => (file.startsWith(`${distInfo}/`) ? `${manifest.distInfo}${file.slice(distInfo.length)}` : file);
  const toInstalled = (file: string) => (file.startsWith(`${manifest.distInfo}/`) ? `${distInfo}${file.slice(manifest.distInfo.length)}` : file);
  const installedRecord = new Map<string, string | undefined>();
  for (const r of parseRecord(readFileSync(join(root, distInfo, "RECORD"), "utf8"))) {
    const path = inside(r.path);
    if (path) installedRecord.set(path, r.hash);
  }
  const wheel = `${manifest.filename ? `${manifest.filename}, ` : ""}sha256 ${digest.value}`;
  const pinnedBy = `${locked.lockfile}:${locked.line}`;
  const added = new Set(installed.record?.added ?? []);
  const drafts = [];
  for (const file of installed.localFiles ?? []) {
    // Code files no RECORD lists are already reported by the RECORD check; installer-written files and bytecode are never in a wheel.
    if (added.has(file) || INSTALLER_WRITTEN.test(file) || /(^|\/)__pycache__\//.test(file) || file.endsWith(".pyc")) continue;
    const want = manifest.files[toWheel(file)];
    if (want === undefined) {
      if (!CODE_FILE.test(file)) continue;
      check.reported.add(file);
      drafts.push({
        file,
        message: `${file} is not in the wheel ${pinnedBy} pins (${installed.name}@${installed.version}: ${wheel}), though the installed RECORD lists it: code added after installation, and the installed RECORD rewritten to hide it`,
        identity: `wheel-added:${file}`,
      });
      continue;
    }
    const [algorithm, expected] = [want.slice(0, want.indexOf("=")), want.slice(want.indexOf("=") + 1)];
    if (!HASHES.has(algorithm)) continue;
    const actual = createHash(algorithm).update(readFileSync(join(root, ...file.split("/")))).digest("base64url");
    if (actual === expected) continue;
    check.reported.add(file);
    const rewritten = installedRecord.get(file) === `${algorithm}=${actual}`;
    drafts.push({
      file,
      message: `${file} differs from the wheel ${pinnedBy} pins (${installed.name}@${installed.version}: ${wheel}): the wheel's RECORD has ${algorithm}=${expected}, the installed file ${algorithm}=${actual}; changed after installation${rewritten ? ", and the installed RECORD rewritten to match it" : ""}`,
      identity: `wheel-modified:${file}`,
    });
  }
  const missing = [];
  for (const file of Object.keys(manifest.files).sort()) {
    const path = toInstalled(file);
    if (installedRecord.has(path) || existsSync(join(root, ...path.split("/")))) continue;
    missing.push(path);
  }
  const ref: PackageRef = { ecosystem: "pypi", name: installed.name, ...(installed.version ? { version: installed.version } : {}) };
  const findings = finalize(
    [
      ...drafts.map((d) => ({ ruleId: INSTALLED_FILE_MODIFIED, severity: "high" as const, message: d.message, location: { file: d.file, line: 1, column: 1 }, flow: [], indicators: [], attack: ["T1195.002"], identity: d.identity })),
      // In the wheel, not on disk and not in the installed RECORD: removed, and RECORD rewritten to leave no trace.
      ...missing.map((file) => ({
        ruleId: INSTALLED_FILE_MODIFIED,
        severity: "low" as const,
        message: `${file} is in the wheel ${pinnedBy} pins (${wheel}) but neither on disk nor in the installed RECORD: removed after installation`,
        location: { file: `${distInfo}/RECORD`, line: 1, column: 1 },
        flow: [],
        indicators: [],
        attack: ["T1195.002"],
        identity: `wheel-missing:${file}`,
      })),
    ],
    ref,
    signatures,
  );
  check.findings.push(...findings.map((f) => ({ ...f, category: "integrity", target: `pypi:${installed.name}${installed.version ? `@${installed.version}` : ""}` })));
}
