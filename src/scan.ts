// The package pipeline: ingest → analyzer → facts → rules → findings, one target at a time.
// A target that fails is an entry in errors[]; the others go on.
import { knownMaliciousFindings } from "./advisories/known-malicious.js";
import type { AdvisoryStore } from "./advisories/index.js";
import type { PackageFacts, ParseProblem } from "./analyzers/facts.js";
import { evidenceSentence, unreadTextEvidence, type TextEvidence } from "./analyzers/common/unread-text.js";
import { errorMessage } from "./core/errors.js";
import { finishReport, newReport } from "./core/report.js";
import {
  type Ecosystem,
  type Finding,
  type PackageRef,
  type ScanErrorEntry,
  type ScanReport,
  type TargetInfo,
} from "./core/types.js";
import { DEFAULT_LIMITS, loadTarget, type IngestLimits, type LoadedPackage } from "./ingest/index.js";
import { evaluateFacts } from "./rules/evaluate.js";
import { scanInWorkers, workerCount, type ScanPart, type ScanWorkerData } from "./scan-workers.js";
import { unanalysedCodeFindings, unanalysedFiles } from "./rules/unanalysed-code.js";
import type { RegistryOptions } from "./registry/http.js";
import type { Signatures } from "./rules/signatures.js";
import type { AnalysisBudget } from "./analyzers/budget.js";

type Analyzer = (pkg: LoadedPackage, signatures: Signatures, budget?: Partial<AnalysisBudget>) => Promise<PackageFacts>;

/** Each analyzer is loaded when a package of its ecosystem first comes (no tree-sitter for an npm package). */
const ANALYZERS: Record<Ecosystem, Analyzer> = {
  npm: async (pkg, signatures, budget) => (await import("./analyzers/js/index.js")).analyzeNpmPackage(pkg, signatures, budget),
  pypi: async (pkg, signatures, budget) => (await import("./analyzers/python/index.js")).analyzePythonPackage(pkg, signatures, budget),
};

export interface ScanOptions {
  signatures: Signatures;
  /** Known-malicious package versions (OSV MAL- advisories); without it, no advisory check. */
  advisories?: AdvisoryStore;
  limits?: IngestLimits;
  /** Where npm:/pypi: specs are fetched from (and the cache); without it specs are an error. */
  registry?: RegistryOptions;
  /** Called after each target, for progress bars; never required. */
  onTarget?: (done: number, total: number, input: string) => void;
  /** Worker threads for many targets (default: one a core from 4 targets on; 1 = this thread only). */
  workers?: number;
  /** Analysis budget set by the user (analyzers/budget.ts); unset limits keep their defaults. */
  budget?: Partial<AnalysisBudget>;
}

export interface PackageScan {
  target: TargetInfo;
  findings: Finding[];
  errors: ScanErrorEntry[];
  /** The analyzer's facts (absent when nothing could be analyzed): version diffs compare them. */
  facts?: PackageFacts;
}

/** Analyze a package already in memory (from disk, an archive or a registry download). */
export async function scanLoadedPackage(pkg: LoadedPackage, signatures: Signatures, advisories?: AdvisoryStore, budget?: Partial<AnalysisBudget>): Promise<PackageScan> {
  const target: TargetInfo = { input: pkg.input, files: pkg.files.size, bytes: pkg.bytes };
  const errors = [...pkg.errors];
  if (!pkg.ecosystem) {
    // A package.json left out by a cap still says "npm package with install scripts unseen".
    const skipped = unanalysedFiles(pkg, errors, []);
    const message = skipped.some((s) => s.file === "package.json")
      ? "package.json was not read (see its entry): nothing else to analyze"
      : "no package.json, Python metadata or source files found: nothing to analyze";
    errors.push({ input: pkg.input, message });
    const ref: PackageRef = { ecosystem: "npm", name: pkg.name ?? pkg.input };
    const findings = unanalysedCodeFindings(pkg, undefined, ref, skipped, signatures).map((f) => ({ ...f, target: pkg.input }));
    return { target, findings, errors };
  }
  target.ecosystem = pkg.ecosystem;
  if (pkg.name) target.name = pkg.name;
  if (pkg.version) target.version = pkg.version;
  const ref: PackageRef = { ecosystem: pkg.ecosystem, name: pkg.name ?? pkg.input, ...(pkg.version ? { version: pkg.version } : {}) };
  const facts = await ANALYZERS[pkg.ecosystem](pkg, signatures, budget);
  addTextEvidence(pkg, facts.parseProblems, signatures);
  for (const problem of facts.parseProblems) {
    errors.push({ input: pkg.input, file: problem.file, message: problem.message, ...(problem.line ? { line: problem.line } : {}) });
  }
  const findings = evaluateFacts(facts, ref, signatures);
  const unanalysed = unanalysedFiles(pkg, pkg.errors, facts.parseProblems.map((p) => ({ ...p, reason: p.message })));
  findings.push(...unanalysedCodeFindings(pkg, pkg.ecosystem, ref, unanalysed, signatures));
  if (advisories) findings.push(...knownMaliciousFindings(advisories, pkg, ref, signatures));
  return { target, findings: findings.map((finding) => ({ ...finding, target: pkg.input })), errors, facts };
}

/**
 * A file the analyzer could not read in full is still read as text: what it names
 * (credential files, exfiltration services, a download command) goes with its problem, so a
 * dropper hidden in a huge or unparsable file leaves evidence (analyzers/common/unread-text.ts).
 */
function addTextEvidence(pkg: LoadedPackage, problems: ParseProblem[], signatures: Signatures): void {
  const seen = new Map<string, TextEvidence>();
  for (const problem of problems) {
    const content = pkg.files.get(problem.file);
    if (!content) continue;
    let evidence = seen.get(problem.file);
    if (!evidence) seen.set(problem.file, (evidence = unreadTextEvidence(content.toString("utf8"), signatures)));
    problem.message += evidenceSentence(evidence);
    if (evidence.indicators.length) problem.indicators = evidence.indicators;
  }
}

export async function scanTargets(inputs: string[], options: ScanOptions): Promise<ScanReport> {
  const report = newReport();
  let done = 0;
  const workers = workerCount(inputs.length, options.workers);
  if (workers > 1) {
    const parts: (ScanPart | { error: string } | undefined)[] = new Array(inputs.length);
    const data: ScanWorkerData = {
      signatureDirs: options.signatures.dirs.slice(1),
      ...(options.advisories ? { advisoryFile: options.advisories.file } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.budget ? { budget: options.budget } : {}),
    };
    await scanInWorkers(inputs, workers, data, (index, part) => {
      parts[index] = part;
      options.onTarget?.(++done, inputs.length, inputs[index]!);
    });
    inputs.forEach((input, index) => {
      const part = parts[index] ?? { error: "not scanned" };
      if ("error" in part) return void report.errors.push({ input, message: part.error });
      report.targets.push(part.target);
      report.findings.push(...part.findings);
      report.errors.push(...part.errors);
    });
    return finishReport(report);
  }
  for (const input of inputs) {
    try {
      const pkg = await loadTarget(input, options.limits ?? DEFAULT_LIMITS, options.registry);
      const result = await scanLoadedPackage(pkg, options.signatures, options.advisories, options.budget);
      report.targets.push(result.target);
      report.findings.push(...result.findings);
      report.errors.push(...result.errors);
    } catch (error) {
      report.errors.push({ input, message: errorMessage(error) });
    }
    options.onTarget?.(++done, inputs.length, input);
  }
  return finishReport(report);
}
