// Calls that reach the network: library functions that send (requests.post,
// urlopen, gethostbyname) and client objects (sessions, sockets, SMTP) whose
// connect() names the peer and whose send-like methods transmit.
import { isCredentialHeader } from "../common/credential-header.js";
import { SlotTracker, urlSlots } from "../common/url-slots.js";
import type { PyNode } from "./ast.js";
import { reportSink } from "./effects.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { addToObject, allTaints, derived, external, foldedText, mergeTaints, taintKey, unknown, type Cell, type Taint, type Value } from "./model.js";
import { classifySinkCall, isSendMethod, urlArgumentIndex } from "./sinks.js";
import { metadataSource } from "./sources.js";
import { credentialPath } from "./paths.js";
import { fetchedTaint, writeFetched } from "./downloads.js";
import { stagingKey } from "./staging.js";
import type { EvaluatedArgs } from "./calls.js";

const IGNORED_SINK_KEYWORDS = new Set(["timeout", "verify", "allow_redirects", "stream", "cert", "proxies", "method", "context"]);
/** Client methods that compute or change transport settings (requests.Session's): what they are given is not data the client keeps. */
const SETTINGS_METHODS = new Set(["merge_environment_settings", "get_adapter", "mount", "close", "rebuild_proxies", "rebuild_method", "should_strip_auth"]);

/** A Unix socket path or Windows named pipe: local IPC, not network. */
function isLocalAddress(value: Value | undefined): boolean {
  const text = value ? foldedText(value) : undefined;
  return text !== undefined && (/^[/\0@]/.test(text) || text.startsWith("\\\\.\\pipe"));
}

export function addressValue(value: Value | undefined): Value | undefined {
  if (!value?.items) return value;
  const [host, port] = value.items;
  if (!host) return value;
  const text = foldedText(host);
  const result: Value = { taints: allTaints(value) };
  if (text !== undefined) {
    const full = port?.num !== undefined ? `${text}:${port.num}` : text;
    if (host.str !== undefined) result.str = full;
    else result.partial = full;
  }
  return result;
}

/**
 * Domain fronting: a `Host` header names the real receiver while the URL names a CDN or
 * the credential's own service. The header decides where the data goes.
 */
function frontedHost(args: EvaluatedArgs, channel: string): Value | undefined {
  const headers = args.keywords.get("headers")?.dict;
  if (channel !== "http" || !headers) return undefined;
  for (const [name, value] of headers) if (name.toLowerCase() === "host" && foldedText(value) !== undefined) return value;
  return undefined;
}

const LOGIN_METHODS = /^(login|auth|authenticate|auth_[a-z_]+|user|pass_|apop|rpop)$/;


/**
 * Keyword arguments of a request split by what they do with a value: `auth=` and a credential
 * header (Authorization, X-Api-Key, X-…-Token) authenticate the request; the body, URL, params, cookies and any
 * other header are data.
 */
export function requestParts(keywords: Iterable<[string, Value]>): { auth: Value[]; data: Value[] } {
  const auth: Value[] = [];
  const data: Value[] = [];
  for (const [name, value] of keywords) {
    if (IGNORED_SINK_KEYWORDS.has(name) || name === "url" || name === "host") continue;
    if (name === "auth") auth.push(value);
    else if (name === "headers" && value.dict) {
      for (const [header, headerValue] of value.dict) (isCredentialHeader(header) ? auth : data).push(headerValue);
      const rest = value.taints.filter((t) => t.source || t.param);
      if (rest.length) data.push({ taints: rest });
    } else data.push(value);
  }
  return { auth, data };
}

/** A client object's own credential: session.auth = …, session.headers["Authorization"] = …, login(). */
export function addCredential(cell: Cell | undefined, values: Value[]): boolean {
  const state = cell?.sink;
  if (!state) return false;
  state.authTaints = mergeTaints(state.authTaints ?? [], allTaints(derived(values)));
  return true;
}

