// Links that stay inside a package. pip extracts them (an sdist's setup.py can be a
// symlink to another file of the archive, and it still runs at install); npm's pacote
// skips them. Either way the scanner reads a link as a copy of the file it points to, so
// code reached through a link is analysed under the name it runs as: reading more than
// npm installs is safe, reading less than pip installs would hide code.
import type { LoadedPackage } from "./types.js";

export interface InternalLink {
  /** Path of the link, relative to the archive or directory root. */
  path: string;
  /** Path of its target, resolved against the same root. */
  target: string;
  kind: "symlink" | "hardlink";
  /** The link text as the archive or file system holds it. */
  text: string;
}

/** Link chains longer than this are left unresolved (and said). */
const MAX_HOPS = 8;

/** The target of a symlink at `linkPath`, resolved from the link's own directory. */
export function resolveSymlinkTarget(linkPath: string, target: string): string | undefined {
  if (target.startsWith("/") || /^[a-z]:/i.test(target)) return undefined;
  const parts = linkPath.split("/").slice(0, -1);
  for (const part of target.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length ? parts.join("/") : undefined;
}

/** Adds each link whose target is a file of the package as a copy of that file, with a note. */
export function addInternalLinks(pkg: LoadedPackage, links: InternalLink[]): void {
  let pending = links.filter((l) => l.path !== l.target);
  for (let hop = 0; hop < MAX_HOPS && pending.length; hop++) {
    const next: InternalLink[] = [];
    for (const link of pending) {
      const content = pkg.files.get(link.target);
      // A link to another link not yet resolved waits for the next round.
      if (!content) {
        if (pending.some((l) => l.path === link.target)) next.push(link);
        continue;
      }
      pkg.files.set(link.path, content);
      pkg.errors.push({ input: pkg.input, file: link.path, message: `note: ${link.kind} to ${link.text} inside the package; read as a copy of it (pip extracts such links)` });
    }
    if (next.length === pending.length) break;
    pending = next;
  }
}
