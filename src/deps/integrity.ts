// integrity-mismatch: an archive whose digest is not the one the lockfile pins. Raised by the
// lockfile scan (the package's archive) and by the installed check (the pinned wheel).
import type { DependencyInfo, Finding, PackageRef } from "../core/types.js";
import type { IntegrityError } from "../registry/http.js";
import { finalize } from "../rules/evaluate.js";
import type { Signatures } from "../rules/signatures.js";
import { INTEGRITY_MISMATCH } from "./rules.js";
import type { ResolvedPackage } from "./types.js";

export function integrityFinding(pkg: ResolvedPackage, error: IntegrityError, signatures: Signatures, dependency?: DependencyInfo): Finding {
  const ref: PackageRef = { ecosystem: pkg.ecosystem, name: pkg.name, ...(pkg.version ? { version: pkg.version } : {}) };
  const [finding] = finalize(
    [
      {
        ruleId: INTEGRITY_MISMATCH,
        severity: "critical",
        message: `${pkg.name}@${pkg.version}: ${pkg.lockfile}:${pkg.line} pins ${error.expected.algorithm} ${error.expected.value}, the archive downloaded from ${error.url} has ${error.actual}; it was not scanned or cached`,
        location: { file: pkg.lockfile, line: pkg.line, column: 1 },
        flow: [],
        indicators: [{ type: "url", value: error.url }],
        attack: ["T1195.002"],
        identity: `${error.expected.algorithm}:${error.expected.value}`,
      },
    ],
    ref,
    signatures,
  );
  return { ...finding!, category: "integrity", target: `${pkg.ecosystem}:${pkg.name}${pkg.version ? `@${pkg.version}` : ""}`, ...(dependency ? { dependency } : {}) };
}