/** session.headers.update({...}) / session.headers = {...}: Authorization is the credential, the rest data. */
export function storeHeaders(receiver: Value, headers: Value): boolean {
  if (!receiver.cell?.sink || !headers.dict) return false;
  const parts = requestParts([["headers", headers]]);
  addCredential(receiver.cell, parts.auth);
  receiver.cell.taints = mergeTaints(receiver.cell.taints, allTaints(derived(parts.data)));
  return true;
}

/** Keywords of a connecting client's constructor that log in (they authenticate to that peer). */
const LOGIN_KEYWORDS = /^(user(name)?|passw(or)?d|passwd|acct|private_key(_pass)?|pkey|key_filename|passphrase)$/;

const isAuthHandler = (value: Value): boolean => value.ref?.kind === "external" && /\.HTTP(Basic|Digest)AuthHandler\(\)$/.test(value.ref.qname);

export const isAuthHeader = (name: string | undefined): boolean => name !== undefined && isCredentialHeader(name);

const HTTP_METHOD = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/i;

export function sinkCall(ip: Interpreter, frame: Frame, node: PyNode, qname: string, sink: NonNullable<ReturnType<typeof classifySinkCall>>, args: EvaluatedArgs, extra: Taint[]): Value {
  if (sink.factory) {
    // requests.Request("POST", url), httpx.Request(method, url): the method comes first (urllib's Request takes the URL first).
    const skip = sink.member === "Request" && (HTTP_METHOD.test(args.positional[0]?.str ?? "") || /^(requests|httpx)\./.test(qname)) ? 1 : 0;
    const destArg = args.positional[skip] ?? args.keywords.get("url") ?? args.keywords.get("host") ?? args.keywords.get("address");
    const instance: Value = { ref: external(`${qname}()`).ref!, taints: [], cell: { taints: [], sink: { channel: sink.channel, sent: false } } };
    // Bot clients (`endpoint: …/bot{token}`): the API host with the constructor's token in the path.
    const endpoint = sink.family?.endpoint;
    const bot = endpoint?.includes("{token}") ? endpoint.slice(0, endpoint.indexOf("{token}")) : undefined;
    const tokenArg = args.positional[0] ?? args.keywords.get("token");
    // Web3(HTTPProvider(url)): a client built on a provider object talks to the provider's endpoint.
    // socket.socket(family, type) and Session() name no peer with their first argument.
    const addressable = sink.member !== "socket" && sink.member !== "Session";
    const dest = bot ? botDestination(bot, tokenArg, urlSlots(ip.signatures)) : destArg && addressable ? (destArg.cell?.sink?.dest ?? addressValue(destArg)) : undefined;
    if (dest) instance.cell!.sink!.dest = dest;
    if (args.positional.some((a) => a.ref?.kind === "external" && /\.AF_UNIX$/.test(a.ref.qname)) || isLocalAddress(dest)) instance.cell!.sink!.local = true;
    const front = frontedHost(args, sink.channel);
    if (front) instance.cell!.sink!.dest = front;
    // FTP(host, user, passwd) / pysftp.Connection(host, username=…, password=…): the login of the connection.
    // `credentials=(user, password)` (logging's HTTPHandler/SMTPHandler, cloud clients) authenticates any client.
    const login = (k: string): boolean => (sink.connects && LOGIN_KEYWORDS.test(k)) || k === "credentials";
    const parts = requestParts([...args.keywords].filter(([k]) => !(bot && k === "token") && !login(k)));
    parts.auth.push(...[...args.keywords].filter(([k]) => login(k)).map(([, v]) => v));
    // build_opener(HTTPBasicAuthHandler(mgr)): the password manager's credentials authenticate the opener's requests.
    // The address given first is where the client talks, never its data, even when it cannot be folded.
    const addressed = dest !== undefined || (destArg !== undefined && destArg === args.positional[skip] && addressable);
    let positional = args.positional.slice(addressed ? skip + 1 : skip);
    // FTP(host, user, passwd, acct): signatures/sinks.yaml `positionalLogin`.
    if (dest && sink.family?.positionalLogin) {
      parts.auth.push(...positional);
      positional = [];
    }
    parts.auth.push(...positional.filter(isAuthHandler));
    const data = [...positional.filter((a) => !isAuthHandler(a)), ...parts.data];
    instance.cell!.taints = mergeTaints(extra, allTaints(derived(data)));
    addCredential(instance.cell, parts.auth);
    if (sink.connects && dest && !instance.cell!.sink!.local) {
      reportSink(ip, frame, node, { channel: sink.channel, note: `connects with ${qname}()`, dest, data: [], until: instance.cell! });
    }
    return instance;
  }
  const urlIndex = urlArgumentIndex(sink.member);
  const first = args.positional[urlIndex] ?? args.keywords.get("url") ?? args.keywords.get("host");
  // urlopen(Request(url, data)): the request object holds destination and body.
  const request = first?.cell?.sink ? first : undefined;
  if (request?.cell?.sink) request.cell.sink.sent = true;
  const direct = frontedHost(args, sink.channel) ?? (request ? request.cell!.sink!.dest : addressValue(first));
  // A proxy (`proxies=`) reads what it forwards: the URL's credential slot holds only on a direct request.
  const dest = direct && args.keywords.has("proxies") ? unslotted(direct) : direct;
  const parts = requestParts(args.keywords);
  const data = [...args.positional.filter((_, i) => i !== urlIndex), ...parts.data];
  reportSink(ip, frame, node, {
    channel: sink.channel,
    note: `sent by ${qname}()`,
    data,
    extraTaints: mergeTaints(extra, request ? request.cell!.taints : []),
    auth: parts.auth,
    authTaints: request?.cell?.sink?.authTaints ?? [],
    ...(dest ? { dest } : {}),
  });
  const response = responseTaints(ip, frame, node, sink.channel, `${qname}()`, dest);
  // urlretrieve(url, filename): the answer lands in the file.
  if (/\.urlretrieve$/.test(qname)) writeFetched(ip, stagingKey(args.positional[1] ?? args.keywords.get("filename")), response);
  return { ref: external(`${qname}()`).ref!, taints: mergeTaints(metadataTaints(ip, frame, node, dest), response) };
}

