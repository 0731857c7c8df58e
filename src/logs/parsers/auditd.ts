// auditd raw logs. Records of one event share msg=audit(EPOCH:SERIAL) and are written
// together, so a group ends at type=EOE or when another serial begins. A group becomes
// events: execve → process_start, connect with an inet SOCKADDR → connection_attempted,
// file syscalls → one event per created/deleted/written PATH. research/HOSTLOGS.md §3.
import type { Cursor, EventAction, HostEvent, Outcome, ProcessInfo } from "../events.js";
import { fromBytes, normaliseIp, unmapIpv4 } from "../net.js";
import { plausibleTimestamp } from "../time.js";
import { trimEndChars } from "../../core/trim.js";
import type { LineStatus, LogParser, ParseSession, ParserContext } from "./types.js";

const RECORD = /^(?:node=(\S+) )?type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\): ?(.*)$/;
// A key starts where a run of [\w-] starts (digits and hyphens before its first letter are
// skipped): a key that fails is not tried again from inside its run (linear on long runs).
const FIELD = /(?<![\w-])[\d-]*([A-Za-z_][\w-]*(?:\[\d+\])?)=("[^"]*"|'[^']*'|\S*)/g;
const MODELLED = new Set(["SYSCALL", "EXECVE", "PATH", "CWD", "SOCKADDR", "PROCTITLE", "EOE", "USER_AUTH", "USER_LOGIN"]);
const UNSET_ID = new Set(["4294967295", "-1"]);

type Fields = Map<string, string>;

interface Group {
  key: string;
  node: string | undefined;
  timestamp: number;
  serial: string;
  lines: number[];
  startCursor: Cursor;
  records: { type: string; fields: Fields }[];
}

/** Enriched logs (log_format=ENRICHED) append "\x1dAUID=\"alice\" ..."; both halves are fields. */
export function parseFields(body: string): Fields {
  const fields: Fields = new Map();
  for (const match of body.replace(/\x1d/g, " ").matchAll(FIELD)) fields.set(match[1]!, match[2]!);
  return fields;
}

/** Quoted → literal; bare even-length uppercase hex → decoded (the kernel hex-encodes values with spaces, quotes or controls). */
export function decodeValue(raw: string | undefined, nulAsSpace = false): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) return raw.slice(1, -1);
  if (raw === "(null)" || raw === "(none)") return undefined;
  if (raw.length % 2 === 0 && /^[0-9A-F]+$/.test(raw)) {
    const decoded = Buffer.from(raw, "hex").toString("utf8");
    return nulAsSpace ? trimEndChars(decoded, "\0").replace(/\0/g, " ") : decoded;
  }
  return raw;
}

export interface SocketAddress {
  family: "inet" | "inet6" | "local" | "other";
  address?: string;
  port?: number;
  path?: string;
}

/** SOCKADDR saddr: family in host (little-endian) order, then port big-endian, then the address. */
export function decodeSockaddr(hex: string): SocketAddress | undefined {
  if (!/^[0-9A-Fa-f]{4,}$/.test(hex)) return undefined;
  const family = parseInt(hex.slice(2, 4) + hex.slice(0, 2), 16);
  const bytes = (from: number, to: number): number[] =>
    (hex.slice(from, to).match(/../g) ?? []).map((b) => parseInt(b, 16));
  if (family === 2 && hex.length >= 16) {
    return { family: "inet", port: parseInt(hex.slice(4, 8), 16), address: bytes(8, 16).join(".") };
  }
  if (family === 10 && hex.length >= 48) {
    return { family: "inet6", port: parseInt(hex.slice(4, 8), 16), address: unmapIpv4(fromBytes(bytes(16, 48))) };
  }
  if (family === 1) {
    const raw = Buffer.from(hex.slice(4), "hex");
    const abstract = raw[0] === 0;
    const body = abstract ? raw.subarray(1) : raw;
    const end = body.indexOf(0);
    const path = body.subarray(0, end < 0 ? body.length : end).toString("utf8");
    return { family: "local", path: abstract ? `@${path}` : path };
  }
  return { family: "other" };
}

const SYSCALLS: Record<string, Record<number, string>> = {
  c000003e: { 2: "open", 42: "connect", 59: "execve", 76: "truncate", 82: "rename", 85: "creat", 87: "unlink", 257: "openat", 263: "unlinkat", 264: "renameat", 316: "renameat2", 322: "execveat", 437: "openat2" },
  c00000b7: { 35: "unlinkat", 38: "renameat", 45: "truncate", 56: "openat", 203: "connect", 221: "execve", 276: "renameat2", 281: "execveat", 437: "openat2" },
};

function syscallName(fields: Fields): string | undefined {
  const number = fields.get("syscall");
  if (!number) return undefined;
  if (!/^\d+$/.test(number)) return number; // ausearch -i already names it
  return SYSCALLS[fields.get("arch") ?? ""]?.[Number(number)];
}

