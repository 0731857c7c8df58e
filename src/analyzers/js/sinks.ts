// Sinks: calls that send data off the machine (from signatures/sinks.yaml), the
// connection objects they return (req.write, socket.send, transporter.sendMail), their
// folded destinations, and commands run through child_process.
import { isCredentialHeader } from "../common/credential-header.js";
import type { SinkChannel, SinkFact } from "../facts.js";
import type { Signatures } from "../../rules/signatures.js";
import type { Call } from "./calls.js";
import type { Interpreter } from "./interpreter.js";
import { PACKAGE_DIR, sourceTaint } from "./sources.js";
import { responseOf, writeToFile } from "./downloads.js";
import { runNodeFile, runShellCommand } from "./shell-calls.js";
import { destinationFromOptions } from "./strings.js";
import { emitFlows } from "./flows.js";
import { metadataEndpoint } from "../common/cloud-metadata.js";
import { isPageRequest } from "./intercepted-requests.js";
import {
  UNKNOWN,
  deepTaint,
  isFetched,
  isNumber,
  join,
  patternOf,
  skeletonOf,
  stringOf,
  unknownWith,
  type Ref,
  type SinkHandle,
  type Value,
} from "./values.js";

export function sinkChannelFor(signatures: Signatures, module: string, path: string[]): SinkChannel | undefined {
  const table = signatures.sinks.js.modules[module];
  if (!table) return undefined;
  // Members that configure a client (signatures/sinks.yaml js.configMembers) never send.
  if (path.length > 0 && signatures.sinks.js.configMembers.has(path[0]!)) return undefined;
  return table[path.join(".")] ?? (path.length > 0 ? table[path[path.length - 1]!] : undefined) ?? table["*"];
}

/**
 * Which methods of what a sink API hands back send data (signatures/sinks.yaml js.sendMethods):
 * the entry of the longest dotted prefix of the API (`undici.Client.request` → `undici.Client`), else "*".
 */
function sendMethodsFor(signatures: Signatures, api: string): string[] {
  const table = signatures.sinks.js.sendMethods;
  for (let name = api; name; name = name.slice(0, Math.max(0, name.lastIndexOf(".")))) {
    const methods = table[name];
    if (methods) return methods;
  }
  return table["*"] ?? [];
}

/** Where a call sends to: a URL or host string (unknown parts "*"), and the values it came from. */
function destinationOf(api: string, args: Value[], base?: Value): { text?: string; value?: Value } {
  if (/^(net|tls)\./.test(api)) return portHost(args);
  if (/^dns/.test(api)) return fromText(args[0]);
  if (api.startsWith("nodemailer.")) {
    const options = args[0];
    const host = options?.object ? (options.object.props.get("host") ?? options.object.props.get("service")) : options;
    return fromText(host);
  }
  if (/^(dgram|XMLHttpRequest|ftp|basic-ftp)/.test(api) || /^net\.Socket/.test(api)) return {};
  // A client object handed to a function (`sendAndConfirmTransaction(connection, tx)`) stands for its endpoint.
  const candidates = args.slice(0, 2).map((a) => (a.ref?.module && a.ref.base ? a.ref.base : a));
  if (base) candidates.unshift(base);
  const parts: Parameters<typeof destinationFromOptions>[0] = {};
  let value: Value | undefined;
  for (const arg of candidates) {
    const text = arg.known || arg.pattern !== undefined; // URL values are strings with a searchParams part
    if (arg.object && !arg.object.elements && !text) {
      const props = arg.object.props;
      const read = (name: string): string | undefined => {
        const v = props.get(name);
        if (!v) return undefined;
        value = join(value, v);
        return isNumber(v) ? String(v.constant) : patternOf(v);
      };
      parts.url = read("url") ?? read("uri") ?? read("href") ?? parts.url;
      parts.baseURL = read("baseURL") ?? read("prefixUrl") ?? parts.baseURL;
      parts.hostname = read("hostname") ?? parts.hostname;
      parts.host = read("host") ?? parts.host;
      parts.port = read("port") ?? parts.port;
      parts.path = read("path") ?? parts.path;
      parts.protocol = read("protocol") ?? parts.protocol;
      const headers = props.get("headers")?.object?.props;
      const hostHeader = headers?.get("Host") ?? headers?.get("host");
      if (hostHeader) {
        parts.hostHeader = patternOf(hostHeader);
        value = join(value, hostHeader);
      }
    } else if (arg.known || arg.pattern !== undefined) {
      if (parts.url === undefined || parts.baseURL === undefined) {
        const text = patternOf(arg);
        if (arg === base) parts.baseURL = text;
        else if (parts.url === undefined) parts.url = text;
        value = join(value, arg);
      }
    }
  }
  const text = destinationFromOptions(parts);
  return { text: cleanDestination(text), value };
}

