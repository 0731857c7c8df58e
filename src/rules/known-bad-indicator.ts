// known-bad-indicator: a string or destination names a confirmed-bad host or address
// (signatures/indicators.yaml knownBad), unless a credential-flow finding already names it.
import { knownHost } from "./destination.js";
import type { Draft, PackageRule } from "./package-rule.js";
import { matchKnownBad } from "./signatures.js";

export const knownBadIndicator = {
  id: "known-bad-indicator",
  evaluate({ facts, signatures, credentialFlows }) {
    const flowIndicators = credentialFlows.indicators;
    const candidates = [
      ...facts.indicators,
      ...facts.sinks.flatMap((s) => (s.destination ? [{ value: s.destination, location: s.location }] : [])),
    ];
    const drafts: Draft[] = [];
    for (const candidate of candidates) {
      const bad = matchKnownBad(signatures, candidate.value);
      if (!bad || flowIndicators.has(bad.value) || flowIndicators.has(knownHost(candidate.value) ?? "")) continue;
      drafts.push({
        ruleId: "known-bad-indicator",
        severity: "high",
        message: `Names known-malicious ${bad.type} ${bad.value}${bad.note ? ` (${bad.note})` : ""}`,
        location: candidate.location,
        flow: [],
        indicators: [{ type: bad.type, value: bad.value }],
        attack: ["T1195.002"],
        identity: bad.value,
      });
    }
    return drafts;
  },
} satisfies PackageRule<"known-bad-indicator">;
