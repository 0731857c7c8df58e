// remote-dependency: a dependency installed from a URL on a host that is neither a package
// registry nor a git host (the PhantomRaven shape: the published package is clean, the code
// that runs at install is fetched from the attacker's server and never scanned).
import type { RemoteDependencyFact } from "../analyzers/facts.js";
import { indicatorsFor } from "./destination.js";
import type { Draft, PackageRule } from "./package-rule.js";
import type { Signatures } from "./signatures.js";

/**
 * Registry and git hosts are the hosts that serve package code under their own accounts:
 * the issuers of registry tokens and git credentials (signatures/indicators.yaml).
 */
function isCodeHost(signatures: Signatures, host: string): boolean {
  return signatures.issuers.some((i) => (i.kinds.includes("registry-token") || i.kinds.includes("git-credentials")) && i.hosts.some((h) => h.test(host)));
}

function hostOfSpec(spec: string): string | undefined {
  try {
    return new URL(spec.replace(/^git\+/i, "")).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

export const remoteDependency = {
  id: "remote-dependency",
  evaluate({ facts, signatures }) {
    const drafts: Draft[] = [];
    for (const dep of facts.remoteDependencies ?? ([] as RemoteDependencyFact[])) {
      const host = hostOfSpec(dep.spec);
      if (host && isCodeHost(signatures, host)) continue;
      drafts.push({
        ruleId: "remote-dependency",
        severity: "high",
        message: `Dependency "${dep.name}" (${dep.field}) is downloaded from ${host ?? dep.spec} at install, not from a registry: its code and install scripts run unscanned`,
        location: dep.location,
        trigger: "install",
        sink: "http",
        flow: [{ ...dep.location, note: `${dep.field}.${dep.name}: ${dep.spec}` }],
        indicators: indicatorsFor(dep.spec.replace(/^git\+/i, "")),
        attack: ["T1195.002", "T1105"],
        identity: `${dep.name}|${host ?? ""}`,
      });
    }
    return drafts;
  },
} satisfies PackageRule<"remote-dependency">;
