// Requests intercepted inside a browser or an Electron app: what the user types into a
// login, account or payment form leaves as a request body, and the session token as its
// Authorization header. Code that listens to those requests reads them:
// - `session.webRequest.onBeforeRequest/onCompleted(filter, (details, cb) => …)` (Electron)
//   and `chrome.webRequest.onBeforeRequest.addListener(cb, filter, ["requestBody"])`
//   (extensions): `details.uploadData[i].bytes`, `details.requestBody`, `details.requestHeaders`;
// - the DevTools protocol of `webContents.debugger`: `on('message', (e, method, params))`
//   gives `params.request.postData`/`headers`, `sendCommand('Network.getRequestPostData' |
//   'Network.getResponseBody')` the bodies themselves.
// The credential kind follows the URL filter when it is known (login/account → password,
// billing/payment → card data), else it is an intercepted request body.
import type { SourceKind } from "../facts.js";
import type { Call } from "./calls.js";
import type { Trigger } from "../facts.js";
import { staticPropertyName, type Node } from "./ast.js";
import type { Frame, Unit } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { GLOBAL_OBJECTS } from "./operators.js";
import { sourceTaint } from "./sources.js";
import { UNKNOWN, newArray, newObject, stringOf, unknownWith, type Taint, type Value } from "./values.js";

/** webRequest events whose details carry the request (body or headers). */
const REQUEST_EVENTS = new Set(["onBeforeRequest", "onBeforeSendHeaders", "onSendHeaders", "onCompleted", "onResponseStarted", "onHeadersReceived", "onBeforeRedirect", "onErrorOccurred"]);
const BODY_COMMANDS = new Set(["Network.getRequestPostData", "Network.getResponseBody"]);
const PASSWORD_URL = /(auth\/(login|register|mfa)|\/login\b|\/signin\b|users\/@me|\/password|\/account\b|\/oauth)/i;
const PAYMENT_URL = /(billing|payment|stripe\.com|\/tokens\b|paypal|braintree|\/card)/i;

/** A call that installs a request listener or asks the debugger for a body; undefined otherwise. */
export function interceptedRequestCall(I: Interpreter, call: Call): Value | undefined {
  const key = call.key!;
  if (key === "sendCommand") return debuggerCommand(I, call);
  if (key === "on" || key === "addListener") {
    const event = call.args[0] ? stringOf(call.args[0]) : undefined;
    if (event === "message" && isDebuggerCode(call)) return debuggerMessages(I, call);
  }
  const event = REQUEST_EVENTS.has(key) ? key : key === "addListener" ? call.receiver?.ref?.path.at(-1) : undefined;
  if (!event || !REQUEST_EVENTS.has(event)) return undefined;
  const listener = call.args.find((a) => a.fn);
  if (!listener) return undefined;
  const onWebRequest = call.receiver?.ref?.path.includes("webRequest") || mentionsWebRequest(call.frame.unit);
  if (!onWebRequest) return undefined;
  const filter = call.args.find((a) => a.object && a.object.props.has("urls"));
  const urls = (filter?.object?.props.get("urls")?.object?.elements ?? []).map((u) => stringOf(u)).filter((u): u is string => u !== undefined);
  const details = requestDetails(I, call, urls);
  runListener(I, listener, [details, UNKNOWN], call);
  return UNKNOWN;
}

/** The listener's `details`: the body and the request headers are credentials. */
function requestDetails(I: Interpreter, call: Call, urls: string[]): Value {
  const body = bodyTaint(I, call, urls, "webRequest listener");
  const headers = headerTaint(I, call, "webRequest listener");
  const part = newObject(new Map([["bytes", unknownWith(body)], ["file", UNKNOWN]]));
  const uploadData = newArray([part]);
  uploadData.object!.open = true;
  uploadData.object!.taint = body;
  const props = new Map<string, Value>([
    ["uploadData", uploadData],
    ["requestBody", { object: { props: new Map(), taint: body, open: true } }],
    ["requestHeaders", { object: { props: new Map(), taint: headers, open: true } }],
    ["url", urls.length === 1 ? { pattern: urls[0]!.replace(/\*/g, "") } : UNKNOWN],
  ]);
  return newObject(props);
}

function bodyTaint(I: Interpreter, call: Call, urls: string[], how: string): Taint[] {
  const text = urls.join(" ");
  const where = urls.length ? ` of requests to ${urls.join(", ")}` : "";
  let kind: SourceKind = "browser-store";
  let what = "intercepted request body";
  if (PASSWORD_URL.test(text)) {
    kind = "password-prompt";
    what = "password from an intercepted login/account request body";
  } else if (PAYMENT_URL.test(text)) what = "payment card data from an intercepted billing request body";
  return sourceTaint(I, kind, `reads the ${what} (${how})`, `${what}${where}`, call.node, call.frame);
}

