// Issue #16: globs written by users (ignore-file paths, sshd_config address lists) are matched
// by src/core/glob.ts, not by a regex built from them: `*a*a*a…b` as a regex backtracks
// polynomially in the number of stars. The regexes the code built before are the oracle.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pathGlobMatches, wildcardMatches } from "../../src/core/glob.js";
import { globMatches } from "../../src/ignore/apply.js";
import { matchAddressList } from "../../src/logs/net.js";
import { globMatcher } from "../../src/analyzers/python/staging.js";

/** What src/ignore/apply.ts built before. */
function oldPathGlob(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      source += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
/** What src/logs/net.ts built before. */
const oldWildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");

const runs = { numRuns: 5000, seed: 16 };
const over = (chars: string[], maxLength: number) => fc.array(fc.constantFrom(...chars), { maxLength }).map((a) => a.join(""));

describe("path globs", () => {
  it("`*` stays in one segment, `**` crosses segments, `**/` may be nothing, `?` is one character but /", () => {
    expect(pathGlobMatches("src/*.js", "src/a.js")).toBe(true);
    expect(pathGlobMatches("src/*.js", "src/a/b.js")).toBe(false);
    expect(pathGlobMatches("src/**.js", "src/a/b.js")).toBe(true);
    expect(pathGlobMatches("**/x.js", "x.js")).toBe(true);
    expect(pathGlobMatches("**/x.js", "a/b/x.js")).toBe(true);
    expect(pathGlobMatches("**/x.js", "a/bx.js")).toBe(false);
    expect(pathGlobMatches("a/**/b", "a/b")).toBe(true);
    expect(pathGlobMatches("a?c", "a/c")).toBe(false);
    expect(pathGlobMatches("a?c", "abc")).toBe(true);
    expect(pathGlobMatches("a.c", "abc")).toBe(false);
    expect(pathGlobMatches("A", "a")).toBe(false);
    // `**` does not cross a line break (as the regex `.*` did not); `*` does.
    expect(pathGlobMatches("**", "a\nb")).toBe(false);
    expect(pathGlobMatches("*", "a\nb")).toBe(true);
    expect(globMatches("./dist/", "dist/a/b.js")).toBe(true);
  });

  it("match what the regexes built from them matched", () => {
    const pattern = over(["*", "**", "**/", "?", "/", "a", "b", ".", "\n"], 8);
    const text = over(["/", "a", "b", ".", "\n", "*"], 10);
    fc.assert(fc.property(pattern, text, (p, t) => void expect(pathGlobMatches(p, t), `${JSON.stringify(p)} ${JSON.stringify(t)}`).toBe(oldPathGlob(p).test(t))), runs);
  });

  it("a pattern of many stars against a long path is one pass (the regex was polynomial in the stars)", () => {
    const run = "a".repeat(20_000);
    expect(pathGlobMatches(`${"*a".repeat(30)}*b`, run)).toBe(false);
    expect(pathGlobMatches(`${"**a".repeat(30)}**b`, `${"a/".repeat(10_000)}`)).toBe(false);
    expect(pathGlobMatches(`${"*a".repeat(30)}*`, run)).toBe(true);
    expect(globMatches(`${"**/a".repeat(20)}/b`, `${"a/".repeat(10_000)}b`)).toBe(true);
  });
});

describe("address wildcards (sshd_config lists)", () => {
  it("match what the regexes built from them matched, ignoring case", () => {
    const pattern = over(["*", "?", ".", ":", "1", "a", "A", "\n"], 8);
    const text = over([".", ":", "1", "a", "A", "\n", "*"], 10);
    fc.assert(fc.property(pattern, text, (p, t) => void expect(wildcardMatches(p, t, { ignoreCase: true }), `${JSON.stringify(p)} ${JSON.stringify(t)}`).toBe(oldWildcard(p).test(t))), runs);
    for (const [p, t] of [["ſ", "s"], ["s", "ſ"], ["K", "\u212a"], ["é", "É"]] as const) expect(wildcardMatches(p, t, { ignoreCase: true }), `${p} ${t}`).toBe(oldWildcard(p).test(t));
  });

  it("a list entry of many stars against a long address is one pass", () => {
    expect(matchAddressList("192.0.2.1", "10.*")).toBe(false);
    expect(matchAddressList("192.0.2.1", "192.0.2.*")).toBe(true);
    expect(matchAddressList("1".repeat(20_000), `${"*1".repeat(30)}*2`)).toBe(false);
  });
});

describe("staged-file patterns of the Python analyzer (keys with unknown parts from scanned code)", () => {
  /** What src/analyzers/python/staging.ts built before. */
  const oldKeyRegex = (key: string) => new RegExp(`^${key.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}(/.*)?$`);

  it("match what the regex matched: `*` any characters, the rest literal, the path or anything under it", () => {
    const key = over(["*", "/", "a", "b", "?", ".", "\n"], 8);
    const path = over(["/", "a", "b", "?", ".", "\n"], 10);
    fc.assert(fc.property(key, path, (k, p) => void expect(globMatcher(k).test(p), `${JSON.stringify(k)} ${JSON.stringify(p)}`).toBe(oldKeyRegex(k).test(p))), runs);
  });

  it("a key of many unknown parts against a long written path is one pass", () => {
    expect(globMatcher(`/srv/stage/${"*a".repeat(30)}*b`).test(`/srv/stage/${"a".repeat(20_000)}`)).toBe(false);
    expect(globMatcher(`/srv/stage/${"*a".repeat(30)}`).test(`/srv/stage/${"a".repeat(20_000)}/x`)).toBe(true);
  });
});
