// A Python environment's site-packages: each distribution (*.dist-info, *.egg-info) is its
// own target with the name and version of its METADATA and the files its RECORD lists;
// top-level .pth files and sitecustomize.py/usercustomize.py that no RECORD claims belong
// to the environment and are always analysed. RECORD sha256 values are checked.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, posix } from "node:path";
import type { Finding, PackageRef } from "../core/types.js";
import type { IngestLimits, LoadedPackage } from "../ingest/index.js";
import { readCoreMetadata } from "../ingest/python-metadata.js";
import { finalize } from "../rules/evaluate.js";
import type { Signatures } from "../rules/signatures.js";
import { newPackage } from "./lockfiles/common.js";
import { INSTALLED_FILE_MODIFIED } from "./rules.js";
import type { LockfileProblem, ParsedLockfile, ResolvedPackage } from "./types.js";

export const ENVIRONMENT_NAME = "(environment)";
const ENVIRONMENT_FILES = /^(sitecustomize|usercustomize)\.py$|\.pth$/;

export function parseRecord(text: string): { path: string; hash?: string }[] {
  const out: { path: string; hash?: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    // path,hash,size — the path is quoted when it holds a comma.
    const match = /^(?:"((?:[^"]|"")*)"|([^,]*)),([^,]*),/.exec(`${line},`);
    if (!match) continue;
    out.push({ path: (match[1] ?? match[2] ?? "").replace(/""/g, '"'), ...(match[3] ? { hash: match[3] } : {}) });
  }
  return out;
}

/** Inside site-packages, as a POSIX relative path; undefined for ../bin/... and absolute paths. */
export function inside(path: string): string | undefined {
  const normalized = posix.normalize(path.replace(/\\/g, "/"));
  return normalized.startsWith("../") || normalized.startsWith("/") || normalized === ".." ? undefined : normalized;
}

function listTree(root: string, rel: string, out: string[]): void {
  const full = join(root, rel);
  if (!existsSync(full)) return;
  if (statSync(full).isFile()) return void out.push(rel);
  for (const entry of readdirSync(full).sort()) if (entry !== "__pycache__") listTree(root, posix.join(rel, entry), out);
}

/** Files a distribution runs or loads: one of these in its folders that no RECORD lists was added after installation. */
export const CODE_FILE = /\.(py|pth|so|pyd|dll|dylib|js|sh)$/i;