/** O_WRONLY|O_RDWR|O_CREAT|O_TRUNC in the open flags argument (hex). */
function opensForWrite(syscall: string, fields: Fields): boolean {
  const flagsArg = syscall === "open" ? "a1" : "a2";
  const flags = parseInt(fields.get(flagsArg) ?? "0", 16);
  return (flags & 0x3) !== 0 || (flags & 0x240) !== 0;
}

function execveArgs(records: { type: string; fields: Fields }[]): string[] | undefined {
  const execve = records.filter((r) => r.type === "EXECVE");
  if (execve.length === 0) return undefined;
  const merged: Fields = new Map();
  for (const record of execve) for (const [k, v] of record.fields) merged.set(k, v);
  const argc = Number(merged.get("argc") ?? 0);
  const args: string[] = [];
  for (let i = 0; i < argc; i++) {
    const whole = merged.get(`a${i}`);
    if (whole !== undefined) {
      args.push(decodeValue(whole) ?? "");
      continue;
    }
    // Long arguments are split: a1_len=N a1[0]=HEX a1[1]=HEX ...
    let hex = "";
    for (let part = 0; merged.has(`a${i}[${part}]`); part++) hex += merged.get(`a${i}[${part}]`);
    args.push(decodeValue(hex) ?? "");
  }
  return args;
}

const basename = (path: string | undefined): string | undefined => path?.split("/").pop() || undefined;

/**
 * uid is who the process ran as (ECS user.id), auid the login user behind it (Auditbeat's
 * user.audit.id; unset, 4294967295, for daemons), euid the effective one (ECS user.effective.id).
 * Enriched logs name them (UID="root" AUID="alice").
 */
function users(fields: Fields): Partial<HostEvent> {
  const uid = fields.get("uid");
  const auid = fields.get("auid");
  const euid = fields.get("euid");
  const user = decodeValue(fields.get("UID"));
  const auditUser = decodeValue(fields.get("AUID"));
  const hasAuid = auid !== undefined && !UNSET_ID.has(auid);
  return {
    ...(uid !== undefined && !UNSET_ID.has(uid) ? { userId: uid } : {}), ...(user && user !== "unset" ? { user } : {}),
    ...(hasAuid ? { auditUserId: auid } : {}), ...(hasAuid && auditUser && auditUser !== "unset" ? { auditUser } : {}),
    ...(euid !== undefined && euid !== uid && !UNSET_ID.has(euid) ? { effectiveUserId: euid } : {}),
  };
}

/** USER_AUTH / USER_LOGIN (written by PAM-using programs: sshd, login, su, sudo): who, from where, granted or not. */
function userRecordEvent(group: Group, file: string): HostEvent | undefined {
  const record = group.records.find((r) => r.type === "USER_AUTH" || r.type === "USER_LOGIN");
  if (!record) return undefined;
  const inner = decodeValue(record.fields.get("msg")?.replace(/^'(.*)'$/s, '"$1"')) ?? "";
  const fields = parseFields(inner);
  const result = fields.get("res");
  const outcome: Outcome = result === "success" || result === "yes" ? "success" : result === "failed" || result === "no" ? "failure" : "unknown";
  const known = (v: string | undefined): string | undefined => (v === undefined || v === "?" || v === "(unknown)" ? undefined : v);
  const account = known(decodeValue(fields.get("acct")));
  const address = known(fields.get("addr"));
  const hostname = known(fields.get("hostname"));
  const exe = known(decodeValue(fields.get("exe")));
  const ip = address ? normaliseIp(address) : undefined;
  const domain = !ip && hostname && !normaliseIp(hostname) ? hostname.toLowerCase() : undefined;
  const pid = Number(record.fields.get("pid"));
  const loginId = known(fields.get("id"));
  const event: HostEvent = {
    action: record.type === "USER_AUTH" ? "user_authentication" : "user_login", outcome,
    timestamp: group.timestamp, file, line: group.lines[0]!, lines: [...group.lines], format: "auditd",
    ...(group.node ? { host: group.node } : {}),
    ...users(record.fields),
    id: group.serial,
    process: { ...(Number.isFinite(pid) ? { pid } : {}), ...(exe ? { executable: exe, name: exe.split("/").pop()! } : {}) },
    ...(ip ? { sourceIp: ip } : {}), ...(domain ? { sourceDomain: domain } : {}),
    reason: `${fields.get("op") ?? record.type}${known(fields.get("terminal")) ? ` on ${fields.get("terminal")}` : ""}`,
  };
  // The account the login was for (acct, or id= on USER_LOGIN) is the target, not who ran sshd (uid 0).
  delete event.user;
  delete event.userId;
  if (account) event.user = account;
  else if (loginId && !UNSET_ID.has(loginId)) event.userId = loginId;
  return event;
}

