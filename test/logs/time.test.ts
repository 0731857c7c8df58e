import { describe, expect, it } from "vitest";
import { parseDuration, parseIsoTimestamp, parseTimeBound, parseUtcOffset, YearInference } from "../../src/logs/time.js";

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("RFC 3164 year inference", () => {
  it("rolls the year forward when the log crosses New Year", () => {
    const years = new YearInference(Date.parse("2025-01-02T12:00:00Z"));
    expect(iso(years.resolve("Dec", 31, 23, 59, 58))).toBe("2024-12-31T23:59:58.000Z");
    expect(iso(years.resolve("Jan", 1, 0, 0, 1))).toBe("2025-01-01T00:00:01.000Z");
    expect(iso(years.resolve("Jan", 2, 8, 0, 0))).toBe("2025-01-02T08:00:00.000Z");
  });

  it("places the first line in the reference year when it is not in the future", () => {
    const years = new YearInference(Date.parse("2024-08-22T00:00:00Z"));
    expect(iso(years.resolve("Aug", 21, 10, 0, 0))).toBe("2024-08-21T10:00:00.000Z");
  });

  it("does not roll back for small jumps backwards (out-of-order lines)", () => {
    const years = new YearInference(Date.parse("2024-08-22T00:00:00Z"));
    years.resolve("Aug", 21, 10, 0, 0);
    expect(iso(years.resolve("Jul", 31, 23, 0, 0))).toBe("2024-07-31T23:00:00.000Z");
  });

  it("applies a fixed UTC offset and rejects impossible dates", () => {
    const years = new YearInference(Date.parse("2024-08-22T00:00:00Z"), 120);
    expect(iso(years.resolve("Aug", 21, 10, 0, 0))).toBe("2024-08-21T08:00:00.000Z");
    expect(years.resolve("Foo", 1, 0, 0, 0)).toBeUndefined();
    expect(years.resolve("Aug", 21, 25, 0, 0)).toBeUndefined();
  });
});

describe("other timestamps and durations", () => {
  it("reads ISO 8601 with zones and fractions", () => {
    expect(iso(parseIsoTimestamp("2024-07-01T22:13:21.123456+02:00"))).toBe("2024-07-01T20:13:21.123Z");
    expect(iso(parseIsoTimestamp("2024-07-01T22:13:21Z"))).toBe("2024-07-01T22:13:21.000Z");
    expect(iso(parseIsoTimestamp("2024-07-01 22:13:21", -60))).toBe("2024-07-01T23:13:21.000Z");
    expect(parseIsoTimestamp("yesterday")).toBeUndefined();
  });

  it("reads sshd_config durations and UTC offsets", () => {
    expect(parseDuration("90")).toBe(90);
    expect(parseDuration("2m")).toBe(120);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("1.5s")).toBe(1.5);
    expect(parseDuration("10 minutes")).toBeUndefined();
    expect(parseUtcOffset("+05:30")).toBe(330);
    expect(parseUtcOffset("-0800")).toBe(-480);
    expect(() => parseUtcOffset("CET")).toThrow();
  });

  it("reads --since/--until bounds relative to a given now", () => {
    const now = Date.parse("2024-08-22T00:00:00Z");
    expect(iso(parseTimeBound("7d", now))).toBe("2024-08-15T00:00:00.000Z");
    expect(iso(parseTimeBound("2024-08-01", now))).toBe("2024-08-01T00:00:00.000Z");
    expect(parseTimeBound("soon", now)).toBeUndefined();
  });
});
