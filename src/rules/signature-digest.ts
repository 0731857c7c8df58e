// Which YAML files make a signature directory and their digest (what the compiled set was
// made from, and part of the analysis version). Node built-ins only.
import { createHash } from "../core/hash.js";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../core/version.js";

export const BUILTIN_SIGNATURES_DIR = join(PACKAGE_ROOT, "signatures");

/** The YAML files of a signature directory, in the order they are read. */
export function signatureFiles(dir: string): string[] {
  const rulesDir = join(dir, "rules");
  const rules = existsSync(rulesDir) ? readdirSync(rulesDir).filter((n) => n.endsWith(".yaml")).sort().map((n) => join(rulesDir, n)) : [];
  return [...rules, ...["sources.yaml", "sinks.yaml", "indicators.yaml", "commands.yaml", "decoders.yaml", "transforms.yaml"].map((n) => join(dir, n)).filter((f) => existsSync(f))];
}

/** sha256 over the names and bytes of a directory's signature files (what the compiled set was made from). */
export function signatureDigest(dir: string): string {
  const hash = createHash("sha256");
  for (const file of signatureFiles(dir)) hash.update(`${file.slice(dir.length)}\0`).update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

/**
 * Names, sizes and modification times of a directory's signature files: whether they are still
 * the files a compiled set was made from, without reading or hashing them (start-up). A file
 * edited in place keeps neither its mtime nor, mostly, its size; the digest decides otherwise.
 */
export function signatureStamp(dir: string): string {
  return signatureFiles(dir)
    .map((file) => {
      const stats = statSync(file);
      return `${file.slice(dir.length)}\0${stats.size}\0${stats.mtimeMs}`;
    })
    .join("\n");
}

let builtinDigest: string | undefined;
/** signatureDigest of the built-in directory, read once per process (start-up and the result-cache key both need it). */
export function builtinSignatureDigest(): string {
  return (builtinDigest ??= signatureDigest(BUILTIN_SIGNATURES_DIR));
}
