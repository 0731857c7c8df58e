// Rule metadata rendered for people: the `exfilscan rules` list and help, and README's
// rule table (generated from the same data, and checked for staleness by a test).
import { severityRank } from "../core/types.js";
import type { RuleFixtures } from "./rule-fixtures.js";
import type { RuleMeta } from "./schema.js";
import { joinLines } from "../core/trim.js";

export const README_RULES_START = "<!-- rules:start -->";
export const README_RULES_END = "<!-- rules:end -->";

/** Worst first, then by id: the order of every listing. */
export function sortedRules(rules: Iterable<RuleMeta>): RuleMeta[] {
  return [...rules].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id));
}

const firstLine = (text: string): string => text.trim().split("\n")[0]!.trim();
const cell = (text: string): string => joinLines(text.replace(/[|*]/g, "\\$&"));

/** Markdown table for README, between the rules:start/end markers. */
export function renderRuleTable(rules: Iterable<RuleMeta>): string {
  const rows = sortedRules(rules).map(
    (r) => `| \`${r.id}\` | ${r.severity} | ${r.attack.join(", ") || "–"} | ${cell(firstLine(r.summary))} |`,
  );
  return ["| Rule | Severity | ATT&CK | What it reports |", "|---|---|---|---|", ...rows].join("\n");
}

/** README with the section between the markers replaced; throws when a marker is missing. */
export function replaceRuleSection(readme: string, table: string): string {
  const start = readme.indexOf(README_RULES_START);
  const end = readme.indexOf(README_RULES_END);
  if (start < 0 || end < start) throw new Error(`README has no ${README_RULES_START} … ${README_RULES_END} section`);
  return `${readme.slice(0, start + README_RULES_START.length)}\n${table}\n${readme.slice(end)}`;
}

/** The section currently between the markers, trimmed; undefined without markers. */
export function currentRuleSection(readme: string): string | undefined {
  const start = readme.indexOf(README_RULES_START);
  const end = readme.indexOf(README_RULES_END);
  return start < 0 || end < start ? undefined : readme.slice(start + README_RULES_START.length, end).trim();
}

/** Plain-text table for `exfilscan rules`. */
export function renderRuleList(rules: Iterable<RuleMeta>): string {
  const sorted = sortedRules(rules);
  const rows = [["RULE", "SEVERITY", "ATT&CK", "SUMMARY"], ...sorted.map((r) => [r.id, r.severity, r.attack.join(",") || "-", firstLine(r.summary)])];
  const widths = [0, 1, 2].map((col) => Math.max(...rows.map((row) => row[col]!.length)));
  return `${rows.map((row) => row.map((value, col) => (col < 3 ? value.padEnd(widths[col]!) : value)).join("  ")).join("\n")}\n`;
}

/** Full help for `exfilscan rules <id>`. */
export function renderRuleHelp(rule: RuleMeta): string {
  const lines = [
    `${rule.id}: ${rule.title}`,
    "",
    `severity: ${rule.severity}`,
    `category: ${rule.category}`,
    `ATT&CK:   ${rule.attack.join(", ") || "-"}`,
    "",
    rule.summary.trim(),
    "",
    rule.help.trim(),
  ];
  if (rule.references.length) lines.push("", "References:", ...rule.references.map((r) => `  ${r}`));
  return `${lines.join("\n")}\n`;
}

/** Where a rule is found by its id: its code, its YAML, its fixtures. */
export interface RuleWhere {
  code?: string;
  signature?: string;
  fixtures: RuleFixtures;
}

/** The "where" part of `exfilscan rules <id>`. */
export function renderRuleWhere(where: RuleWhere): string {
  const list = (title: string, items: string[]) => (items.length ? ["", `${title}:`, ...items.map((i) => `  ${i}`)] : []);
  const lines = [
    "",
    `Code:      ${where.code ?? "- (a rule from a --signatures directory: raised by no built-in code)"}`,
    `Signature: ${where.signature ?? "-"}`,
    ...list("Fixtures that must report it", where.fixtures.expect),
    ...list("Known misses (todo-expect)", where.fixtures.todo),
    ...list("Look-alikes that must not report it", where.fixtures.lookAlikes),
  ];
  if (!where.fixtures.expect.length && !where.fixtures.lookAlikes.length) lines.push("", "Fixtures:  none found (they live in fixtures/ of a source checkout)");
  return `${lines.join("\n")}\n`;
}