function groupToEvents(group: Group, file: string): HostEvent[] {
  const syscall = group.records.find((r) => r.type === "SYSCALL")?.fields;
  if (!syscall) {
    const login = userRecordEvent(group, file);
    return login ? [login] : [];
  }
  const name = syscallName(syscall);
  const cwd = decodeValue(group.records.find((r) => r.type === "CWD")?.fields.get("cwd"));
  const exe = decodeValue(syscall.get("exe"));
  const process: ProcessInfo = {
    pid: Number(syscall.get("pid")),
    ppid: Number(syscall.get("ppid")),
    ...(decodeValue(syscall.get("comm")) ? { name: decodeValue(syscall.get("comm")) } : {}),
    ...(exe ? { executable: exe } : {}),
    ...(cwd ? { cwd } : {}),
  };
  const exit = Number(syscall.get("exit") ?? 0);
  const base = (action: EventAction, outcome: Outcome): HostEvent => ({
    action, outcome, timestamp: group.timestamp, file, line: group.lines[0]!, lines: [...group.lines], format: "auditd",
    ...(group.node ? { host: group.node } : {}),
    ...users(syscall),
    process: { ...process }, id: group.serial,
  });
  const success = syscall.get("success") === "yes";

  if (name === "execve" || name === "execveat") {
    const event = base("process_start", success ? "success" : "failure");
    const args = execveArgs(group.records);
    if (args) event.process!.args = args;
    return [event];
  }
  if (name === "connect") {
    const saddr = group.records.find((r) => r.type === "SOCKADDR")?.fields.get("saddr");
    const socket = saddr ? decodeSockaddr(saddr) : undefined;
    if (!socket || (socket.family !== "inet" && socket.family !== "inet6")) return [];
    // -115 EINPROGRESS: a non-blocking connect (Node, asyncio) under way, not a failure.
    const outcome: Outcome = success || exit === 0 ? "success" : exit === -115 ? "unknown" : "failure";
    const event = base("connection_attempted", outcome);
    event.destinationIp = socket.address!;
    event.destinationPort = socket.port!;
    return [event];
  }
  if (!name) return [];
  const events: HostEvent[] = [];
  const joined = (path: string): string => (path.startsWith("/") || !cwd ? path : `${cwd.replace(/\/$/, "")}/${path}`);
  const renaming = name.startsWith("rename");
  // rename(2) logs the old name and any replaced target as DELETE, the new name as CREATE.
  const created = renaming ? group.records.filter((r) => r.type === "PATH" && r.fields.get("nametype") === "CREATE").map((r) => decodeValue(r.fields.get("name"))) : [];
  const oldPath = renaming
    ? group.records
        .filter((r) => r.type === "PATH" && r.fields.get("nametype") === "DELETE")
        .map((r) => decodeValue(r.fields.get("name")))
        .find((p) => p !== undefined && !created.includes(p))
    : undefined;
  for (const record of group.records) {
    if (record.type !== "PATH") continue;
    const nametype = record.fields.get("nametype");
    const path = decodeValue(record.fields.get("name"), false);
    if (!path || nametype === "PARENT") continue;
    let action: EventAction | undefined;
    if (nametype === "CREATE") action = name.startsWith("rename") ? "rename" : "creation";
    else if (nametype === "DELETE") action = name.startsWith("rename") ? undefined : "deletion";
    else if (nametype === "NORMAL" && ((name.startsWith("open") && opensForWrite(name, syscall)) || name === "truncate")) action = "change";
    else if (nametype === "NORMAL" && name.startsWith("open")) action = "access";
    if (!action) continue;
    const event = base(action, success ? "success" : "failure");
    event.filePath = joined(path);
    if (action === "rename" && oldPath) event.oldFilePath = joined(oldPath);
    events.push(event);
  }
  return events;
}

export const auditdParser: LogParser = {
  name: "auditd",
  description: "Linux audit raw logs (audit.log), records grouped by event serial",
  detect(firstLines) {
    return firstLines.some((l) => RECORD.test(l));
  },
  open(context: ParserContext): ParseSession {
    let pending: Group | undefined;
    const flush = (out: HostEvent[]): void => {
      if (pending) out.push(...groupToEvents(pending, context.file));
      pending = undefined;
    };
    return {
      line(text, lineNumber, startOffset, out): LineStatus {
        const match = RECORD.exec(text);
        if (!match) return "unparseable";
        const [, node, type, seconds, millis, serial, body] = match;
        const key = `${node ?? ""}|${seconds}.${millis}:${serial}`;
        if (pending && pending.key !== key) flush(out);
        if (type === "EOE") {
          if (pending) pending.lines.push(lineNumber);
          flush(out);
          return "recognised";
        }
        if (!MODELLED.has(type!)) return "skipped";
        const timestamp = Number(seconds) * 1000 + Number(millis!.padEnd(3, "0").slice(0, 3));
        if (!plausibleTimestamp(timestamp)) return "unparseable"; // msg=audit(1e17…): an error on this line, not the run
        pending ??= {
          key, node, serial: serial!, timestamp,
          lines: [], startCursor: { offset: startOffset, line: lineNumber - 1 }, records: [],
        };
        pending.lines.push(lineNumber);
        pending.records.push({ type: type!, fields: parseFields(body!) });
        return "recognised";
      },
      end(out) {
        flush(out);
      },
      pendingCursor() {
        return pending?.startCursor;
      },
    };
  },
};
