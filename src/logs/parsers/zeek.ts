// Zeek conn.log, ssh.log and dns.log, as TSV (with the #separator/#fields header) or
// JSON lines (json-logs.zeek, flattened "id.orig_h" names). research/HOSTLOGS.md §4.
import type { EventAction, HostEvent, Outcome } from "../events.js";
import { normaliseIp } from "../net.js";
import { epochSecondsToMs, parseIsoTimestamp } from "../time.js";
import type { LineStatus, LogParser, ParseSession, ParserContext } from "./types.js";

type ZeekKind = "conn" | "ssh" | "dns";
type Row = Record<string, unknown>;

const FAILED_STATES = new Set(["S0", "REJ", "RSTOS0", "RSTRH", "SH", "SHR"]);
const ESTABLISHED_STATES = new Set(["SF", "S1", "S2", "S3", "RSTO", "RSTR"]);

function kindOf(path: string | undefined, row: Row): ZeekKind | undefined {
  if (path === "conn" || path === "ssh" || path === "dns") return path;
  if ("query" in row || "qtype_name" in row) return "dns";
  if ("auth_success" in row || "auth_attempts" in row) return "ssh";
  if ("conn_state" in row) return "conn";
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
  return n;
};

function timeOf(value: unknown): number | undefined {
  if (typeof value === "number") return Math.round(value * 1000);
  if (typeof value !== "string") return undefined;
  return epochSecondsToMs(value) ?? parseIsoTimestamp(value);
}

function rowToEvent(kind: ZeekKind, row: Row, file: string, line: number): HostEvent | undefined {
  const timestamp = timeOf(row["ts"]);
  // Events carry canonical IP literals only (HostEvent.sourceIp): a row whose addresses are not IPs is not an event.
  const orig = str(row["id.orig_h"]);
  const resp = str(row["id.resp_h"]);
  const sourceIp = orig === undefined ? undefined : normaliseIp(orig);
  const destinationIp = resp === undefined ? undefined : normaliseIp(resp);
  if (timestamp === undefined || !sourceIp || !destinationIp) return undefined;
  let action: EventAction;
  let outcome: Outcome = "unknown";
  const extra: Partial<HostEvent> = {};
  if (kind === "conn") {
    action = "connection_attempted";
    const state = str(row["conn_state"]);
    if (state && FAILED_STATES.has(state)) outcome = "failure";
    else if (state && ESTABLISHED_STATES.has(state)) outcome = "success";
    const service = str(row["service"]);
    if (service) extra.protocol = service;
  } else if (kind === "ssh") {
    action = "ssh_session";
    const auth = row["auth_success"];
    outcome = auth === true || auth === "T" ? "success" : auth === false || auth === "F" ? "failure" : "unknown";
    const client = str(row["client"]);
    const server = str(row["server"]);
    if (client || server) extra.message = [client && `client=${client}`, server && `server=${server}`].filter(Boolean).join(" ");
    extra.protocol = "ssh";
    const direction = str(row["direction"]);
    if (direction === "OUTBOUND" || direction === "INBOUND") extra.direction = direction === "OUTBOUND" ? "outbound" : "inbound";
  } else {
    action = "dns_query";
    const query = str(row["query"]);
    if (query) extra.destinationDomain = query;
    const answers = Array.isArray(row["answers"]) ? (row["answers"] as unknown[]).map(String) : str(row["answers"])?.split(",");
    if (answers?.length) extra.answers = answers;
    extra.protocol = "dns";
    const rcode = str(row["rcode_name"]);
    outcome = rcode === "NOERROR" ? "success" : rcode ? "failure" : "unknown";
  }
  const event: HostEvent = {
    action, outcome, timestamp, file, line, format: `zeek-${kind}`, sourceIp, destinationIp, ...extra,
  };
  const sourcePort = num(row["id.orig_p"]);
  const destinationPort = num(row["id.resp_p"]);
  if (sourcePort !== undefined) event.sourcePort = sourcePort;
  if (destinationPort !== undefined) event.destinationPort = destinationPort;
  const uid = str(row["uid"]);
  if (uid) event.id = uid;
  return event;
}

/** Zeek JSON may nest "id": {"orig_h": ...} when not flattened. */
function flatten(row: Row): Row {
  const id = row["id"];
  if (id && typeof id === "object") {
    for (const [k, v] of Object.entries(id as Row)) row[`id.${k}`] = v;
  }
  return row;
}

export const zeekParser: LogParser = {
  name: "zeek",
  description: "Zeek conn.log, ssh.log, dns.log (TSV with #fields header, or JSON)",
  detect(firstLines) {
    return firstLines.some((l) => l.startsWith("#separator") || l.startsWith("#fields") || (l.startsWith("{") && l.includes('"id.orig_h"')));
  },
  open(context: ParserContext): ParseSession {
    let separator = "\t";
    let fields: string[] | undefined;
    let path: string | undefined;
    let unset = "-";
    let empty = "(empty)";
    const fromName = /(?:^|\/)(conn|ssh|dns)[^/]*\.log(?:\.gz)?$/.exec(context.file)?.[1];
    return {
      line(text, lineNumber, _offset, out): LineStatus {
        if (text.startsWith("#")) {
          const [directive, ...rest] = text.split(text.startsWith("#separator") ? " " : separator);
          const value = rest.join(separator);
          if (directive === "#separator") separator = value.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
          else if (directive === "#fields") fields = rest;
          else if (directive === "#path") path = value;
          else if (directive === "#unset_field") unset = value;
          else if (directive === "#empty_field") empty = value;
          return "skipped";
        }
        let row: Row;
        if (text.startsWith("{")) {
          try {
            row = flatten(JSON.parse(text) as Row);
          } catch {
            return "unparseable";
          }
        } else {
          if (!fields) return "unparseable";
          const values = text.split(separator);
          if (values.length !== fields.length) return "unparseable";
          row = {};
          fields.forEach((name, i) => {
            const value = values[i]!;
            if (value !== unset) row[name] = value === empty ? "" : value;
          });
        }
        const kind = kindOf(str(row["_path"]) ?? path ?? fromName, row);
        if (!kind) return "skipped";
        const event = rowToEvent(kind, row, context.file, lineNumber);
        if (!event) return "unparseable";
        out.push(event);
        return "recognised";
      },
      end() {},
    };
  },
};
