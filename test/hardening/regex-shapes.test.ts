// Issue #16: no regex literal in src/ has the shape that makes V8 quadratic on hostile
// input. An unanchored pattern that starts with a repeated atom (`/\/+$/`, `/=+$/`,
// `/\s*;\s*/`, `/([a-z]+\.)*x/`) is tried again from every position of a long run of that
// atom, and each try reads the rest of the run. Such patterns are written as loops
// (src/core/trim.ts), anchored, or guarded by a lookbehind. The timing measurement that
// found them is a script (scripts/regex-scaling.mjs), never a test.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { regexLiterals } from "../../scripts/regex-scaling.mjs";
import { joinLines, splitTrimmed, trimEndChars } from "../../src/core/trim.js";

const ATOM = String.raw`(?:\\[pPu]\{[^}]*\}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\.|\[(?:\\.|[^\]\\])*\]|[^\\()[\]{}|^$*+?.])`;
/** A repeated atom or group at the start of the pattern, with something after it that can fail. */
const LEADING_RUN = new RegExp(String.raw`^(?:${ATOM}|\((?:\?:)?[^()]*\))(?:[+*]|\{\d+,\})`);

function quadraticShape(source: string): boolean {
  if (source.startsWith("^")) return false;
  const run = LEADING_RUN.exec(source);
  return run !== null && run[0].length < source.length;
}

describe("regex shapes", () => {
  it("the shape check recognises the quadratic patterns it replaced, and not linear ones", () => {
    for (const bad of [String.raw`\/+$`, "=+$", String.raw`[).,;:]+$`, String.raw`\s*;\s*`, String.raw`\s*\n\s*`, String.raw`\0+$`, String.raw`([a-z0-9-]+\.)*example\.com`]) {
      expect(quadraticShape(bad), bad).toBe(true);
    }
    for (const good of [String.raw`^\s*;`, String.raw`\s+`, String.raw`\bfoo\s*\(`, String.raw`(?<!\d)(\d+)s`, String.raw`\/[^/]*$`, String.raw`^([a-z0-9-]+\.)*x$`]) {
      expect(quadraticShape(good), good).toBe(false);
    }
  });

  it("no regex literal in src/ has the quadratic shape", () => {
    const literals = regexLiterals(fileURLToPath(new URL("../../src", import.meta.url)));
    expect(literals.length).toBeGreaterThan(200);
    const found = literals.filter((l) => quadraticShape(l.source)).map((l) => `${l.file.replace(/.*\/src\//, "src/")}:${l.line} /${l.source}/`);
    expect(found).toEqual([]);
  });

  it("the linear replacements do what the patterns did", () => {
    const cases = ["a ; b ; c", " a;b ", "a;", "; a ;b;; c  ", "a\t;\n b", "", ";", "x"];
    for (const text of cases) {
      for (const limit of [undefined, 1, 2]) expect(splitTrimmed(text, ";", limit)).toEqual(text.split(/\s*;\s*/, limit));
    }
    for (const text of ["a\nb", "a \n\n b", " \n a", "a \n\n", "x", "\n", "\n\n", "a\n \n b\n"]) expect(joinLines(text)).toBe(text.replace(/\s*\n\s*/g, " "));
    for (const text of ["https://x//", "///", "a/b", "", "a=/="]) expect(trimEndChars(text, "/=")).toBe(text.replace(/[/=]+$/, ""));
    // A long run that is not at the end costs one pass (no timing here: the result only).
    const hostile = `${"/".repeat(200_000)}x`;
    expect(trimEndChars(hostile, "/")).toBe(hostile);
  });
});
