// The fixtures that name a rule, found by its id: `expect:` / `todo-expect:` annotations
// and `.expect.json` sidecars (must fire), `look-alike:` headers of benign packages (must
// not fire). Fixtures are not shipped in the npm package: outside a source checkout this
// finds none. The annotation grammar is docs/fixtures.md's (test/helpers/expectations.ts).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { PACKAGE_ROOT } from "../core/version.js";

export const FIXTURES_DIR = join(PACKAGE_ROOT, "fixtures");

export interface RuleFixtures {
  /** "fixtures/…/file:line severity" of every expect: annotation or sidecar entry. */
  expect: string[];
  /** Known misses: todo-expect: annotations. */
  todo: string[];
  /** Benign fixture files whose look-alike: header names the rule. */
  lookAlikes: string[];
}

const MAX_BYTES = 512 * 1024;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

export function findRuleFixtures(ruleId: string, root = FIXTURES_DIR): RuleFixtures {
  const found: RuleFixtures = { expect: [], todo: [], lookAlikes: [] };
  if (!existsSync(root)) return found;
  const display = (file: string) => relative(PACKAGE_ROOT, file).split("\\").join("/");
  const annotation = (kind: string) => new RegExp(`(?:\\/\\/|#)\\s*${kind}:\\s*((?:[a-z0-9-]+\\s+[a-z]+\\s*;\\s*)*)${ruleId}\\s+([a-z]+)`);
  const expect = annotation("expect");
  const todo = annotation("todo-expect");
  const lookAlike = /(?:\/\/|#)\s*look-alike:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/;
  for (const file of listFiles(root)) {
    if (statSync(file).size > MAX_BYTES) continue;
    const text = readFileSync(file, "utf8");
    if (!text.includes(ruleId)) continue;
    if (file.endsWith(".expect.json")) {
      const target = display(file.slice(0, -".expect.json".length));
      try {
        // Package sidecars are [{ line, ruleId, severity }]; host-log sidecars nest alerts deeper.
        const alerts: { line?: unknown; severity?: unknown }[] = [];
        const collect = (value: unknown): void => {
          if (Array.isArray(value)) value.forEach(collect);
          else if (value && typeof value === "object") {
            if ((value as { ruleId?: unknown }).ruleId === ruleId) alerts.push(value as { line?: unknown; severity?: unknown });
            else Object.values(value).forEach(collect);
          }
        };
        collect(JSON.parse(text));
        const lined = alerts.filter((a) => typeof a.line === "number");
        for (const a of lined) found.expect.push(`${target}:${String(a.line)}${typeof a.severity === "string" ? ` ${a.severity}` : ""}`);
        if (alerts.length > lined.length) found.expect.push(`${target} (${alerts.length - lined.length} alert${alerts.length - lined.length > 1 ? "s" : ""})`);
      } catch {
        // A sidecar that is not JSON is the fixture test's to report.
      }
      continue;
    }
    const header = file.endsWith(".json") ? undefined : lookAlike.exec(text);
    if (header?.[1]?.split(",").some((r) => r.trim() === ruleId)) found.lookAlikes.push(display(file));
    text.split("\n").forEach((line, index) => {
      const hit = expect.exec(line) ?? undefined;
      if (hit) found.expect.push(`${display(file)}:${index + 1} ${hit[2]}`);
      const miss = todo.exec(line) ?? undefined;
      if (miss) found.todo.push(`${display(file)}:${index + 1} ${miss[2]}`);
    });
  }
  return found;
}
