// Every rule, found by one name: the package rules that run over facts (in this order), and
// where the code of every rule in signatures/rules/ lives. `exfilscan rules <id>` and the
// meta-tests (test/rules/registry.test.ts) read this; adding a rule means a line here.
import { credentialAccessWithNetwork } from "./credential-access-with-network.js";
import { credentialExfiltration } from "./credential-exfiltration.js";
import { credentialToDynamicDestination } from "./credential-to-dynamic-destination.js";
import { exfilServiceDestination } from "./exfil-service-destination.js";
import { installTimeDownloadExecute } from "./install-time-download-execute.js";
import { installTimeNetwork } from "./install-time-network.js";
import { knownBadIndicator } from "./known-bad-indicator.js";
import { obfuscatedCodeExecution } from "./obfuscated-code-execution.js";
import { remoteDependency } from "./remote-dependency.js";
import { runtimeDownloadExecute } from "./runtime-download-execute.js";
import type { PackageRule } from "./package-rule.js";

/** Rules over a package's facts (src/rules/<id>.ts), evaluated in this order. */
export const FACT_RULES = [
  credentialExfiltration,
  credentialToDynamicDestination,
  exfilServiceDestination,
  installTimeNetwork,
  installTimeDownloadExecute,
  runtimeDownloadExecute,
  credentialAccessWithNetwork,
  obfuscatedCodeExecution,
  knownBadIndicator,
  remoteDependency,
] as const satisfies readonly PackageRule[];

export type FactRuleId = (typeof FACT_RULES)[number]["id"];

/** Rules raised outside src/rules/ (package metadata, version diffs, host logs): id → the module that raises it. */
export const OTHER_RULE_MODULES = {
  "known-malicious-package": "src/advisories/known-malicious.ts",
  "unanalysed-code": "src/rules/unanalysed-code.ts",
  "new-capability-in-update": "src/diff/index.ts",
  "new-ssh-destination": "src/logs/detectors/new-ssh-destination.ts",
  "ssh-key-generated": "src/logs/detectors/ssh-key-generated.ts",
  "authorized-keys-modified": "src/logs/detectors/authorized-keys-modified.ts",
  "ssh-brute-force": "src/logs/detectors/ssh-brute-force.ts",
  "ssh-slow-brute-force": "src/logs/detectors/ssh-brute-force-slow.ts",
  "ssh-penalty-recidivist": "src/logs/detectors/ssh-brute-force-episodes.ts",
  "login-after-failures": "src/logs/detectors/login-after-failures.ts",
  "sshd-in-container": "src/logs/detectors/sshd-in-container.ts",
} as const satisfies Record<string, string>;

export type BuiltinRuleId = FactRuleId | keyof typeof OTHER_RULE_MODULES;

/** The source file of a built-in rule's code (relative to the package root); undefined for rules from --signatures directories. */
export function ruleModule(id: string): string | undefined {
  if (FACT_RULES.some((r) => r.id === id)) return `src/rules/${id}.ts`;
  return (OTHER_RULE_MODULES as Record<string, string>)[id];
}
