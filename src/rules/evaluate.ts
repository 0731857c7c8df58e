// Facts → findings: runs every fact rule (src/rules/<id>.ts, listed in registry.ts; severity is decided there only), then dedupes and fingerprints.
import { createHash } from "../core/hash.js";
import type { PackageFacts } from "../analyzers/facts.js";
import type { Finding, Indicator, PackageRef } from "../core/types.js";
import { analyzeCredentialFlows } from "./credential-flows.js";
import { locationKey, type Draft, type RuleContext } from "./package-rule.js";
import { FACT_RULES } from "./registry.js";
import type { Signatures } from "./signatures.js";

export type { Draft } from "./package-rule.js";

/** Every fact rule (src/rules/registry.ts) over the package's facts, then deduplicated and finalized. */
export function evaluateFacts(facts: PackageFacts, pkg: PackageRef, signatures: Signatures): Finding[] {
  const context: RuleContext = { facts, signatures, credentialFlows: analyzeCredentialFlows(facts, signatures) };
  const drafts = FACT_RULES.flatMap((rule) => rule.evaluate(context));
  return finalize(dedupe(drafts), pkg, signatures);
}

function dedupe(drafts: Draft[]): Draft[] {
  const seen = new Map<string, Draft>();
  for (const draft of drafts) {
    const key = `${draft.ruleId}|${locationKey(draft.location)}|${draft.identity}`;
    if (!seen.has(key)) seen.set(key, draft);
  }
  return [...seen.values()];
}

/** Drafts → findings: category and ATT&CK from the rule's metadata, and the fingerprint. Shared with other checks (advisories). */
export function finalize(drafts: Draft[], pkg: PackageRef, signatures: Signatures): Finding[] {
  const occurrences = new Map<string, number>();
  return drafts.map((draft) => {
    const rule = signatures.rules.get(draft.ruleId);
    // Line numbers are left out so a fingerprint survives edits elsewhere in the file.
    const base = [draft.ruleId, pkg.ecosystem, pkg.name, draft.location.file, draft.identity].join("|");
    const nth = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, nth);
    const finding: Finding = {
      ruleId: draft.ruleId,
      severity: draft.severity,
      category: rule?.category ?? draft.ruleId,
      message: draft.message,
      package: pkg,
      location: draft.location,
      flow: draft.flow,
      indicators: uniqueIndicators(draft.indicators),
      attack: [...new Set([...(rule?.attack ?? []), ...draft.attack])].sort(),
      fingerprint: createHash("sha256").update(`${base}|${nth}`).digest("hex").slice(0, 32),
    };
    if (draft.trigger) finding.trigger = draft.trigger;
    if (draft.source) finding.source = draft.source;
    if (draft.sink) finding.sink = draft.sink;
    return finding;
  });
}

function uniqueIndicators(indicators: Indicator[]): Indicator[] {
  const seen = new Set<string>();
  return indicators.filter((i) => !seen.has(`${i.type}|${i.value}`) && seen.add(`${i.type}|${i.value}`));
}
