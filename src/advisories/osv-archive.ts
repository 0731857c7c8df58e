// Reads an OSV bulk export (<Ecosystem>/all.zip: one JSON record per entry) and keeps
// the MAL- advisories. Any sign of a broken download throws, so the caller keeps the old data.
import { unzipSync } from "fflate";
import { readOsvRecord } from "./osv-record.js";
import type { Advisory, OsvEcosystem } from "./types.js";

export class ArchiveError extends Error {
  override name = "ArchiveError";
}

export interface ArchiveContents {
  advisories: Advisory[];
  /** Entries in the archive, malicious or not. */
  entries: number;
  withdrawn: number;
  /** MAL- records that are valid JSON but not valid OSV (reported, not fatal: one odd record must not block updates). */
  malformed: string[];
}

// Entry names are "<id>.json"; reading only MAL- ones skips decompressing the (many) CVE/GHSA records.
const MAL_ENTRY = /(^|\/)MAL-[^/]*\.json$/;

export function readOsvArchive(data: Uint8Array, ecosystem: OsvEcosystem): ArchiveContents {
  let entries = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(data, {
      filter: (file) => {
        entries += 1;
        return MAL_ENTRY.test(file.name);
      },
    });
  } catch (error) {
    throw new ArchiveError(`not a complete zip archive (${(error as Error).message})`);
  }
  if (entries === 0) throw new ArchiveError("the archive holds no OSV records");
  const contents: ArchiveContents = { advisories: [], entries, withdrawn: 0, malformed: [] };
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (const name of Object.keys(files).sort()) {
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(files[name]));
    } catch (error) {
      throw new ArchiveError(`${name} is not valid JSON (${(error as Error).message}): the download is corrupt`);
    }
    const result = readOsvRecord(json, ecosystem);
    if (result.kind === "advisory") contents.advisories.push(result.advisory);
    else if (result.kind === "malformed") contents.malformed.push(`${name}: ${result.message}`);
    else if (result.reason === "withdrawn") contents.withdrawn += 1;
  }
  contents.advisories.sort((a, b) => a.id.localeCompare(b.id));
  return contents;
}
