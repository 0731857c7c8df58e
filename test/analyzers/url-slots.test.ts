import { describe, expect, it } from "vitest";
import { SlotTracker, urlSlots } from "../../src/analyzers/common/url-slots.js";
import { loadSignatures } from "../../src/rules/signatures.js";

const slots = urlSlots(loadSignatures());

function slotted(parts: [string, string[], string[]?][]): string[] | undefined {
  const tracker = new SlotTracker(slots);
  for (const [text, keys, inherited] of parts) tracker.add(text, keys, inherited);
  return tracker.slotted();
}

describe("URL credential slots", () => {
  it("come from the issuers' pathSlot (Telegram's Bot API)", () => {
    expect(slots.some((s) => s.test("https://api.telegram.org/bot"))).toBe(true);
    expect(slots.some((s) => s.test("https://api.telegram.org.evil.example/bot"))).toBe(false);
    expect(slots.some((s) => s.test("https://api.telegram.org/file/bot"))).toBe(false);
  });
  it("need TLS to the issuer's host: a plain-http URL (a proxy reads it) or no scheme has no slot", () => {
    expect(slots.some((s) => s.test("http://api.telegram.org/bot"))).toBe(false);
    expect(slots.some((s) => s.test("api.telegram.org/bot"))).toBe(false);
  });
  it("hold only a part that is one opaque token, not one carrying a path or query of its own", () => {
    expect(slotted([["https://api.telegram.org/bot", []], ["*/sendMessage?chat_id=1&text=*", ["tok", "pw"]]])).toBeUndefined();
    expect(slotted([["https://api.telegram.org/bot", []], ["*?x=", ["tok"]]])).toBeUndefined();
    expect(slotted([["https://api.telegram.org/bot", []], ["", ["tok"]], ["/getMe", []]])).toEqual(["tok"]);
  });
  it("hold a value appended right where the prefix ends", () => {
    expect(slotted([["https://api.telegram.org/bot", []], ["*", ["tok"]], ["/sendMessage", []]])).toEqual(["tok"]);
  });
  it("keep a slot only as the leading part of a later concatenation", () => {
    expect(slotted([["https://api.telegram.org/bot*", ["tok"], ["tok"]], ["/getMe", []]])).toEqual(["tok"]);
    expect(slotted([["https://other.example/?u=", []], ["https://api.telegram.org/bot*", ["tok"], ["tok"]]])).toBeUndefined();
  });
  it("leave a value anywhere else in the URL, or also there, as data", () => {
    expect(slotted([["https://api.telegram.org/bot*/sendMessage?text=", ["tok"], ["tok"]], ["*", ["key"]]])).toEqual(["tok"]);
    expect(slotted([["https://api.telegram.org/bot", []], ["*", ["tok"]], ["/sendMessage?text=", []], ["*", ["tok"]]])).toBeUndefined();
    expect(slotted([["https://evil.example/bot", []], ["*", ["tok"]]])).toBeUndefined();
  });
});