function headerTaint(I: Interpreter, call: Call, how: string): Taint[] {
  return sourceTaint(I, "browser-store", `reads the session token from intercepted request headers (${how})`, "Authorization header of intercepted requests", call.node, call.frame);
}

/**
 * A call on Electron's `webContents.debugger`: `x.debugger.on(…)`, or on a name the code
 * bound to one (`const dbg = win.webContents.debugger`). Other DevTools-protocol clients
 * (browser automation driving its own browser) are not it.
 */
function isDebuggerCode(call: Call): boolean {
  let callee = call.node.callee as Node | undefined;
  while (callee && ["ParenthesizedExpression", "ChainExpression", "TSNonNullExpression"].includes(callee.type)) callee = callee.expression;
  const object = callee?.type === "MemberExpression" ? (callee.object as Node) : undefined;
  if (!object) return false;
  if (object.type === "MemberExpression") return staticPropertyName(object) === "debugger";
  if (object.type !== "Identifier") return false;
  return debuggerBindingsOf(call.frame.unit).has(String(object.name));
}

// What a file says about itself is read once per file, not once per call: a regex built
// from a name and run over the whole text at every `x.on("message")` made a file of many
// such calls cost its size times the number of calls.
const bindingsByUnit = new WeakMap<Unit, Set<string>>();
const webRequestByUnit = new WeakMap<Unit, boolean>();

function debuggerBindingsOf(unit: Unit): Set<string> {
  let names = bindingsByUnit.get(unit);
  if (!names) bindingsByUnit.set(unit, (names = debuggerBindings(unit.text ?? "")));
  return names;
}

function mentionsWebRequest(unit: Unit): boolean {
  let found = webRequestByUnit.get(unit);
  if (found === undefined) webRequestByUnit.set(unit, (found = /\bwebRequest\b/.test(unit.text ?? "")));
  return found;
}

/** How far back from a `.debugger` the `NAME = a.b?.` before it is looked for. */
const BINDING_LOOKBACK = 256;
const isWordCode = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isChainCode = (c: number): boolean => isWordCode(c) || c === 36 || c === 46 || c === 63; // [\w$.?]
const isNameCode = (c: number): boolean => isWordCode(c) || c === 36 || c >= 0x80;
const isSpaceCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;

/**
 * Names the text binds to a `.debugger` (`const dbg = win.webContents?.debugger`): every
 * `.debugger` is found with indexOf and read backwards at most BINDING_LOOKBACK characters
 * (no regex is built from a name; linear in the text).
 */
export function debuggerBindings(text: string): Set<string> {
  const names = new Set<string>();
  for (let at = text.indexOf(".debugger"); at >= 0; at = text.indexOf(".debugger", at + 1)) {
    if (isWordCode(text.charCodeAt(at + 9))) continue;
    const floor = Math.max(0, at - BINDING_LOOKBACK);
    let i = at;
    while (i > floor && isChainCode(text.charCodeAt(i - 1))) i--;
    while (i > floor && isSpaceCode(text.charCodeAt(i - 1))) i--;
    if (i <= floor || text[i - 1] !== "=") continue;
    i--;
    while (i > floor && isSpaceCode(text.charCodeAt(i - 1))) i--;
    const end = i;
    while (i > floor && isNameCode(text.charCodeAt(i - 1))) i--;
    if (i < end && !(text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57)) names.add(text.slice(i, end));
  }
  return names;
}

/** `debugger.on('message', (event, method, params) => …)`: network events carry requests with their bodies. */
function debuggerMessages(I: Interpreter, call: Call): Value | undefined {
  const listener = call.args.find((a) => a.fn);
  if (!listener) return undefined;
  const body = bodyTaint(I, call, [], "DevTools protocol network events");
  const headers = headerTaint(I, call, "DevTools protocol network events");
  const request = newObject(new Map<string, Value>([
    ["postData", unknownWith(body)],
    ["headers", { object: { props: new Map(), taint: headers, open: true } }],
  ]));
  const params = { object: { props: new Map<string, Value>([["request", request]]), taint: body, open: true } };
  runListener(I, listener, [UNKNOWN, UNKNOWN, params], call);
  return UNKNOWN;
}

