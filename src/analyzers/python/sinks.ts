// Which calls send data off the machine, driven by signatures.sinks.python.
import type { SinkChannel } from "../facts.js";
import type { ClientFamily, Signatures } from "../../rules/signatures.js";

export interface SinkCall {
  channel: SinkChannel;
  module: string;
  member: string;
  factory: boolean;
  connects: boolean;
  /** The API family of the client the member creates (endpoint, send methods), when sinks.yaml names one. */
  family?: ClientFamily;
}

/** `requests.post` → http send; `socket.socket` → socket factory. */
const sinkCache = new WeakMap<Signatures, Map<string, SinkCall | undefined>>();

export function classifySinkCall(signatures: Signatures, qname: string): SinkCall | undefined {
  let cache = sinkCache.get(signatures);
  if (!cache) sinkCache.set(signatures, (cache = new Map()));
  if (cache.has(qname)) return cache.get(qname);
  const result = classify(signatures, qname);
  if (cache.size < 50_000) cache.set(qname, result);
  return result;
}

function classify(signatures: Signatures, qname: string): SinkCall | undefined {
  const modules = signatures.sinks.python.modules;
  let best: string | undefined;
  for (const module of Object.keys(modules)) {
    if ((qname === module || qname.startsWith(`${module}.`)) && (!best || module.length > best.length)) best = module;
  }
  if (!best) return undefined;
  const rest = qname.slice(best.length + 1);
  if (!rest || rest.includes("(")) return undefined;
  const member = rest.split(".")[0]!;
  const members = modules[best]!;
  const channel = members[member] ?? members["*"];
  if (!channel) return undefined;
  // requests.adapters.HTTPAdapter, requests.exceptions.X …: only direct members count for "*".
  if (rest.includes(".") && !members[member]) return undefined;
  // Client classes are data (`returns: client|connection` in signatures/sinks.yaml); a "connection" was opened to the peer its arguments name.
  const role = signatures.sinks.python.clients[best]?.[member];
  if (/^[A-Z]/.test(member) && !members[member] && !role) return undefined; // exception classes etc.
  const family = role !== undefined ? signatures.sinks.python.families[best]?.[member] : undefined;
  return { channel, module: best, member, factory: role !== undefined, connects: role === "connection", ...(family ? { family } : {}) };
}

/** Methods of a client object with no family send list that transmit (signatures/sinks.yaml `sendMethods`; anything named send* too). */
export function isSendMethod(signatures: Signatures, method: string): boolean {
  return signatures.sinks.python.sendMethods.has(method) || method.startsWith("send");
}

/** Where the URL/host of a send call is: `request(method, url)` has it second. */
export function urlArgumentIndex(method: string): number {
  return method === "request" ? 1 : 0;
}
