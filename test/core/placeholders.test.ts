import { describe, expect, it } from "vitest";
import { placeholderDestination } from "../../src/core/placeholders.js";

describe("placeholderDestination", () => {
  it("finds a placeholder alone, as a URL host, or as a socket address with its port", () => {
    expect(placeholderDestination("%WEBHOOK%")).toBe("%WEBHOOK%");
    expect(placeholderDestination("https://%WEBHOOK%/")).toBe("%WEBHOOK%");
    expect(placeholderDestination("YOUR IP HERE:8888")).toBe("YOUR IP HERE");
    expect(placeholderDestination("<server ip>:4444")).toBe("<server ip>");
    expect(placeholderDestination("[redacted]")).toBe("[redacted]");
    expect(placeholderDestination("https://[YOUR WEBHOOK]")).toBe("[YOUR WEBHOOK]");
  });

  it("does not take a real host, a partly unknown destination or a host with a path for one", () => {
    expect(placeholderDestination("203.0.113.5:8888")).toBeUndefined();
    expect(placeholderDestination("example.com:443")).toBeUndefined();
    expect(placeholderDestination("*:8888")).toBeUndefined();
    expect(placeholderDestination("https://example.com/your-webhook-here")).toBeUndefined();
    expect(placeholderDestination("[::1]:8080")).toBeUndefined();
    expect(placeholderDestination("[object Object]")).toBeUndefined();
    expect(placeholderDestination("[2001:db8::1]")).toBeUndefined();
  });
});