function portHost(args: Value[]): { text?: string; value?: Value } {
  const first = args[0];
  if (first?.object && !first.object.elements) {
    const host = first.object.props.get("host") ?? first.object.props.get("hostname");
    const port = first.object.props.get("port");
    if (!host) return {};
    return { text: cleanDestination(`${patternOf(host)}${port ? ":" + patternOf(port) : ""}`), value: host };
  }
  const port = args.find((a) => isNumber(a) || (a.known && /^\d+$/.test(String(a.constant))));
  const host = args.find((a) => a !== port && (typeof a.constant === "string" || a.pattern !== undefined));
  if (!host) return {};
  return { text: cleanDestination(`${patternOf(host)}${port ? ":" + patternOf(port) : ""}`), value: host };
}

function fromText(value: Value | undefined): { text?: string; value?: Value } {
  if (!value) return {};
  return { text: cleanDestination(patternOf(value)), value };
}

function cleanDestination(text: string | undefined): string | undefined {
  if (!text) return undefined;
  if (/^\*?(:\*)?$/.test(text) || /^https?:\/\/\*?$/.test(text)) return undefined;
  return text;
}

/** A call to a sink API: registers the sink, records flows of its arguments, returns a connection handle. */
export function sinkCall(I: Interpreter, channel: SinkChannel, api: string, call: Call, ref: Ref | undefined): Value {
  // A request hook handing the page's own request on to the API it wrapped: not a new send.
  if (api === "fetch" && call.args[0] && isPageRequest(call.args[0])) return { resolved: UNKNOWN };
  const destination = destinationOf(api, call.args, ref?.base);
  const sink = I.collector.addSink({
    channel,
    location: I.location(call.node, call.frame),
    note: `${api}()`,
    trigger: call.frame.trigger,
    ...(destination.text ? { destination: destination.text } : {}),
  });
  const metadata = metadataResponse(I, destination.text, call);
  // At install, what a request answers is fetched data (downloads.ts: written to a file and run, it is a loader).
  const response = metadata === UNKNOWN ? (responseOf(I, sink) ?? UNKNOWN) : metadata;
  const handle: SinkHandle = { sink, destination: destination.value, sendMethods: new Set(sendMethodsFor(I.signatures, api)), response };
  const parts = requestParts(I.signatures.sinks.js.authOptions, api, call.args);
  emitFlows(I, handle, parts.data, call, parts.auth);
  const callbackArgs = response === UNKNOWN ? [UNKNOWN, UNKNOWN] : [response, response, response];
  // Connect and response callbacks run after the call returns: after `const s = …` binds s.
  const callbacks = call.args.filter((a) => a.fn);
  const result: Value = { handle, resolved: response };
  // They run with `this` = the connection or request (`net.connect(port, host, function () { this.write(…) })`).
  if (callbacks.length > 0) I.afterStatement.push(() => callbacks.forEach((cb) => I.invokeCallback(cb, callbackArgs, call.node, call.frame, false, result)));
  return result;
}

