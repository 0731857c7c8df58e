// Names taken from scanned code are looked up in the analyzers' tables (sinks, decoders,
// shell programs, escapes…). A name like "constructor" or "hasOwnProperty" must never find
// an inherited function: it was once stored as a sink "channel", and `deps` then failed to
// send @babel/types' result from its worker thread ("could not be cloned").
import { describe, expect, it } from "vitest";
import { analyze as analyzeJs } from "./js/helpers.js";
import { analyze as analyzePython } from "./python/helpers.js";

const NAMES = ["constructor", "hasOwnProperty", "toString", "valueOf", "__proto__", "isPrototypeOf", "__defineGetter__"];

function functionsIn(value: unknown, path = "facts", seen = new Set<unknown>()): string[] {
  if (typeof value === "function") return [path];
  if (!value || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  return Object.entries(value).flatMap(([key, inner]) => functionsIn(inner, `${path}.${key}`, seen));
}

describe("inherited names in scanned code", () => {
  it("JavaScript: globals, modules, shell programs and decoders named after Object.prototype", async () => {
    const calls = NAMES.map((n) => `${n === "__proto__" ? "proto_" : n}("a");\nrequire(${JSON.stringify(n)}).${n}("b");\nrequire("child_process").execSync(${JSON.stringify(`${n} x`)});\nrequire("zlib")[${JSON.stringify(n)}](Buffer.from("c"));\nprocess.env[${JSON.stringify(n)}];`).join("\n");
    const facts = await analyzeJs({ "index.js": calls });
    expect(functionsIn(facts)).toEqual([]);
    expect(() => structuredClone(facts)).not.toThrow();
    expect(facts.sinks).toEqual([]);
    expect(facts.flows).toEqual([]);
  });

  it("Python: builtins, modules, decoders and shell programs named after Object.prototype", async () => {
    const lines = NAMES.map((n) => `import ${n.replace(/^_+/, "m")}\n${n}("a")\nos.system(${JSON.stringify(`${n} x`)})\ncodecs.decode("x", ${JSON.stringify(n)})\nos.environ.get(${JSON.stringify(n)})\nprint("\\${n[0]}")`).join("\n");
    const facts = await analyzePython({ "pkg/__init__.py": `import os, codecs\n${lines}\n` });
    expect(functionsIn(facts)).toEqual([]);
    expect(() => structuredClone(facts)).not.toThrow();
    expect(facts.flows).toEqual([]);
  });
});
