// Meta-test of the rule registry: every rule in signatures/rules/ has code found by its id,
// every fact rule lives in src/rules/<id>.ts and has its YAML, and the log detectors'
// rules are registered too.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOG_RULE_IDS } from "../../src/logs/detectors/index.js";
import { FACT_RULES, OTHER_RULE_MODULES, ruleModule } from "../../src/rules/registry.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { ROOT } from "../helpers/cli.js";

const signatures = loadSignatures();

/** The module's text names the rule id, or (where it decides and a helper words the alert) a module it imports directly. */
function namesRule(module: string, id: string): boolean {
  const text = readFileSync(join(ROOT, module), "utf8");
  if (text.includes(`"${id}"`)) return true;
  const imports = [...text.matchAll(/^import [^;]*? from "(\.{1,2}\/[^"]+)\.js";/gm)].map((m) => join(dirname(module), `${m[1]}.ts`));
  return imports.some((file) => existsSync(join(ROOT, file)) && readFileSync(join(ROOT, file), "utf8").includes(`"${id}"`));
}

describe("rule registry", () => {
  it.each(FACT_RULES.map((r) => r.id))("fact rule %s: src/rules/<id>.ts exports it, signatures/rules/<id>.yaml describes it", (id) => {
    const file = join(ROOT, "src", "rules", `${id}.ts`);
    expect(existsSync(file), `src/rules/${id}.ts`).toBe(true);
    expect(readFileSync(file, "utf8")).toContain(`id: "${id}"`);
    expect(signatures.rules.has(id), `signatures/rules/${id}.yaml`).toBe(true);
  });

  it("names each rule once", () => {
    const ids = [...FACT_RULES.map((r) => r.id), ...Object.keys(OTHER_RULE_MODULES)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([...signatures.rules.keys()].sort())("rule %s has code at a path that exists", (id) => {
    const module = ruleModule(id);
    expect(module, `${id} is in neither FACT_RULES nor OTHER_RULE_MODULES (src/rules/registry.ts)`).toBeDefined();
    expect(existsSync(join(ROOT, module!)), module).toBe(true);
    expect(namesRule(module!, id), `${module} (or a module it imports) names ${id}`).toBe(true);
  });

  it("registers every rule the log detectors raise, and nothing without YAML", () => {
    for (const id of LOG_RULE_IDS) expect(ruleModule(id), id).toMatch(/^src\/logs\/detectors\//);
    for (const id of Object.keys(OTHER_RULE_MODULES)) expect(signatures.rules.has(id), id).toBe(true);
  });

  it("has no code for an id from a --signatures directory", () => {
    expect(ruleModule("team-beacon")).toBeUndefined();
  });
});
