// Reads .zip / .whl / .egg archives in memory with fflate.
import { unzipSync } from "fflate";
import { IngestError, errorMessage } from "../core/errors.js";
import { CapTracker, entryError, safeRelativePath } from "./limits.js";
import type { IngestLimits, LoadedPackage } from "./types.js";

export function loadZip(input: string, data: Buffer, limits: IngestLimits): LoadedPackage {
  const pkg: LoadedPackage = { input, files: new Map(), bytes: 0, errors: [] };
  const caps = new CapTracker(limits, data.length);
  let stopped: string | undefined;
  let entries: Record<string, Uint8Array>;
  try {
    // The filter sees each entry's declared size before it is inflated, so a bomb is
    // refused before any memory is spent on it.
    entries = unzipSync(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
      filter: (file) => {
        if (stopped || file.name.endsWith("/")) return false;
        const path = safeRelativePath(file.name);
        if (!path) {
          pkg.errors.push(entryError(input, file.name, "entry path escapes the package (absolute or ..); skipped"));
          return false;
        }
        const tooLarge = caps.fileTooLarge(file.originalSize);
        if (tooLarge) {
          pkg.errors.push(entryError(input, path, tooLarge));
          return false;
        }
        stopped = caps.add(file.originalSize);
        return !stopped;
      },
    });
  } catch (error) {
    throw new IngestError(`not a readable zip archive: ${errorMessage(error)}`);
  }
  for (const [name, content] of Object.entries(entries)) {
    const path = safeRelativePath(name);
    if (!path) continue;
    // Declared sizes can lie; the real size is checked again after inflating.
    if (content.length > limits.maxFileBytes) {
      pkg.errors.push(entryError(input, path, `inflated to ${content.length} bytes, over the per-file cap; skipped`));
      continue;
    }
    pkg.files.set(path, Buffer.from(content));
    pkg.bytes += content.length;
  }
  if (stopped) pkg.errors.push({ input, message: stopped });
  if (pkg.files.size === 0 && !stopped) throw new IngestError("archive holds no readable files (corrupt or empty)");
  return pkg;
}
