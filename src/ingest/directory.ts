// Reads a package directory from disk. Symlinks are never followed; dependency and VCS
// folders are not part of the package and are skipped.
// Reads are synchronous: one package is read before it is analysed, so an await per file
// bought no overlap and cost a trip through the event loop and the thread pool each
// (1.6 s against 0.2 s on 150 npm packages). Parallelism is across packages (scan workers).
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { CapTracker, entryError } from "./limits.js";
import { addInternalLinks, resolveSymlinkTarget, type InternalLink } from "./links.js";
import type { IngestLimits, LoadedPackage } from "./types.js";

const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git", ".hg", ".svn", "__pycache__", ".tox", ".venv"]);

export async function loadDirectory(input: string, root: string, limits: IngestLimits): Promise<LoadedPackage> {
  const pkg: LoadedPackage = { input, files: new Map(), bytes: 0, errors: [] };
  const caps = new CapTracker(limits);
  const links: InternalLink[] = [];
  const pending = [root];
  while (pending.length) {
    const dir = pending.pop()!;
    const names = readdirSync(dir).sort();
    for (const name of names) {
      const full = join(dir, name);
      const path = relative(root, full).split(sep).join("/");
      const stats = lstatSync(full);
      if (stats.isSymbolicLink()) {
        const target = readlinkSync(full);
        const inside = resolveSymlinkTarget(path, target);
        if (inside) links.push({ path, target: inside, kind: "symlink", text: target });
        else pkg.errors.push(entryError(input, path, `symlink points outside the package (${target}); skipped`));
        continue;
      }
      if (stats.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(name)) pending.push(full);
        continue;
      }
      if (!stats.isFile()) continue;
      const tooLarge = caps.fileTooLarge(stats.size);
      if (tooLarge) {
        pkg.errors.push(entryError(input, path, tooLarge));
        continue;
      }
      const broken = caps.add(stats.size);
      if (broken) {
        pkg.errors.push({ input, message: broken });
        addInternalLinks(pkg, links);
        return pkg;
      }
      pkg.files.set(path, readFileSync(full));
      pkg.bytes += stats.size;
    }
  }
  addInternalLinks(pkg, links);
  return pkg;
}
