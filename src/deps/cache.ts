// Per-package results, content-addressed: <cacheDir>/results/<analysis version>/<digest>.json.
// The analysis version hashes all the code under dist/ (stored at build time), the pinned
// dependency versions and the signature files, so a changed rule set, analyzer, core type or
// parser never reuses an old verdict. Writes are atomic; a corrupt entry is a miss.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Finding, ScanErrorEntry, TargetInfo } from "../core/types.js";
import { writeAtomically } from "../registry/http.js";
import type { ExpectedDigest } from "./types.js";

// The key's code and signature digests live in a module that loads nothing else (the guard's fast path uses it).
export { analysisVersion, CODE_DIGEST_FILE, codeDigest, codeStamp, computeCodeDigest } from "./analysis-version.js";

export interface CachedResult {
  target: TargetInfo;
  findings: Finding[];
  errors: ScanErrorEntry[];
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
