// Reads .zip / .whl / .egg archives in memory from their central directory, as pip's
// zipfile does. Nothing trusts a declared size: every entry is inflated with a bound on
// its real output (the per-file cap), and every inflated byte, kept or not, counts
// against the total and ratio caps, so an archive bomb stops after one entry's worth.
import { crc32, inflateRawSync } from "node:zlib";
import { IngestError } from "../core/errors.js";
import { CapTracker, MemberKeys, entryError, safeRelativePath } from "./limits.js";
import type { IngestLimits, LoadedPackage } from "./types.js";

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export interface CentralEntry {
  rawName: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** The name is not valid UTF-8: `rawName` is its bytes read as Latin-1. */
  notUtf8?: boolean;
}

export function loadZip(input: string, data: Buffer, limits: IngestLimits): LoadedPackage {
  const pkg: LoadedPackage = { input, files: new Map(), bytes: 0, errors: [] };
  const caps = new CapTracker(limits, data.length);
  const entries = centralDirectory(data);
  const copies = new Map<string, number>();
  const keys = new MemberKeys(input, pkg, "as Latin-1");
  let stopped: string | undefined;
  for (const entry of entries) {
    if (entry.rawName.endsWith("/") || entry.rawName.endsWith("\\")) continue;
    const safe = safeRelativePath(entry.rawName);
    if (!safe) {
      pkg.errors.push(entryError(input, entry.rawName, "entry path escapes the package (absolute or ..); skipped"));
      continue;
    }
    const path = keys.key(safe, entry.notUtf8 === true);
    copies.set(path, (copies.get(path) ?? 0) + 1);
    const read = readEntry(data, entry, limits.maxFileBytes);
    if ("problem" in read) {
      pkg.errors.push(entryError(input, path, read.problem));
      // A copy that could not be read leaves no stale earlier copy behind to be analysed
      // in its place: the installer would have written this one last.
      if (pkg.files.delete(path)) pkg.bytes = [...pkg.files.values()].reduce((n, b) => n + b.length, 0);
      stopped = caps.add(read.inflated);
      if (stopped) break;
      continue;
    }
    const { content } = read;
    stopped = caps.add(content.length);
    if (stopped) break;
    if (content.length !== entry.size) {
      pkg.errors.push(entryError(input, path, `declares ${entry.size} bytes but inflates to ${content.length}: the declared size lies (a crafted archive); all ${content.length} bytes are read`));
    } else if (crc32(content) >>> 0 !== entry.crc >>> 0) {
      pkg.errors.push(entryError(input, path, "CRC-32 does not match the content (a corrupt or crafted archive; pip refuses it); the content is read"));
    }
    pkg.bytes += content.length - (pkg.files.get(path)?.length ?? 0);
    pkg.files.set(path, content);
  }
  for (const [path, count] of copies) {
    if (count > 1) pkg.errors.push(entryError(input, path, duplicateMessage(count)));
  }
  if (stopped) pkg.errors.push({ input, message: stopped });
  if (pkg.files.size === 0 && !stopped) {
    const first = pkg.errors[0];
    throw new IngestError(`archive holds no readable files (corrupt or empty)${first ? `: ${first.file}: ${first.message}` : ""}`);
  }
  return pkg;
}

/** Shared with the tar reader: the same semantics, said the same way. */
export function duplicateMessage(count: number): string {
  return `duplicate entry: ${count} copies under this name; pip and npm extract every copy in order, so the last one is what is installed, and the last one is what is analysed`;
}

export type ReadResult = { content: Buffer } | { problem: string; inflated: number };

