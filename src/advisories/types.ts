// Known-malicious package versions, kept from OSV "MAL-" advisories. These shapes are
// what the local store holds (schema-versioned JSON, see store.ts).
import type { Ecosystem } from "../core/types.js";

/** OSV ecosystem names, as in the bulk export's paths and in affected[].package.ecosystem. */
export const OSV_ECOSYSTEMS = ["npm", "PyPI"] as const;
export type OsvEcosystem = (typeof OSV_ECOSYSTEMS)[number];

export const OSV_ECOSYSTEM_OF: Record<Ecosystem, OsvEcosystem> = { npm: "npm", pypi: "PyPI" };

/** Public OSV bucket; overridable with --osv-url / EXFILSCAN_OSV_URL. */
export const DEFAULT_OSV_URL = "https://osv-vulnerabilities.storage.googleapis.com";

/** One OSV range event; exactly one key is set. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
}

export interface AdvisoryRange {
  /** SEMVER (npm) or ECOSYSTEM (npm semver, PyPI PEP 440); GIT ranges are dropped on import. */
  type: "SEMVER" | "ECOSYSTEM";
  events: RangeEvent[];
}

export interface AffectedPackage {
  name: string;
  versions: string[];
  ranges: AdvisoryRange[];
}

export interface Advisory {
  id: string;
  summary: string;
  modified?: string;
  /** Only the entries of this ecosystem. */
  affected: AffectedPackage[];
}

export interface EcosystemSnapshot {
  /** When this ecosystem was last downloaded (or confirmed unchanged). */
  fetchedAt: string;
  url: string;
  etag?: string;
  /** Bytes of the downloaded archive. */
  size: number;
  advisories: Advisory[];
}

export interface AdvisoryStoreFile {
  schemaVersion: 1;
  updatedAt: string;
  ecosystems: Partial<Record<OsvEcosystem, EcosystemSnapshot>>;
}
