// Methods called on values: strings and arrays (folding), buffers (encodings),
// promises and streams (callbacks get the data), crypto objects (hash digests cut the
// taint), connections (data written to them is sent) and readline prompts.
import { unwrap, type Node } from "./ast.js";
import { invokeCallback, type Call } from "./calls.js";
import { settledAsCode } from "./dynamic-code.js";
import type { Interpreter } from "./interpreter.js";
import { handleMethod } from "./sinks.js";
import { PACKAGE_DIR, readlineQuestion } from "./sources.js";
import { bufferToText } from "./strings.js";
import { hashUpdate, writeToFile } from "./downloads.js";
import { tokenExtraction } from "./token-patterns.js";
import { isPlaceholder } from "../../core/placeholders.js";
import { hazardOf } from "../../core/regex-safety.js";
import {
  MAX_MAYBE,
  UNKNOWN,
  constant,
  deepTaint,
  isNumber,
  isString,
  join,
  mergeTaints,
  newArray,
  HOLE,
  skeletonOf,
  stringOf,
  unknownWith,
  withStep,
  type ObjectData,
  type Primitive,
  type Value,
} from "./values.js";

const PURE_STRING_METHODS = new Set(
  (
    "charAt charCodeAt codePointAt at concat endsWith includes indexOf lastIndexOf match normalize padEnd padStart " +
    "repeat replace replaceAll slice split startsWith substr substring toLowerCase toUpperCase toLocaleLowerCase " +
    "toLocaleUpperCase trim trimStart trimEnd trimLeft trimRight toString valueOf"
  ).split(" "),
);

const MAX_ITERATED_ELEMENTS = 256;
/** Longest string a string method builds (the same bound as `+`): doubling in a loop stays bounded in memory. */
const MAX_BUILT_STRING = 2_000_000;
/** Longest string a pattern with a polynomial backtracking hazard is run on (quadratic: ~4 M steps). */
const MAX_POLYNOMIAL_REGEX_INPUT = 2_000;

const PLACEHOLDER_TESTS = new Set("includes startsWith endsWith indexOf match search".split(" "));

/** String methods that take pieces out of a string (applied to the install folder: unknown). */
const INSTALL_PATH_PIECES = new Set("split slice substring substr charAt at match indexOf lastIndexOf search".split(" "));

export function callValueMethod(I: Interpreter, receiver: Value, key: string, call: Call): Value | undefined {
  if (receiver.handle) return handleMethod(I, receiver, key, call);
  if (receiver.special === "hash") {
    // digest(): a one-way value; of fetched data, it can verify the download (downloads.ts).
    if (key === "update") hashUpdate(receiver, call.args[0]);
    if (key === "update") return receiver;
    return key === "digest" && receiver.digestOf?.size ? { digestOf: receiver.digestOf } : UNKNOWN;
  }
  if (receiver.special === "cipher") {
    receiver.object!.taint = mergeTaints(receiver.object!.taint, deepTaint(call.args[0] ?? UNKNOWN));
    return unknownWith(withStep(receiver.object!.taint, I.step(call.node, call.frame, "encrypted")));
  }
  if (receiver.special === "readline" && key === "question") return readlineQuestion(I, call);
  if (receiver.special === "resolver") return undefined;
  const tokens = tokenExtraction(I, receiver, key, call);
  if (tokens) return tokens;
  if (receiver.bytes || (receiver.taint && key === "toString" && call.args[0])) {
    const bytesResult = bufferMethod(I, receiver, key, call);
    if (bytesResult) return bytesResult;
  }
  if (receiver.known || receiver.pattern !== undefined) {
    const stringResult = stringMethod(I, receiver, key, call);
    if (stringResult) return stringResult;
  }
  if (receiver.object?.elements) {
    const arrayResult = arrayMethod(I, receiver, key, call);
    if (arrayResult) return arrayResult;
  }
  return genericMethod(I, receiver, key, call);
}

