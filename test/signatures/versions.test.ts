import { describe, expect, it } from "vitest";
import { comparePep440, parsePep440 } from "../../src/advisories/pep440.js";
import { compareSemver, parseSemver } from "../../src/advisories/semver.js";
import type { AffectedPackage } from "../../src/advisories/types.js";
import { isAffected } from "../../src/advisories/versions.js";

const semver = (a: string, b: string) => compareSemver(parseSemver(a)!, parseSemver(b)!);
const pep = (a: string, b: string) => comparePep440(parsePep440(a)!, parsePep440(b)!);

/** Asserts each item is strictly less than the next, and equal to itself. */
function expectAscending(items: string[], compare: (a: string, b: string) => number): void {
  for (let i = 0; i < items.length; i++) {
    expect(compare(items[i]!, items[i]!), `${items[i]} = ${items[i]}`).toBe(0);
    for (let j = i + 1; j < items.length; j++) {
      expect(compare(items[i]!, items[j]!), `${items[i]} < ${items[j]}`).toBeLessThan(0);
      expect(compare(items[j]!, items[i]!), `${items[j]} > ${items[i]}`).toBeGreaterThan(0);
    }
  }
}

describe("semver ordering", () => {
  it("orders the precedence example of the SemVer spec, and numeric identifiers as numbers", () => {
    expectAscending(
      ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"],
      semver,
    );
  });

  it("ignores build metadata and a leading v, and rejects what is not semver", () => {
    expect(semver("1.0.0+build.5", "1.0.0")).toBe(0);
    expect(semver("v1.2.3", "1.2.3")).toBe(0);
    for (const bad of ["1.2", "latest", "01.2.3", "1.2.3-", ""]) expect(parseSemver(bad), bad).toBeUndefined();
  });
});

describe("PEP 440 ordering", () => {
  it("orders dev, pre, release, post and local versions like pip", () => {
    expectAscending(
      ["1.0.dev0", "1.0a1.dev1", "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0+local.1", "1.0.post1.dev0", "1.0.post1", "1.0.1", "1.1", "1!0.1"],
      pep,
    );
  });

  it("normalizes spellings and zero padding", () => {
    for (const [a, b] of [["1.0", "1.0.0"], ["1.0-alpha1", "1.0a1"], ["1.0.c1", "1.0rc1"], ["1.0-1", "1.0.post1"], ["1.0rev2", "1.0.post2"], ["V2.0", "2.0"], ["1.0.DEV", "1.0.dev0"]]) {
      expect(pep(a!, b!), `${a} == ${b}`).toBe(0);
    }
    expect(parsePep440("not a version")).toBeUndefined();
  });
});

const entry = (parts: Partial<AffectedPackage>): AffectedPackage => ({ name: "x", versions: [], ranges: [], ...parts });

describe("isAffected (OSV range evaluation)", () => {
  it("treats introduced 0 as every version, including one that does not parse and a missing one", () => {
    const all = entry({ ranges: [{ type: "SEMVER", events: [{ introduced: "0" }] }] });
    for (const v of ["0.0.1", "1.0.0-rc.1", "99.0.0", "not-semver", undefined]) expect(isAffected("npm", v, all), String(v)).toBe(true);
  });

  it("closes a range at fixed (exclusive) and after last_affected (inclusive), with several intervals", () => {
    const acme = entry({
      ranges: [{ type: "SEMVER", events: [{ introduced: "3.0.0-beta.2" }, { fixed: "3.1.0" }, { introduced: "3.2.0" }, { last_affected: "3.2.4" }] }],
    });
    const cases: [string, boolean][] = [
      ["2.9.9", false],
      ["3.0.0-beta.1", false],
      ["3.0.0-beta.2", true],
      ["3.0.0-beta.10", true],
      ["3.0.0", true],
      ["3.0.9", true],
      ["3.1.0-rc.1", true],
      ["3.1.0", false],
      ["3.1.5", false],
      ["3.2.0-rc.1", false],
      ["3.2.0", true],
      ["3.2.4", true],
      ["3.2.5", false],
    ];
    for (const [v, want] of cases) expect(isAffected("npm", v, acme), v).toBe(want);
    expect(isAffected("npm", undefined, acme)).toBe(false);
  });

  it("matches explicit versions exactly, whatever the ranges say", () => {
    const listed = entry({ versions: ["2.4.1", "2.4.2"], ranges: [{ type: "SEMVER", events: [{ introduced: "9.0.0" }] }] });
    expect(isAffected("npm", "2.4.2", listed)).toBe(true);
    expect(isAffected("npm", "2.4.3", listed)).toBe(false);
    expect(isAffected("npm", "2.4.1-rc.1", listed)).toBe(false);
    expect(isAffected("npm", "9.1.0", listed)).toBe(true);
  });

  it("compares PyPI versions by PEP 440 in versions[] and ECOSYSTEM ranges", () => {
    const listed = entry({ versions: ["0.27", "0.29"] });
    expect(isAffected("pypi", "0.27.0", listed)).toBe(true);
    expect(isAffected("pypi", "0.28", listed)).toBe(false);
    const range = entry({ ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "1.0rc1" }, { last_affected: "1.2.post1" }] }] });
    const cases: [string, boolean][] = [["1.0b9", false], ["1.0rc1", true], ["1.0", true], ["1.1rc2", true], ["1.2", true], ["1.2.post1", true], ["1.2.post2", false], ["1.10", false]];
    for (const [v, want] of cases) expect(isAffected("pypi", v, range), v).toBe(want);
  });

  it("orders by release numbers, not text, in ranges with fixed", () => {
    const range = entry({ ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.10" }] }] });
    expect(isAffected("pypi", "1.9", range)).toBe(true);
    expect(isAffected("pypi", "1.10", range)).toBe(false);
    expect(isAffected("pypi", "legacy-version", range)).toBe(false);
  });
});
