// auth.log / secure: RFC 3164 ("Jul  1 22:13:21 host sshd[1]: msg"), high-precision ISO
// ("2024-07-01T22:13:21.123+02:00 host sshd[1]: msg") and RFC 5424 ("<38>1 ts host sshd 1 - - msg").
import { isSshdProgram, type HostEvent } from "../events.js";
import { YearInference, parseIsoTimestamp } from "../time.js";
import { parseDropbearMessage } from "./dropbear.js";
import { parseSshdMessage, type EventBase } from "./sshd.js";
import { SshdContext } from "./sshd-context.js";
import type { LineStatus, LogParser, ParseSession, ParserContext } from "./types.js";

// Host then "program[pid]:"; the host never ends in ":" (that is a host-less "sshd[1]:" line).
const RFC3164 = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (\S*[^\s:]) ([^\s:[]+)(?:\[(\d*)\])?: ?(.*)$/;
// Variants seen in real logs: no hostname ("Nov 23 21:50:19 sshd[8148]: …") and a bracketed
// tag with or without its colon ("Mar  3 00:17:22 [sshd]: …", "… host [sshd] …"), and BusyBox
// syslogd's (Alpine, OpenWrt, embedded) "facility.priority" after the host (sysklogd/syslogd.c
// timestamp_and_log: "%s %.64s %s %s" with parse_fac_prio_20's "%s.%s" or "<%d>").
const RFC3164_LOOSE = /^(?=.*$)(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (?:(\S*[^\s:\]]) )?(?:(?:[a-z]+[0-7]?\.[a-z]+|<\d{1,3}>) )?(?:\[([\w-]+)\]:?|([^\s:[]+)(?:\[(\d*)\])?:) ?([\s\S]*)$/;
const ISO = /^(?:<\d{1,3}>)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?) (\S+) ([^\s:[]+)(?:\[(\d+)\])?: ?(.*)$/;
// STRUCTURED-DATA: "-" or SD-ELEMENTs "[id name="value" …]"; a value is quoted and may hold an
// unescaped "]" (rsyslog writes `test="[brackets]"`: fail2ban's sshd test log, gh-2309).
const RFC5424 = /^<\d{1,3}>1 (\S+) (\S+) (\S+) (\S+) \S+ (?:-|(?:\[[^\s\]"=]+(?: +[^\s\]"=]+="(?:[^"\\]|\\.)*")* *\])+) ?(.*)$/;

const REPEATED = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/;
const MAX_REPEAT = 10_000;

export interface Header {
  timestamp: number;
  host: string;
  program: string;
  pid: number | undefined;
  message: string;
}

/** Month abbreviation (its three char codes packed) → index; the regex reads it as [A-Z][a-z]{2}. */
const MONTH_CODES = new Map<number, number>(
  ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map((name, i) => [(name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2), i]),
);
/** The fast path could not decide: read the line with the regexes. */
const UNDECIDED = null;

const digit = (code: number): number => (code >= 48 && code <= 57 ? code - 48 : -1);
/** Printable ASCII other than space: what the fast path accepts in a host or program name. */
const printable = (code: number): boolean => code > 32 && code < 127;

/**
 * The common RFC 3164 line ("Aug  1 00:00:00 host prog[pid]: msg") read by hand, giving exactly
 * what RFC3164 would (same fields, same undefined for an impossible date). Anything else —
 * a priority, fractional seconds, a non-ASCII or empty host or program, a line break in the
 * message — is UNDECIDED and goes to the regexes.
 */
/** The last host and program names read: a log repeats them, so the same string is reused (no slice a line). */
let lastHost = "";
let lastProgram = "";
/** The last month name read (its char codes packed) and its index: a Map lookup a line less. */
let lastMonthCode = -1;
let lastMonth: number | undefined;

/** `text.startsWith(part, at)`, char by char: faster than startsWith for these few characters. */
function sameAt(text: string, at: number, part: string): boolean {
  for (let k = 0; k < part.length; k++) if (text.charCodeAt(at + k) !== part.charCodeAt(k)) return false;
  return true;
}

/** A CR, U+2028 or U+2029 (a line break the fast path leaves to the regexes), without running a regex a line. */
function hasLineTerminator(text: string): boolean {
  return text.indexOf("\r") >= 0 || text.indexOf("\u2028") >= 0 || text.indexOf("\u2029") >= 0;
}

function fastRfc3164(text: string, years: YearInference, into: Header | undefined, plain: boolean): Header | undefined | typeof UNDECIDED {
  const n = text.length;
  if (n < 20) return UNDECIDED;
  const c0 = text.charCodeAt(0);
  const c1 = text.charCodeAt(1);
  const c2 = text.charCodeAt(2);
  if (c0 < 65 || c0 > 90 || c1 < 97 || c1 > 122 || c2 < 97 || c2 > 122 || text.charCodeAt(3) !== 32) return UNDECIDED;
  let i = 4;
  if (text.charCodeAt(i) === 32) i++;
  const d0 = digit(text.charCodeAt(i));
  if (d0 < 0) return UNDECIDED;
  let day = d0;
  const d1 = digit(text.charCodeAt(++i));
  if (d1 >= 0) {
    day = d0 * 10 + d1;
    i++;
  }
  if (text.charCodeAt(i) !== 32) return UNDECIDED;
  const h0 = digit(text.charCodeAt(i + 1));
  const h1 = digit(text.charCodeAt(i + 2));
  const m0 = digit(text.charCodeAt(i + 4));
  const m1 = digit(text.charCodeAt(i + 5));
  const s0 = digit(text.charCodeAt(i + 7));
  const s1 = digit(text.charCodeAt(i + 8));
  if (h0 < 0 || h1 < 0 || m0 < 0 || m1 < 0 || s0 < 0 || s1 < 0 || text.charCodeAt(i + 3) !== 58 || text.charCodeAt(i + 6) !== 58 || text.charCodeAt(i + 9) !== 32) return UNDECIDED;
  // host: one token of printable ASCII, not ending in ":". A log repeats its host: when the line
  // has the last one (read by this loop before, so printable and without a space) followed by a
  // space, the loop would stop just there, and is skipped.
  const hostStart = i + 10;
  let j = hostStart;
  const sameHost = lastHost.length > 0 && text.charCodeAt(hostStart + lastHost.length) === 32 && sameAt(text, hostStart, lastHost);
  if (sameHost) j += lastHost.length;
  else for (let c = text.charCodeAt(j); c !== 32; c = text.charCodeAt(++j)) if (!printable(c)) return UNDECIDED;
  if (j === hostStart || text.charCodeAt(j - 1) === 58) return UNDECIDED;
  const hostEnd = j;
  // program: printable ASCII up to "[" or ":" (the last one again the same way)
  const programStart = ++j;
  let c = text.charCodeAt(programStart + lastProgram.length);
  const sameProgram = lastProgram.length > 0 && (c === 58 || c === 91) && sameAt(text, programStart, lastProgram);
  if (sameProgram) j += lastProgram.length;
  else {
    c = text.charCodeAt(j);
    while (c !== 58 && c !== 91) {
      if (!printable(c)) return UNDECIDED;
      c = text.charCodeAt(++j);
    }
  }
  if (j === programStart) return UNDECIDED;
  const programEnd = j;
  let pid: number | undefined;
  if (c === 91) {
    const pidStart = ++j;
    let value = 0;
    for (let d = digit(text.charCodeAt(j)); d >= 0; d = digit(text.charCodeAt(++j))) value = value * 10 + d;
    if (text.charCodeAt(j) !== 93 || text.charCodeAt(j + 1) !== 58) return UNDECIDED;
    // Summed digit by digit (no slice a line) while exact; Number() as the regex path reads longer ones.
    if (j > pidStart) pid = j - pidStart <= 15 ? value : Number(text.slice(pidStart, j));
    j++;
  }
  j++; // the ":"
  if (text.charCodeAt(j) === 32) j++;
  if (!plain && hasLineTerminator(text)) return UNDECIDED;
  const message = text.slice(j);
  const packed = (c0 << 16) | (c1 << 8) | c2;
  const month = packed === lastMonthCode ? lastMonth : MONTH_CODES.get(packed);
  lastMonthCode = packed;
  lastMonth = month;
  if (month === undefined) return undefined; // RFC3164 matches, the month does not exist
  const timestamp = years.resolveMonth(month, day, h0 * 10 + h1, m0 * 10 + m1, s0 * 10 + s1, 0);
  if (timestamp === undefined) return undefined;
  const host = sameHost ? lastHost : (lastHost = text.slice(hostStart, hostEnd));
  const program = sameProgram ? lastProgram : (lastProgram = text.slice(programStart, programEnd));
  if (!into) return { timestamp, host, program, pid, message };
  into.timestamp = timestamp;
  into.host = host;
  into.program = program;
  into.pid = pid;
  into.message = message;
  return into;
}

/**
 * The header of a syslog line. `into`, when given, is filled and returned by the fast path (a
 * session reads one line at a time and needs no new object a line); the regex path returns its own.
 */
export function parseSyslogHeader(text: string, years: YearInference, offsetMinutes: number, into?: Header, plain = false): Header | undefined {
  const fast = fastRfc3164(text, years, into, plain);
  return fast !== UNDECIDED ? fast : parseSyslogHeaderByRegex(text, years, offsetMinutes);
}

/** The header read by the regexes alone (what the fast path must agree with; exported for its test). */
export function parseSyslogHeaderByRegex(text: string, years: YearInference, offsetMinutes: number): Header | undefined {
  let m = RFC3164.exec(text);
  if (m) {
    const ms = m[6] ? Math.floor(Number(`0.${m[6]}`) * 1000) : 0;
    const timestamp = years.resolve(m[1]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), ms);
    if (timestamp === undefined) return undefined;
    return { timestamp, host: m[7]!, program: m[8]!, pid: m[9] ? Number(m[9]) : undefined, message: m[10]! };
  }
  m = RFC3164_LOOSE.exec(text);
  if (m) {
    const ms = m[6] ? Math.floor(Number(`0.${m[6]}`) * 1000) : 0;
    const timestamp = years.resolve(m[1]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), ms);
    if (timestamp === undefined) return undefined;
    return { timestamp, host: m[7] ?? "", program: m[8] ?? m[9]!, pid: m[10] ? Number(m[10]) : undefined, message: m[11]! };
  }
  m = ISO.exec(text);
  if (m) {
    const timestamp = parseIsoTimestamp(m[1]!, offsetMinutes);
    if (timestamp === undefined) return undefined;
    return { timestamp, host: m[2]!, program: m[3]!, pid: m[4] ? Number(m[4]) : undefined, message: m[5]! };
  }
  m = RFC5424.exec(text);
  if (m) {
    const timestamp = parseIsoTimestamp(m[1]!, offsetMinutes);
    if (timestamp === undefined) return undefined;
    const message = m[5]!.startsWith("\uFEFF") ? m[5]!.slice(1) : m[5]!;
    return { timestamp, host: m[2]!, program: m[3]!, pid: /^\d+$/.test(m[4]!) ? Number(m[4]) : undefined, message };
  }
  return undefined;
}

