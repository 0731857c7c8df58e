// The dependency graph every lockfile parser and installed-tree reader produces.
// prci (changed-since, version diffs, SARIF at the lockfile line) and guard build on
// these shapes: change them only by adding optional fields.
import type { Ecosystem } from "../core/types.js";

export type DigestAlgorithm = "sha512" | "sha384" | "sha256" | "sha1" | "md5";

/** One expected digest of an archive, hex-encoded. */
export interface ExpectedDigest {
  algorithm: DigestAlgorithm;
  value: string;
}

/** Where a locked package comes from; only `registry` packages are fetched. */
export type PackageSource = "registry" | "git" | "url" | "file" | "link" | "workspace" | "installed" | "unknown";

export type LockfileKind =
  | "npm-package-lock"
  | "npm-shrinkwrap"
  | "yarn-v1"
  | "yarn-berry"
  | "pnpm"
  | "requirements"
  | "poetry"
  | "uv"
  | "pdm"
  | "pipfile"
  | "node_modules"
  | "site-packages";

/** A package version as a lockfile (or an installed tree) declares it. */
export interface ResolvedPackage {
  ecosystem: Ecosystem;
  /** The real package name (for an npm alias `x@npm:y@1`, this is `y`). */
  name: string;
  /** Exact version; absent only for unscannable entries (unpinned, VCS, URL). */
  version?: string;
  /** The name the dependent uses, when it differs from `name` (npm aliases). */
  alias?: string;
  /** Archive URL recorded in the lockfile, if any. */
  resolved?: string;
  /** Digests the lockfile records for the archive(s); several for PyPI (one per file). */
  integrity: ExpectedDigest[];
  source: PackageSource;
  /** The lockfile (or installed tree root) that declares the package. */
  lockfile: string;
  /** 1-based line in `lockfile` where the package is declared. */
  line: number;
  /** Only needed by dev dependencies (dev/test groups). */
  dev: boolean;
  optional: boolean;
  peer?: boolean;
  /** A dependency of the root project itself. */
  direct: boolean;
  /**
   * Dependency paths from the root, each a list of `name@version` from the root's direct
   * dependency down to this package (inclusive). Shortest first, at most MAX_PATHS.
   */
  paths: string[][];
  /** On-disk directory for file:/link:/workspace packages and installed trees. */
  localPath?: string;
  /** Installed Python distributions: the files (relative to localPath) the RECORD lists. */
  localFiles?: string[];
  /** site-packages: files RECORD lists that are not on disk, and code files in the distribution's folders that no RECORD lists (those are in localFiles too, so they are analysed). */
  record?: { missing: string[]; added: string[] };
  /** Why this entry cannot be fetched and scanned (VCS, URL, unpinned, missing...). */
  unscannable?: string;
  /** Installed trees: a platform binary package with no JS (reported, not an error). */
  binaryOnly?: boolean;
  /** PyPI files named in the lockfile (poetry/uv/pdm), to pick the one to fetch. */
  files?: { name: string; url?: string; digest?: ExpectedDigest }[];
}

export interface LockfileProblem {
  file: string;
  line?: number;
  message: string;
}

export interface ParsedLockfile {
  file: string;
  kind: LockfileKind;
  /** Format version as the file states it (lockfileVersion, lock-version, ...). */
  formatVersion?: string;
  packages: ResolvedPackage[];
  /** Package indexes the lockfile names (requirements --index-url/--extra-index-url, Pipfile sources). */
  indexUrls?: string[];
  /** Lines or entries that could not be understood; the rest of the file is still used. */
  problems: LockfileProblem[];
}

export const MAX_PATHS = 3;

export function packageKey(pkg: Pick<ResolvedPackage, "ecosystem" | "name" | "version">): string {
  return `${pkg.ecosystem}:${pkg.name}@${pkg.version ?? "?"}`;
}

export function formatPath(path: string[], root = "(root)"): string {
  return [root, ...path].join(" > ");
}