function metadataResponse(I: Interpreter, destination: string | undefined, call: Call): Value {
  // Cloud instance metadata services (signatures/sources.yaml cloudMetadata) hand out the
  // instance's credentials: what they answer is a credential source, whatever path is asked.
  if (!destination || !metadataEndpoint(I.signatures.cloudMetadata, destination)) return UNKNOWN;
  return unknownWith(sourceTaint(I, "cloud-credentials", "reads instance credentials from the cloud metadata service", destination, call.node, call.frame));
}

/**
 * A request's arguments split by what they do with a value: the credential slot
 * (Authorization header, basic auth options) authenticates the request; the URL, body,
 * query, cookies and every other header are data. Only the options argument has a
 * credential slot: axios.post(url, data, config) keeps a body at index 1. The options that
 * carry the credential (http.request `auth: "user:pass"`, axios `auth: {username, password}`,
 * got `username`/`password`) are signatures/sinks.yaml `js.authOptions`.
 */
export function requestParts(authOptions: ReadonlySet<string>, api: string, args: Value[]): { auth: Value[]; data: Value[] } {
  const bodyIndex = /^axios\.(post|put|patch|postForm|putForm|patchForm)$/.test(api) ? 1 : -1;
  const signersIndex = signersArgument(api);
  const auth: Value[] = [];
  const data: Value[] = [];
  args.forEach((arg, index) => {
    // The keypairs that sign a transaction: they sign locally, only the signature is sent.
    if (index === signersIndex) return;
    const props = arg.object && !arg.object.elements ? arg.object.props : undefined;
    if (!props || index === bodyIndex || !isRequestOptions(props)) {
      data.push(arg);
      return;
    }
    if (arg.taint || arg.object!.taint) data.push({ taint: [...(arg.taint ?? []), ...(arg.object!.taint ?? [])] });
    for (const [name, value] of props) {
      if (authOptions.has(name)) auth.push(value);
      else if (name === "headers" && value.object && !value.object.elements) {
        if (value.taint || value.object.taint) data.push({ taint: [...(value.taint ?? []), ...(value.object.taint ?? [])] });
        for (const [header, headerValue] of value.object.props) (isCredentialHeader(header) ? auth : data).push(headerValue);
      } else data.push(value);
    }
  });
  return { auth, data };
}

/** Where a ledger API takes the keypairs that sign the transaction (they never leave the machine). */
function signersArgument(api: string): number {
  if (/^@solana\/web3\.js\.(sendAndConfirmTransaction|sendAndConfirmRawTransaction)$/.test(api)) return 2;
  if (/^@solana\/web3\.js\..+\.sendTransaction$/.test(api)) return 1;
  return -1;
}

/** An options object names a request's method, headers or auth; a body rarely does. */
function isRequestOptions(props: Map<string, Value>): boolean {
  return props.has("headers") || props.has("method") || (props.has("auth") && (props.has("url") || props.has("hostname") || props.has("host")));
}

