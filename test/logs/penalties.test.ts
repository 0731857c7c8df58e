import { describe, expect, it } from "vitest";
import {
  applySshdOption, defaultPenaltyConfig, penaltyConfigFromSshdConfig, PenaltySimulator, type OpenSshVersion, type PenaltyConfig,
} from "../../src/logs/penalties.js";

const T0 = Date.parse("2024-08-21T22:13:35Z");
const at = (seconds: number): number => T0 + seconds * 1000;

function sim(version: OpenSshVersion = "9.8", words?: string, more: Partial<PenaltyConfig> = {}): PenaltySimulator {
  let config = defaultPenaltyConfig(version);
  if (words) config = applySshdOption(config, "PerSourcePenalties", words);
  return new PenaltySimulator({ ...config, ...more });
}

/** Failed-auth connections ending every `interval` seconds: the n-th one that activates the block. */
function failuresUntilBlocked(interval: number): number | undefined {
  const s = sim("9.8");
  for (let n = 1; n <= 50; n++) if (s.penalise("192.0.2.1", "authfail", at((n - 1) * interval)).activated) return n;
  return undefined;
}

describe("PerSourcePenalties: the seed's OpenSSH 9.8 log (authfail:90s, PerSourceNetBlockSize 24)", () => {
  it("prints exactly the srclimit_penalise and drop connection lines of the seed", () => {
    const s = new PenaltySimulator({ ...applySshdOption(applySshdOption(defaultPenaltyConfig("9.8"), "PerSourcePenalties", "authfail:90s"), "PerSourceNetBlockSize", "24"), logLevel: "VERBOSE" });
    const result = s.penalise("203.0.113.116", "authfail", at(0));
    expect(result.lines).toEqual([
      { level: "VERBOSE", logged: true, text: "srclimit_penalise: ipv4: new 203.0.113.116/24 active penalty of 90 seconds for penalty: failed authentication" },
    ]);
    const verdict = s.checkAllow("203.0.113.116", Date.parse("2024-08-21T22:14:22Z"));
    expect(verdict).toEqual({ allowed: false, reason: "penalty: failed authentication" });
    expect(s.dropLines("203.0.113.116", 24278, "192.0.2.1", 22, 0, verdict.reason!, Date.parse("2024-08-21T22:14:22Z"))).toEqual([
      { level: "INFO", logged: true, text: "drop connection #0 from [203.0.113.116]:24278 on [192.0.2.1]:22 penalty: failed authentication" },
    ]);
    // the whole /24 is blocked, and the block ends after 90 s
    expect(s.checkAllow("203.0.113.7", at(60)).allowed).toBe(false);
    expect(s.checkAllow("203.0.114.7", at(60)).allowed).toBe(true);
    expect(s.checkAllow("203.0.113.116", at(90)).allowed).toBe(false); // expiry == now: not yet expired
    expect(s.checkAllow("203.0.113.116", at(91)).allowed).toBe(true);
  });
});

