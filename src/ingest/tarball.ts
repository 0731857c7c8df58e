// Reads .tgz / .tar.gz / .tar archives in memory with `tar`'s streaming parser.
// The compressed bytes are fed a slice at a time and every inflated byte is counted as
// it streams (kept or not), so a bomb is stopped by the ratio and total caps after at
// most one slice, never inflated in full first.
import { Parser, type ReadEntry } from "tar";
import { IngestError } from "../core/errors.js";
import { CapTracker, entryError, linkStaysInside, safeRelativePath } from "./limits.js";
import type { IngestLimits, LoadedPackage } from "./types.js";

/** Compressed bytes handed to the parser at a time. */
const SLICE = 16 * 1024;

export async function loadTarball(input: string, data: Buffer, limits: IngestLimits): Promise<LoadedPackage> {
  const pkg: LoadedPackage = { input, files: new Map(), bytes: 0, errors: [] };
  const caps = new CapTracker(limits, data.length);
  let stopped: string | undefined;
  let inflated = 0;
  let failure: Error | undefined;
  const bomb = `expands more than ${limits.maxCompressionRatio}x its compressed size (--max-ratio): treated as an archive bomb; reading stopped`;

  /** Every byte the archive inflates to, whether the entry is kept or skipped. */
  const count = (bytes: number): void => {
    inflated += bytes;
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
  parser.on("entry", (entry: ReadEntry) => {
    entry.on("data", (chunk: Buffer) => count(chunk.length));
    if (stopped) return entry.resume();
    const path = safeRelativePath(entry.path);
    if (!path) {
      pkg.errors.push(entryError(input, entry.path, "entry path escapes the package (absolute or ..); skipped"));
      return entry.resume();
    }
    if (entry.type === "SymbolicLink" || entry.type === "Link") {
      const target = entry.linkpath ?? "";
      // Hardlink targets are archive-relative, symlink targets are link-relative.
      const inside = entry.type === "Link" ? safeRelativePath(target) !== undefined : linkStaysInside(path, target);
      if (!inside) pkg.errors.push(entryError(input, path, `${entry.type === "Link" ? "hardlink" : "symlink"} points outside the package (${target}); skipped`));
      return entry.resume();
    }
    if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
      // pip and npm extract some of these (GNU sparse files, unknown types read as files):
      // never silently, a code file hidden this way is reported (rule unanalysed-code).
      if (entry.type !== "Directory" && entry.type !== "GlobalExtendedHeader" && entry.type !== "ExtendedHeader") {
        pkg.errors.push(entryError(input, path, `unsupported entry type ${entry.type}; not read`));
      }
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
      if (pkg.files.has(path)) pkg.errors.push(entryError(input, path, "duplicate entry: the last one is read (as tar extracts it)"));
      pkg.files.set(path, Buffer.concat(chunks));
      pkg.bytes += size;
    });
  });
  parser.on("error", (error: Error) => {
    // tar's own guard (1000x) can fire before ours: it is the same verdict, a bomb.
    if (/decompression ratio/.test(error.message)) stopped ??= bomb;
    else failure ??= error;
  });
  const ended = new Promise<void>((resolve) => {
    parser.on("end", () => resolve());
    parser.on("close", () => resolve());
  });

  for (let offset = 0; offset < data.length && !stopped && !failure; offset += SLICE) {
    parser.write(data.subarray(offset, offset + SLICE));
    // Let the inflater and the entries drain this slice before the next one.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (stopped || failure) parser.abort(new Error("stopped"));
  else {
    parser.end();
    await ended;
  }
  if (failure && !stopped) throw new IngestError(`not a readable tar archive: ${failure.message}`);

  if (stopped) pkg.errors.push({ input, message: stopped });
  if (pkg.files.size === 0 && !stopped) {
    throw new IngestError("archive holds no readable files (corrupt or empty)");
  }
  return pkg;
}
