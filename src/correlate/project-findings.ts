// `correlate --project DIR` without --findings: the project's dependencies are scanned here,
// in-process, exactly as `exfilscan deps DIR --installed` would (same cache, same verdicts),
// and its findings are correlated; no findings file is needed.
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import type { AdvisoryStore } from "../advisories/index.js";
import type { ScanReport } from "../core/types.js";
import { analysisVersion, ResultCache } from "../deps/cache.js";
import { readInputs, scanDependencies } from "../deps/scan.js";
import { createAnalyzer } from "../deps/workers.js";
import { DEFAULT_LIMITS } from "../ingest/index.js";
import { loadNpmConfig } from "../registry/config.js";
import { defaultRegistryOptions } from "../registry/http.js";
import type { Signatures } from "../rules/signatures.js";
import type { LoadedFindings } from "./types.js";

export interface ProjectScan {
  findings: LoadedFindings;
  report: ScanReport;
}

export async function scanProject(dir: string, options: { signatures: Signatures; signatureDirs: string[]; advisories?: AdvisoryStore; offline: boolean; cacheDir?: string }): Promise<ProjectScan> {
  const sources = await readInputs([dir], true);
  const defaults = defaultRegistryOptions();
  const npmrc = loadNpmConfig([...new Set(sources.sources.map((s) => dirname(resolve(s.file))))]);
  const registry = {
    ...defaults,
    offline: options.offline,
    npmrc,
    npmRegistry: process.env["npm_config_registry"] ? defaults.npmRegistry : npmrc.registry ?? defaults.npmRegistry,
    cacheDir: options.cacheDir ?? defaults.cacheDir,
  };
  const analyzer = createAnalyzer(Math.max(1, Math.min(4, availableParallelism())), options.signatures, options.signatureDirs);
  try {
    const report = await scanDependencies(sources, {
      signatures: options.signatures,
      ...(options.advisories ? { advisories: options.advisories } : {}),
      limits: DEFAULT_LIMITS,
      registry,
      analyzer,
      cache: new ResultCache(registry.cacheDir, analysisVersion(options.signatures.dirs)),
    });
    return { findings: { file: `deps ${dir}`, findings: report.findings.filter((f) => !f.suppressed) }, report };
  } finally {
    await analyzer.close();
  }
}
