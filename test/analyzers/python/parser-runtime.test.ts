import { describe, expect, it } from "vitest";
import { initPythonParser, parsePython, pythonParserHeapBytes } from "../../../src/analyzers/python/parser.js";

/** Enough statements to grow the wasm heap past its initial size. */
function bigSource(): string {
  const lines: string[] = [];
  for (let i = 0; i < 10_000; i++) lines.push(`x${i} = call(a${i}, "s${i}", [1, 2, 3], key=v${i})`);
  return `${lines.join("\n")}\n`;
}

describe("the tree-sitter runtime gives its memory back", () => {
  it("a heap grown by a big file is replaced by a fresh runtime, and parsers handed out before still work", async () => {
    const first = await initPythonParser();
    const initial = pythonParserHeapBytes();
    expect(initial).toBeGreaterThan(0);
    expect(parsePython(first, bigSource())?.nodes).toBeGreaterThan(100_000);
    expect(pythonParserHeapBytes()).toBeGreaterThan(initial);

    // Under the bound: the same runtime.
    expect(await initPythonParser(Number.MAX_SAFE_INTEGER)).toBe(first);
    // Past the bound: a new runtime with the initial heap.
    const second = await initPythonParser(initial);
    expect(second).not.toBe(first);
    expect(pythonParserHeapBytes()).toBe(initial);
    const tree = parsePython(second, "import os\nos.getenv('X')\n");
    expect(tree?.root.children.map((c) => c.type)).toEqual(["import_statement", "expression_statement"]);
    expect(parsePython(first, "y = 1\n")?.root.children[0]?.type).toBe("expression_statement");
  });
});
