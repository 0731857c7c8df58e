// Folded file paths: joining the way os.path/pathlib do, and recognising credential files.
import type { SourceKind } from "../facts.js";
import { classifyCredentialPath, type Signatures } from "../../rules/signatures.js";

/** os.path.join semantics: an absolute or home-relative part restarts the path. */
export function joinPath(parts: string[]): string {
  let result = "";
  for (const part of parts) {
    if (part.startsWith("/") || part.startsWith("~") || /^[a-z]:[\\/]/i.test(part) || result === "") result = part;
    else result = result.endsWith("/") || result.endsWith("\\") ? result + part : `${result}/${part}`;
  }
  return result;
}

/** Windows home variables and a leading "~user" fold to "~" like the shared classifier expects. */
function normalizeForClassify(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/^(%APPDATA%|%LOCALAPPDATA%)/i, "~/AppData")
    .replace(/^~[a-z_][a-z0-9_-]*(?=\/|$)/i, "~")
    .replace(/\/+/g, "/");
}

export interface CredentialPath {
  kind: SourceKind;
  note: string;
  path: string;
}

/**
 * The credential a folded path names. Globs count too: `~/.ssh/id_*` is the key,
 * `~/.ssh/*` lists the directory. "*" also stands for unknown pieces of a partial fold.
 */
export function credentialPath(signatures: Signatures, path: string): CredentialPath | undefined {
  // Code or prose that mentions a path (a payload written to disk) is not a path.
  if (path.length > 1024 || !/[./~\\]/.test(path) || /[\n\r]/.test(path)) return undefined;
  // The same strings are tested again at every call that passes them: one answer a text (read-only, shared).
  if (path.length > 256) return classifyPath(signatures, path);
  let cache = answers.get(signatures);
  if (!cache) answers.set(signatures, (cache = new Map()));
  const known = cache.get(path);
  if (known !== undefined) return known ?? undefined;
  const answer = classifyPath(signatures, path);
  if (cache.size < 50_000) cache.set(path, answer ?? null);
  return answer;
}

/**
 * Per package (forgetCredentialPaths): a path may be a slice of its file's source, and a cached
 * slice keeps the whole source alive — across packages that would be every file's text.
 */
const answers = new WeakMap<Signatures, Map<string, CredentialPath | null>>();

export function forgetCredentialPaths(signatures: Signatures): void {
  answers.delete(signatures);
}

function classifyPath(signatures: Signatures, path: string): CredentialPath | undefined {
  const normalized = normalizeForClassify(path.trim());
  const candidates = [normalized];
  if (normalized.includes("*")) {
    candidates.push(normalized.replace(/\*+/g, "x"));
    // The last segment when it has a "*" (`/[^/]*\*[^/]*$`, without its quadratic backtracking on a long run of "*").
    const slash = normalized.lastIndexOf("/");
    candidates.push(slash >= 0 && normalized.includes("*", slash) ? normalized.slice(0, slash) : normalized);
    candidates.push(normalized.replace(/\/\*\*?(\/.*)?$/, ""));
  }
  for (const candidate of candidates) {
    if (!candidate) continue;
    const match = classifyCredentialPath(signatures, candidate);
    if (match) return { ...match, path: normalized };
  }
  return undefined;
}