/** What an http request answers: fetched data (downloads.ts), when it is written to a file and run. */
function responseTaints(ip: Interpreter, frame: Frame, node: PyNode, channel: string, note: string, dest: Value | undefined): Taint[] {
  if (channel !== "http" && channel !== "ftp") return [];
  const text = dest ? foldedText(dest) : undefined;
  return [fetchedTaint(frame, node, note, text && text !== "*" ? text : undefined)];
}

/**
 * The response of a cloud metadata endpoint's credential path is a credential. It is keyed
 * to the metadata host: handing the IMDSv2 session token back to that host is its own use.
 */
function metadataTaints(ip: Interpreter, frame: Frame, node: PyNode, dest: Value | undefined): Taint[] {
  const found = metadataSource(ip.signatures.cloudMetadata, dest ? foldedText(dest) : undefined);
  if (!found) return [];
  const taint = ip.source(frame, node, found.source.kind, found.source.note, found.source.detail);
  return [{ ...taint, keys: [`host:${found.host}`] }];
}

/** The value without a credential slot: each credential in it is data. */
function unslotted(value: Value): Value {
  if (!value.slotKeys) return value;
  const { slotKeys: _, ...rest } = value;
  return rest;
}

/** Whether an HTTPS connection's host (`HTTPSConnection(host)`) is the host of the URL it requests. */
function sameTlsHost(qname: string, connection: Value, url: Value): boolean {
  const host = (text: string | undefined): string | undefined => text?.toLowerCase().replace(/^https:\/\//, "").replace(/[/?#].*$/, "").replace(/:443$/, "");
  const own = host(foldedText(connection));
  return /HTTPSConnection\b/.test(qname) && own !== undefined && !own.includes("*") && !/^[a-z]+:/.test(own) && own === host(foldedText(url));
}

/** A bot client's API URL: the fixed host with the bot token in the path (its credential slot when the host's issuer takes it there). */
function botDestination(base: string, token: Value | undefined, slots: readonly RegExp[]): Value {
  const text = token ? foldedText(token) : undefined;
  const result: Value = { taints: token ? allTaints(token) : [] };
  if (token?.str !== undefined) result.str = `${base}${token.str}`;
  else result.partial = `${base}${text ?? "*"}`;
  const tracker = new SlotTracker(slots);
  tracker.add(base, [], undefined);
  tracker.add(text ?? "*", result.taints.map(taintKey), undefined);
  const slotted = tracker.slotted();
  if (slotted) result.slotKeys = slotted;
  return result;
}

/** A method of a client object: connect() sets the peer, send-like methods transmit. */
export function sinkMethod(ip: Interpreter, frame: Frame, node: PyNode, receiver: Value, method: string, args: EvaluatedArgs): Value {
  const state = receiver.cell!.sink!;
  const qname = receiver.ref?.kind === "external" ? receiver.ref.qname : "client";
  if (state.local || ((method === "connect" || method === "connect_ex") && isLocalAddress(args.positional[0]))) {
    state.local = true;
    return derived([receiver]);
  }
  if (method === "connect" || method === "connect_ex") {
    const dest = addressValue(args.positional[0] ?? args.keywords.get("host"));
    if (dest) state.dest = dest;
    reportSink(ip, frame, node, { channel: state.channel, note: `connects with ${qname.replace(/\(\)$/, "")}.${method}()`, ...(dest ? { dest } : {}), data: [], until: receiver.cell! });
    return unknown();
  }
  // req.prepare(), session.prepare_request(req): the same request, ready to send.
  if (method === "prepare") return receiver;
  if (method === "prepare_request" && args.positional[0]?.cell?.sink) return args.positional[0];
  if (SETTINGS_METHODS.has(method)) return { taints: [], ref: external(`${qname}.${method}()`).ref! };
  if (!isSendMethod(ip.signatures, method)) {
    const added = allTaints(derived([...args.positional, ...args.keywords.values()]));
    // smtp.login(user, password) authenticates to this peer: the password is the client's credential, sent to
    // the server it logs into (whether that server is the credential's issuer is the rules' question).
    if (LOGIN_METHODS.test(method)) {
      // A secret-named parameter that logs in somewhere is a real credential (see isCredentialConsumerCall).
      for (const t of added) if (t.source?.candidate) ip.collector.confirmCandidate(t.source.candidate);
      addCredential(receiver.cell, [...args.positional, ...args.keywords.values()]);
      if (added.some((t) => t.source)) {
        reportSink(ip, frame, node, { channel: state.channel, note: `logs in with ${qname.replace(/\(\)$/, "")}.${method}()`, ...(state.dest ? { dest: state.dest } : {}), data: [], auth: [...args.positional, ...args.keywords.values()] });
      }
      return { taints: [], ref: external(`${qname}.${method}()`).ref! };
    }
    // conn.putheader("Authorization", auth): the request's credential (as an auth header of requests.post), not its data.
    if (method === "putheader" && isAuthHeader(args.positional[0]?.str)) {
      addCredential(receiver.cell, args.positional.slice(1));
      return { taints: [], ref: external(`${qname}.${method}()`).ref! };
    }
    if (method === "setopt" && args.positional[1]?.str && /^https?:|^[a-z0-9.-]+\.[a-z]{2,}/i.test(args.positional[1].str)) state.dest = args.positional[1];
    else addToObject(receiver, added);
    return { taints: allTaints(receiver), ref: external(`${qname}.${method}()`).ref! };
  }
  state.sent = true;
  let dest = state.dest;
  const urlIndex = urlArgumentIndex(method);
  let dataArgs = [...args.positional];
  let requestTaints: Taint[] = [];
  const request = args.positional[urlIndex]?.cell?.sink ? args.positional[urlIndex] : undefined;
  if (request && state.channel === "http") {
    // opener.open(Request(url, data)) / session.send(req): the request object holds destination and body.
    request.cell!.sink!.sent = true;
    dest = request.cell!.sink!.dest ?? dest;
    requestTaints = request.cell!.taints;
    dataArgs = args.positional.filter((_, i) => i !== urlIndex);
  } else if (method === "sendto") {
    dest = addressValue(args.positional[1]) ?? dest;
    dataArgs = args.positional.slice(0, 1);
  } else if (state.channel === "http" && !/^send|^perform|^execute|^write|^storbinary|^storlines/.test(method)) {
    const url = args.positional[urlIndex] ?? args.keywords.get("url");
    if (url) {
      dataArgs = args.positional.filter((_, i) => i !== urlIndex);
      const urlText = foldedText(url);
      if (dest && urlText?.startsWith("/")) {
        const base = foldedText(dest) ?? "*";
        const joined: Value = { taints: mergeTaints(allTaints(dest), allTaints(url)) };
        if (dest.str !== undefined && url.str !== undefined) joined.str = `${base}${urlText}`;
        else joined.partial = `${base}${urlText}`;
        dest = joined;
      }
      // conn.request("GET", "https://host/…"): the request goes to the connection's host whatever the URL names,
      // so the URL's credential slot holds only when that is the URL's own host over TLS.
      else dest = dest && !sameTlsHost(qname, dest, url) ? unslotted(url) : url;
    }
  } else if (state.channel === "dns") {
    dest = args.positional[0] ?? dest;
  }
  // session.send(req, **settings), opener.open(req, data): beside a request object only `data` is
  // data; the rest are transport settings (stream, verify, cert, proxies, timeout).
  const parts = requestParts(request ? [...args.keywords].filter(([k]) => k === "data") : args.keywords);
  dest = frontedHost(args, state.channel) ?? dest;
  reportSink(ip, frame, node, {
    channel: state.channel,
    note: `sent by ${qname.replace(/\(\)$/, "")}.${method}()`,
    ...(dest ? { dest } : {}),
    data: [...dataArgs, ...parts.data],
    extraTaints: mergeTaints(mergeTaints(receiver.cell!.taints, requestTaints), uploadedFile(ip, frame, node, state.channel, method, args)),
    auth: parts.auth,
    authTaints: mergeTaints(state.authTaints ?? [], request?.cell?.sink?.authTaints ?? []),
  });
  const response = responseTaints(ip, frame, node, state.channel, `${qname.replace(/\(\)$/, "")}.${method}()`, dest);
  return { taints: mergeTaints(state.channel === "http" ? metadataTaints(ip, frame, node, dest) : [], response), ref: external(`${qname}.${method}()`).ref! };
}


/** File-transfer uploads whose first argument is a local path the client reads (`sftp.put(local, remote)`). */
const PATH_UPLOADS = /^(put|put_r|put_d|upload|upload_file)$/;

/**
 * A credential file named as what an SFTP/FTP client uploads (`conn.put("~/.ssh/id_rsa", …)`):
 * the library reads the file and sends it. The remote path and other arguments are not files here.
 */
function uploadedFile(ip: Interpreter, frame: Frame, node: PyNode, channel: string, method: string, args: EvaluatedArgs): Taint[] {
  if (channel !== "ftp" || !PATH_UPLOADS.test(method)) return [];
  const local = args.positional[0] ?? args.keywords.get("localpath") ?? args.keywords.get("local_path");
  const text = local ? foldedText(local) : undefined;
  const found = text !== undefined && /[/\\]/.test(text) ? credentialPath(ip.signatures, text) : undefined;
  return found ? [ip.source(frame, node, found.kind, `${found.note} (the file the client uploads)`, found.path)] : [];
}