/** One entry's content, inflated with a bound on its real output (also for the OSV bulk export reader). */
export function readEntry(data: Buffer, entry: CentralEntry, maxFileBytes: number): ReadResult {
  if (entry.flags & 1) return { problem: "encrypted entry: could not be read", inflated: 0 };
  const at = entry.localOffset;
  if (at + 30 > data.length || data.readUInt32LE(at) !== LOCAL) return { problem: "local header missing or corrupt: could not be read", inflated: 0 };
  const start = at + 30 + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > data.length) return { problem: "compressed data runs past the end of the archive (truncated): could not be read", inflated: 0 };
  const compressed = data.subarray(start, end);
  if (entry.method === 0) {
    if (compressed.length > maxFileBytes) return { problem: tooLarge(compressed.length, maxFileBytes), inflated: compressed.length };
    return { content: Buffer.from(compressed) };
  }
  if (entry.method !== 8) return { problem: `compression method ${entry.method} (neither stored nor deflate): could not be read`, inflated: 0 };
  try {
    // The bound is on real output: zlib stops inflating at maxOutputLength.
    return { content: inflateRawSync(compressed, { maxOutputLength: maxFileBytes }) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") return { problem: tooLarge(maxFileBytes, maxFileBytes, "inflates past"), inflated: maxFileBytes };
    return { problem: `deflate data is corrupt (${(error as Error).message}): could not be read`, inflated: 0 };
  }
}

function tooLarge(size: number, cap: number, verb = "is"): string {
  return `file ${verb} ${size} bytes, over the per-file cap of ${cap} bytes (--max-file-bytes); skipped`;
}

/** The central directory's entries (ZIP64 aware); an IngestError when there is none. */
export function centralDirectory(data: Buffer): CentralEntry[] {
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (data.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new IngestError("not a readable zip archive: no end of central directory (truncated or not a zip)");
  let count = data.readUInt16LE(eocd + 10);
  let size = data.readUInt32LE(eocd + 12);
  let offset = data.readUInt32LE(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && data.readUInt32LE(locator) === ZIP64_LOCATOR) {
    const at = Number(data.readBigUInt64LE(locator + 8));
    if (at + 56 <= data.length && data.readUInt32LE(at) === ZIP64_EOCD) {
      count = Number(data.readBigUInt64LE(at + 32));
      size = Number(data.readBigUInt64LE(at + 40));
      offset = Number(data.readBigUInt64LE(at + 48));
    }
  }
  if (offset + size > data.length) throw new IngestError("not a readable zip archive: the central directory runs past the end (truncated)");
  const entries: CentralEntry[] = [];
  let at = offset;
  while (at + 46 <= offset + size && data.readUInt32LE(at) === CENTRAL) {
    const flags = data.readUInt16LE(at + 8);
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    const nameBytes = data.subarray(at + 46, at + 46 + nameLength);
    const name = decodeName(nameBytes);
    const entry: CentralEntry = {
      rawName: name.text,
      ...(name.notUtf8 ? { notUtf8: true } : {}),
      flags,
      method: data.readUInt16LE(at + 10),
      crc: data.readUInt32LE(at + 16),
      compressedSize: data.readUInt32LE(at + 20),
      size: data.readUInt32LE(at + 24),
      localOffset: data.readUInt32LE(at + 42),
    };
    applyZip64(entry, data.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  if (entries.length === 0 && count > 0) throw new IngestError("not a readable zip archive: the central directory is corrupt");
  return entries;
}

/** ZIP64 extra field: the 64-bit values of the fields that are 0xFFFFFFFF, in order. */
function applyZip64(entry: CentralEntry, extra: Buffer): void {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const length = extra.readUInt16LE(i + 2);
    if (id === 0x0001) {
      let at = i + 4;
      const next = (): number | undefined => {
        if (at + 8 > i + 4 + length || at + 8 > extra.length) return undefined;
        const value = Number(extra.readBigUInt64LE(at));
        at += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next() ?? entry.size;
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next() ?? entry.compressedSize;
      if (entry.localOffset === 0xffffffff) entry.localOffset = next() ?? entry.localOffset;
      return;
    }
    i += 4 + length;
  }
}

/**
 * UTF-8 when the bytes are valid UTF-8 (flagged or not), else one character per byte
 * (Latin-1: distinct bytes stay distinct names, never U+FFFD for all of them).
 */
function decodeName(bytes: Buffer): { text: string; notUtf8: boolean } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), notUtf8: false };
  } catch {
    return { text: bytes.toString("latin1"), notUtf8: true };
  }
}
