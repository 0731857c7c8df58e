// `exfilscan rules [id]`: the rule catalog, from signatures/ (and --signatures directories).
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { PACKAGE_ROOT } from "../../core/version.js";
import { ruleModule } from "../../rules/registry.js";
import { renderRuleHelp, renderRuleList, renderRuleWhere, sortedRules, type RuleWhere } from "../../rules/rule-docs.js";
import { findRuleFixtures } from "../../rules/rule-fixtures.js";
import { loadSignatures, type Signatures } from "../../rules/signatures.js";

const FORMATS = ["text", "json"];

export function registerRules(program: Command): void {
  program
    .command("rules")
    .description("list every rule (id, severity, ATT&CK, summary), or print one rule's help, code, signature and fixtures")
    .argument("[id]", "a rule id: print its full help and where its code, YAML and fixtures are")
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
      const where = ruleWhere(signatures, id);
      process.stdout.write(raw.format === "json" ? `${JSON.stringify({ ...rule, ...where }, null, 2)}\n` : renderRuleHelp(rule) + renderRuleWhere(where));
    });
}

/** A rule's code (registry), the YAML it was loaded from (the last directory that has it wins) and its fixtures. */
function ruleWhere(signatures: Signatures, id: string): RuleWhere {
  const yaml = signatures.dirs.map((dir) => join(dir, "rules", `${id}.yaml`)).filter((file) => existsSync(file)).pop();
  const display = (file: string) => (file.startsWith(PACKAGE_ROOT) ? relative(PACKAGE_ROOT, file).split("\\").join("/") : file);
  const builtin = yaml !== undefined && yaml.startsWith(join(PACKAGE_ROOT, "signatures"));
  const code = builtin ? ruleModule(id) : undefined;
  return { ...(code ? { code } : {}), ...(yaml ? { signature: display(yaml) } : {}), fixtures: findRuleFixtures(id) };
}
