// auth.log / secure: RFC 3164 ("Jul  1 22:13:21 host sshd[1]: msg"), high-precision ISO
// ("2024-07-01T22:13:21.123+02:00 host sshd[1]: msg") and RFC 5424 ("<38>1 ts host sshd 1 - - msg").
import { isSshdProgram, type HostEvent } from "../events.js";
import { YearInference, parseIsoTimestamp } from "../time.js";
import { parseSshdMessage, type EventBase } from "./sshd.js";
import { SshdContext } from "./sshd-context.js";
import type { LineStatus, LogParser, ParseSession, ParserContext } from "./types.js";

// Host then "program[pid]:"; the host never ends in ":" (that is a host-less "sshd[1]:" line).
const RFC3164 = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (\S*[^\s:]) ([^\s:[]+)(?:\[(\d*)\])?: ?(.*)$/;
// Variants seen in real logs: no hostname ("Nov 23 21:50:19 sshd[8148]: …") and a bracketed
// tag with or without its colon ("Mar  3 00:17:22 [sshd]: …", "… host [sshd] …").
const RFC3164_LOOSE = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (?:(\S*[^\s:\]]) )?(?:\[([\w-]+)\]:?|([^\s:[]+)(?:\[(\d*)\])?:) ?(.*)$/;
const ISO = /^(?:<\d{1,3}>)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?) (\S+) ([^\s:[]+)(?:\[(\d+)\])?: ?(.*)$/;
const RFC5424 = /^<\d{1,3}>1 (\S+) (\S+) (\S+) (\S+) \S+ (?:-|(?:\[(?:[^\]\\]|\\.)*\])+) ?(.*)$/;

const REPEATED = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/;
const MAX_REPEAT = 10_000;

interface Header {
  timestamp: number;
  host: string;
  program: string;
  pid: number | undefined;
  message: string;
}

export function parseSyslogHeader(text: string, years: YearInference, offsetMinutes: number): Header | undefined {
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
  description: "OpenSSH in syslog files (auth.log, secure): RFC 3164, ISO 8601 and RFC 5424 headers",
  detect(firstLines) {
    const years = new YearInference(Date.now());
    const hits = firstLines.filter((l) => parseSyslogHeader(l, years, 0) !== undefined).length;
    return hits > 0 && hits * 2 >= firstLines.length;
  },
  open(context: ParserContext): ParseSession {
    const sshd = new SshdContext();
    const years = new YearInference(context.referenceMs, context.offsetMinutes);
    return {
      line(text, lineNumber, _offset, out): LineStatus {
        const header = parseSyslogHeader(text, years, context.offsetMinutes);
        if (!header) return "unparseable";
        const program = header.program;
        if (!isSshdProgram(program) && program !== "ssh") return "skipped";
        const base: EventBase = {
          timestamp: header.timestamp, file: context.file, line: lineNumber, format: "syslog",
          ...(header.host ? { host: header.host } : {}), program, ...(header.pid !== undefined ? { pid: header.pid } : {}),
        };
        // rsyslog's "message repeated N times: [ msg]" stands for N identical lines.
        const repeated = REPEATED.exec(header.message);
        const event: HostEvent | undefined = parseSshdMessage(repeated ? repeated[2]! : header.message, base);
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
    };
  },
};
