// Reads the `expect:` annotations of fixture packages (inline comments and
// <file>.expect.json sidecars): the contract of the generic fixture test.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures");
export const ECOSYSTEMS = ["npm", "pypi"];

/** Fixture package folders, as "npm/malicious/<case>". */
export function fixtureCases(kind: "malicious" | "benign"): string[] {
  return ECOSYSTEMS.flatMap((eco) => {
    const dir = join(FIXTURES, eco, kind);
    return existsSync(dir) ? readdirSync(dir).sort().map((name) => join(eco, kind, name)) : [];
  });
}

export interface Expectation {
  file: string;
  line: number;
  ruleId: string;
  severity: string;
}

// `// expect: rule sev; rule2 sev2` or `# expect: …`, anywhere on the line.
const ANNOTATION = /(?:\/\/|#)\s*expect:\s*([a-z0-9-]+\s+[a-z]+(?:\s*;\s*[a-z0-9-]+\s+[a-z]+)*)/;
// `// todo-expect: rule sev` (or `#`): a known miss. The finding is wanted but not produced
// yet; the fixture test fails once it is produced, so the annotation gets promoted.
const TODO_ANNOTATION = /(?:\/\/|#)\s*todo-expect:\s*([a-z0-9-]+\s+[a-z]+(?:\s*;\s*[a-z0-9-]+\s+[a-z]+)*)/;

export function listFiles(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const full = join(root, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full).map((p) => `${name}/${p}`));
    else out.push(name);
  }
  return out;
}

/** The `expect:` annotations (and .expect.json sidecars) of a package: what it must report. */
export function readExpectations(packageDir: string): Expectation[] {
  return readAnnotations(packageDir, ANNOTATION, true);
}

/** The `todo-expect:` annotations of a package: known misses, which must not be reported yet. */
export function readTodoExpectations(packageDir: string): Expectation[] {
  return readAnnotations(packageDir, TODO_ANNOTATION, false);
}

// `// known-false-positive: rule sev` (or `#`) in a benign fixture: a finding the scanner
// produces on it today although the code is benign. The fixture test requires it to be
// present (it fails once fixed, so the annotation gets removed) and nothing else.
const KNOWN_FALSE_POSITIVE = /(?:\/\/|#)\s*known-false-positive:\s*([a-z0-9-]+\s+[a-z]+(?:\s*;\s*[a-z0-9-]+\s+[a-z]+)*)/;

/** The `known-false-positive:` annotations of a benign package. */
export function readKnownFalsePositives(packageDir: string): Expectation[] {
  return readAnnotations(packageDir, KNOWN_FALSE_POSITIVE, false);
}

function readAnnotations(packageDir: string, annotation: RegExp, sidecars: boolean): Expectation[] {
  const expectations: Expectation[] = [];
  for (const file of listFiles(packageDir)) {
    const full = join(packageDir, file);
    if (file.endsWith(".expect.json")) {
      if (!sidecars) continue;
      const target = file.slice(0, -".expect.json".length);
      const entries = JSON.parse(readFileSync(full, "utf8")) as Omit<Expectation, "file">[];
      for (const entry of entries) expectations.push({ file: target, line: entry.line, ruleId: entry.ruleId, severity: entry.severity });
      continue;
    }
    const text = readFileSync(full, "utf8");
    text.split("\n").forEach((lineText, index) => {
      const match = annotation.exec(lineText);
      if (!match) return;
      for (const part of match[1]!.split(";")) {
        const [ruleId, severity] = part.trim().split(/\s+/);
        expectations.push({ file, line: index + 1, ruleId: ruleId!, severity: severity! });
      }
    });
  }
  return expectations;
}

// `// look-alike: rule-a, rule-b` (or `#`): a benign package built to resemble what these
// rules catch; they must not fire on it at any severity.
const LOOK_ALIKE = /(?:\/\/|#)\s*look-alike:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/;

export function readLookAlikes(packageDir: string): string[] {
  const rules = new Set<string>();
  for (const file of listFiles(packageDir)) {
    if (file.endsWith(".json")) continue;
    const match = LOOK_ALIKE.exec(readFileSync(join(packageDir, file), "utf8"));
    for (const rule of match?.[1]?.split(",") ?? []) rules.add(rule.trim());
  }
  return [...rules].sort();
}

export const expectationKey = (e: Expectation): string => `${e.file}:${e.line} ${e.ruleId} ${e.severity}`;
