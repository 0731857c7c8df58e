// Helpers shared by the lockfile parsers.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Ecosystem } from "../../core/types.js";
import { errorMessage } from "../../core/errors.js";
import type { DigestAlgorithm, ExpectedDigest, PackageSource, ParsedLockfile, ResolvedPackage } from "../types.js";

const SRI_ALGORITHMS = new Set(["sha512", "sha384", "sha256", "sha1"]);

/** `sha512-<base64> sha1-<base64>` (npm, yarn, pnpm) → hex digests. */
export function parseSri(sri: string | undefined): ExpectedDigest[] {
  if (!sri) return [];
  const out: ExpectedDigest[] = [];
  for (const part of sri.trim().split(/\s+/)) {
    const match = /^(sha\d+)-([A-Za-z0-9+/=_-]+)(?:\?.*)?$/.exec(part);
    if (match && SRI_ALGORITHMS.has(match[1]!)) {
      out.push({ algorithm: match[1] as DigestAlgorithm, value: Buffer.from(match[2]!, "base64").toString("hex") });
    }
  }
  return out;
}

/** `sha256:<hex>` (pip, poetry, uv, pdm, Pipfile.lock) → digest. */
export function parseHexHash(hash: string | undefined): ExpectedDigest | undefined {
  const match = /^(sha256|sha384|sha512|sha1|md5)[:=]([0-9a-fA-F]+)$/.exec(hash?.trim() ?? "");
  return match ? { algorithm: match[1] as DigestAlgorithm, value: match[2]!.toLowerCase() } : undefined;
}

export function newPackage(
  ecosystem: Ecosystem,
  name: string,
  lockfile: string,
  line: number,
  extra: Partial<ResolvedPackage> = {},
): ResolvedPackage {
  return { ecosystem, name, integrity: [], source: "registry", lockfile, line, dev: false, optional: false, direct: false, paths: [], ...extra };
}

/** Classify an npm-style version/resolved string. */
export function npmSource(spec: string | undefined): PackageSource {
  if (!spec) return "registry";
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(spec) || /^[\w.-]+\/[\w.-]+(#.*)?$/.test(spec)) return "git";
  if (spec.startsWith("file:")) return "file";
  if (spec.startsWith("link:")) return "link";
  if (spec.startsWith("workspace:")) return "workspace";
  if (/^https?:/.test(spec) && !/\.tgz($|[?#])/.test(spec)) return "url";
  return "registry";
}

export function unscannableReason(source: PackageSource, spec: string | undefined): string | undefined {
  switch (source) {
    case "git":
      return `git dependency (${spec ?? "?"}): not fetched from a registry; scan a checkout with 'exfilscan scan'`;
    case "url":
      return `URL dependency (${spec ?? "?"}): not a registry archive with a known integrity`;
    case "file":
    case "link":
    case "workspace":
      return `local ${source} dependency (${spec ?? "?"}) not found on disk`;
    default:
      return undefined;
  }
}

export interface RootManifest {
  prod: Set<string>;
  dev: Set<string>;
  optional: Set<string>;
}

/** package.json next to a lockfile that does not record the root's own dependencies. */
export function readRootManifest(lockfile: string): RootManifest | undefined {
  try {
    const json = JSON.parse(readFileSync(join(dirname(lockfile), "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    const keys = (field: string) => new Set(Object.keys(json[field] ?? {}));
    return { prod: new Set([...keys("dependencies"), ...keys("peerDependencies")]), dev: keys("devDependencies"), optional: keys("optionalDependencies") };
  } catch {
    return undefined;
  }
}

/** Line (1-based) of the first occurrence of `needle` at or after `from`. */
export function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** PEP 503 normalised project name. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** Marks dev/optional flags from the root down: a package is dev only when no prod path reaches it. */
export function propagateFlags(
  nodes: Map<string, { pkg: ResolvedPackage; children: string[] }>,
  prodRoots: string[],
  nonOptionalRoots: string[],
): void {
  const reach = (starts: string[]) => {
    const seen = new Set<string>();
    const stack = [...starts];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id) || !nodes.has(id)) continue;
      seen.add(id);
      stack.push(...nodes.get(id)!.children);
    }
    return seen;
  };
  const prod = reach(prodRoots);
  const required = reach(nonOptionalRoots);
  for (const [id, node] of nodes) {
    node.pkg.dev = !prod.has(id);
    node.pkg.optional = !required.has(id);
  }
}

/** A lockfile read and given to `parse`; never throws for a bad file: problems name the file. */
export function readLockfileWith(file: string, parse: (file: string, text: string) => ParsedLockfile): ParsedLockfile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return { file, kind: "requirements", packages: [], problems: [{ file, message: `cannot read: ${errorMessage(error)}` }] };
  }
  try {
    return parse(file, text);
  } catch (error) {
    return { file, kind: "requirements", packages: [], problems: [{ file, message: errorMessage(error) }] };
  }
}
