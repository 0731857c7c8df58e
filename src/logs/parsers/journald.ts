// `journalctl -o json`: one object per line. sshd is recognised by the trusted _COMM (what
// the kernel says ran), not by SYSLOG_IDENTIFIER, which any `logger -t sshd` can forge.
import { isSshdProgram } from "../events.js";
import { plausibleTimestamp } from "../time.js";
import { parseDropbearMessage } from "./dropbear.js";
import { parseSshdMessage, type EventBase } from "./sshd.js";
import { SshdContext } from "./sshd-context.js";
import type { LogParser, ParseSession, ParserContext } from "./types.js";

type JournalValue = string | number[] | (string | number[])[] | null | undefined;

/**
 * journalctl encodes non-UTF-8 values as byte arrays and repeated fields as arrays (one level:
 * an array of strings or of byte arrays). Anything deeper is not journalctl's and is not read,
 * without recursion (a value nested 100 k deep must not overflow the stack).
 */
function text(value: JournalValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return typeof value === "number" ? String(value) : undefined;
  if (value.length > 0 && value.every((v) => typeof v === "number" && v >= 0 && v <= 255)) return Buffer.from(value as number[]).toString("utf8");
  const first: unknown = value[0];
  if (typeof first === "string") return first;
  if (Array.isArray(first) && first.length > 0 && first.every((v) => typeof v === "number" && v >= 0 && v <= 255)) return Buffer.from(first as number[]).toString("utf8");
  return undefined;
}

const CONTAINER_UNIT = /(?:^|\/)(?:docker|libpod|cri-containerd|crio)-([0-9a-f]{12,64})\.scope|\/(?:docker|kubepods)[/.]/;

export function containerOf(fields: Record<string, JournalValue>): { id?: string; name?: string } | undefined {
  const id = text(fields["CONTAINER_ID_FULL"]) ?? text(fields["CONTAINER_ID"]);
  const name = text(fields["CONTAINER_NAME"]);
  if (id || name) return { ...(id ? { id } : {}), ...(name ? { name } : {}) };
  const cgroup = `${text(fields["_SYSTEMD_CGROUP"]) ?? ""} ${text(fields["_SYSTEMD_UNIT"]) ?? ""}`;
  const match = CONTAINER_UNIT.exec(cgroup);
  if (!match) return undefined;
  return match[1] ? { id: match[1] } : {};
}

export const journaldParser: LogParser = {
  name: "journald",
  description: "systemd journal JSON export (journalctl -o json)",
  detect(firstLines) {
    return firstLines.some((l) => l.startsWith("{") && l.includes('"__REALTIME_TIMESTAMP"'));
  },
  open(context: ParserContext): ParseSession {
    const sshd = new SshdContext();
    return {
      line(line, lineNumber, _offset, out) {
        let fields: Record<string, JournalValue>;
        try {
          const parsed: unknown = JSON.parse(line);
          if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return "unparseable";
          fields = parsed as Record<string, JournalValue>;
        } catch {
          return "unparseable";
        }
        const micros = text(fields["__REALTIME_TIMESTAMP"]);
        const message = text(fields["MESSAGE"]);
        if (!micros || !/^\d{1,17}$/.test(micros) || message === undefined) return "unparseable";
        const timestamp = Math.floor(Number(micros) / 1000);
        if (!plausibleTimestamp(timestamp)) return "unparseable"; // 1e23 µs: an error on this line, not the run
        const program = text(fields["_COMM"]) ?? text(fields["SYSLOG_IDENTIFIER"]);
        if (!isSshdProgram(program) && program !== "ssh") return "skipped";
        const pid = text(fields["_PID"]) ?? text(fields["SYSLOG_PID"]);
        const host = text(fields["_HOSTNAME"]);
        const base: EventBase = {
          timestamp, file: context.file, line: lineNumber, format: "journald",
          ...(host ? { host } : {}), ...(program ? { program } : {}), ...(pid && /^\d+$/.test(pid) ? { pid: Number(pid) } : {}),
        };
        const event = program === "dropbear" ? parseDropbearMessage(message, base) : parseSshdMessage(message, base);
        if (event) sshd.complete(event);
        if (program === "ssh") {
          if (event?.action !== "ssh_client_connect") return "skipped";
        } else if (!event) return "unmodelled";
        const container = containerOf(fields);
        if (container) event.container = container;
        const cursor = text(fields["__CURSOR"]);
        if (cursor) event.id = cursor;
        out.push(event);
        return "recognised";
      },
      end() {},
    };
  },
};
