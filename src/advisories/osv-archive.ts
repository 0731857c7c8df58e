// Reads an OSV bulk export (<Ecosystem>/all.zip: one JSON record per entry) and keeps
// the MAL- advisories. Any sign of a broken download throws, so the caller keeps the old data.
import { crc32 } from "node:zlib";
import { centralDirectory, readEntry } from "../ingest/zip.js";
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

/** One OSV record is a few KiB: a bigger one is not a record. */
export const MAX_OSV_RECORD_BYTES = 4 * 1024 * 1024;
/** All MAL- records inflated together (the npm export's are ~200 MiB in 2026). */
export const MAX_OSV_INFLATED_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * Read with the package zip reader (src/ingest/zip.ts): declared sizes are never trusted,
 * each record is inflated with a bound on its real output, and the total is capped.
 */
export function readOsvArchive(data: Uint8Array, ecosystem: OsvEcosystem, maxInflatedBytes = MAX_OSV_INFLATED_BYTES): ArchiveContents {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let directory;
  try {
    directory = centralDirectory(buffer);
  } catch (error) {
    throw new ArchiveError(`not a complete zip archive (${(error as Error).message})`);
  }
  const entries = directory.length;
  if (entries === 0) throw new ArchiveError("the archive holds no OSV records");
  const files: Record<string, Uint8Array> = {};
  let inflated = 0;
  for (const entry of directory) {
    if (!MAL_ENTRY.test(entry.rawName)) continue;
    const read = readEntry(buffer, entry, MAX_OSV_RECORD_BYTES);
    if ("problem" in read) throw new ArchiveError(`${entry.rawName}: ${read.problem}`);
    const content = read.content;
    if (content.length !== entry.size || crc32(content) >>> 0 !== entry.crc >>> 0) {
      throw new ArchiveError(`${entry.rawName}: size or CRC-32 does not match the archive's directory: the download is corrupt`);
    }
    inflated += content.length;
    if (inflated > maxInflatedBytes) throw new ArchiveError(`MAL- records inflate past ${maxInflatedBytes} bytes: not an OSV export`);
    files[entry.rawName] = content;
  }
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
