// The web page's own credentials as sources: `document.cookie` and its Web Storage
// (`localStorage` / `sessionStorage`, also another window's: `window.open(…).localStorage`).
// They belong to the page's origin (SourceFact.origin "page"): sent to that origin — a
// relative URL, `location.origin` — they authenticate; sent to any other host they are
// stolen (src/rules/authentication.ts). Only what holds a credential is a source: a storage
// key or cookie named like a session or token, or the whole storage serialised or copied at once
// (`JSON.stringify(localStorage)`); a named non-secret cookie (`_ga`) or item (`theme`) is not.
import { PAGE_ORIGIN } from "../facts.js";
import type { Node } from "./ast.js";
import type { Call } from "./calls.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { sourceTaint } from "./sources.js";
import { isSecretEnvName } from "../../rules/signatures.js";
import { HOLE, stringOf, unknownWith, type Taint, type Value } from "./values.js";

const STORAGES = new Set(["localStorage", "sessionStorage"]);

/** Members of a Storage object that are its API, not stored keys. */
const STORAGE_API = new Set(["getItem", "setItem", "removeItem", "clear", "key", "length"]);

/** `location` parts that name the page's own server. */
const ORIGIN_PARTS = new Set(["origin", "host", "hostname", "href"]);

/** Session words of the web (beyond the secret words environment names use). */
const SESSION_NAME = /SECURITY$|(^|_)(JWT|SESSION|SESSID|SESSIONID|SID|AUTH|XSRF|CSRF)(_|$)/;

/** Whether a storage key or cookie name holds a credential (`token`, `accessToken`, `.ROBLOSECURITY`, `sessionid`). */
export function isCredentialName(I: Interpreter, name: string): boolean {
  const upper = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase();
  return isSecretEnvName(I.signatures, upper) || SESSION_NAME.test(upper);
}

/** `x.localStorage` on a value that has no such property of its own: a window's storage. */
export function isStorageName(key: string | undefined): key is string {
  return key !== undefined && STORAGES.has(key);
}

export function storageRef(key: string): Value {
  return { ref: { global: true, path: [key] } };
}

function pageSource(I: Interpreter, note: string, detail: string, node: Node, frame: Frame): Taint[] {
  return sourceTaint(I, "browser-store", note, detail, node, frame, "page");
}

/**
 * A read through a global reference (path after `window.` is dropped): `document.cookie`,
 * `localStorage.token`, `location.origin`. Undefined when it is none of these.
 */
export function pageMember(I: Interpreter, path: string[], node: Node, frame: Frame): Value | undefined {
  const [first, second, third] = path;
  if (path.length === 2 && first === "document" && second === "cookie") {
    return unknownWith(pageSource(I, "reads the web page's cookies", "document.cookie", node, frame));
  }
  if (path.length === 2 && isStorageName(first) && !STORAGE_API.has(second!) && isCredentialName(I, second!)) {
    return unknownWith(pageSource(I, "reads a credential from the web page's storage", `${first}.${second}`, node, frame));
  }
  const originPart = first === "document" && second === "location" ? (path.length === 3 ? third : undefined) : first === "location" && path.length === 2 ? second : undefined;
  if (originPart && ORIGIN_PARTS.has(originPart)) return { pattern: `${PAGE_ORIGIN}${HOLE}` };
  return undefined;
}

/** `localStorage.getItem("token")`: the stored credential. */
export function storageCall(I: Interpreter, name: string, call: Call): Value | undefined {
  const [storage, method] = name.split(".");
  if (!isStorageName(storage) || method !== "getItem" || name.split(".").length !== 2) return undefined;
  const key = call.args[0] ? stringOf(call.args[0]) : undefined;
  if (key === undefined || !isCredentialName(I, key)) return undefined;
  return unknownWith(pageSource(I, "reads a credential from the web page's storage", `${storage}.getItem("${key}")`, call.node, call.frame));
}

/** The Storage object itself (`localStorage`, `window.sessionStorage`) as a value. */
function wholeStorage(value: Value | undefined): string | undefined {
  const ref = value?.ref;
  return ref?.global && ref.path.length === 1 && isStorageName(ref.path[0]) ? ref.path[0] : undefined;
}

/**
 * Every stored item at once — the storage serialised or copied (`JSON.stringify(localStorage)`,
 * `Object.entries(localStorage)`, `Object.assign({}, localStorage)`, `{ ...localStorage }`):
 * whatever session token the page keeps goes with it. `how` names the operation ("%s" is the
 * storage). Undefined when the value is not a Storage object.
 */
export function storageDump(I: Interpreter, value: Value | undefined, how: string, node: Node, frame: Frame): Taint[] | undefined {
  const storage = wholeStorage(value);
  if (storage === undefined) return undefined;
  return pageSource(I, "reads every item of the web page's storage", how.replace("%s", storage), node, frame);
}

/** String methods that pick one cookie out of `document.cookie` by its name. */
const COOKIE_PICKS = new Set(["split", "indexOf", "match", "matchAll", "search", "includes", "startsWith", "substring", "replace"]);

/**
 * `document.cookie` narrowed to one cookie by name (`c.split("; _ga=")`, `c.match(/_ga=([^;]*)/)`):
 * the cookie jar's taint is dropped when every name the method names is not a credential.
 */
export function narrowCookieJar(I: Interpreter, receiver: Value, key: string, call: Call): Value {
  if (!receiver.taint || !COOKIE_PICKS.has(key)) return receiver;
  if (!receiver.taint.some(isCookieJar)) return receiver;
  const first = call.args[0];
  const text = first?.regex ? first.regex.source : first ? stringOf(first) : undefined;
  if (text === undefined) return receiver;
  const names = [...text.matchAll(/(?<![\w.$-])([\w.$-]+)\s*(?:\\s\*)?=/g)].map((m) => m[1]!).filter((n) => /[A-Za-z]/.test(n));
  if (names.length === 0 || names.some((n) => isCredentialName(I, n))) return receiver;
  const taint = receiver.taint.filter((t) => !isCookieJar(t));
  return { ...receiver, taint: taint.length ? taint : undefined };
}

function isCookieJar(t: Taint): boolean {
  return t.source.origin === "page" && t.source.detail === "document.cookie";
}
