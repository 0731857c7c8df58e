// The known-malicious-package check: the scanned package's name and version against the
// OSV MAL- advisories in the local store.
import type { Finding, PackageRef } from "../core/types.js";
import type { LoadedPackage } from "../ingest/index.js";
import { finalize, type Draft } from "../rules/evaluate.js";
import type { Signatures } from "../rules/signatures.js";
import { packageKey, type AdvisoryStore } from "./index.js";
import { manifestVersionLocation } from "./manifest-location.js";
import { isAffected } from "./versions.js";

export const KNOWN_MALICIOUS_RULE = "known-malicious-package";

export type KnownMaliciousDraft = Omit<Draft, "location">;

/** The advisories naming this package at this version, as one draft; undefined when none does. */
export function matchKnownMalicious(store: AdvisoryStore, pkg: PackageRef): KnownMaliciousDraft | undefined {
  const entries = store.byPackage.get(packageKey(pkg.ecosystem, pkg.name)) ?? [];
  const advisories = [...new Map(entries.filter((e) => isAffected(pkg.ecosystem, pkg.version, e.affected)).map((e) => [e.advisory.id, e.advisory])).values()];
  if (advisories.length === 0) return undefined;
  advisories.sort((a, b) => a.id.localeCompare(b.id));
  const [first, ...others] = advisories;
  const what = `${pkg.name}${pkg.version ? `@${pkg.version}` : ""}`;
  return {
    ruleId: KNOWN_MALICIOUS_RULE,
    severity: "critical",
    message:
      `${what} is a known-malicious package: ${first!.id} "${first!.summary}"` +
      (others.length ? ` (also ${others.map((a) => a.id).join(", ")})` : ""),
    flow: [],
    indicators: [],
    attack: ["T1195.002"],
    // The advisory ids stay out: a new advisory for the same package must not change the fingerprint.
    identity: "osv",
  };
}

/** The finding at the manifest's version line, finalized like every other finding. */
export function knownMaliciousFindings(store: AdvisoryStore, pkg: LoadedPackage, ref: PackageRef, signatures: Signatures): Finding[] {
  const draft = matchKnownMalicious(store, ref);
  if (!draft || !pkg.ecosystem) return [];
  return finalize([{ ...draft, location: manifestVersionLocation(pkg.ecosystem, pkg.files) }], ref, signatures);
}
