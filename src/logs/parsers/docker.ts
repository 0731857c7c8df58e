// Docker json-file logs (/var/lib/docker/containers/<id>/<id>-json.log). An sshd writing
// here (sshd -e) runs inside a container; its messages carry no syslog header.
import { parseIsoTimestamp } from "../time.js";
import { parseSshdMessage, type EventBase } from "./sshd.js";
import { SshdContext } from "./sshd-context.js";
import type { LogParser, ParseSession, ParserContext } from "./types.js";

const CONTAINER_DIR = /containers\/([0-9a-f]{12,64})\//;
/** sshd -e prefixes nothing; sshd -D -e under some images adds "sshd[12]: ". */
const OPTIONAL_TAG = /^(sshd(?:-session|-auth)?)\[(\d+)\]: /;

export const dockerParser: LogParser = {
  name: "docker",
  description: "Docker json-file container logs holding sshd output",
  detect(firstLines) {
    return firstLines.some((l) => l.startsWith('{"log":') && l.includes('"time":'));
  },
  open(context: ParserContext): ParseSession {
    const sshd = new SshdContext();
    const containerId = CONTAINER_DIR.exec(context.file)?.[1];
    return {
      line(line, lineNumber, _offset, out) {
        let record: { log?: unknown; time?: unknown };
        try {
          record = JSON.parse(line) as typeof record;
        } catch {
          return "unparseable";
        }
        if (typeof record.log !== "string" || typeof record.time !== "string") return "unparseable";
        const timestamp = parseIsoTimestamp(record.time);
        if (timestamp === undefined) return "unparseable";
        let message = record.log.replace(/\r?\n$/, "");
        const tag = OPTIONAL_TAG.exec(message);
        if (tag) message = message.slice(tag[0].length);
        const base: EventBase = {
          timestamp, file: context.file, line: lineNumber, format: "docker", program: tag?.[1] ?? "sshd",
          ...(tag ? { pid: Number(tag[2]) } : {}),
        };
        const event = parseSshdMessage(message, base);
        if (event) sshd.complete(event);
        if (!event) return "unmodelled";
        event.container = containerId ? { id: containerId } : {};
        out.push(event);
        return "recognised";
      },
      end() {},
    };
  },
};
