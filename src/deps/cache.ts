// Per-package results, content-addressed: <cacheDir>/results/<analysis version>/<digest>.json.
// The analysis version hashes the analyzer code and the signature files, so a changed rule
// set or analyzer never reuses an old verdict. Writes are atomic; a corrupt entry is a miss.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Finding, ScanErrorEntry, TargetInfo } from "../core/types.js";
import { TOOL_VERSION } from "../core/version.js";
import { writeAtomically } from "../registry/http.js";
import type { ExpectedDigest } from "./types.js";

export interface CachedResult {
  target: TargetInfo;
  findings: Finding[];
  errors: ScanErrorEntry[];
}

const CODE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

function hashTree(hash: ReturnType<typeof createHash>, dir: string, test: (name: string) => boolean): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hashTree(hash, path, test);
    else if (test(name)) hash.update(name).update(readFileSync(path));
  }
}

/** Tool version + analyzer/rule code + every signature file in use. */
export function analysisVersion(signatureDirs: string[]): string {
  const hash = createHash("sha256").update(TOOL_VERSION);
  for (const part of ["analyzers", "rules", "ingest"]) hashTree(hash, join(CODE_ROOT, part), (n) => /\.(js|ts)$/.test(n) && !n.endsWith(".d.ts"));
  for (const dir of signatureDirs) hashTree(hash, dir, (n) => /\.(ya?ml|json)$/.test(n));
  return hash.digest("hex").slice(0, 16);
}

export class ResultCache {
  constructor(
    private readonly dir: string,
    private readonly version: string,
  ) {}

  private file(digest: ExpectedDigest): string {
    return join(this.dir, "results", this.version, `${digest.algorithm}-${digest.value}.json`);
  }

  get(digests: ExpectedDigest[]): CachedResult | undefined {
    for (const digest of digests) {
      const file = this.file(digest);
      if (!existsSync(file)) continue;
      try {
        const entry = JSON.parse(readFileSync(file, "utf8")) as { check?: string; result?: CachedResult };
        const body = JSON.stringify(entry.result);
        if (entry.result && entry.check === createHash("sha256").update(body).digest("hex")) return entry.result;
      } catch {
        // corrupt: analysed again and overwritten
      }
    }
    return undefined;
  }

  private idFile(pkg: { ecosystem: string; name: string; version?: string }): string {
    return join(this.dir, "results", this.version, "by-id", `${pkg.ecosystem}-${pkg.name.replace(/[^a-z0-9@._-]+/gi, "_")}@${pkg.version ?? ""}.json`);
  }

  /** For lockfiles that record no digest (Yarn Berry): the digest the registry gave last time. */
  getById(pkg: { ecosystem: string; name: string; version?: string }): CachedResult | undefined {
    try {
      const digest = JSON.parse(readFileSync(this.idFile(pkg), "utf8")) as ExpectedDigest;
      return typeof digest?.algorithm === "string" && typeof digest.value === "string" ? this.get([digest]) : undefined;
    } catch {
      return undefined;
    }
  }

  putId(pkg: { ecosystem: string; name: string; version?: string }, digest: ExpectedDigest): void {
    writeAtomically(this.idFile(pkg), JSON.stringify({ algorithm: digest.algorithm, value: digest.value }));
  }

  put(digest: ExpectedDigest, result: CachedResult): void {
    const body = JSON.stringify(result);
    writeAtomically(this.file(digest), JSON.stringify({ check: createHash("sha256").update(body).digest("hex"), result }));
  }
}
