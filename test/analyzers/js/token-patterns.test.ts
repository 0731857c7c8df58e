import { describe, expect, it } from "vitest";
import { analyze } from "./helpers.js";

const kinds = async (body: string) =>
  (await analyze({ "index.js": `const fs = require('fs');\nexports.scan = (file) => { const text = fs.readFileSync(file, 'utf8');\n${body}\n};\n` })).sources.map((s) => s.kind);

describe("token patterns run over data read at run time (signatures/sources.yaml tokenSamples)", () => {
  it("match/matchAll/exec of a known token format take that credential out of the data", async () => {
    expect(await kinds("return text.match(/ghp_[A-Za-z0-9]{36}/g);")).toEqual(["git-credentials"]);
    expect(await kinds("return [...text.matchAll(/npm_[A-Za-z0-9]{36}/g)];")).toEqual(["registry-token"]);
    expect(await kinds("return /AKIA[0-9A-Z]{16}/.exec(text);")).toEqual(["cloud-credentials"]);
  });

  it("a loop over a list of patterns is each of them", async () => {
    expect(await kinds("const out = []; for (const re of [/AKIA[0-9A-Z]{16}/g, /ghp_[A-Za-z0-9]{36}/g]) out.push(...(text.match(re) || [])); return out;")).toEqual([
      "cloud-credentials",
      "git-credentials",
    ]);
  });

  it("a test, an anchored check, a pattern of no token format or the package's own text take nothing out", async () => {
    expect(await kinds("return /ghp_[A-Za-z0-9]{36}/.test(text);")).toEqual([]);
    expect(await kinds("return text.match(/^ghp_[A-Za-z0-9]{36}$/);")).toEqual([]);
    expect(await kinds("return text.match(/[A-Za-z0-9]{36}/g);")).toEqual([]);
    expect(await kinds("return text.match(/version: (\\d+)/);")).toEqual([]);
    expect(await kinds("return 'ghp_ZmFrZVRva2VuRm9yRXhmaWxzY2FuVGVzdHMx'.match(/ghp_[A-Za-z0-9]{36}/g);")).toEqual([]);
  });
});