/** Code files under the top-level folders a RECORD claims that no RECORD lists (another distribution's are its own). */
function unrecorded(sitePackages: string, recorded: string[], claimed: Set<string>): string[] {
  const tops = new Set(recorded.filter((p) => p.includes("/") && !/\.(dist|egg)-info\//.test(p)).map((p) => p.slice(0, p.indexOf("/"))));
  const out: string[] = [];
  for (const top of [...tops].sort()) {
    const files: string[] = [];
    listTree(sitePackages, top, files);
    for (const file of files) if (CODE_FILE.test(file) && !claimed.has(file)) out.push(file);
  }
  return out;
}

export async function readSitePackages(sitePackages: string): Promise<ParsedLockfile> {
  const problems: LockfileProblem[] = [];
  const packages: ResolvedPackage[] = [];
  const claimed = new Set<string>();
  const recordedBy = new Map<ResolvedPackage, string[]>();
  const entries = readdirSync(sitePackages).sort();
  for (const entry of entries) {
    const isDist = entry.endsWith(".dist-info");
    const isEgg = entry.endsWith(".egg-info");
    if (!isDist && !isEgg) continue;
    const full = join(sitePackages, entry);
    const eggFile = isEgg && statSync(full).isFile();
    const metadataFile = eggFile ? full : join(full, isDist ? "METADATA" : "PKG-INFO");
    if (!existsSync(metadataFile)) {
      problems.push({ file: full, message: "no METADATA/PKG-INFO: distribution not identified" });
      continue;
    }
    const meta = readCoreMetadata(readFileSync(metadataFile, "utf8"));
    const name = meta.name ?? entry.replace(/-[^-]*\.(dist|egg)-info$/, "");
    const files: string[] = [];
    const recordFile = join(full, "RECORD");
    const hasRecord = isDist && existsSync(recordFile);
    if (hasRecord) {
      for (const record of parseRecord(readFileSync(recordFile, "utf8"))) {
        const path = inside(record.path);
        if (path && !path.endsWith(".pyc")) files.push(path);
      }
    } else if (isEgg && !eggFile && existsSync(join(full, "installed-files.txt"))) {
      for (const line of readFileSync(join(full, "installed-files.txt"), "utf8").split(/\r?\n/)) {
        const path = line.trim() && inside(posix.join(entry, line.trim()));
        if (path && !path.endsWith(".pyc")) files.push(path);
      }
    } else {
      // No file list: the distribution's top-level modules, and its metadata folder.
      const topLevel = !eggFile && existsSync(join(full, "top_level.txt")) ? readFileSync(join(full, "top_level.txt"), "utf8").split(/\s+/).filter(Boolean) : [name.replace(/-/g, "_")];
      for (const top of topLevel) {
        listTree(sitePackages, top, files);
        if (existsSync(join(sitePackages, `${top}.py`))) files.push(`${top}.py`);
      }
      if (eggFile) files.push(entry);
      else listTree(sitePackages, entry, files);
    }
    for (const f of files) claimed.add(f);
    const unique = [...new Set(files)];
    const pkg = newPackage("pypi", name, metadataFile, 1, {
      source: "installed",
      localPath: sitePackages,
      localFiles: unique.filter((f) => existsSync(join(sitePackages, f))),
      direct: true,
      paths: [[`${name}${meta.version ? `@${meta.version}` : ""}`]],
      ...(meta.version ? { version: meta.version } : {}),
    });
    if (hasRecord) recordedBy.set(pkg, unique);
    packages.push(pkg);
  }
  // Against RECORD, once every distribution's files are claimed: what is missing, and what was added.
  for (const [pkg, recorded] of recordedBy) {
    const added = unrecorded(sitePackages, recorded, claimed);
    const present = new Set(pkg.localFiles);
    pkg.record = { missing: recorded.filter((f) => !present.has(f)), added };
    pkg.localFiles = [...pkg.localFiles!, ...added];
  }
  const environment = entries.filter((e) => ENVIRONMENT_FILES.test(e) && !claimed.has(e) && statSync(join(sitePackages, e)).isFile());
  if (environment.length) {
    packages.push(
      newPackage("pypi", ENVIRONMENT_NAME, join(sitePackages, environment[0]!), 1, {
        source: "installed",
        localPath: sitePackages,
        localFiles: environment,
        direct: true,
        paths: [[ENVIRONMENT_NAME]],
        version: basename(dirname(sitePackages)),
      }),
    );
  }
  return { file: sitePackages, kind: "site-packages", packages, problems };
}

/**
 * Read a distribution's files (within the caps) and check them against RECORD. `reported`:
 * files already reported as differing from the wheel the lockfile pins (installed-wheel.ts),
 * not reported a second time against the installed RECORD.
 */
export async function loadInstalledDistribution(pkg: ResolvedPackage, limits: IngestLimits, signatures: Signatures, reported?: ReadonlySet<string>): Promise<{ pkg: LoadedPackage; findings: Finding[] }> {
  const root = pkg.localPath!;
  const input = `pypi:${pkg.name}${pkg.version ? `@${pkg.version}` : ""}`;
  const loaded: LoadedPackage = { input, ecosystem: "pypi", name: pkg.name, ...(pkg.version ? { version: pkg.version } : {}), files: new Map(), bytes: 0, errors: [] };
  for (const file of pkg.localFiles ?? []) {
    if (loaded.files.size >= limits.maxFiles) {
      loaded.errors.push({ input, file, message: `more than ${limits.maxFiles} files: the rest were not read` });
      break;
    }
    const full = join(root, ...file.split("/"));
    const size = statSync(full).size;
    if (size > limits.maxFileBytes || loaded.bytes + size > limits.maxTotalBytes) {
      loaded.errors.push({ input, file, message: `file of ${size} bytes over the cap: not read` });
      continue;
    }
    loaded.files.set(file, readFileSync(full));
    loaded.bytes += size;
  }
  const drafts = [];
  const recordPath = [...(pkg.localFiles ?? [])].find((f) => /\.dist-info\/RECORD$/.test(f) && f.split("/").length === 2);
  if (recordPath && pkg.name !== ENVIRONMENT_NAME) {
    for (const record of parseRecord(loaded.files.get(recordPath)?.toString("utf8") ?? "")) {
      const path = inside(record.path);
      const match = /^sha256=([A-Za-z0-9_-]+)$/.exec(record.hash ?? "");
      const data = path ? loaded.files.get(path) : undefined;
      if (!match || !data || reported?.has(path!)) continue;
      const actual = createHash("sha256").update(data).digest("base64url");
      if (actual !== match[1]) {
        drafts.push({
          ruleId: INSTALLED_FILE_MODIFIED,
          severity: "high" as const,
          message: `${path} differs from the sha256 in ${recordPath} (RECORD ${match[1]}, on disk ${actual}): changed after installation`,
          location: { file: path!, line: 1, column: 1 },
          flow: [],
          indicators: [],
          attack: ["T1195.002"],
          identity: path!,
        });
      }
    }
  }
  for (const file of pkg.record?.added ?? []) {
    drafts.push({
      ruleId: INSTALLED_FILE_MODIFIED,
      severity: "high" as const,
      message: `${file} is in ${pkg.name}'s folders but in no RECORD of the environment: code added after installation`,
      location: { file, line: 1, column: 1 },
      flow: [],
      indicators: [],
      attack: ["T1195.002"],
      identity: `added:${file}`,
    });
  }
  for (const file of pkg.record?.missing ?? []) {
    drafts.push({
      ruleId: INSTALLED_FILE_MODIFIED,
      severity: "low" as const,
      message: `${file} is listed in ${recordPath ?? "RECORD"} but is not on disk: removed after installation`,
      location: { file: recordPath ?? file, line: 1, column: 1 },
      flow: [],
      indicators: [],
      attack: ["T1195.002"],
      identity: `missing:${file}`,
    });
  }
  const ref: PackageRef = { ecosystem: "pypi", name: pkg.name, ...(pkg.version ? { version: pkg.version } : {}) };
  const findings = finalize(drafts, ref, signatures).map((f) => ({ ...f, category: "integrity", target: input }));
  return { pkg: loaded, findings };
}
