import { posix } from "node:path";
import type { Finding } from "../core/types.js";
import { trimSlashes } from "../core/trim.js";

const ARCHIVE = /\.(tgz|tar\.gz|tar|zip|whl|egg)$/i;

/**
 * Where a finding's file is, seen from the working directory the scan ran in (what a CI
 * checkout, GitHub and GitLab expect). A file inside an archive can only be addressed as
 * the archive; a registry spec (`npm:x@1`) has no path, so the file stands alone.
 */
export function projectPath(finding: Finding, file: string, singleFile: boolean): { path: string; inArchive: boolean } {
  const input = trimSlashes((finding.target ?? "").replace(/\\/g, "/").replace(/^\.\//, ""));
  if (!input || (input.includes(":") && !input.includes("/"))) return { path: file, inArchive: false };
  if (ARCHIVE.test(input)) return { path: input, inArchive: true };
  if (singleFile && input.endsWith(file)) return { path: input, inArchive: false };
  return { path: posix.join(input, file), inArchive: false };
}
