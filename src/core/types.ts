// The shapes every command reports in. The JSON reporter writes them as they are,
// so a change here is a change of the public JSON contract (schemaVersion 1).

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

export type Ecosystem = "npm" | "pypi";

export interface PackageRef {
  ecosystem: Ecosystem;
  name: string;
  version?: string;
}

/** 1-based line and column; file is a POSIX path relative to the package root. */
export interface Location {
  file: string;
  line: number;
  column: number;
}

export interface FlowStepOut extends Location {
  note: string;
}

export interface Indicator {
  type: "domain" | "ip" | "url" | "email";
  value: string;
}

/** Where a dependency comes from (exfilscan deps): the lockfile line and the paths from the root. */
export interface DependencyInfo {
  /** Lockfile (or installed tree) path as found, and the 1-based line that declares the package. */
  lockfile: string;
  line: number;
  /** Each path lists name@version from a direct dependency of the root down to the package. */
  paths: string[][];
  direct: boolean;
  dev: boolean;
  optional: boolean;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  category: string;
  message: string;
  package?: PackageRef;
  /** The target (as given on the command line) the finding's file belongs to. */
  target?: string;
  location: Location;
  trigger?: "install" | "import" | "call" | "manual";
  source?: string;
  sink?: string;
  flow: FlowStepOut[];
  indicators: Indicator[];
  attack: string[];
  /** Stable across runs and line shifts elsewhere in the file: used by SARIF partialFingerprints. */
  fingerprint: string;
  /** Set when an ignore entry matched; suppressed findings are reported but never fail the run. */
  suppressed?: { reason: string; expires?: string };
  /** exfilscan deps: the lockfile line and dependency path(s) that pull the package in. */
  dependency?: DependencyInfo;
}

export interface TargetInfo {
  input: string;
  ecosystem?: Ecosystem;
  name?: string;
  version?: string;
  files: number;
  bytes: number;
  /** exfilscan deps: where the package is declared and how it is reached. */
  dependency?: DependencyInfo;
  /** exfilscan deps: the result came from the cache (nothing was analysed this run). */
  cached?: boolean;
}

export interface ScanErrorEntry {
  input: string;
  message: string;
  /** error: a target could not be read; warning: one file skipped or read in part; note: information (src/report/levels.ts). */
  level?: "error" | "warning" | "note";
  file?: string;
  /** 1-based line in `file` (a lockfile line, for exfilscan deps). */
  line?: number;
}

/** The shared verdict cache in one deps run. Its hits are part of `fromCache`. */
export interface SharedCacheSummary {
  /** The database (a PostgreSQL password is never included). */
  location: string;
  /** false: the database could not be opened or read, so every package was analysed here. */
  reachable: boolean;
  /** Entries are signed and checked with the fleet's verdict key (EXFILSCAN_DB_KEY). */
  signed: boolean;
  /** Packages whose result came from the shared cache. */
  hits: number;
  /** Results of this run's own analyses written back. */
  written: number;
  /** Stored entries not used (bad signature, damaged, another archive or version): analysed again. */
  rejected: number;
  /** Why entries were rejected, or why the database was not used or not written (at most 20). */
  problems: string[];
}

/** exfilscan deps: what was resolved, scanned, taken from the cache and not analysed. */
export interface DepsSummary {
  lockfiles: { file: string; kind: string; formatVersion?: string; packages: number }[];
  packages: number;
  scanned: number;
  fromCache: number;
  /** Scanned from a directory on disk (installed trees, file:/link:/workspace packages). */
  fromDisk: number;
  /** Platform packages holding only native binaries: listed, not analysed, not an error. */
  binaryOnly: string[];
  notAnalysed: { package: string; reason: string; lockfile: string; line: number }[];
  /** Bytes downloaded this run. */
  downloadedBytes: number;
  /** --db / EXFILSCAN_DB: the verdict cache shared by every runner on that database (src/deps/shared-cache.ts). */
  sharedCache?: SharedCacheSummary;
  /** The whole result came from the lockfile-level memo (src/deps/memo.ts): nothing was parsed or read per package. */
  memo?: boolean;
  /** deps --installed with the project's lockfile: installed packages compared with what it pins. */
  installedCheck?: { compared: number; matching: number; notCompared: { package: string; reason: string }[] };
}

export type SeverityCounts = Record<Severity, number>;

export interface ScanReport {
  schemaVersion: 1;
  tool: { name: "exfilscan"; version: string };
  targets: TargetInfo[];
  findings: Finding[];
  errors: ScanErrorEntry[];
  summary: SeverityCounts;
  deps?: DepsSummary;
  /** exfilscan deps --changed-since: what the change adds, changes and removes. */
  changes?: ChangeSummary;
}

/** One dependency the change touches, located in the working tree's (or, removed, the base's) lockfile. */
export interface PackageChange {
  ecosystem: Ecosystem;
  name: string;
  version?: string;
  /** changed: the version(s) the base locked. */
  previous?: string;
  lockfile: string;
  line?: number;
  paths?: string[][];
}

export interface ChangeSummary {
  ref: string;
  mergeBase: string;
  added: PackageChange[];
  changed: PackageChange[];
  removed: PackageChange[];
  /** The project's own changed files that were scanned (paths from the project directory). */
  firstPartyFiles: string[];
  /** Fetches and deepening done to find the base. */
  notes: string[];
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
}
