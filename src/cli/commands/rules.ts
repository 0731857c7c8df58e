// `exfilscan rules [id]`: the rule catalog, from signatures/ (and --signatures directories).
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { renderRuleHelp, renderRuleList, sortedRules } from "../../rules/rule-docs.js";
import { loadSignatures } from "../../rules/signatures.js";

const FORMATS = ["text", "json"];

export function registerRules(program: Command): void {
  program
    .command("rules")
    .description("list every rule (id, severity, ATT&CK, summary), or print one rule's help")
    .argument("[id]", "a rule id: print its full help")
    .option("-f, --format <format>", `output format: ${FORMATS.join("|")}`, "text")
    .action((id: string | undefined, raw: { format: string }) => {
      if (!FORMATS.includes(raw.format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")} (got "${raw.format}")`);
      const signatures = loadSignatures((program.opts()["signatures"] as string[] | undefined) ?? []);
      if (id === undefined) {
        const rules = sortedRules(signatures.rules.values());
        process.stdout.write(raw.format === "json" ? `${JSON.stringify({ schemaVersion: 1, rules }, null, 2)}\n` : renderRuleList(rules));
        return;
      }
      const rule = signatures.rules.get(id);
      if (!rule) throw new UsageError(`unknown rule "${id}"; \`exfilscan rules\` lists the ${signatures.rules.size} rules`);
      process.stdout.write(raw.format === "json" ? `${JSON.stringify(rule, null, 2)}\n` : renderRuleHelp(rule));
    });
}