/** `debugger.sendCommand('Network.getRequestPostData', …)`: resolves to the request or response body. */
function debuggerCommand(I: Interpreter, call: Call): Value | undefined {
  const command = call.args[0] ? stringOf(call.args[0]) : undefined;
  if (!command || !BODY_COMMANDS.has(command) || !isDebuggerCode(call)) return undefined;
  const body = bodyTaint(I, call, [], `DevTools ${command}`);
  const result: Value = { object: { props: new Map(), taint: body, open: true }, taint: body };
  const callback = call.args.find((a) => a.fn);
  if (callback) I.invokeCallback(callback, [UNKNOWN, result], call.node, call.frame);
  return { resolved: result, taint: body };
}

// ---- hooks on the page's own request APIs ------------------------------------------------

/**
 * A function installed over the page's request API (`XMLHttpRequest.prototype.setRequestHeader
 * | send`, `window.fetch`): every request the page makes passes through it, with its
 * Authorization header and body. The hook is analysed as it would be called.
 */
export function requestApiHook(I: Interpreter, objectPath: string[], key: string | undefined, hook: Value, frame: Frame): void {
  if (!hook.fn || key === undefined) return;
  const path = [...objectPath, key];
  while (path.length > 1 && GLOBAL_OBJECTS.has(path[0]!)) path.shift();
  const name = path.join(".");
  const node = hook.fn.node;
  const call = { node, frame } as Call;
  const later = { ...frame, trigger: laterTrigger(frame.trigger) };
  if (name === "XMLHttpRequest.prototype.setRequestHeader") {
    const token = headerTaint(I, call, "hook on XMLHttpRequest.setRequestHeader");
    const xhr = pageRequest(I, token);
    runHook(I, hook, xhr, [UNKNOWN, unknownWith(token)], later);
    // What the hook kept on the request under the header's name (`this.headers[name].push(value)`).
    for (const kept of xhr.object!.props.values()) if (kept.object) kept.object.taint = [...(kept.object.taint ?? []), ...token];
  } else if (name === "XMLHttpRequest.prototype.send") {
    runHook(I, hook, pageRequest(I), [unknownWith(bodyTaint(I, call, [], "hook on XMLHttpRequest.send"))], later);
  } else if (name === "XMLHttpRequest.prototype.open") {
    // `this` is the page's request: what another hook stored on it (its headers) is there.
    runHook(I, hook, pageRequest(I), [UNKNOWN, UNKNOWN], later);
  } else if (name === "fetch") {
    const input: Value = {};
    PAGE_REQUESTS.add(input);
    const token = headerTaint(I, call, "hook on fetch");
    const body = bodyTaint(I, call, [], "hook on fetch");
    const headers: Value = { object: { props: new Map(), taint: token, open: true } };
    const init = newObject(new Map<string, Value>([["headers", headers], ["body", unknownWith(body)]]));
    I.invokeCallback(hook, [input, init], node, later);
  }
}

/** The request a fetch hook receives: handed on to the original fetch, it is the page's own request. */
const PAGE_REQUESTS = new WeakSet<Value>();

export function isPageRequest(value: Value): boolean {
  return PAGE_REQUESTS.has(value);
}

/**
 * The page's XMLHttpRequest as the hooks on its prototype see it (`this`): one object per
 * analysis, so what the setRequestHeader hook keeps on it (`this.headers[name] = value`) is
 * read by the open/send hooks. It holds the request's headers, the token among them.
 */
const PAGE_XHR = new WeakMap<Interpreter, Value>();

function pageRequest(I: Interpreter, token?: Taint[]): Value {
  let xhr = PAGE_XHR.get(I);
  if (!xhr) {
    xhr = { object: { props: new Map(), open: true } };
    PAGE_XHR.set(I, xhr);
  }
  if (token) xhr.object!.taint = [...(xhr.object!.taint ?? []), ...token];
  return xhr;
}

function runHook(I: Interpreter, hook: Value, thisValue: Value, args: Value[], frame: Frame): void {
  I.invokeCallback(hook, args, hook.fn!.node, frame, false, thisValue);
}

/**
 * A listener runs when the app makes a request: now, and again once the module that
 * registered it at its top level has finished (it fires later, with everything defined).
 */
function runListener(I: Interpreter, listener: Value, args: Value[], call: Call): void {
  const frame = { ...call.frame, trigger: laterTrigger(call.frame.trigger) };
  I.invokeCallback(listener, args, call.node, frame);
  if (call.frame.depth === 0 && !call.frame.standalone) I.afterTopLevel.push(() => I.invokeCallback(listener, args, call.node, frame));
}

/** A listener or hook runs when the app makes a request: later than the code that installs it. */
const laterTrigger = (trigger: Trigger): Trigger => (trigger === "manual" ? "manual" : "call");
