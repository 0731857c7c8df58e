// credential-exfiltration: a credential reaches a network sink whose destination is
// literal, or that runs at install or import time.
import { sinkFlowsDraft } from "./credential-flows.js";
import type { PackageRule } from "./package-rule.js";

export const credentialExfiltration = {
  id: "credential-exfiltration",
  evaluate: ({ credentialFlows }) =>
    credentialFlows.bySink.filter((g) => g.resolved).map((g) => sinkFlowsDraft(g, "credential-exfiltration", "critical")),
} satisfies PackageRule<"credential-exfiltration">;