export const syslogParser: LogParser = {
  name: "syslog",
  description: "OpenSSH and Dropbear in syslog files (auth.log, secure, messages): RFC 3164, ISO 8601 and RFC 5424 headers",
  detect(firstLines) {
    const years = new YearInference(Date.now());
    const hits = firstLines.filter((l) => parseSyslogHeader(l, years, 0) !== undefined).length;
    return hits > 0 && hits * 2 >= firstLines.length;
  },
  open(context: ParserContext): ParseSession {
    return syslogSession(context, new SshdContext(), new YearInference(context.referenceMs, context.offsetMinutes));
  },
};

function syslogSession(context: ParserContext, sshd: SshdContext, years: YearInference): ParseSession {
  // One base for every line: parseSshdMessage copies what it needs into the event.
  const base: { timestamp: number; file: string; line: number; format: string; host: string | undefined; program: string | undefined; pid: number | undefined } = {
    timestamp: 0, file: context.file, line: 0, format: "syslog", host: undefined, program: undefined, pid: undefined,
  };
  const scratch: Header = { timestamp: 0, host: "", program: "", pid: undefined, message: "" };
  return {
    line(text, lineNumber, _offset, out, plain): LineStatus {
      const header = parseSyslogHeader(text, years, context.offsetMinutes, scratch, plain);
      if (!header) return "unparseable";
      const program = header.program;
      if (!isSshdProgram(program) && program !== "ssh") return "skipped";
      base.timestamp = header.timestamp;
      base.line = lineNumber;
      base.host = header.host ? header.host : undefined;
      base.program = program;
      base.pid = header.pid;
      // rsyslog's "message repeated N times: [ msg]" stands for N identical lines.
      const repeated = header.message.charCodeAt(0) === 109 /* m */ ? REPEATED.exec(header.message) : null;
      const message = repeated ? repeated[2]! : header.message;
      const event: HostEvent | undefined = program === "dropbear" ? parseDropbearMessage(message, base) : parseSshdMessage(message, base);
      if (event) sshd.complete(event);
      // The ssh client shares message texts with sshd; from it only its own connect lines count.
      if (program === "ssh") {
        if (event?.action !== "ssh_client_connect") return "skipped";
      } else if (!event) return "unmodelled";
      const times = repeated ? Math.min(Number(repeated[1]), MAX_REPEAT) : 1;
      for (let i = 0; i < times; i++) out.push(i === 0 ? event! : { ...event! });
      return "recognised";
    },
    end() {},
    clone() {
      return syslogSession(context, sshd.clone(), years.clone());
    },
  };
}
