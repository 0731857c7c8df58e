// Destructuring, assignment and member access over abstract values: where process.env,
// module references, objects, arrays and folded strings answer `a.b` and `a[b] = c`.
import { staticPropertyName, unwrap, type Node } from "./ast.js";
import { callFunction } from "./calls.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { GLOBAL_OBJECTS, URL_PARTS, anyMember, propertyKeyName, restOf, urlPart } from "./operators.js";
import { envMember, processEnv, secretParamMember } from "./sources.js";
import { requestApiHook } from "./intercepted-requests.js";
import { imageSource } from "./sinks.js";
import { cloudSdkMember } from "./cloud-sdks.js";
import { isStorageName, pageMember, storageRef } from "./web-storage.js";
import {
  HOLE,
  UNKNOWN,
  constant,
  deepTaint,
  isString,
  join,
  mergeTaints,
  newArray,
  newObject,
  stringOf,
  unknownWith,
  type Value,
} from "./values.js";
/** Bind a declaration or assignment target (identifier, destructuring, member). */
export function bindPattern(I: Interpreter, pattern: Node, value: Value, frame: Frame, declare: boolean): void {
  const target = unwrap(pattern);
  switch (target.type) {
    case "Identifier":
      assignName(I, target.name, value, frame, declare);
      return;
    case "MemberExpression": {
      const object = I.evalExpr(target.object, frame);
      const key = memberKey(I, target, frame);
      if (object.handle && key === "src") imageSource(I, object, value, target, frame);
      setMember(I, object, key, value, frame);
      return;
    }
    case "ObjectPattern": {
      const used: string[] = [];
      for (const property of target.properties as Node[]) {
        if (property.type === "RestElement") {
          bindPattern(I, property.argument, restOf(value, used), frame, declare);
          continue;
        }
        const key = property.computed ? stringOf(I.evalExpr(property.key, frame)) : propertyKeyName(property.key);
        if (key !== undefined) used.push(key);
        const member = key === undefined ? unknownWith(deepTaint(value)) : getMember(I, value, key, property, frame);
        bindPattern(I, property.value, member, frame, declare);
      }
      return;
    }
    case "ArrayPattern":
      (target.elements as (Node | null)[]).forEach((element, index) => {
        if (!element) return;
        if (element.type === "RestElement") {
          const rest = value.object?.elements ? newArray(value.object.elements.slice(index)) : unknownWith(deepTaint(value));
          bindPattern(I, element.argument, rest, frame, declare);
        } else bindPattern(I, element, getMember(I, value, String(index), element, frame), frame, declare);
      });
      return;
    case "AssignmentPattern": {
      const needDefault = !value.known || value.constant === undefined;
      const bound = needDefault ? (value.known ? I.evalExpr(target.right, frame) : join(value, I.evalExpr(target.right, frame))) : value;
      bindPattern(I, target.left, bound, frame, declare);
      return;
    }
    case "RestElement":
      bindPattern(I, target.argument, value, frame, declare);
      return;
    case "TSParameterProperty":
      bindPattern(I, target.parameter, value, frame, declare);
      return;
    default:
      return;
  }
}

export function assignName(I: Interpreter, name: string, value: Value, frame: Frame, declare: boolean): void {
  if (declare) {
    frame.scope.declare(name, value, frame, frame.conditional);
    return;
  }
  const binding = frame.scope.lookup(name);
  if (!binding) {
    frame.scope.functionScope().declare(name, value, frame, frame.conditional);
    return;
  }
  const strong = (binding.owner === frame && binding.level === frame.conditional) || frame.conditional + frame.inherited === 0;
  if (!strong) I.branches.record(binding, value);
  binding.value = strong ? value : join(binding.value, value);
}

/** The folded key of a member expression, undefined when unknown. */
export function memberKey(I: Interpreter, member: Node, frame: Frame): string | undefined {
  const literal = staticPropertyName(member);
  if (literal !== undefined) return literal;
  if (!member.computed) return undefined;
  const key = I.evalExpr(member.property, frame);
  return stringOf(key);
}

const FUNCTION_CONSTRUCTOR: Value = { ref: { global: true, path: ["Function"] } };

/**
 * `x.constructor` that is the Function constructor whatever x is: a function's constructor
 * (`(() => {}).constructor`), and any constructor's constructor (`[].constructor.constructor`,
 * `''["constructor"]["constructor"]`): code built from a string without naming Function.
 */
function codeConstructorReached(object: Value, node: Node): boolean {
  if (object.fn) return true;
  const inner = node.type === "MemberExpression" ? unwrap(node.object as Node) : undefined;
  return inner?.type === "MemberExpression" && staticPropertyName(inner) === "constructor";
}

