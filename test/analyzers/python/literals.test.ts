import { describe, expect, it } from "vitest";
import { decodeEscapes, parseIntegerLiteral, parseStringPrefix } from "../../../src/analyzers/python/literals.js";

describe("python literals", () => {
  const plain = parseStringPrefix('"');
  const bytes = parseStringPrefix("b'");

  it("decodes escapes between plain runs and keeps unknown escapes and a trailing backslash", () => {
    expect(decodeEscapes("abc\\ndef\\x41\\101\\u00e9\\q\\", plain)).toBe("abc\ndefAA\u00e9\\q\\");
    expect(decodeEscapes("\\\\\\'x", plain)).toBe("\\'x");
    expect(decodeEscapes("no escapes", plain)).toBe("no escapes");
    expect(decodeEscapes("\\u00e9", bytes)).toBe("\\u00e9");
    expect(decodeEscapes("a\\n", parseStringPrefix('r"'))).toBe("a\\n");
  });

  it("reads prefixes once per token, case-insensitively", () => {
    expect(parseStringPrefix('Rb"""')).toEqual({ raw: true, bytes: true, format: false });
    expect(parseStringPrefix("f'")).toBe(parseStringPrefix("f'"));
  });

  it("reads decimal, octal, hex, binary, underscores and the L suffix", () => {
    expect(parseIntegerLiteral("0")).toBe(0);
    expect(parseIntegerLiteral("42")).toBe(42);
    expect(parseIntegerLiteral("0777")).toBe(0o777);
    expect(parseIntegerLiteral("0o17")).toBe(15);
    expect(parseIntegerLiteral("0x1F")).toBe(31);
    expect(parseIntegerLiteral("0b101")).toBe(5);
    expect(parseIntegerLiteral("1_000")).toBe(1000);
    expect(parseIntegerLiteral("10L")).toBe(10);
    expect(parseIntegerLiteral("999999999999999")).toBe(999999999999999);
    expect(parseIntegerLiteral("99999999999999999999")).toBeUndefined();
    expect(parseIntegerLiteral("09")).toBe(9); // not octal: read as decimal, as before the fast path
  });
});
