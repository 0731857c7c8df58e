// Reads .tgz / .tar.gz / .tar archives in memory with `tar`'s streaming parser.
import { Parser, type ReadEntry } from "tar";
import { IngestError } from "../core/errors.js";
import { CapTracker, entryError, linkStaysInside, safeRelativePath } from "./limits.js";
import type { IngestLimits, LoadedPackage } from "./types.js";

export async function loadTarball(input: string, data: Buffer, limits: IngestLimits): Promise<LoadedPackage> {
  const pkg: LoadedPackage = { input, files: new Map(), bytes: 0, errors: [] };
  const caps = new CapTracker(limits, data.length);
  let stopped: string | undefined;

  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onwarn: (_code: string, message: string | Error) => {
        pkg.errors.push({ input, message: `archive warning: ${String(message)}` });
      },
    });
    parser.on("entry", (entry: ReadEntry) => {
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
      if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") return entry.resume();
      const tooLarge = caps.fileTooLarge(entry.size);
      if (tooLarge) {
        pkg.errors.push(entryError(input, path, tooLarge));
        return entry.resume();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      entry.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limits.maxFileBytes) chunks.push(chunk);
      });
      entry.on("end", () => {
        if (stopped) return;
        const broken = caps.add(size);
        if (broken) {
          stopped = broken;
          return;
        }
        pkg.files.set(path, Buffer.concat(chunks));
        pkg.bytes += size;
      });
    });
    parser.on("error", (error: Error) => {
      // tar's own guard (1000x) can fire before ours: it is the same verdict, a bomb.
      if (/decompression ratio/.test(error.message)) {
        stopped ??= `expands more than ${limits.maxCompressionRatio}x its compressed size (--max-ratio): treated as an archive bomb; reading stopped`;
        resolve();
      } else reject(new IngestError(`not a readable tar archive: ${error.message}`));
    });
    parser.on("end", () => resolve());
    parser.end(data);
  });

  if (stopped) pkg.errors.push({ input, message: stopped });
  if (pkg.files.size === 0 && !stopped) {
    throw new IngestError("archive holds no readable files (corrupt or empty)");
  }
  return pkg;
}
