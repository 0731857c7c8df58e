// ECS NDJSON in (Elastic Agent/Auditbeat/exfilscan --events output): process, network,
// file and authentication documents. Nested objects and dotted keys are both accepted.
import type { EventAction, HostEvent, Outcome, ProcessInfo } from "../events.js";
import { normaliseIp } from "../net.js";
import { parseIsoTimestamp } from "../time.js";
import type { LogParser, ParseSession, ParserContext } from "./types.js";

type Doc = Record<string, unknown>;

function get(doc: Doc, path: string): unknown {
  if (path in doc) return doc[path];
  const dot = path.indexOf(".");
  if (dot < 0) return undefined;
  // Try every split point: {"event": {"category": ...}} and {"event.category": ...} alike.
  for (let i = dot; i >= 0; i = path.indexOf(".", i + 1)) {
    const head = doc[path.slice(0, i)];
    if (head && typeof head === "object" && !Array.isArray(head)) {
      const found = get(head as Doc, path.slice(i + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : typeof v === "number" ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);

const FILE_ACTIONS: Record<string, EventAction> = {
  creation: "creation", file_create_event: "creation", created: "creation",
  change: "change", modification: "change", overwrite: "change", file_modify_event: "change", updated: "change",
  deletion: "deletion", file_delete_event: "deletion", deleted: "deletion",
  rename: "rename", file_rename_event: "rename", moved: "rename",
};

function actionOf(doc: Doc, categories: string[], types: string[]): EventAction | undefined {
  const declared = str(get(doc, "event.action"));
  if (categories.includes("file")) {
    const fromAction = declared ? FILE_ACTIONS[declared] : undefined;
    if (fromAction) return fromAction;
    for (const t of ["creation", "deletion", "change"]) if (types.includes(t)) return t as EventAction;
    return undefined;
  }
  if (categories.includes("process")) return types.includes("start") || declared === "exec" ? "process_start" : undefined;
  if (categories.includes("authentication")) return declared === "ssh_login" || types.length ? "ssh_login" : undefined;
  if (categories.includes("network")) {
    if (get(doc, "dns.question.name") !== undefined) return "dns_query";
    return "connection_attempted";
  }
  return undefined;
}

function toEvent(doc: Doc, context: ParserContext, line: number): HostEvent | undefined {
  const timestamp = parseIsoTimestamp(str(get(doc, "@timestamp")) ?? "");
  if (timestamp === undefined) return undefined;
  const categories = list(get(doc, "event.category"));
  const types = list(get(doc, "event.type"));
  const action = actionOf(doc, categories, types);
  if (!action) return undefined;
  const outcomeText = str(get(doc, "event.outcome"));
  const outcome: Outcome = outcomeText === "success" || outcomeText === "failure" ? outcomeText : "unknown";
  const event: HostEvent = { action, outcome, timestamp, file: context.file, line, format: "ecs" };
  const set = <K extends keyof HostEvent>(key: K, value: HostEvent[K] | undefined): void => {
    if (value !== undefined) event[key] = value;
  };
  set("host", str(get(doc, "host.name")) ?? str(get(doc, "host.hostname")));
  set("user", str(get(doc, "user.name")));
  set("userId", str(get(doc, "user.id")));
  // Addresses are normalised as in sshd: a source that is not an IP is kept as sourceDomain, a destination one is dropped.
  const source = str(get(doc, "source.ip"));
  const sourceIp = source === undefined ? undefined : normaliseIp(source);
  set("sourceIp", sourceIp);
  if (source !== undefined && sourceIp === undefined) set("sourceDomain", str(get(doc, "source.domain")) ?? source.toLowerCase());
  set("sourcePort", num(get(doc, "source.port")));
  const destination = str(get(doc, "destination.ip"));
  set("destinationIp", destination === undefined ? undefined : normaliseIp(destination));
  set("destinationPort", num(get(doc, "destination.port")));
  set("destinationDomain", str(get(doc, "destination.domain")) ?? str(get(doc, "dns.question.name")));
  set("filePath", str(get(doc, "file.path")));
  const resolved = get(doc, "dns.resolved_ip");
  if (Array.isArray(resolved) && resolved.length) event.answers = resolved.map(String);
  set("id", str(get(doc, "event.id")));
  set("method", str(get(doc, "system.auth.ssh.method")));
  set("protocol", str(get(doc, "network.protocol")));
  const direction = str(get(doc, "network.direction"));
  if (direction === "inbound" || direction === "outbound") event.direction = direction;
  const process: ProcessInfo = {};
  const assign = <K extends keyof ProcessInfo>(key: K, value: ProcessInfo[K] | undefined): void => {
    if (value !== undefined) process[key] = value;
  };
  assign("pid", num(get(doc, "process.pid")));
  assign("ppid", num(get(doc, "process.parent.pid")));
  assign("name", str(get(doc, "process.name")));
  assign("executable", str(get(doc, "process.executable")));
  const args = get(doc, "process.args");
  if (Array.isArray(args)) process.args = args.map(String);
  assign("cwd", str(get(doc, "process.working_directory")));
  assign("parentName", str(get(doc, "process.parent.name")));
  if (Object.keys(process).length) event.process = process;
  const containerId = str(get(doc, "container.id"));
  const containerName = str(get(doc, "container.name"));
  if (containerId || containerName) event.container = { ...(containerId ? { id: containerId } : {}), ...(containerName ? { name: containerName } : {}) };
  return event;
}

export const ecsParser: LogParser = {
  name: "ecs",
  description: "Elastic Common Schema NDJSON (process, network, file, authentication events)",
  detect(firstLines) {
    return firstLines.some((l) => l.startsWith("{") && l.includes('"@timestamp"') && /"event[."]/.test(l));
  },
  open(context: ParserContext): ParseSession {
    return {
      line(text, lineNumber, _offset, out) {
        let doc: Doc;
        try {
          const parsed: unknown = JSON.parse(text);
          if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return "unparseable";
          doc = parsed as Doc;
        } catch {
          return "unparseable";
        }
        const event = toEvent(doc, context, lineNumber);
        if (!event) return get(doc, "@timestamp") === undefined ? "unparseable" : "skipped";
        out.push(event);
        return "recognised";
      },
      end() {},
    };
  },
};
