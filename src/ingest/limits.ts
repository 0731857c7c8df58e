// Path safety and caps shared by every reader. Nothing is ever written to disk, so a
// path only has to be safe to use as a key, but an escaping entry is still reported:
// it is a sign of a hostile archive.
import type { ScanErrorEntry } from "../core/types.js";
import type { IngestLimits } from "./types.js";

/** A POSIX relative path with no "..", no absolute root, no NUL; undefined when unsafe. */
export function safeRelativePath(raw: string): string | undefined {
  if (raw.includes("\0")) return undefined;
  const path = raw.replace(/\\/g, "/");
  if (path.startsWith("/") || /^[a-z]:/i.test(path)) return undefined;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") return undefined;
    parts.push(part);
  }
  return parts.length ? parts.join("/") : undefined;
}

/** Whether a link target, resolved from the link's own directory, stays inside the package. */
export function linkStaysInside(linkPath: string, target: string): boolean {
  if (target.startsWith("/") || /^[a-z]:/i.test(target)) return false;
  const parts = linkPath.split("/").slice(0, -1);
  for (const part of target.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return false;
      parts.pop();
    } else parts.push(part);
  }
  return true;
}

/** Counts what has been read so far and says which cap, if any, is broken. */
export class CapTracker {
  files = 0;
  bytes = 0;
  constructor(
    private readonly limits: IngestLimits,
    private readonly compressedBytes?: number,
  ) {}

  /** Message for a file that is over the per-file cap (the file is skipped, the rest goes on). */
  fileTooLarge(size: number): string | undefined {
    return size > this.limits.maxFileBytes
      ? `file of ${size} bytes is over the per-file cap of ${this.limits.maxFileBytes} bytes (--max-file-bytes); skipped`
      : undefined;
  }

  /** Message for a cap that stops reading the whole target. */
  add(size: number): string | undefined {
    this.files += 1;
    this.bytes += size;
    if (this.files > this.limits.maxFiles) {
      return `more than ${this.limits.maxFiles} files (--max-files); reading stopped`;
    }
    if (this.bytes > this.limits.maxTotalBytes) {
      return `more than ${this.limits.maxTotalBytes} bytes in total (--max-total-bytes); reading stopped`;
    }
    // Small archives compress well by nature; the ratio only means "bomb" past 1 MiB.
    if (
      this.compressedBytes !== undefined &&
      this.bytes > 1024 * 1024 &&
      this.bytes > this.compressedBytes * this.limits.maxCompressionRatio
    ) {
      return `expands more than ${this.limits.maxCompressionRatio}x its compressed size (--max-ratio): treated as an archive bomb; reading stopped`;
    }
    return undefined;
  }
}

export function entryError(input: string, file: string, message: string): ScanErrorEntry {
  return { input, file, message };
}

/**
 * Where each member is stored. A name that is not valid UTF-8 is decoded lossily (tar: each
 * bad byte becomes U+FFFD; zip: Latin-1), so two different members can decode to one name,
 * while pip keeps the raw bytes and extracts two files: neither may hide the other. A
 * collision that involves such a name stores the later member as `stem~N.ext` (both are
 * analysed); two valid names that are equal are a real duplicate (the last copy wins).
 */
export class MemberKeys {
  private readonly undecodable = new Set<string>();
  private readonly next = new Map<string, number>();

  constructor(
    private readonly input: string,
    private readonly pkg: { files: Map<string, Buffer>; errors: ScanErrorEntry[] },
    private readonly decoded: string,
  ) {}

  key(path: string, notUtf8: boolean): string {
    const clash = this.pkg.files.has(path) && (notUtf8 || this.undecodable.has(path));
    let key = path;
    if (clash) {
      const slash = path.lastIndexOf("/");
      const dot = path.lastIndexOf(".");
      const [stem, ext] = dot > slash + 1 ? [path.slice(0, dot), path.slice(dot)] : [path, ""];
      let n = this.next.get(path) ?? 2;
      while (this.pkg.files.has((key = `${stem}~${n}${ext}`))) n++;
      this.next.set(path, n + 1);
    }
    if (notUtf8) {
      this.undecodable.add(key);
      const beside = clash ? `; another member decodes to the same name (pip extracts both), so this one is analysed under the name shown` : "";
      this.pkg.errors.push(entryError(this.input, key, `name is not valid UTF-8 (decoded ${this.decoded}); pip keeps its raw bytes${beside}`));
    } else if (clash) {
      this.pkg.errors.push(entryError(this.input, key, `decodes to the same name as a member whose name is not valid UTF-8 (pip extracts both), so it is analysed under the name shown`));
    }
    return key;
  }
}
