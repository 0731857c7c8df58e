// Import cycles in src/ are allowed only inside the interpreter cores, whose eval/call/exec
// recursion is natural. Library models (sources, sinks, shell commands, callbacks …) receive
// what they need from the interpreter (I.invokeCallback, ip.callValue, ip.execCode) instead
// of importing it; a model that imports the core again joins a cycle and fails here.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importCycles, importGraph } from "./import-graph.js";

/** The only files allowed to import each other in a circle (run-time imports; `import type` is erased). */
const INTERPRETER_CORES: Record<string, string[]> = {
  js: ["analyzers/js/builtins.ts", "analyzers/js/calls.ts", "analyzers/js/classes.ts", "analyzers/js/dynamic-code.ts", "analyzers/js/methods.ts"],
  python: [
    "analyzers/python/calls.ts",
    "analyzers/python/expressions.ts",
    "analyzers/python/imports.ts",
    "analyzers/python/operators.ts",
    "analyzers/python/statements.ts",
    "analyzers/python/user-functions.ts",
  ],
};

const SRC = join(import.meta.dirname, "..", "..", "src");

describe("import cycles", () => {
  const graph = importGraph(SRC);

  it("reads the graph (a sanity check of the import regex)", () => {
    expect(graph.get("analyzers/js/calls.ts")).toContain("analyzers/js/builtins.ts");
    expect(graph.get("rules/evaluate.ts")).toContain("rules/registry.ts");
    // Type-only imports are not edges.
    expect(graph.get("analyzers/js/sinks.ts")).not.toContain("analyzers/js/calls.ts");
  });

  it("exist only inside an interpreter core", () => {
    const outside = importCycles(graph).filter((cycle) => !Object.values(INTERPRETER_CORES).some((core) => cycle.every((f) => core.includes(f))));
    expect(outside, "a new import cycle: pass what the module needs (e.g. through the Interpreter) instead of importing it").toEqual([]);
  });

  it("finds a cycle when there is one", () => {
    const toy = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    expect(importCycles(toy)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });
});
