// One entry for every kind of target: directory, archive, or a single source file.
import { lstatSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { IngestError } from "../core/errors.js";
import type { RegistryOptions } from "../registry/http.js";
import { parseSpec } from "../registry/spec.js";
import { loadDirectory } from "./directory.js";
import { identifyPackage, stripCommonTopDirectory } from "./package-identity.js";
import type { IngestLimits, LoadedPackage } from "./types.js";

export { DEFAULT_LIMITS } from "./types.js";
export type { IngestLimits, LoadedPackage } from "./types.js";

const TAR_NAMES = /\.(tgz|tar\.gz|tar)$/i;
const ZIP_NAMES = /\.(zip|whl|egg)$/i;

/** Load an archive held in memory (a registry download, or a file read from disk). */
export async function loadArchive(input: string, name: string, data: Buffer, limits: IngestLimits): Promise<LoadedPackage> {
  const isZip = ZIP_NAMES.test(name) || (data[0] === 0x50 && data[1] === 0x4b);
  // Archive readers (tar, fflate) are loaded when an archive comes.
  const pkg = isZip ? (await import("./zip.js")).loadZip(input, data, limits) : await (await import("./tarball.js")).loadTarball(input, data, limits);
  stripCommonTopDirectory(pkg);
  identifyPackage(pkg);
  return pkg;
}

/** A directory, an archive, a single source file, or a registry spec (npm:name@1.0.0, pypi:name@1.0). */
export async function loadTarget(input: string, limits: IngestLimits, registry?: RegistryOptions): Promise<LoadedPackage> {
  const spec = parseSpec(input);
  if (spec) {
    if (!registry) throw new IngestError("registry specs need registry access");
    const { fetchSpec } = await import("../registry/resolve.js");
    const archive = await fetchSpec(spec, registry);
    return loadArchive(input, archive.fileName, archive.data, limits);
  }
  // lstat: a target that is a symlink is not followed (it could lead to /dev/zero, a FIFO or
  // the host's /etc), and only regular files and directories are ever opened.
  const stats = statOrUndefined(input);
  if (!stats) throw new IngestError("no such file or directory");
  if (stats.isSymbolicLink()) throw new IngestError("is a symbolic link: not followed (give the path it points to)");
  if (!stats.isDirectory() && !stats.isFile()) throw new IngestError("not a regular file or directory (device, FIFO or socket): not read");
  if (stats.isDirectory()) {
    const pkg = await loadDirectory(input, input, limits);
    identifyPackage(pkg);
    return pkg;
  }
  if (stats.size > limits.maxTotalBytes) {
    throw new IngestError(`file of ${stats.size} bytes is over the total cap of ${limits.maxTotalBytes} bytes (--max-total-bytes)`);
  }
  const data = readFileSync(input);
  if (TAR_NAMES.test(input) || ZIP_NAMES.test(input)) return loadArchive(input, basename(input), data, limits);
  // A single source file is scanned as a one-file package.
  const pkg: LoadedPackage = { input, files: new Map([[basename(input), data]]), bytes: data.length, errors: [] };
  identifyPackage(pkg);
  if (!pkg.ecosystem) throw new IngestError("not a package directory, a supported archive (.tgz .tar.gz .tar .zip .whl .egg) or a JS/Python file");
  return pkg;
}

/** lstat of a target, undefined when it cannot be read. Synchronous: node:fs/promises loads the stream modules (start-up), and one target is read at a time. */
function statOrUndefined(input: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(input);
  } catch {
    return undefined;
  }
}