function bufferMethod(I: Interpreter, receiver: Value, key: string, call: Call): Value | undefined {
  if (key !== "toString") return key === "slice" || key === "subarray" ? receiver : undefined;
  const encoding = call.args[0] ? stringOf(call.args[0]) : undefined;
  const encodes = encoding === "base64" || encoding === "hex" || encoding === "base64url";
  const taint = encodes ? withStep(receiver.taint, I.step(call.node, call.frame, `${encoding}-encoded`)) : receiver.taint;
  if (receiver.bytes) {
    const text = bufferToText(receiver.bytes, encoding);
    if (text !== undefined) return { known: true, constant: text, built: true, decoded: receiver.decoded, taint };
  }
  return unknownWith(taint);
}

function stringMethod(I: Interpreter, receiver: Value, key: string, call: Call): Value | undefined {
  if (isNumber(receiver) && key === "toString") {
    const radix = call.args[0] && isNumber(call.args[0]) ? call.args[0].constant : 10;
    return radix >= 2 && radix <= 36 ? constant(receiver.constant.toString(radix)) : UNKNOWN;
  }
  if (!PURE_STRING_METHODS.has(key)) return undefined;
  const args = call.args;
  // The package's own folder stands for where it is installed, which is not known: its
  // pieces (the drive, the user's folder in C:\Users\<name>\…) are unknown, not "<package>".
  if (isString(receiver) && receiver.constant.startsWith(PACKAGE_DIR) && INSTALL_PATH_PIECES.has(key)) {
    if (key === "split") return { object: { props: new Map(), elements: [], open: true } };
    return UNKNOWN;
  }
  // `config.webhook.includes("api/webhooks")` on "%WEBHOOK%": a test of the setting, open.
  if (isString(receiver) && PLACEHOLDER_TESTS.has(key) && isPlaceholder(receiver.constant)) return UNKNOWN;
  if (isString(receiver)) {
    const primitives: unknown[] = [];
    for (const arg of args) {
      if (arg.regex) {
        // The package's own pattern runs on its own string here: one with a backtracking
        // hazard is not run (exponential), or only on a short string (polynomial).
        const hazard = hazardOf(arg.regex);
        if (hazard && (hazard.kind === "exponential" || receiver.constant.length > MAX_POLYNOMIAL_REGEX_INPUT)) return unknownWith(receiver.taint);
        primitives.push(arg.regex);
      }
      else if (arg.known && (typeof arg.constant !== "object" || arg.constant === null)) primitives.push(arg.constant);
      else return unknownWith(mergeTaints(receiver.taint, deepTaint(arg)));
    }
    if (key === "repeat" && receiver.constant.length * Number(primitives[0] ?? 0) > 1_000_000) return UNKNOWN;
    if ((key === "padStart" || key === "padEnd") && Number(primitives[0] ?? 0) > MAX_BUILT_STRING) return UNKNOWN;
    try {
      // A built-in String.prototype method on primitive/RegExp arguments: no package code runs.
      const method = (String.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[key]!;
      const result = method.apply(receiver.constant, primitives);
      if (Array.isArray(result)) return newArray(result.slice(0, 100_000).map((r) => constant(r as Primitive)));
      // A string doubled in a loop (s = s.concat(s)) stops being followed here, as `+` does.
      if (typeof result === "string" && result.length > MAX_BUILT_STRING) return unknownWith(receiver.taint);
      // A URL's query parameters are kept in its object part (url.searchParams.set).
      return { known: true, constant: result as Primitive, built: true, decoded: receiver.decoded, taint: mergeTaints(receiver.taint, receiver.object?.taint) };
    } catch {
      return UNKNOWN;
    }
  }
  // A partially known or tainted string: the result keeps the taint.
  const taint = mergeTaints(receiver.taint, args.reduce<Value["taint"]>((t, a) => mergeTaints(t, a.taint), undefined));
  if (key === "concat") return { pattern: [receiver, ...args].map(skeletonOf).join(""), taint };
  if (key === "split") return { taint, object: { props: new Map(), elements: [], taint, open: true } };
  if (key === "toString" || key === "valueOf" || key === "trim") return receiver;
  return unknownWith(taint);
}

/** Possible items, each once (the same value or the same constant pushed again on another pass adds nothing), at most MAX_MAYBE. */
function addPossible(maybe: Value[] | undefined, values: Value[]): Value[] {
  const out = maybe ? [...maybe] : [];
  for (const value of values) {
    if (out.length >= MAX_MAYBE) break;
    if (!out.some((m) => m === value || (m.known && value.known && m.constant === value.constant))) out.push(value);
  }
  return out;
}

/**
 * A method called on a value nothing else holds (`s.split("").reverse()`, `[...xs].sort()`,
 * `Array.from(s).reverse()`): its change in place is sure even on a path that may not run.
 */
function onTemporary(node: Node): boolean {
  const callee = node.type === "CallExpression" ? unwrap(node.callee as Node) : undefined;
  const object = callee?.type === "MemberExpression" ? unwrap(callee.object as Node) : undefined;
  return object?.type === "CallExpression" || object?.type === "ArrayExpression" || object?.type === "NewExpression";
}

function arrayMethod(I: Interpreter, receiver: Value, key: string, call: Call): Value | undefined {
  const data = receiver.object!;
  const elements = data.elements!;
  const args = call.args;
  const sure = call.frame.conditional + call.frame.inherited === 0 || onTemporary(call.node);
  switch (key) {
    case "join":
    case "toString": {
      const separator = key === "join" && args[0] ? stringOf(args[0]) : ",";
      const texts = elements.map((e) => (e.known && (e.constant === null || e.constant === undefined) ? "" : stringOf(e)));
      const taint = mergeTaints(data.taint, elements.reduce<Value["taint"]>((t, e) => mergeTaints(t, deepTaint(e)), undefined));
      if (separator !== undefined && texts.every((t) => t !== undefined)) {
        return { known: true, constant: texts.join(separator), built: true, decoded: elements.some((e) => e.decoded), taint };
      }
      return { pattern: elements.map(skeletonOf).join(separator ?? HOLE) || HOLE, taint };
    }
    case "reverse":
      if (sure) elements.reverse();
      return receiver;
    case "push":
    case "unshift":
      if (sure) (key === "push" ? elements.push(...args) : elements.unshift(...args));
      else {
        data.taint = mergeTaints(data.taint, args.reduce<Value["taint"]>((t, a) => mergeTaints(t, deepTaint(a)), undefined));
        data.open = true;
        // `if (existsSync(p)) found.push(p)`: each value may be there; iterating visits it.
        data.maybe = addPossible(data.maybe, args);
      }
      return constant(sure ? elements.length : undefined);
    case "shift":
    case "pop": {
      if (!sure) data.open = true;
      if (!sure) return elements.reduce<Value>((a, e) => join(a, e), unknownWith(data.taint));
      // Nothing known in an array of unknown length (`text.split(sep)` of a run-time string): unknown, with the array's taint.
      if (elements.length === 0 && data.open) return unknownWith(data.taint);
      const taken = (key === "shift" ? elements.shift() : elements.pop()) ?? constant(undefined);
      return data.taint ? { ...taken, taint: mergeTaints(taken.taint, data.taint) } : taken;
    }
    case "concat": {
      const out = [...elements];
      let taint = data.taint;
      let open = data.open;
      for (const arg of args) {
        if (arg.object?.elements) {
          out.push(...arg.object.elements);
          taint = mergeTaints(taint, arg.object.taint);
          open ||= arg.object.open;
        } else if (arg.known || arg.object || arg.fn) out.push(arg);
        else {
          // An unknown value may be an array: its elements, not itself, join the result.
          taint = mergeTaints(taint, deepTaint(arg));
          open = true;
        }
      }
      const result = newArray(out);
      result.object!.taint = taint;
      if (open) result.object!.open = true;
      return result;
    }
    case "slice": {
      const start = args[0] && isNumber(args[0]) ? args[0].constant : 0;
      const end = args[1] && isNumber(args[1]) ? args[1].constant : undefined;
      const result = newArray(elements.slice(start, end));
      result.object!.taint = data.taint;
      if (data.open) result.object!.open = true;
      return result;
    }
    case "map":
    case "forEach":
    case "filter":
    case "flatMap":
    case "some":
    case "every":
    case "find": {
      const callback = args[0];
      if (!callback?.fn) return undefined;
      const results: Value[] = [];
      if (elements.length <= MAX_ITERATED_ELEMENTS && !data.taint && !data.open) {
        elements.forEach((element, index) => results.push(invokeCallback(I, callback, [element, constant(index), receiver], call.node, call.frame, sure)));
      } else {
        const element = elements.slice(0, 64).reduce<Value>((a, e) => join(a, e), unknownWith(data.taint));
        results.push(invokeCallback(I, callback, [element, UNKNOWN, receiver], call.node, call.frame));
        for (const possible of data.maybe ?? []) results.push(invokeCallback(I, callback, [possible, UNKNOWN, receiver], call.node, call.frame));
      }
      if (key === "map" && results.length === elements.length && !data.open && !data.taint) return newArray(results);
      if (key === "map" || key === "flatMap") return { object: { props: new Map(), elements: [], open: true, taint: results.reduce<Value["taint"]>((t, r) => mergeTaints(t, deepTaint(r)), undefined) } };
      if (key === "filter") return receiver;
      if (key === "find") return elements.slice(0, 64).reduce<Value>((a, e) => join(a, e), unknownWith(data.taint));
      return UNKNOWN;
    }
    case "reduce": {
      const callback = args[0];
      if (!callback?.fn) return undefined;
      let accumulator = args[1] ?? elements[0] ?? UNKNOWN;
      const start = args[1] ? 0 : 1;
      if (elements.length <= MAX_ITERATED_ELEMENTS && !data.taint && !data.open) {
        for (let i = start; i < elements.length; i++) {
          accumulator = invokeCallback(I, callback, [accumulator, elements[i]!, constant(i), receiver], call.node, call.frame, sure);
        }
        return accumulator;
      }
      const element = elements.slice(0, 64).reduce<Value>((a, e) => join(a, e), unknownWith(data.taint));
      return join(accumulator, invokeCallback(I, callback, [accumulator, element, UNKNOWN, receiver], call.node, call.frame));
    }
    case "includes":
    case "indexOf":
      return UNKNOWN;
    default:
      return undefined;
  }
}

/** Listeners registered with on()/once() on the package's own objects, by event name. */
const LISTENERS = new WeakMap<ObjectData, Map<string, Value[]>>();
const MAX_LISTENERS = 16;

function addListener(data: ObjectData, event: string | undefined, callback: Value): void {
  let byEvent = LISTENERS.get(data);
  if (!byEvent) LISTENERS.set(data, (byEvent = new Map()));
  const name = event ?? "*";
  const list = byEvent.get(name) ?? [];
  if (list.length < MAX_LISTENERS && !list.some((l) => l.fn?.node === callback.fn?.node)) list.push(callback);
  byEvent.set(name, list);
}

/** Listeners an emit reaches: those of that event and of unknown events (all of them when the event is unknown). */
function listenersOf(data: ObjectData, event: string | undefined): Value[] {
  const byEvent = LISTENERS.get(data);
  if (!byEvent) return [];
  if (event === undefined) return [...byEvent.values()].flat();
  return [...(byEvent.get(event) ?? []), ...(event === "*" ? [] : (byEvent.get("*") ?? []))];
}

/** Methods on values we know little about: promises, streams, event emitters, callbacks. */
function genericMethod(I: Interpreter, receiver: Value, key: string, call: Call): Value | undefined {
  const args = call.args;
  if (receiver.writesTo !== undefined && (key === "write" || key === "end") && args[0] && !args[0].fn) writeToFile(I, receiver, args[0], call);
  const resolved = receiver.resolved ?? receiver;
  const dataTaint = deepTaint(resolved)?.filter((t) => !t.latent);
  switch (key) {
    case "then": {
      const callback = args[0];
      if (callback && settledAsCode(I, callback, resolved, call)) return UNKNOWN;
      if (!callback?.fn) return receiver;
      // A value with a shape (object, string, module of import(), function) is passed as is.
      const shaped = resolved.object || resolved.known || resolved.ref || resolved.fn || resolved.handle;
      const result = invokeCallback(I, callback, [shaped ? resolved : unknownWith(dataTaint)], call.node, call.frame);
      if (args[1]?.fn) invokeCallback(I, args[1], [UNKNOWN], call.node, call.frame);
      return { resolved: result.resolved ?? result, taint: (result.resolved ?? result).taint };
    }
    case "catch":
    case "finally":
      if (args[0]?.fn) invokeCallback(I, args[0], [UNKNOWN], call.node, call.frame);
      return receiver;
    case "on":
    case "once":
    case "addListener":
    case "addEventListener":
    case "prependListener": {
      const callback = args[1];
      if (callback?.fn) {
        // A listener runs with `this` = the emitter (DOM and Node alike).
        invokeCallback(I, callback, [unknownWith(dataTaint), unknownWith(dataTaint)], call.node, call.frame, false, receiver);
        if (receiver.object) addListener(receiver.object, stringOf(args[0] ?? UNKNOWN), callback);
      }
      return receiver;
    }
    case "emit": {
      // Our own emitter: its listeners get what is emitted.
      const listeners = receiver.object ? listenersOf(receiver.object, stringOf(args[0] ?? UNKNOWN)) : [];
      if (listeners.length === 0) return undefined;
      for (const listener of listeners) invokeCallback(I, listener, args.slice(1), call.node, call.frame);
      return constant(true);
    }
    case "dispatchEvent": {
      // Our own EventTarget: its listeners get the event (`new CustomEvent(type, { detail })`), with `this` = the target.
      const event = args[0];
      const type = event?.object?.props.get("type");
      const listeners = receiver.object && event ? listenersOf(receiver.object, type ? stringOf(type) : undefined) : [];
      if (listeners.length === 0) return undefined;
      for (const listener of listeners) invokeCallback(I, listener, [event!], call.node, call.frame, false, receiver);
      return constant(true);
    }
    case "pipe": {
      const destination = args[0];
      if (!destination) return undefined;
      if (destination.writesTo !== undefined) writeToFile(I, destination, unknownWith(dataTaint), call);
      if (destination.handle) {
        handleMethod(I, destination, "write", { ...call, receiver: destination, args: [unknownWith(dataTaint)] });
        return destination;
      }
      return { ...destination, taint: mergeTaints(destination.taint, withStep(dataTaint, I.step(call.node, call.frame, "piped"))) };
    }
    case "toString":
    case "toJSON":
    case "valueOf":
      return unknownWith(dataTaint);
    case "add":
    case "set":
    case "append":
    case "push":
    case "unshift":
    case "put":
    case "write":
    case "enqueue":
    case "insert": {
      // Collections and form bodies (Set, Map, FormData, streams) keep what is put in them.
      if (!receiver.object) return undefined;
      const added = args.reduce<Value["taint"]>((t, a) => mergeTaints(t, deepTaint(a)?.filter((x) => !x.latent)), undefined);
      if (added) receiver.object.taint = mergeTaints(receiver.object.taint, added);
      return receiver;
    }
    case "forEach":
    case "map":
    case "filter": {
      if (!args[0]?.fn) return undefined;
      const result = invokeCallback(I, args[0], [unknownWith(dataTaint), UNKNOWN], call.node, call.frame);
      return key === "map" ? unknownWith(mergeTaints(dataTaint, deepTaint(result))) : receiver;
    }
    default:
      return undefined;
  }
}
