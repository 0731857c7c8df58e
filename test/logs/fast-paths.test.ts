// The hand-written hot paths of `exfilscan logs` must give exactly what the general code
// gives: the RFC 3164 header read by hand against the regexes, and the per-second timestamp
// cache against year inference without it, the canonical-IPv4 check against its regex. Generated lines mix well-formed headers with the
// near misses each regex branch exists for.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSyslogHeader, parseSyslogHeaderByRegex } from "../../src/logs/parsers/syslog.js";
import { YearInference } from "../../src/logs/time.js";
import { CANONICAL_V4, isCanonicalIpv4 } from "../../src/logs/net.js";

const REFERENCE = Date.parse("2025-01-01T12:00:00Z");

const month = fc.constantFrom("Jan", "Feb", "Aug", "Dec", "Foo", "aug", "AUG", "Au");
const day = fc.constantFrom("1", "01", "9", "12", "31", "32", "0", "123", "");
const gap = fc.constantFrom(" ", "  ", "   ", "\t");
const two = fc.constantFrom("00", "09", "23", "24", "59", "60", "61", "7", "ab");
const fraction = fc.constantFrom("", "", "", ".123", ".1234567", ".");
const host = fc.constantFrom("web1", "host.example.com", "h:1", "h:", "", "höst", "[::1]", "a\u00a0b", "sshd[1]:");
const program = fc.constantFrom("sshd", "sshd-session", "sshd(pam_unix)", "CRON", "", "a]b", "prog ram", "sshd:x", "прог");
const pid = fc.constantFrom("", "[123]", "[]", "[007]", "[x]", "[12", "[1]x");
const colon = fc.constantFrom(": ", ":", " ", ":  ", "");
const message = fc.constantFrom(
  "Failed password for root from 203.0.113.5 port 22 ssh2",
  "", " leading space", "carriage\rreturn", "line\u2028separator", "para\u2029graph", "trailing\r", "ünïcode",
  "message repeated 3 times: [ Failed password for root from 203.0.113.5 port 22 ssh2]",
);
const prefix = fc.constantFrom("", "", "", "<38>", "<38>1 ", "\ufeff");

const line = fc
  .tuple(prefix, month, gap, day, two, two, two, fraction, host, program, pid, colon, message)
  .map(([pre, mon, g, d, hh, mm, ss, frac, h, prog, p, c, msg]) => `${pre}${mon}${g}${d} ${hh}:${mm}:${ss}${frac} ${h} ${prog}${p}${c}${msg}`);

describe("RFC 3164 header fast path", () => {
  it("reads every line as the regexes do, in sequence (same year inference state)", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), (lines) => {
        const fastYears = new YearInference(REFERENCE);
        const plainYears = new YearInference(REFERENCE);
        const regexYears = new YearInference(REFERENCE);
        for (const text of lines) {
          const expected = parseSyslogHeaderByRegex(text, regexYears, 0);
          expect(parseSyslogHeader(text, fastYears, 0)).toEqual(expected);
          // what the reader marks plain (ASCII, no CR) skips the line-break scan and must read the same
          if (/^[\x00-\x7f]*$/.test(text) && !text.includes("\r")) expect(parseSyslogHeader(text, plainYears, 0, undefined, true)).toEqual(expected);
          else parseSyslogHeader(text, plainYears, 0);
        }
      }),
      { numRuns: 2000, seed: 13 },
    );
  });

  it("reads the common forms by hand with the same fields", () => {
    const years = new YearInference(REFERENCE);
    expect(parseSyslogHeader("Aug  1 00:00:05 web1 sshd-session[10001]: Invalid user admin from 203.0.113.9 port 4242", years, 0)).toEqual({
      timestamp: Date.parse("2024-08-01T00:00:05Z"), host: "web1", program: "sshd-session", pid: 10001, message: "Invalid user admin from 203.0.113.9 port 4242",
    });
    expect(parseSyslogHeader("Aug 12 00:00:05 web1 sshd[]:x", years, 0)).toEqual({ timestamp: Date.parse("2024-08-12T00:00:05Z"), host: "web1", program: "sshd", pid: undefined, message: "x" });
    // a month name the regex accepts but no calendar has: no header, not a fallback to the looser forms
    expect(parseSyslogHeader("Foo 12 00:00:05 web1 sshd[1]: x", years, 0)).toBeUndefined();
  });
});

/** Year inference as it was before the per-second cache (the reference the cache must match). */
class UncachedYears {
  private year: number | undefined;
  private lastMonth = -1;
  constructor(private readonly referenceMs: number) {}
  resolve(month: number, day: number, hh: number, mm: number, ss: number): number | undefined {
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
    const at = (year: number): number => Date.UTC(year, month, day, hh, mm, ss, 0);
    if (this.year === undefined) {
      this.year = new Date(this.referenceMs).getUTCFullYear();
      if (at(this.year) > this.referenceMs + 86_400_000) this.year -= 1;
    } else if (month < this.lastMonth && this.lastMonth - month >= 6) this.year += 1;
    this.lastMonth = month;
    let result = at(this.year);
    if (result > this.referenceMs + 86_400_000) {
      this.year -= 1;
      result = at(this.year);
    }
    return result;
  }
}

describe("year inference cache", () => {
  it("gives what inference without a cache gives, for runs of repeated and jumping stamps", () => {
    const stamp = fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }));
    // each stamp repeated 1-3 times, as a log writes several lines a second
    const run = fc.tuple(stamp, fc.integer({ min: 1, max: 3 }));
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 40 }), fc.constantFrom(REFERENCE, Date.parse("2024-12-31T23:00:00Z"), Date.parse("2024-01-01T00:30:00Z")), (runs, reference) => {
        const cached = new YearInference(reference);
        const plain = new UncachedYears(reference);
        for (const [[mo, d, h, m, s], times] of runs) {
          for (let i = 0; i < times; i++) expect(cached.resolveMonth(mo, d, h, m, s)).toBe(plain.resolve(mo, d, h, m, s));
        }
      }),
      { numRuns: 2000, seed: 15 },
    );
  });
});

describe("canonical IPv4 check", () => {
  it("accepts exactly what CANONICAL_V4 matches", () => {
    const octet = fc.constantFrom("0", "00", "01", "9", "10", "99", "100", "199", "249", "250", "255", "256", "299", "300", "999", "1000", "", "a", "-1", " 1");
    const dot = fc.constantFrom(".", ".", ".", ".", "..", ":", "");
    const address = fc.tuple(fc.array(fc.tuple(octet, dot), { minLength: 1, maxLength: 6 }), octet).map(([parts, last]) => parts.map(([o, d]) => o + d).join("") + last);
    fc.assert(
      fc.property(address, (text) => {
        expect(isCanonicalIpv4(text), text).toBe(CANONICAL_V4.test(text));
      }),
      { numRuns: 5000, seed: 15 },
    );
    for (const text of ["1.2.3.4", "255.255.255.255", "0.0.0.0", "192.030.0.6", "1.2.3", "1.2.3.4.", ".1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "::ffff:1.2.3.4"]) {
      expect(isCanonicalIpv4(text), text).toBe(CANONICAL_V4.test(text));
    }
  });
});