/** Methods of a connection/request object. */
export function handleMethod(I: Interpreter, receiver: Value, key: string, call: Call): Value | undefined {
  const handle = receiver.handle!;
  if (handle.sendMethods.has(key)) {
    if (key === "send" && handle.sink.note.startsWith("dgram")) updateDestination(I, handle, portHost(call.args.slice(1)));
    emitFlows(I, handle, call.args, call);
    for (const arg of call.args) if (arg.fn) I.invokeCallback(arg, [UNKNOWN, UNKNOWN], call.node, call.frame);
    return receiver;
  }
  // got.stream(url).pipe(fs.createWriteStream(file)): the response lands in the file.
  if (key === "pipe" && call.args[0]?.writesTo !== undefined) {
    writeToFile(I, call.args[0], handle.response ?? UNKNOWN, call);
    return call.args[0];
  }
  switch (key) {
    case "connect":
    case "access":
      updateDestination(I, handle, portHost(call.args));
      for (const arg of call.args) if (arg.fn) I.invokeCallback(arg, [UNKNOWN], call.node, call.frame);
      return receiver;
    case "open":
      updateDestination(I, handle, fromText(call.args[1]));
      return receiver;
    case "on":
    case "once":
    case "addListener":
    case "addEventListener":
    case "then": {
      const response = handle.response ?? UNKNOWN;
      // A listener runs with `this` = the socket or request (`ws.on("open", function () { this.send(…) })`).
      const self = key === "then" ? undefined : receiver;
      if (key === "then" && call.args[0] && I.settledAsCode(call.args[0], response, call)) return receiver;
      for (const arg of call.args) if (arg.fn) I.invokeCallback(arg, [response, response], call.node, call.frame, false, self);
      return receiver;
    }
    case "catch": {
      // A rejected request's error holds the answer (`err.response.data`: axios), which loaders
      // send on purpose with an error status (Contagious Interview's BeaverTail).
      const error = handle.response ? unknownWith(deepTaint(handle.response)?.filter(isFetched)) : UNKNOWN;
      for (const arg of call.args) if (arg.fn) I.invokeCallback(arg, [error, UNKNOWN], call.node, call.frame);
      return receiver;
    }
    case "finally":
      for (const arg of call.args) if (arg.fn) I.invokeCallback(arg, [UNKNOWN, UNKNOWN], call.node, call.frame);
      return receiver;
    default:
      for (const arg of call.args) if (arg.fn) I.invokeCallback(arg, [UNKNOWN, UNKNOWN], call.node, call.frame);
      return receiver;
  }
}

/** `new Image().src = url` (a tracking pixel): setting the source sends a GET to that URL. */
export function imageSource(I: Interpreter, image: Value, url: Value, node: Call["node"], frame: Call["frame"]): void {
  const handle = image.handle!;
  if (handle.sink.note !== "Image()") return;
  updateDestination(I, handle, fromText(url));
  emitFlows(I, handle, [url], { node, frame } as Call);
}

function updateDestination(I: Interpreter, handle: SinkHandle, destination: { text?: string; value?: Value }): void {
  if (!destination.text || handle.sink.destination === destination.text) return;
  const old = handle.sink.destination;
  if (old && !old.includes("*")) return;
  (handle.sink as SinkFact).destination = destination.text;
  handle.destination = destination.value;
  I.collector.rekeySink(handle.sink, old);
}

// ---- child_process ------------------------------------------------------------------------

/** A module whose calls run programs (signatures/commands.yaml `runners.js`). */
export function isCommandModule(signatures: Signatures, module: string): boolean {
  return signatures.commands.runners.js.modules.has(module);
}

export function commandRunner(I: Interpreter, module: string, member: string, call: Call): Value | undefined {
  if (member === "fork" || (module === "execa" && member === "execaNode")) {
    const file = stringOf(call.args[0] ?? UNKNOWN);
    if (file) runNodeFile(I, file, call);
    return UNKNOWN;
  }
  const runners = I.signatures.commands.runners.js;
  const style = runners.commandLineModules.has(module) || runners.commandLine.has(member) ? "shell" : runners.argv.has(member) ? "argv" : undefined;
  if (!style) return undefined;
  return runCommand(I, style, call);
}

export function runCommand(I: Interpreter, style: "shell" | "argv", call: Call): Value {
  const [first = UNKNOWN, second] = call.args;
  let text: string;
  const data: Value[] = [first];
  // Skeletons keep unknown parts as HOLE, so code passed to `node -e` can be analysed partly.
  if (style === "shell") text = skeletonOf(first);
  else {
    const argv = second?.object?.elements ?? [];
    if (second?.object?.elements) data.push(second);
    text = [first, ...argv].map((a) => quote(skeletonOf(a))).join(" ");
  }
  return runShellCommand(I, text, data, call);
}

/** Quote an argv word for the shell reader: each word must come back exactly (quotes, backslashes, `#`, `*` included). */
export function quote(word: string): string {
  return /^[A-Za-z0-9_\-.,:/@%+=\uE000]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