describe("PerSourcePenalties accumulation (9.8 defaults)", () => {
  it("blocks after 4/4/5/7/12 failures at 0/1/2/3/4 s intervals and never at 5 s", () => {
    expect([0, 1, 2, 3, 4, 5].map(failuresUntilBlocked)).toEqual([4, 4, 5, 7, 12, undefined]);
  });

  it("starts a 5 s authfail deferred, activates past min, caps at max", () => {
    const s = sim("9.8", undefined, { logLevel: "VERBOSE" });
    expect(s.penalise("198.51.100.1", "authfail", at(0)).lines.map((l) => l.text)).toEqual([
      "srclimit_penalise: ipv4: new 198.51.100.1/32 deferred penalty of 5 seconds for penalty: failed authentication",
    ]);
    s.penalise("198.51.100.1", "authfail", at(0));
    s.penalise("198.51.100.1", "authfail", at(0));
    const fourth = s.penalise("198.51.100.1", "authfail", at(0));
    expect(fourth.activated).toBe(true);
    expect(fourth.lines.map((l) => l.text)).toEqual([
      "srclimit_penalise: 198.51.100.1/32: activating ipv4 penalty of 20 seconds for penalty: failed authentication",
    ]);
    for (let i = 0; i < 500; i++) s.penalise("198.51.100.1", "authfail", at(0));
    expect(s.entries(at(0))).toEqual([{ masked: "198.51.100.1/32", remaining: 600, active: true, reason: "penalty: failed authentication" }]);
  });

  it("keeps new/activating at VERBOSE (not logged at INFO) before 10.1, logs them at INFO from 10.1", () => {
    const old = sim("10.0");
    expect(old.penalise("192.0.2.9", "crash", at(0)).lines[0]).toMatchObject({ level: "VERBOSE", logged: false });
    const newer = sim("10.1");
    expect(newer.penalise("192.0.2.9", "crash", at(0)).lines[0]).toMatchObject({ level: "INFO", logged: true });
    expect(newer.penalise("192.0.2.10", "authfail", at(0)).lines[0]).toMatchObject({ level: "VERBOSE", logged: false });
  });

  it("prints fractional seconds and charges invalid users from 10.3", () => {
    const s = sim("10.3", undefined, { logLevel: "VERBOSE" });
    expect(s.penalise("192.0.2.1", "invaliduser", at(0)).lines[0]!.text).toBe(
      "srclimit_penalise: ipv4: new 192.0.2.1/32 deferred penalty of 5.000 seconds for penalty: attempted authentication by invalid user",
    );
    const s98 = sim("9.8", undefined, { logLevel: "VERBOSE" });
    expect(s98.penalise("192.0.2.1", "invaliduser", at(0)).lines[0]!.text).toBe(
      "srclimit_penalise: ipv4: new 192.0.2.1/32 deferred penalty of 1 seconds for penalty: connections without attempting authentication",
    );
  });

  it("charges LoginGraceTime with the crash value in 9.8 and 9.9, with grace-exceeded from 10.0", () => {
    const secondsFor = (version: OpenSshVersion, words?: string): number =>
      sim(version, words).penalise("192.0.2.1", "grace-exceeded", at(0)).entry!.expiresAtMs / 1000 - at(0) / 1000;
    expect(defaultPenaltyConfig("9.8").grace).toBe(20);
    expect(defaultPenaltyConfig("9.9").grace).toBe(10);
    expect(secondsFor("9.8")).toBe(90);
    expect(secondsFor("9.9", "grace-exceeded:5s crash:30s")).toBe(30);
    expect(secondsFor("10.0")).toBe(10);
    expect(secondsFor("10.0", "grace-exceeded:40s")).toBe(40);
  });

  it("never penalises exempt addresses and honours negation", () => {
    const s = sim("9.8", "crash:90s", { exempt: "10.0.0.0/8,192.0.2.*,!10.9.9.9" });
    expect(s.penalise("10.1.2.3", "crash", at(0)).entry).toBeUndefined();
    expect(s.penalise("192.0.2.77", "crash", at(0)).entry).toBeUndefined();
    expect(s.penalise("10.9.9.9", "crash", at(0)).activated).toBe(true);
  });

  it("masks IPv6 with the v6 block size", () => {
    const s = new PenaltySimulator(applySshdOption(defaultPenaltyConfig("9.8"), "PerSourceNetBlockSize", "32:64"));
    s.penalise("2001:db8:1:2::10", "crash", at(0));
    expect(s.checkAllow("2001:db8:1:2:ffff::1", at(1)).allowed).toBe(false);
    expect(s.checkAllow("2001:db8:1:3::10", at(1)).allowed).toBe(true);
    expect(s.entries(at(1))[0]!.masked).toBe("2001:db8:1:2::/64");
  });
});

