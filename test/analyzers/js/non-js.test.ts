import { describe, expect, it } from "vitest";
import { analyzeNpmPackage } from "../../../src/analyzers/js/index.js";
import { mayBeJavaScript } from "../../../src/analyzers/js/parse.js";
import { makePackage, signatures } from "./helpers.js";

// An ELF header: what a prebuilt native addon (.node) starts with.
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), Buffer.from("padding text")]);

describe("files that are not JavaScript", () => {
  it("a native addon named as main is never parsed (no 'could not parse' problem)", async () => {
    const pkg = makePackage({ "package.json": JSON.stringify({ name: "addon", version: "1.0.0", main: "./addon.linux-x64.node" }) });
    pkg.files.set("addon.linux-x64.node", ELF);
    const facts = await analyzeNpmPackage(pkg, signatures());
    expect(facts.parseProblems).toEqual([]);
    expect(facts.filesAnalyzed).toBe(0);
  });

  it("binary content behind a require or an extensionless bin is skipped; extensionless JS is still run", async () => {
    const pkg = makePackage({
      "package.json": JSON.stringify({ name: "p", version: "1.0.0", main: "cli", scripts: { postinstall: "node ./tool" } }),
      cli: "require('./data.bin'); fetch('https://cli.example.invalid/');",
    });
    pkg.files.set("tool", ELF);
    pkg.files.set("data.bin", ELF);
    const facts = await analyzeNpmPackage(pkg, signatures());
    expect(facts.parseProblems).toEqual([]);
    expect(facts.sinks.map((s) => s.destination)).toEqual(["https://cli.example.invalid/"]);
  });

  it("decides by extension and by NUL bytes in the first KB", () => {
    expect(mayBeJavaScript("lib/a.js", Buffer.from("x"))).toBe(true);
    expect(mayBeJavaScript("bin/cli", Buffer.from("#!/usr/bin/env node\nx"))).toBe(true);
    expect(mayBeJavaScript("x.node", Buffer.from("x"))).toBe(false);
    expect(mayBeJavaScript("x.wasm", Buffer.from("x"))).toBe(false);
    expect(mayBeJavaScript("lib/a.js", Buffer.concat([Buffer.from("a"), Buffer.from([0])]))).toBe(false);
    expect(mayBeJavaScript(".eslintrc", Buffer.from("x"))).toBe(true);
  });
});
