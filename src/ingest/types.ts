import type { Ecosystem, ScanErrorEntry } from "../core/types.js";

/** A package read into memory: nothing is written to disk, nothing is run. */
export interface LoadedPackage {
  /** The target as the user gave it. */
  input: string;
  ecosystem?: Ecosystem;
  name?: string;
  version?: string;
  /** POSIX path relative to the package root → content. */
  files: Map<string, Buffer>;
  bytes: number;
  /** Problems with single entries (skipped symlink, file over the cap): the rest is still scanned. */
  errors: ScanErrorEntry[];
  /** Bytes an archive inflated to before reading ended or stopped (kept or not): what a bomb cost. */
  inflatedBytes?: number;
}

/**
 * Caps applied to every archive and directory. Defaults documented in README.
 * Archives inside archives are never opened (they are data to the scanner), so there is no nesting cap.
 */
export interface IngestLimits {
  maxTotalBytes: number;
  maxFiles: number;
  maxFileBytes: number;
  /** Uncompressed / compressed bytes, beyond which an archive is treated as a bomb. */
  maxCompressionRatio: number;
}

export const DEFAULT_LIMITS: IngestLimits = {
  maxTotalBytes: 200 * 1024 * 1024,
  maxFiles: 20_000,
  maxFileBytes: 64 * 1024 * 1024,
  maxCompressionRatio: 200,
};
