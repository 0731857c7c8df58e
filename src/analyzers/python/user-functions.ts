// Calls into the package's own functions and classes (inlined when small and given constants, else summarised), apart from calls.ts's dispatch and library calls.
import { nodeCount, type PyNode } from "./ast.js";
import { applySummary } from "./effects.js";
import { evalExpr } from "./expressions.js";
import { copyFrame, type Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { derived, join, unknown, type ClassInfo, type FunctionInfo, type Value } from "./model.js";
import type { CallArgs } from "./library.js";
import { credentialPath } from "./paths.js";
import { stagingKey } from "./staging.js";
import { storeAttribute } from "./statements.js";

const MAX_INLINE_DEPTH = 3;
const MAX_INLINE_NODES = 250;
/** A helper handed a folder under the user's home (a browser profile, a wallet dir) is re-run with it even when long. */
const MAX_INLINE_NODES_HOME_PATH = 2500;

/** Bind call arguments to parameters (positional, keywords, *args, **kwargs, defaults). */
function bindParameters(ip: Interpreter, frame: Frame, fn: FunctionInfo, args: CallArgs): Value[] {
  const values: Value[] = [];
  let next = 0;
  // Made when a keyword binds a parameter (most calls bind none): only `**kwargs` reads it.
  let usedKeywords: Set<string> | undefined;
  const params = fn.params;
  for (let index = 0; index < params.length; index++) {
    const param = params[index]!;
    if (param.kind === "star") {
      values[index] = { items: args.positional.slice(next), taints: [] };
      next = args.positional.length;
    } else if (param.kind === "starstar") {
      const dict = new Map([...args.keywords].filter(([k]) => !usedKeywords?.has(k) && !fn.params.some((p) => p.name === k)));
      values[index] = { dict, taints: [] };
    } else if (next < args.positional.length) {
      values[index] = args.positional[next++]!;
    } else if (args.keywords.has(param.name)) {
      (usedKeywords ??= new Set()).add(param.name);
      values[index] = args.keywords.get(param.name)!;
    } else if (param.default && literalDefault(param.default)) {
      // A literal reads no scope: evaluated in the caller's frame (same file, location and sink) without a copy of it.
      values[index] = evalExpr(ip, frame, param.default);
    } else if (param.default) {
      const inner = copyFrame(frame);
      inner.scope = fn.closure;
      inner.returns = [];
      values[index] = evalExpr(ip, inner, param.default);
    } else values[index] = args.keywords.get("**") ?? unknown();
  }
  return values;
}

/** A default that evaluates to the same value in any frame of its file: `None`, `0`, `"text"` (no f-string part). */
function literalDefault(node: PyNode): boolean {
  switch (node.type) {
    case "none":
    case "true":
    case "false":
    case "integer":
    case "float":
      return true;
    case "string":
      for (const child of node.children) if (child.type === "interpolation") return false;
      return true;
    default:
      return false;
  }
}

function worthInlining(ip: Interpreter, fn: FunctionInfo, params: Value[]): boolean {
  if (fn.isLambda) return true;
  // A decorator's `wrapper(*args, **kwargs)` forwards to the function it closes over: its summary
  // cannot know which one, so run it with the real arguments (self included).
  if (!fn.cls && fn.closure.parent !== undefined && fn.params.some((p) => p.kind === "star")) return true;
  // Decoder helpers get blobs and lists; callbacks get functions. Short literals are not worth a re-run,
  // unless they name a credential file: a `read(".ssh/id_rsa")` helper only reads it with the real argument.
  return params.some(
    (p) =>
      (p.str !== undefined && (p.str.length >= 16 || credentialPath(ip.signatures, p.str) !== undefined)) ||
      (p.str === undefined && p.partial !== undefined && credentialPath(ip.signatures, p.partial) !== undefined) ||
      isHomePath(p) ||
      configNamesCredential(ip, p) ||
      (!ip.staged.empty && ip.staged.holds(stagingKey(p))) ||
      (p.items !== undefined && p.items.length >= 4) ||
      // An API family's client (`def upload(s3, data): s3.put_object(…)`): its sends are only recognised with the real client.
      p.cell?.sink?.family !== undefined ||
      p.ref?.kind === "function" ||
      p.ref?.kind === "partial",
  );
}

/**
 * A small settings dict one of whose strings names a credential file (`{"local_state":
 * r"AppData\Local\Google\Chrome\User Data\Local State", …}` handed to a helper): the
 * helper's reads are only recognised with the real dict.
 */
function configNamesCredential(ip: Interpreter, value: Value): boolean {
  if (!value.dict || value.dict.size > 32) return false;
  for (const entry of value.dict.values()) {
    if (entry.str !== undefined && entry.str.length < 1024 && credentialPath(ip.signatures, entry.str) !== undefined) return true;
  }
  return false;
}

/**
 * A path under the home directory (or a Windows app-data folder), known or partly known:
 * the callee's reads under it (`path + "/Local Storage/leveldb"`) are only recognised with the real value.
 */
function isHomePath(value: Value): boolean {
  const text = value.str ?? value.partial;
  return text !== undefined && text.length < 1024 && /^~($|[\\/])/.test(text);
}

/** `withData`: run the body with the real arguments (a hook's callback keeps what it gets in globals). */
export function callUserFunction(ip: Interpreter, frame: Frame, fn: FunctionInfo, args: CallArgs, node: PyNode, withData = false): Value {
  const params = bindParameters(ip, frame, fn, args);
  const homePath = params.some((p) => isHomePath(p) || configNamesCredential(ip, p));
  const limit = homePath ? MAX_INLINE_NODES_HOME_PATH : MAX_INLINE_NODES;
  const small = limit === MAX_INLINE_NODES ? (fn.small ??= nodeCount(fn.body, limit) < limit) : nodeCount(fn.body, limit) < limit;
  if (frame.inlineDepth < MAX_INLINE_DEPTH && small && (withData || worthInlining(ip, fn, params))) {
    // Run the body with the real arguments: folds helpers like `def d(s): return b64decode(s)`.
    const scope = { vars: new Map<string, Value>(), parent: fn.closure };
    fn.params.forEach((param, index) => scope.vars.set(param.name, params[index] ?? unknown()));
    const inline = copyFrame(frame);
    inline.file = fn.file;
    inline.module = fn.module ?? frame.module;
    inline.scope = scope;
    inline.returns = [];
    inline.inlineDepth = frame.inlineDepth + 1;
    inline.branchDepth = 0;
    inline.classBody = undefined;
    inline.methodClass = fn.cls;
    if (frame.file !== fn.file && !frame.locOverride) inline.locOverride = undefined;
    ip.runBody(inline, fn);
    return inline.returns!.reduce((a, b) => join(a, b), inline.returns![0] ?? unknown());
  }
  const summary = ip.summary(fn);
  if (!summary) return derived(params);
  return applySummary(ip, frame, fn, summary, params, node);
}

export function instantiate(ip: Interpreter, frame: Frame, cls: ClassInfo, args: CallArgs, node: PyNode | undefined): Value {
  const instance: Value = { ref: { kind: "instance", cls }, taints: [] };
  const init = ip.findMethod(cls, "__init__");
  if (init) callUserFunction(ip, frame, init, { ...args, positional: [instance, ...args.positional] }, node ?? init.node);
  else if (cls.recordFields) {
    // The generated __init__ of a dataclass: each argument becomes the field of its position or name.
    cls.recordFields.forEach((name, index) => {
      const value = args.positional[index] ?? args.keywords.get(name);
      if (value) storeAttribute(frame, instance, name, value, ip);
    });
  }
  return instance;
}

/**
 * What serialises an instance (`dataclasses.asdict(obj)`, `vars(obj)`, `obj.__dict__`,
 * `obj._asdict()`, pydantic's `obj.model_dump()`): a dict of the fields its class and bases store.
 */
export function instanceFields(ip: Interpreter, value: Value | undefined): Value | undefined {
  if (value?.ref?.kind !== "instance") return undefined;
  const dict = new Map<string, Value>();
  const seen = new Set<ClassInfo>();
  const visit = (cls: ClassInfo, depth: number): void => {
    if (seen.has(cls) || depth > 8) return;
    seen.add(cls);
    for (const [name, field] of cls.fields) if (!dict.has(name)) dict.set(name, field);
    for (const base of cls.bases) if (base.ref?.kind === "class") visit(base.ref.cls, depth + 1);
  };
  visit(value.ref.cls, 0);
  return { dict, taints: [] };
}
export const SERIALISING_METHODS = new Set(["_asdict", "model_dump", "model_dump_json", "dict", "json", "to_dict"]);

const isCallable = (v: Value | undefined): boolean => v?.ref?.kind === "function" || v?.ref?.kind === "bound" || v?.ref?.kind === "class" || v?.ref?.kind === "partial";

/**
 * Global keyboard hooks: the callback receives every key the user types in any window (a
 * password typed into a wallet or a login form included), so the event is a credential read.
 */
export const KEY_HOOKS = /^(keyboard\.(on_press|on_release|hook|on_press_key|on_release_key|hook_key)|pynput\.keyboard\.Listener|pyxhook\.HookManager|pyWinhook\.HookManager|pyHook\.HookManager)$/;
const KEY_HOOK_KEYWORDS = ["on_press", "on_release", "callback", "KeyDown", "KeyUp"];

/** keyboard.on_release(cb) / pynput.keyboard.Listener(on_press=cb): cb(event) runs with the typed key. */
export function runKeyHook(ip: Interpreter, frame: Frame, node: PyNode, args: CallArgs): void {
  const callbacks = [...args.positional.filter(isCallable), ...KEY_HOOK_KEYWORDS.map((k) => args.keywords.get(k)).filter(isCallable)];
  // Called once per key: twice here, so what one call keeps (a buffer in a global) reaches the next.
  for (const callback of [...callbacks, ...callbacks]) {
    const key: Value = { taints: [ip.source(frame, node, "password-prompt", "captures keystrokes typed in any window (global keyboard hook)")] };
    const ref = callback!.ref;
    // Run with the typed key itself: loggers keep keys in globals between calls, which summaries drop.
    if (ref?.kind === "function") callUserFunction(ip, frame, ref.fn, { positional: [key], keywords: new Map() }, node, true);
    else if (ref?.kind === "bound") callUserFunction(ip, frame, ref.fn, { positional: [ref.self, key], keywords: new Map() }, node, true);
    else ip.callValue(frame, node, callback!, { positional: [key], keywords: new Map() });
  }
}
