// The advisory store as scans use it: loaded once, indexed by ecosystem and package name.
import type { Ecosystem } from "../core/types.js";
import { readStoreFile } from "./store.js";
import { OSV_ECOSYSTEM_OF, type Advisory, type AffectedPackage } from "./types.js";

export interface AdvisoryEntry {
  advisory: Advisory;
  affected: AffectedPackage;
}

export interface AdvisoryStore {
  file: string;
  updatedAt: string;
  /** Advisories per ecosystem, for messages ("12,345 npm advisories"). */
  counts: Partial<Record<Ecosystem, number>>;
  /** "<ecosystem>:<normalized name>" → entries naming that package. */
  byPackage: Map<string, AdvisoryEntry[]>;
}

/** PyPI names compare after PEP 503 normalization; npm names are exact. */
export function normalizePackageName(ecosystem: Ecosystem, name: string): string {
  return ecosystem === "pypi" ? name.toLowerCase().replace(/[-_.]+/g, "-") : name;
}

export const packageKey = (ecosystem: Ecosystem, name: string): string => `${ecosystem}:${normalizePackageName(ecosystem, name)}`;

/** undefined when there is no store yet (no advisory check; `exfilscan signatures update` creates it). */
export function loadAdvisoryStore(file: string): AdvisoryStore | undefined {
  const data = readStoreFile(file);
  if (!data) return undefined;
  const store: AdvisoryStore = { file, updatedAt: data.updatedAt, counts: {}, byPackage: new Map() };
  for (const ecosystem of Object.keys(OSV_ECOSYSTEM_OF) as Ecosystem[]) {
    const snapshot = data.ecosystems[OSV_ECOSYSTEM_OF[ecosystem]];
    if (!snapshot) continue;
    store.counts[ecosystem] = snapshot.advisories.length;
    for (const advisory of snapshot.advisories) {
      for (const affected of advisory.affected) {
        if (typeof affected?.name !== "string" || !Array.isArray(affected.versions) || !Array.isArray(affected.ranges)) continue;
        const key = packageKey(ecosystem, affected.name);
        const list = store.byPackage.get(key);
        if (list) list.push({ advisory, affected });
        else store.byPackage.set(key, [{ advisory, affected }]);
      }
    }
  }
  return store;
}
