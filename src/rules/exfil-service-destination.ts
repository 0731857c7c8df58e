// exfil-service-destination: data sent to a service that receives exfiltrated data (chat
// webhooks, request bins, tunnels, OAST; signatures/indicators.yaml exfilServices) with no
// credential flow to that sink: high at install time, medium otherwise.
import { knownHost, sinkDraftBase } from "./destination.js";
import { CHANNEL_ATTACK, CHANNEL_LABELS } from "./labels.js";
import { locationKey, type Draft, type PackageRule } from "./package-rule.js";
import { matchExfilService } from "./signatures.js";

export const exfilServiceDestination = {
  id: "exfil-service-destination",
  evaluate({ facts, signatures, credentialFlows }) {
    const drafts: Draft[] = [];
    for (const sink of facts.sinks) {
      if (credentialFlows.sinks.has(locationKey(sink.location))) continue;
      const service = sink.destination ? matchExfilService(signatures, sink.destination) : undefined;
      if (!service) continue;
      const host = knownHost(sink.destination);
      drafts.push({
        ...sinkDraftBase(sink),
        ruleId: "exfil-service-destination",
        severity: sink.trigger === "install" ? "high" : "medium",
        message: `Sends data by ${CHANNEL_LABELS[sink.channel]} to ${service.name} (${host ?? sink.destination})${sink.trigger === "install" ? " at install time" : ""}`,
        attack: ["T1567", CHANNEL_ATTACK[sink.channel]],
        identity: `${service.name}|${host ?? ""}`,
      });
    }
    return drafts;
  },
} satisfies PackageRule<"exfil-service-destination">;
