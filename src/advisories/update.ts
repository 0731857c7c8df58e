// `exfilscan signatures update`: download each ecosystem's export, validate all of it,
// then replace the store in one rename. An ecosystem that fails keeps its old data.
import { ConfigurationError } from "../core/errors.js";
import { ArchiveError, readOsvArchive } from "./osv-archive.js";
import { DownloadError, downloadExport, exportUrl } from "./download.js";
import { STORE_SCHEMA_VERSION, readStoreFile, writeStoreFile } from "./store.js";
import type { Advisory, AdvisoryStoreFile, EcosystemSnapshot, OsvEcosystem } from "./types.js";

export interface UpdateOptions {
  storeFile: string;
  baseUrl: string;
  ecosystems: readonly OsvEcosystem[];
  /** Injected for tests; the store records it as fetchedAt/updatedAt. */
  now?: Date;
}

export interface EcosystemChange {
  ecosystem: OsvEcosystem;
  /** updated: new data stored; unchanged: the server said 304; failed: old data kept. */
  status: "updated" | "unchanged" | "failed";
  url: string;
  /** Advisories held for this ecosystem after the update. */
  advisories: number;
  added: string[];
  removed: string[];
  /** Same id, different versions/ranges/summary. */
  changed: string[];
  /** Records skipped as not valid OSV (file: problem). */
  malformed: string[];
}

export interface UpdateReport {
  schemaVersion: 1;
  store: string;
  source: string;
  /** Whether the store file was (re)written. */
  written: boolean;
  ecosystems: EcosystemChange[];
  errors: { input: string; message: string }[];
  /** Problems that did not stop the update (a damaged old store that was rebuilt). */
  warnings: string[];
}

export async function updateAdvisories(options: UpdateOptions): Promise<UpdateReport> {
  const now = (options.now ?? new Date()).toISOString();
  const warnings: string[] = [];
  let previous: AdvisoryStoreFile | undefined;
  try {
    previous = readStoreFile(options.storeFile);
  } catch (error) {
    // A damaged store is what update repairs: start from empty rather than refuse.
    if (!(error instanceof ConfigurationError)) throw error;
    warnings.push(`${error.message.replace(/; run .*$/, "")}: rebuilding it from scratch`);
  }
  const next: AdvisoryStoreFile = { schemaVersion: STORE_SCHEMA_VERSION, updatedAt: now, ecosystems: { ...previous?.ecosystems } };
  const report: UpdateReport = { schemaVersion: 1, store: options.storeFile, source: options.baseUrl, written: false, ecosystems: [], errors: [], warnings };

  for (const ecosystem of options.ecosystems) {
    const old = previous?.ecosystems[ecosystem];
    const url = exportUrl(options.baseUrl, ecosystem);
    // Reuse the ETag only when the old data came from the same place.
    const etag = old?.url === url ? old.etag : undefined;
    try {
      const result = await downloadExport(options.baseUrl, ecosystem, etag);
      if (result.status === "not-modified") {
        next.ecosystems[ecosystem] = { ...old!, fetchedAt: now };
        report.ecosystems.push({ ...diff(old?.advisories ?? [], old?.advisories ?? []), ecosystem, status: "unchanged", url, malformed: [] });
        continue;
      }
      const contents = readOsvArchive(result.data, ecosystem);
      const snapshot: EcosystemSnapshot = {
        fetchedAt: now,
        url,
        ...(result.etag ? { etag: result.etag } : {}),
        size: result.data.length,
        advisories: contents.advisories,
      };
      next.ecosystems[ecosystem] = snapshot;
      report.ecosystems.push({ ...diff(old?.advisories ?? [], contents.advisories), ecosystem, status: "updated", url, malformed: contents.malformed });
    } catch (error) {
      if (!(error instanceof DownloadError || error instanceof ArchiveError)) throw error;
      report.errors.push({ input: url, message: `${ecosystem}: ${error.message}; ${old ? "the stored advisories were kept" : "no advisories stored for it"}` });
      report.ecosystems.push({ ecosystem, status: "failed", url, advisories: old?.advisories.length ?? 0, added: [], removed: [], changed: [], malformed: [] });
    }
  }

  if (report.ecosystems.some((e) => e.status !== "failed")) {
    writeStoreFile(options.storeFile, next);
    report.written = true;
  }
  return report;
}

function diff(before: Advisory[], after: Advisory[]): Pick<EcosystemChange, "advisories" | "added" | "removed" | "changed"> {
  const old = new Map(before.map((a) => [a.id, JSON.stringify(a)]));
  const now = new Map(after.map((a) => [a.id, JSON.stringify(a)]));
  return {
    advisories: after.length,
    added: [...now.keys()].filter((id) => !old.has(id)).sort(),
    removed: [...old.keys()].filter((id) => !now.has(id)).sort(),
    changed: [...now].filter(([id, text]) => old.has(id) && old.get(id) !== text).map(([id]) => id).sort(),
  };
}
