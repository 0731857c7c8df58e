// Version diffs: what a new version of a package can do that the old one could not.
// Both versions go through the normal pipeline; their capabilities are compared by key
// (src/diff/capabilities.ts) and each added one becomes a `new-capability-in-update`
// finding. The new version's own findings that the old one did not have are kept too.
import { createHash } from "node:crypto";
import type { AdvisoryStore } from "../advisories/index.js";
import { errorMessage } from "../core/errors.js";
import { finishReport, newReport } from "../core/report.js";
import type { Finding, PackageRef, ScanReport } from "../core/types.js";
import { DEFAULT_LIMITS, loadTarget, type IngestLimits, type LoadedPackage } from "../ingest/index.js";
import type { RegistryOptions } from "../registry/http.js";
import { indicatorsFor } from "../rules/destination.js";
import type { Signatures } from "../rules/signatures.js";
import { scanLoadedPackage, type PackageScan } from "../scan.js";
import { addedCapabilities, extractCapabilities, type Capability } from "./capabilities.js";

export const RULE_ID = "new-capability-in-update";

export interface ScannedVersion {
  pkg: LoadedPackage;
  scan: PackageScan;
}

export interface DiffOptions {
  signatures: Signatures;
  advisories?: AdvisoryStore;
  limits?: IngestLimits;
  registry?: RegistryOptions;
}

const spec = (ref: { name?: string; version?: string }) => `${ref.name ?? "?"}${ref.version ? `@${ref.version}` : ""}`;

/** The findings a move from `previous` to `next` adds (capabilities, then new findings of `next`). */
export function diffVersions(previous: ScannedVersion, next: ScannedVersion, signatures: Signatures): Finding[] {
  const before = extractCapabilities(previous.pkg, previous.scan.facts);
  const after = extractCapabilities(next.pkg, next.scan.facts);
  const ref: PackageRef = {
    ecosystem: next.pkg.ecosystem ?? "npm",
    name: next.pkg.name ?? next.pkg.input,
    ...(next.pkg.version ? { version: next.pkg.version } : {}),
  };
  const move = `${spec(previous.pkg)} → ${next.pkg.version ?? spec(next.pkg)}`;
  const rule = signatures.rules.get(RULE_ID);
  const capabilityFindings = addedCapabilities(before, after).map((c) => capabilityFinding(c, ref, move, next.pkg.input, rule?.attack ?? [], rule?.category));
  const known = new Set(previous.scan.findings.map(findingIdentity));
  const newFindings = next.scan.findings.filter((f) => !known.has(findingIdentity(f)));
  return [...capabilityFindings, ...newFindings];
}

/** What a finding is about, without file or line: code moved between files is the same finding. */
function findingIdentity(f: Finding): string {
  return [f.ruleId, f.severity, f.trigger ?? "", f.source ?? "", f.sink ?? "", f.indicators.map((i) => i.value).sort().join(",")].join("|");
}

function capabilityFinding(c: Capability, pkg: PackageRef, move: string, target: string, ruleAttack: string[], category = "update"): Finding {
  const finding: Finding = {
    ruleId: RULE_ID,
    severity: c.severity,
    category,
    message: `Update ${move} adds: ${c.label}`,
    package: pkg,
    target,
    location: c.location,
    flow: [{ ...c.location, note: c.label }],
    indicators: indicatorsFor(c.destination),
    attack: [...new Set([...ruleAttack, ...c.attack])].sort(),
    // No version and no location: the same capability added by the next update too is the same finding.
    fingerprint: createHash("sha256").update([RULE_ID, pkg.ecosystem, pkg.name, c.key].join("|")).digest("hex").slice(0, 32),
  };
  if (c.trigger) finding.trigger = c.trigger;
  if (c.source) finding.source = c.source;
  if (c.sink) finding.sink = c.sink;
  return finding;
}

async function loadAndScan(input: string, options: DiffOptions): Promise<ScannedVersion> {
  const pkg = await loadTarget(input, options.limits ?? DEFAULT_LIMITS, options.registry);
  return { pkg, scan: await scanLoadedPackage(pkg, options.signatures, options.advisories) };
}

/** `exfilscan diff <old> <new>`: a report on the new version holding only what it adds. */
export async function diffTargets(oldInput: string, newInput: string, options: DiffOptions): Promise<ScanReport> {
  const report = newReport();
  const versions: (ScannedVersion | undefined)[] = [];
  for (const input of [oldInput, newInput]) {
    try {
      const version = await loadAndScan(input, options);
      report.targets.push(version.scan.target);
      report.errors.push(...version.scan.errors);
      versions.push(version);
    } catch (error) {
      report.errors.push({ input, message: errorMessage(error) });
      versions.push(undefined);
    }
  }
  const [previous, next] = versions;
  if (!previous || !next) {
    report.errors.push({ input: `${oldInput} → ${newInput}`, message: "version diff not made: both versions must be readable" });
    report.targets = [];
    return finishReport(report);
  }
  if (previous.pkg.ecosystem !== next.pkg.ecosystem) {
    report.errors.push({ input: `${oldInput} → ${newInput}`, message: `cannot compare a ${previous.pkg.ecosystem ?? "unknown"} package with a ${next.pkg.ecosystem ?? "unknown"} one` });
    report.targets = [];
    return finishReport(report);
  }
  report.findings.push(...diffVersions(previous, next, options.signatures));
  return finishReport(report);
}