describe("max-sources and overflow", () => {
  it("deny-all: a full table refuses everyone and penalises no one new", () => {
    const s = sim("9.8", "max-sources4:2 overflow:deny-all", { logLevel: "VERBOSE" });
    s.penalise("192.0.2.1", "authfail", at(0));
    s.penalise("192.0.2.2", "authfail", at(0));
    expect(s.penalise("192.0.2.3", "authfail", at(0)).lines[0]!.text).toBe(
      "srclimit_penalise: ipv4 penalty table full, cannot penalise 192.0.2.3/32 for penalty: failed authentication",
    );
    expect(s.checkAllow("198.51.100.1", at(1))).toEqual({ allowed: false, reason: "too many penalised addresses" });
    expect(s.checkAllow("2001:db8::1", at(1)).allowed).toBe(true); // overflow6 inherits, but v6 table is empty
    expect(s.checkAllow("198.51.100.1", at(6)).allowed).toBe(true); // entries expired
  });

  it("permissive: the soonest-expiring entries make room", () => {
    const s = sim("9.8", "max-sources4:2");
    s.penalise("192.0.2.1", "noauth", at(0));
    s.penalise("192.0.2.2", "crash", at(0));
    s.penalise("192.0.2.3", "crash", at(0));
    expect(s.entries(at(0)).map((e) => e.masked).sort()).toEqual(["192.0.2.2/32", "192.0.2.3/32"]);
  });
});

describe("drop-line rate limiting (10.0+)", () => {
  it("logs 7 drops, then DEBUG3, then a summary once the hysteresis is over", () => {
    const s = sim("10.0");
    const levels = Array.from({ length: 20 }, () => s.dropLines("192.0.2.1", 1000, "10.0.0.1", 22, 0, "penalty: caused crash", at(0))[0]!.level);
    expect(levels.filter((l) => l === "INFO")).toHaveLength(7);
    expect(levels.slice(7).every((l) => l === "DEBUG3")).toBe(true);
    const later = s.dropLines("192.0.2.1", 1001, "10.0.0.1", 22, 0, "penalty: caused crash", at(200));
    expect(later.map((l) => `${l.level} ${l.text}`)).toEqual([
      "INFO drop connection #0 from [192.0.2.1]:1001 on [10.0.0.1]:22 penalty: caused crash",
      "INFO PerSourcePenalties logging rate-limited: additional 13 connections dropped",
    ]);
    const s98 = sim("9.8");
    const all = Array.from({ length: 20 }, () => s98.dropLines("192.0.2.1", 1000, "10.0.0.1", 22, 0, "r", at(0))[0]!.level);
    expect(all.every((l) => l === "INFO")).toBe(true);
  });
});

describe("sshd_config", () => {
  it("reads PerSource* and LogLevel up to the first Match block", () => {
    const config = penaltyConfigFromSshdConfig(
      ["# comment", "LogLevel VERBOSE", "PerSourcePenalties authfail:30s min:1m", "PerSourceNetBlockSize 24:56", "PerSourcePenaltyExemptList 10.0.0.0/8", "Match User bob", "PerSourcePenalties no"].join("\n"),
      defaultPenaltyConfig("9.8"),
    );
    expect(config).toMatchObject({ enabled: true, authfail: 30, min: 60, ipv4Bits: 24, ipv6Bits: 56, exempt: "10.0.0.0/8", logLevel: "VERBOSE" });
    expect(applySshdOption(config, "PerSourcePenalties", "no").enabled).toBe(false);
    expect(() => applySshdOption(config, "PerSourcePenalties", "bogus:1s")).toThrow(/unknown/);
    expect(() => applySshdOption(config, "PerSourceNetBlockSize", "40")).toThrow();
  });
});

describe("expiry of penalty table entries", () => {
  it("drops an entry whose expiry the max cap lowered when log time went back", () => {
    const s = new PenaltySimulator(defaultPenaltyConfig("9.8"));
    s.penalise("203.0.113.7", "crash", 1_000_000); // expires at 1090 s
    s.penalise("203.0.113.7", "authfail", 100_000); // time went back: 1095 s, capped at 100 + 600 = 700 s
    expect(s.exportState().entries.map((e) => e.expiry)).toEqual([700]);
    expect(s.checkAllow("198.51.100.1", 800_000).allowed).toBe(true);
    expect(s.exportState().entries).toEqual([]); // expired at 700 s, gone by 800 s
  });
});
