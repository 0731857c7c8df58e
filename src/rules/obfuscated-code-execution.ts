// obfuscated-code-execution: obfuscated code (medium when the decoded code is executed,
// low otherwise).
import type { PackageRule } from "./package-rule.js";

export const obfuscatedCodeExecution = {
  id: "obfuscated-code-execution",
  evaluate: ({ facts }) =>
    facts.obfuscations.map((obfuscation) => ({
      ruleId: "obfuscated-code-execution",
      severity: obfuscation.executed ? "medium" : "low",
      message: obfuscation.executed ? `Executes decoded code: ${obfuscation.note}` : `Obfuscated code: ${obfuscation.note}`,
      location: obfuscation.location,
      trigger: obfuscation.trigger,
      flow: [],
      indicators: [],
      attack: ["T1027"],
      identity: obfuscation.technique,
    })),
} satisfies PackageRule<"obfuscated-code-execution">;
