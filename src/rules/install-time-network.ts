// install-time-network: an install script uses the network, with no credential flow and
// no exfil service at that sink (those are reported by their own rules).
import { knownHost, sinkDraftBase } from "./destination.js";
import { locationKey, type Draft, type PackageRule } from "./package-rule.js";
import { matchExfilService } from "./signatures.js";

export const installTimeNetwork = {
  id: "install-time-network",
  evaluate({ facts, signatures, credentialFlows }) {
    const drafts: Draft[] = [];
    for (const sink of facts.sinks) {
      if (sink.trigger !== "install" || credentialFlows.sinks.has(locationKey(sink.location))) continue;
      if (sink.destination && matchExfilService(signatures, sink.destination)) continue;
      const host = knownHost(sink.destination);
      drafts.push({
        ...sinkDraftBase(sink),
        ruleId: "install-time-network",
        severity: "medium",
        message: `Install script uses the network (${sink.note})${host ? ` to ${host}` : ""}`,
        attack: ["T1105"],
        identity: `${sink.channel}|${host ?? ""}`,
      });
    }
    return drafts;
  },
} satisfies PackageRule<"install-time-network">;
