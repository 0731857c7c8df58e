// credential-access-with-network: a credential read and an outbound send under one
// trigger, joined only through code executed from a string that could not be decoded.
import type { Location } from "../core/types.js";
import type { Trigger } from "../analyzers/facts.js";
import { indicatorsFor } from "./destination.js";
import { CHANNEL_LABELS, SOURCE_ATTACK, SOURCE_LABELS, joinWords } from "./labels.js";
import { locationKey, type Draft, type PackageRule } from "./package-rule.js";
import { isIssuerHost, issuersOf } from "./signatures.js";

/**
 * The link cannot be followed, so it is high, not critical.
 * Call-time code counts only within one file: a whole library is "call" time.
 */
export const credentialAccessWithNetwork = {
  id: "credential-access-with-network",
  evaluate({ facts, signatures }) {
    const inFlow = new Set(facts.flows.flatMap((f) => [locationKey(f.source.location), locationKey(f.sink.location)]));
    const looseSources = facts.sources.filter((s) => !inFlow.has(locationKey(s.location)));
    const looseSinks = facts.sinks.filter(
      (s) =>
        !inFlow.has(locationKey(s.location)) &&
        !(s.destination && looseSources.every((src) => issuersOf(signatures, src.kind, src.detail).some((i) => isIssuerHost(i, s.destination!)))),
    );
    const drafts: Draft[] = [];
    // Decoded code that was analysed has no hidden link: its own flows are reported directly.
    // Code that no credential data can reach (sealed) cannot be the link.
    for (const exec of facts.obfuscations.filter((o) => o.executed && o.technique === "eval-dynamic" && !o.sealed)) {
      const sameScope = (l: Location, t: Trigger) => t === exec.trigger && ((t !== "call" && t !== "manual") || l.file === exec.location.file);
      const sources = looseSources.filter((s) => sameScope(s.location, s.trigger));
      const sinks = looseSinks.filter((s) => sameScope(s.location, s.trigger));
      if (!sources.length || !sinks.length) continue;
      const kinds = [...new Set(sources.map((s) => s.kind))].sort();
      drafts.push({
        ruleId: "credential-access-with-network",
        severity: "high",
        message: `Reads ${joinWords(kinds.map((k) => SOURCE_LABELS[k]))} and sends data by ${joinWords(sinks.map((s) => CHANNEL_LABELS[s.channel]))}, linked only through executed decoded code`,
        location: exec.location,
        trigger: exec.trigger,
        source: kinds.join(","),
        sink: sinks[0]!.channel,
        flow: [...sources.map((s) => ({ ...s.location, note: s.note })), { ...exec.location, note: exec.note }, ...sinks.map((s) => ({ ...s.location, note: s.note }))],
        indicators: sinks.flatMap((s) => indicatorsFor(s.destination)),
        attack: [...kinds.map((k) => SOURCE_ATTACK[k]), "T1027", "T1041"],
        identity: kinds.join(","),
      });
    }
    return drafts;
  },
} satisfies PackageRule<"credential-access-with-network">;