export function getMember(I: Interpreter, object: Value, key: string | undefined, node: Node, frame: Frame): Value {
  if (object.proxy) {
    // A Proxy's get trap answers every read: get(target, name, receiver), `this` = the handler.
    const { target, handler } = object.proxy;
    const trap = handler.object!.props.get("get")!;
    return callFunction(I, trap, handler, [target, key === undefined ? UNKNOWN : constant(key), object], node, frame);
  }
  if (object.special === "env") return envMember(I, key, node, frame);
  if (object.special === "secret-params" && key !== undefined) {
    const secret = secretParamMember(I, key, node, frame);
    if (secret) return secret;
  }
  // Another window's storage (`window.open(…).localStorage`) is a page's storage too.
  if (isStorageName(key) && !object.ref && !object.object?.props.has(key)) return storageRef(key);
  if (key === "constructor" && !object.object?.props.has(key) && codeConstructorReached(object, node)) return FUNCTION_CONSTRUCTOR;
  if (object.ref) {
    if (key === undefined) return UNKNOWN;
    const sdkCredentials = cloudSdkMember(I, object.ref, key, node, frame);
    if (sdkCredentials) return sdkCredentials;
    const path = [...object.ref.path, key];
    // Inside a worker's code run by `new Worker(…, { workerData })` (builtins.ts).
    if (object.ref.module === "worker_threads" && path.length === 1 && key === "workerData" && I.workerData.length > 0) return I.workerData[I.workerData.length - 1]!;
    if (object.ref.global) {
      // process.env, and Bun's copy of it (Bun.env).
      if (path.length === 2 && (path[0] === "process" || path[0] === "Bun") && key === "env") return processEnv(I, node, frame, path.join("."));
      // The node binary running the package: an absolute path whose program is node (`spawn(process.execPath, [file])`).
      if (path.length === 2 && path[0] === "process" && (key === "execPath" || key === "argv0")) return { pattern: `${HOLE}/node` };
      if (path.length > 1 && GLOBAL_OBJECTS.has(path[0]!)) path.shift();
      const page = pageMember(I, path, node, frame);
      if (page) return page;
    }
    return { ref: { ...object.ref, path } };
  }
  if (object.handle) return object;
  if (object.object) {
    const data = object.object;
    if (key === undefined) return anyMember(data);
    if (data.elements) {
      // An array a loop, callback or call may have grown has no known length: `if (found.length)` is not constant.
      if (key === "length") return data.open || data.taint ? unknownWith(data.taint) : constant(data.elements.length);
      if (/^\d+$/.test(key)) {
        const element = data.elements[Number(key)];
        return element ? (data.taint ? { ...element, taint: mergeTaints(element.taint, data.taint) } : element) : unknownWith(data.taint);
      }
    }
    const own = data.props.get(key);
    // An accessor (webpack's harmony exports, a lazy getter): reading it runs the getter.
    if (own?.getter) return callFunction(I, own.getter, object, [], node, frame);
    if (own) return own;
    if (object.fn && key === "prototype") {
      const prototype = newObject();
      data.props.set(key, prototype);
      return prototype;
    }
    // A URL value (string + searchParams): its parts fold from the string, with the query's taint.
    if (isString(object) && URL_PARTS.has(key)) return { ...urlPart(object.constant, key), taint: mergeTaints(data.taint, object.taint) };
    if (I.bundles.isCacheMiss(data, key)) return constant(undefined);
    const taint = mergeTaints(data.taint, object.taint);
    if (!taint && !data.open && !PROTOTYPE_NAMES.has(key) && !(object.fn && FUNCTION_NAMES.has(key)) && !(data.elements && /^\d+$/.test(key))) return ABSENT;
    return unknownWith(taint);
  }
  if (isString(object)) {
    if (key === "length") return constant(object.constant.length);
    if (key !== undefined && /^\d+$/.test(key)) return constant(object.constant[Number(key)]);
    if (key !== undefined && URL_PARTS.has(key)) return urlPart(object.constant, key);
  }
  if (object.bytes && key === "length") return constant(object.bytes.length);
  if (object.resolved && key !== undefined && object.resolved.object) return getMember(I, object.resolved, key, node, frame);
  // The public half of a key pair an unmodelled library built (keypair.publicKey, wallet.address) is not the secret.
  if (key !== undefined && PUBLIC_PART.test(key)) return UNKNOWN;
  return unknownWith(object.taint);
}

const PUBLIC_PART = /^(publicKey|pubkey|pubKey|address|publicAddress)$/;

/** A key read that found nothing on a closed object (see Value.absent). */
const ABSENT: Value = Object.freeze({ absent: true }) as Value;
/** Names every object answers through its prototype. */
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
const FUNCTION_NAMES = new Set(Object.getOwnPropertyNames(Function.prototype));

export function setMember(I: Interpreter, object: Value, key: string | undefined, value: Value, frame: Frame): void {
  if (object.ref?.global && value.fn) requestApiHook(I, object.ref.path, key, value, frame);
  const data = object.object;
  if (!data) return;
  if (key === undefined) {
    data.open = true;
    data.taint = mergeTaints(data.taint, deepTaint(value));
    return;
  }
  if (data.elements && /^\d+$/.test(key)) {
    const index = Number(key);
    if (index < 100_000) {
      const old = data.elements[index];
      while (data.elements.length < index) data.elements.push(constant(undefined));
      data.elements[index] = frame.conditional + frame.inherited > 0 && old ? join(old, value) : value;
      return;
    }
  }
  const old = data.props.get(key);
  data.props.set(key, frame.conditional + frame.inherited > 0 && old ? join(old, value) : value);
}
