// Code that runs inside a web page: Electron's `webContents.executeJavaScript(code)` (a
// Discord client injection evaluates code in the client's window) and browser-console
// scripts. The page's secrets are sources: the session token a web client keeps in its
// webpack module cache (`webpackChunk…` / `webpackJsonp` → module → `getToken()`).
import type { Node } from "./ast.js";
import type { Call } from "./calls.js";
import type { Unit } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { parseSnippet } from "./parse.js";
import { Scope } from "./scope.js";
import { sourceTaint } from "./sources.js";
import { UNKNOWN, deepTaint, stringOf, unknownWith, type Value } from "./values.js";
import { isPartialCode, parsePartial } from "./partial-code.js";

/** Methods that run a string of code in a page and resolve to its completion value. */
export const PAGE_EVALUATORS = new Set(["executeJavaScript", "executeJavaScriptInIsolatedWorld"]);

const MAX_PAGE_SCRIPT_CHARS = 256 * 1024;

/** `webContents.executeJavaScript(code)`: the code is analysed; the promise gives its completion value. */
export function runPageScript(I: Interpreter, call: Call): Value {
  const index = call.key === "executeJavaScriptInIsolatedWorld" ? 1 : 0;
  const argument = call.args[index];
  let code = argument ? stringOf(argument) : undefined;
  if (call.frame.evalDepth >= 4) return { resolved: UNKNOWN };
  // Code built around run-time values (`xhr.send(JSON.stringify(${data}))`): the values are
  // unknown parts that keep their taint.
  const partial = code === undefined && argument && isPartialCode(argument) && (argument.pattern?.length ?? 0) <= MAX_PAGE_SCRIPT_CHARS ? parsePartial([argument], (texts) => texts[0]!) : undefined;
  if (partial) code = partial.display;
  if (code === undefined || code.length > MAX_PAGE_SCRIPT_CHARS) return { resolved: UNKNOWN };
  const ast = partial ? partial.ast : parseSnippet(code);
  if (!ast) return { resolved: UNKNOWN };
  const location = I.location(call.node, call.frame);
  const parent = call.frame.unit;
  // A unit of its own whose facts are reported at the call (like decoded code).
  const unit: Unit = { id: I.units.length, file: parent.file, override: location, ast, text: code, scope: new Scope(undefined, true), module: parent.module, sshAware: false };
  I.units.push(unit);
  if (partial) for (const name of partial.holes) unit.scope.declare(name, unknownWith(deepTaint(argument!)));
  const frame = { ...call.frame, unit, scope: unit.scope, evalDepth: call.frame.evalDepth + 1 };
  const body = ast.body as Node[];
  const last = body[body.length - 1];
  const completes = last?.type === "ExpressionStatement";
  I.execStatements(completes ? body.slice(0, -1) : body, frame);
  const result = completes ? I.evalExpr(last.expression, frame) : UNKNOWN;
  return { resolved: result, taint: result.taint };
}

/** Code that reaches into a web client's webpack module registry (the Discord client's). */
const WEBPACK_REGISTRY = /\bwebpackChunk[\w$]*|\bwebpackJsonp\b/;

/**
 * `module.getToken()` in code that walks a web client's webpack module cache: the
 * signed-in user's session token. Undefined when the call is anything else.
 */
export function pageTokenCall(I: Interpreter, call: Call): Value | undefined {
  if (call.key !== "getToken" || call.args.some((a) => a.fn)) return undefined;
  if (!WEBPACK_REGISTRY.test(call.frame.unit.text ?? "")) return undefined;
  const taint = sourceTaint(I, "browser-store", "reads the signed-in user's session token from the web client's webpack module cache", "webpack module cache getToken() (Discord web client)", call.node, call.frame);
  return unknownWith(taint);
}

const COOKIE_READS = /^(chrome|browser)\.cookies\.(get|getAll)$/;

/**
 * A browser extension's cookies API (`chrome.cookies.getAll(details, cb)`, promise-based
 * `browser.cookies.get`): the user's session cookies for the sites it names, as a credential.
 */
export function extensionCookies(I: Interpreter, name: string, call: Call): Value | undefined {
  if (!COOKIE_READS.test(name)) return undefined;
  const details = call.args[0]?.object?.props;
  const site = details ? (stringOf(details.get("url") ?? UNKNOWN) ?? stringOf(details.get("domain") ?? UNKNOWN)) : undefined;
  const cookie = details ? stringOf(details.get("name") ?? UNKNOWN) : undefined;
  const what = `${cookie ? `cookie ${cookie}` : "cookies"}${site ? ` of ${site}` : " of every site"}`;
  const taint = sourceTaint(I, "browser-store", "reads the browser's session cookies (extension cookies API)", what, call.node, call.frame);
  const cookies: Value = { object: { props: new Map(), elements: [], taint, open: true }, taint };
  const callback = call.args.find((a) => a.fn);
  if (callback) I.invokeCallback(callback, [cookies], call.node, call.frame);
  return { resolved: cookies, taint };
}
