// credential-to-dynamic-destination: a credential reaches a sink, called at run time,
// whose destination is computed (an API client's URL parameter, say): high for the whole
// environment, medium for one credential.
import { sinkFlowsDraft } from "./credential-flows.js";
import type { PackageRule } from "./package-rule.js";

export const credentialToDynamicDestination = {
  id: "credential-to-dynamic-destination",
  evaluate: ({ credentialFlows }) =>
    credentialFlows.bySink
      .filter((g) => !g.resolved)
      .map((g) => sinkFlowsDraft(g, "credential-to-dynamic-destination", g.kinds.includes("env-dump") ? "high" : "medium")),
} satisfies PackageRule<"credential-to-dynamic-destination">;
