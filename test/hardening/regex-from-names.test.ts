// Issue #16: regexes built from names. The Electron-debugger model built one regex per
// call from an identifier and ran it over the whole file (size x calls); it now reads each
// file once, with indexOf and a bounded look back. The setup.py reader builds its pattern
// from two fixed keys only; hostile values and lines are read as text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { debuggerBindings } from "../../src/analyzers/js/intercepted-requests.js";
import { readSetupPy } from "../../src/ingest/python-metadata.js";

/** The pattern the model used to build for each call (a name escaped for `$` only). */
const oldBinds = (text: string, name: string): boolean => new RegExp(`\\b${name.replace(/[$]/g, "\\$")}\\s*=\\s*[\\w$.?]*\\.debugger\\b`).test(text);

describe("names bound to webContents.debugger", () => {
  it("finds the bindings the per-call regex found", () => {
    const text = [
      "const dbg = win.webContents.debugger;",
      "let $d$ = w?.webContents?.debugger",
      "var ñame =\n  w.webContents.debugger",
      "a == b.debugger; c => d.debugger; e = f.debuggerX; 9x = y.debugger",
    ].join("\n");
    expect([...debuggerBindings(text)].sort()).toEqual(["$d$", "dbg", "ñame"]);
  });

  it("agrees with the per-call regex on random text (names without `$`)", () => {
    const token = fc.constantFrom("a", "b", "ab", "_", " ", "\n", "=", "==", ".", "?.", ".debugger", ".debuggerx", "(", ";", "x1");
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), fc.constantFrom("a", "b", "ab", "_", "x1"), (tokens, name) => {
        const text = tokens.join("");
        expect(debuggerBindings(text).has(name), JSON.stringify(text)).toBe(oldBinds(text, name));
      }),
      { numRuns: 2000, seed: 1605 },
    );
  });

  it("hostile text of its worst shapes is read in one bounded pass", () => {
    const chain = `dbg = ${"a.".repeat(500_000)}debugger`;
    expect(debuggerBindings(chain).size).toBe(0); // the binding is out of the look-back window
    const repeated = `x = ${".debugger".repeat(300_000)}`; // one binding (the first), each occurrence read back at most 256 characters
    expect([...debuggerBindings(repeated)]).toEqual(["x"]);
    const many = "d = w.webContents.debugger;\n".repeat(100_000);
    expect([...debuggerBindings(many)]).toEqual(["d"]);
  });
});

describe("setup.py keyword literals", () => {
  it("reads hostile values literally and hostile lines in linear passes", () => {
    expect(readSetupPy('setup(name="a(b)*+?[\\\\$^", version=\'1.0\')')).toEqual({ name: "a(b)*+?[\\\\$^", version: "1.0" });
    const spaces = `setup(\n${`name${" ".repeat(100_000)}x\n`.repeat(5)}${"name ".repeat(100_000)}\nname = "ok"\nversion="2"\n)`;
    expect(readSetupPy(spaces)).toEqual({ name: "ok", version: "2" });
  });
});
