import { describe, expect, it } from "vitest";
import { indicatorsIn, normaliseUrl } from "../../../src/analyzers/common/indicators.js";
import { analyze as analyzeJs, signatures } from "../js/helpers.js";
import { analyze as analyzePython } from "../python/helpers.js";

const tlds = signatures().publicTlds;
const js = { tlds, identifierRoots: new Set(["window", "module", "console"]) };

/** Strings whose indicators both front-ends must agree on, with what they yield. */
const CASES: Array<[string, string[]]> = [
  ["https://Hooks.Example.COM/Path/AbC?Q=Z", ["https://hooks.example.com/Path/AbC?Q=Z"]],
  ["HTTPS://user:PaSS@Evil.CF:8443/X", ["https://user:PaSS@evil.cf:8443/X"]],
  ["see https://a.example.org/x), then", ["https://a.example.org/x"]],
  ["tcp://Drop.Example.net:4444", ["tcp://drop.example.net:4444"]],
  ["https://*.example.com/*", []],
  ["Evil.CF", ["evil.cf"]],
  ["Evil.CF:8080", ["evil.cf:8080"]],
  ["t.me", ["t.me"]],
  ["203.0.113.5:443", ["203.0.113.5:443"]],
  ["127.0.0.2", []],
  ["0.0.0.0", []],
  ["setup.py", []],
  ["index.js", []],
  ["not a host.com", []],
];

describe("indicatorsIn", () => {
  it.each(CASES)("%s", (text, expected) => {
    expect(indicatorsIn(text, js)).toEqual(expected);
  });

  it("keeps identifier paths of the front-end's language out, other dotted words in", () => {
    const roots = { tlds, identifierRoots: new Set(["self"]) };
    expect(indicatorsIn("self.app", roots)).toEqual([]);
    expect(indicatorsIn("shelf.app", roots)).toEqual(["shelf.app"]);
  });

  it("returns each URL once and at most twenty", () => {
    const text = Array.from({ length: 30 }, (_, i) => `https://h${i}.example.com/ https://h${i}.example.com/`).join(" ");
    const found = indicatorsIn(text, js);
    expect(found).toHaveLength(20);
    expect(new Set(found).size).toBe(20);
  });

  it("lower-cases only the scheme and host of a URL", () => {
    expect(normaliseUrl("WSS://Sock.Example.IO/Room?Token=AbC#Frag")).toBe("wss://sock.example.io/Room?Token=AbC#Frag");
  });
});

describe("both front-ends", () => {
  const strings = CASES.map(([text]) => text);
  const expected = [...new Set(CASES.flatMap(([, values]) => values))].sort();

  it("yield the same indicators for the same strings", async () => {
    const jsFacts = await analyzeJs({ "index.js": strings.map((s, i) => `const v${i} = ${JSON.stringify(s)};`).join("\n") });
    const pyFacts = await analyzePython({ "pkg/__init__.py": strings.map((s, i) => `V${i} = ${JSON.stringify(s)}`).join("\n") });
    const jsValues = [...new Set(jsFacts.indicators.map((i) => i.value))].sort();
    const pyValues = [...new Set(pyFacts.indicators.map((i) => i.value))].sort();
    expect(jsValues).toEqual(expected);
    expect(pyValues).toEqual(expected);
  });

  it("yield the same indicators for folded strings", async () => {
    const jsFacts = await analyzeJs({ "index.js": `const h = "Evil." + "CF"; const u = "HTTPS:/" + "/Drop.Example.com/Up";` });
    const pyFacts = await analyzePython({ "pkg/__init__.py": `H = "Evil." + "CF"\nU = "HTTPS:/" + "/Drop.Example.com/Up"\n` });
    const values = (facts: { indicators: Array<{ value: string }> }) => [...new Set(facts.indicators.map((i) => i.value))].sort();
    expect(values(jsFacts)).toEqual(["evil.cf", "https://drop.example.com/Up"]);
    expect(values(pyFacts)).toEqual(values(jsFacts));
  });
});
