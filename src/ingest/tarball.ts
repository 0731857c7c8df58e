// Reads .tgz / .tar.gz / .tar archives in memory with `tar`'s streaming parser.
// The compressed bytes are inflated here, a slice at a time, and every inflated byte is
// counted before the parser sees it (entries kept, skipped or of a type tar ignores), so
// a bomb is stopped by the ratio and total caps after at most one slice, never inflated
// in full first.
import { createGunzip, type Gunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { IngestError } from "../core/errors.js";
import { CapTracker, MemberKeys, entryError, safeRelativePath } from "./limits.js";
import { addInternalLinks, resolveSymlinkTarget, type InternalLink } from "./links.js";
import type { IngestLimits, LoadedPackage } from "./types.js";
import { duplicateMessage } from "./zip.js";

/** Compressed bytes inflated at a time: at most ~16 MiB of output (deflate's 1032:1) before the caps are checked. */
const SLICE = 16 * 1024;

/** Entry types that hold no file content of their own. */
const NO_CONTENT = new Set(["Directory", "GlobalExtendedHeader", "ExtendedHeader", "OldExtendedHeader", "NextFileHasLongPath", "NextFileHasLongLinkpath", "OldGnuLongPath", "GNUDumpDir"]);

export async function loadTarball(input: string, data: Buffer, limits: IngestLimits): Promise<LoadedPackage> {
  const pkg: LoadedPackage = { input, files: new Map(), bytes: 0, errors: [] };
  const caps = new CapTracker(limits, data.length);
  const copies = new Map<string, number>();
  const keys = new MemberKeys(input, pkg, "with U+FFFD for each bad byte");
  const links: InternalLink[] = [];
  let stopped: string | undefined;
  let failure: Error | undefined;
  const bomb = `expands more than ${limits.maxCompressionRatio}x its compressed size (--max-ratio): treated as an archive bomb; reading stopped`;
  /** Every byte the archive inflates to, whatever becomes of it. */
  let inflated = 0;
  const count = (bytes: number): void => {
    inflated += bytes;
    pkg.inflatedBytes = inflated;
    if (stopped) return;
    if (inflated > limits.maxTotalBytes) stopped = `more than ${limits.maxTotalBytes} bytes in total (--max-total-bytes); reading stopped`;
    else if (inflated > 1024 * 1024 && inflated > data.length * limits.maxCompressionRatio) stopped = bomb;
  };

  const parser = new Parser({
    strict: true,
    onwarn: (_code: string, message: string | Error) => {
      pkg.errors.push({ input, message: `archive warning: ${String(message)}` });
    },
  });
  // tar drops entries of types it does not know (and GNU sparse files) without a word;
  // Python's tarfile extracts unknown types as regular files, so pip would install them.
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    const path = safeRelativePath(entry.path);
    if (path && !NO_CONTENT.has(entry.type) && entry.size > 0) {
      pkg.errors.push(entryError(input, path, `entry of type ${entry.type} (pip extracts it as a file): could not be read`));
    }
  });
  parser.on("entry", (entry: ReadEntry) => {
    if (stopped) return entry.resume();
    const path = safeRelativePath(entry.path);
    if (!path) {
      pkg.errors.push(entryError(input, entry.path, "entry path escapes the package (absolute or ..); skipped"));
      return entry.resume();
    }
    if (entry.type === "SymbolicLink" || entry.type === "Link") {
      const raw = entry.linkpath ?? "";
      // Hardlink targets are archive-relative, symlink targets are link-relative.
      const target = entry.type === "Link" ? safeRelativePath(raw) : resolveSymlinkTarget(path, raw);
      if (target) links.push({ path, target, kind: entry.type === "Link" ? "hardlink" : "symlink", text: raw });
      else pkg.errors.push(entryError(input, path, `${entry.type === "Link" ? "hardlink" : "symlink"} points outside the package (${raw}); skipped`));
      return entry.resume();
    }
    if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
      if (!NO_CONTENT.has(entry.type)) pkg.errors.push(entryError(input, path, `entry of type ${entry.type}: not read`));
      return entry.resume();
    }
    const tooLarge = caps.fileTooLarge(entry.size);
    if (tooLarge) {
      pkg.errors.push(entryError(input, path, tooLarge));
      return entry.resume();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    entry.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limits.maxFileBytes && !stopped) chunks.push(chunk);
    });
    entry.on("end", () => {
      if (stopped) return;
      const broken = caps.add(size);
      if (broken) {
        stopped = broken;
        return;
      }
      // tar decodes names as UTF-8, each bad byte becoming U+FFFD.
      const key = keys.key(path, path.includes("\uFFFD"));
      copies.set(key, (copies.get(key) ?? 0) + 1);
      pkg.bytes += size - (pkg.files.get(key)?.length ?? 0);
      pkg.files.set(key, Buffer.concat(chunks));
    });
  });
  parser.on("error", (error: Error) => {
    failure ??= error;
  });
  const ended = new Promise<void>((resolve) => {
    parser.on("end", () => resolve());
    parser.on("close", () => resolve());
  });

  const gzipped = data[0] === 0x1f && data[1] === 0x8b;
  let gunzip: Gunzip | undefined;
  if (gzipped) {
    gunzip = createGunzip();
    gunzip.on("data", (chunk: Buffer) => {
      count(chunk.length);
      if (!stopped && !failure) parser.write(chunk);
    });
    gunzip.on("error", (error: Error) => {
      failure ??= new Error(`corrupt gzip stream: ${error.message}`);
    });
  }
  for (let offset = 0; offset < data.length && !stopped && !failure; offset += SLICE) {
    const slice = data.subarray(offset, offset + SLICE);
    if (gunzip) await writeSettled(gunzip, slice);
    else {
      count(slice.length);
      parser.write(slice);
    }
    // Let the parser and the entries drain this slice before the next one.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (gunzip && !stopped && !failure) {
    await new Promise<void>((resolve) => {
      gunzip!.once("end", resolve);
      gunzip!.once("error", () => resolve());
      gunzip!.end();
    });
  }
  gunzip?.destroy();
  if (stopped || failure) parser.abort(new Error("stopped"));
  else {
    parser.end();
    await ended;
  }
  if (failure && !stopped) throw new IngestError(`not a readable tar archive: ${failure.message}`);

  for (const [path, n] of copies) if (n > 1) pkg.errors.push(entryError(input, path, duplicateMessage(n)));
  addInternalLinks(pkg, links);
  if (stopped) pkg.errors.push({ input, message: stopped });
  if (pkg.files.size === 0 && !stopped) {
    const first = pkg.errors[0];
    throw new IngestError(`archive holds no readable files (corrupt or empty)${first ? `: ${first.file ?? ""} ${first.message}` : ""}`);
  }
  return pkg;
}

/**
 * Write one slice and wait until zlib took it. A corrupt stream (a bad CRC) destroys the
 * Gunzip without ever calling the write's callback: waiting on the callback alone hung the
 * scan (found by scripts/fuzz.mjs), so an error or close also ends the wait.
 */
function writeSettled(gunzip: Gunzip, slice: Buffer): Promise<void> {
  if (gunzip.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      gunzip.off("error", done);
      gunzip.off("close", done);
      resolve();
    };
    gunzip.once("error", done);
    gunzip.once("close", done);
    gunzip.write(slice, () => done());
  });
}
