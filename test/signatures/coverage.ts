// Which rules the fixture corpus exercises: positives (`expect:` annotations) and
// negatives (`look-alike:` headers of benign packages), in fixtures/{npm,pypi} and in
// fixtures/advisories (packages that are only malicious given the OSV sample store).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, fixtureCases, readExpectations, readLookAlikes } from "../helpers/expectations.js";

export const ADVISORY_FIXTURES = join(FIXTURES, "advisories");

/** fixtures/advisories/<eco>/<kind>/<case>, as "<eco>/<kind>/<case>". */
export function advisoryCases(kind: "malicious" | "benign"): string[] {
  return ["npm", "pypi"].flatMap((eco) => {
    const dir = join(ADVISORY_FIXTURES, eco, kind);
    return existsSync(dir) ? readdirSync(dir).sort().map((name) => `${eco}/${kind}/${name}`) : [];
  });
}

/** fixtures/diff/<eco>/<kind>/<pair>/new: the new version of a version-diff pair (annotated like any fixture). */
export function diffPairNewVersions(kind: "malicious" | "benign"): string[] {
  return ["npm", "pypi"].flatMap((eco) => {
    const dir = join(FIXTURES, "diff", eco, kind);
    return existsSync(dir) ? readdirSync(dir).sort().map((name) => join(dir, name, "new")) : [];
  });
}

export interface Coverage {
  /** rule id → fixture packages with an expect: annotation for it */
  positives: Map<string, string[]>;
  /** rule id → benign fixture packages that name it in look-alike: */
  lookAlikes: Map<string, string[]>;
}

export function fixtureCoverage(): Coverage {
  const coverage: Coverage = { positives: new Map(), lookAlikes: new Map() };
  const add = (map: Map<string, string[]>, rule: string, where: string) => map.set(rule, [...(map.get(rule) ?? []), where]);
  const packages = (kind: "malicious" | "benign") => [
    ...fixtureCases(kind).map((c) => join(FIXTURES, c)),
    ...advisoryCases(kind).map((c) => join(ADVISORY_FIXTURES, c)),
    ...diffPairNewVersions(kind),
  ];
  for (const dir of packages("malicious")) for (const e of readExpectations(dir)) add(coverage.positives, e.ruleId, dir);
  for (const dir of packages("benign")) for (const rule of readLookAlikes(dir)) add(coverage.lookAlikes, rule, dir);
  return coverage;
}

/** Rule ids named anywhere in the host-log fixtures' sidecars (fixtures/logs/**\/*.expect.json): tested there, not by packages. */
export function hostLogRuleIds(): Set<string> {
  const dir = join(FIXTURES, "logs");
  const ids = new Set<string>();
  if (!existsSync(dir)) return ids;
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (key === "ruleId" && typeof inner === "string") ids.add(inner);
        else collect(inner);
      }
    }
  };
  const sidecars = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".expect.json"));
  for (const file of sidecars) collect(JSON.parse(readFileSync(join(dir, file), "utf8")));
  return ids;
}
