// Calls: inlining the package's own functions (with their closures), `new`, callbacks,
// and dispatch to the models of built-in APIs, sources and sinks.
import type { Trigger } from "../facts.js";
import type { Node } from "./ast.js";
import { callBuiltin, resolvePromise } from "./builtins.js";
import { strongerTrigger } from "./collector.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { constructImplicit, initFields, superCall } from "./classes.js";
import { callValueMethod } from "./methods.js";
import { narrowCookieJar } from "./web-storage.js";
import { Scope } from "./scope.js";
import { PAGE_EVALUATORS, pageTokenCall, runPageScript } from "./page-code.js";
import { interceptedRequestCall } from "./intercepted-requests.js";
import { opaqueFunctionCalled } from "./dynamic-code.js";
import {
  UNKNOWN,
  constant,
  deepTaint,
  hasRealTaint,
  isFetched,
  mergeTaints,
  newArray,
  newObject,
  stringOf,
  unknownWith,
  withStep,
  type Taint,
  type Value,
} from "./values.js";

export interface Call {
  node: Node;
  frame: Frame;
  isNew: boolean;
  receiver?: Value;
  key?: string;
  target: Value;
  args: Value[];
}

const MAX_INLINE_DEPTH = 8;
const MAX_STANDALONE_INLINE_DEPTH = 3;


/** Code handed to something that runs it later: "call", unless nothing reaches the file at all. */
export const laterTrigger = (trigger: Trigger): Trigger => (trigger === "manual" ? "manual" : "call");

export function makeFunction(I: Interpreter, node: Node, frame: Frame, homeObject?: Value, name?: string): Value {
  const value: Value = {
    fn: {
      node,
      closure: frame.scope,
      unitId: frame.unit.id,
      homeObject,
      name: name ?? node.id?.name,
      lexicalThis: node.type === "ArrowFunctionExpression" ? frame.thisValue : undefined,
    },
    object: { props: new Map() },
  };
  if (!I.functions.has(node)) I.functions.set(node, { fn: value, unit: frame.unit });
  return value;
}

export function evalCall(I: Interpreter, node: Node, frame: Frame, isNew: boolean): Value {
  let callee = node.callee as Node;
  while (["ParenthesizedExpression", "ChainExpression", "TSNonNullExpression", "TSAsExpression"].includes(callee.type)) callee = callee.expression;
  let receiver: Value | undefined;
  let key: string | undefined;
  let target: Value;
  if (callee.type === "Super") return superCall(I, evalArguments(I, node.arguments as Node[], frame), node, frame);
  if (callee.type === "MemberExpression") {
    receiver = I.evalExpr(callee.object, frame);
    key = I.memberKey(callee, frame);
    target = I.getMember(receiver, key, callee, frame);
    // super.m(): the parent's method, called on this instance.
    if (callee.object.type === "Super") receiver = frame.thisValue;
  } else target = I.evalExpr(callee, frame);
  const args = evalArguments(I, node.arguments as Node[], frame);
  return dispatchCall(I, { node, frame, isNew, receiver, key, target, args });
}

export function evalArguments(I: Interpreter, nodes: Node[], frame: Frame): Value[] {
  const args: Value[] = [];
  for (const argument of nodes) {
    if (argument.type === "SpreadElement") {
      const spread = I.evalExpr(argument.argument, frame);
      if (spread.object?.elements) args.push(...spread.object.elements);
      else args.push(unknownWith(deepTaint(spread)));
    } else args.push(I.evalExpr(argument, frame));
  }
  return args;
}

export function dispatchCall(I: Interpreter, call: Call): Value {
  // One named cookie picked out of `document.cookie` is only that cookie.
  if (call.receiver?.taint && call.key !== undefined) call = { ...call, receiver: narrowCookieJar(I, call.receiver, call.key, call) };
  const { target, receiver, key } = call;
  if (receiver?.fn && (key === "call" || key === "apply" || key === "bind")) return callFunctionMethod(I, call, receiver);
  // https.request.call(https, …), .apply, .bind: the API itself, not a member named "call".
  if (receiver?.ref && (key === "call" || key === "apply" || key === "bind") && !isReflect(receiver)) return callRefMethod(I, call, receiver);
  if (target.fn) {
    const thisValue = call.isNew ? newInstance(target) : (receiver ?? UNKNOWN);
    if (call.isNew) initFields(I, target, thisValue, call.frame);
    const result = callFunction(I, target, thisValue, call.args, call.node, call.frame);
    return call.isNew && !result.object ? thisValue : result;
  }
  if (call.isNew && target.classInstance) {
    const instance = newInstance(target);
    initFields(I, target, instance, call.frame);
    constructImplicit(I, target, instance, call.args, call.node, call.frame);
    return instance;
  }
  if (!target.fn && call.key !== undefined) {
    if (PAGE_EVALUATORS.has(call.key)) return runPageScript(I, call);
    const token = pageTokenCall(I, call);
    if (token) return token;
    const intercepted = interceptedRequestCall(I, call);
    if (intercepted) return intercepted;
  }
  if (target.special === "resolver") {
    resolvePromise(target, call.args[0] ?? UNKNOWN);
    return UNKNOWN;
  }
  if (target.ref) {
    const result = callBuiltin(I, target.ref, call);
    if (result) return result;
  }
  if (receiver && key !== undefined) {
    const result = callValueMethod(I, receiver, key, call);
    if (result) return result;
  }
  return unknownCall(I, call);
}

function callFunctionMethod(I: Interpreter, call: Call, fnValue: Value): Value {
  const [thisArg, ...rest] = call.args;
  if (call.key === "bind") {
    // A bound function: calls go to the same function with this `this` and these arguments first
    // (binding a bound function again adds arguments; its `this` stays).
    const fn = fnValue.fn!;
    const bound = { thisValue: fn.bound?.thisValue ?? thisArg ?? UNKNOWN, args: [...(fn.bound?.args ?? []), ...rest] };
    return { ...fnValue, fn: { ...fn, bound } };
  }
  const args = call.key === "apply" ? (rest[0]?.object?.elements ?? (rest[0] ? [unknownWith(deepTaint(rest[0]))] : [])) : rest;
  return callFunction(I, fnValue, thisArg ?? UNKNOWN, args, call.node, call.frame);
}

/** `Reflect.apply` is Reflect's own function, not Function.prototype.apply. */
const isReflect = (value: Value): boolean => !!value.ref?.global && value.ref.path.length === 1 && value.ref.path[0] === "Reflect";

function callRefMethod(I: Interpreter, call: Call, ref: Value): Value {
  if (call.key === "bind") return ref;
  // Object.prototype.hasOwnProperty.call(obj, key): true when the object surely holds it.
  if (call.key === "call" && ref.ref?.path.at(-1) === "hasOwnProperty") {
    const key = call.args[1] ? stringOf(call.args[1]) : undefined;
    return key !== undefined && call.args[0]?.object?.props.has(key) ? constant(true) : UNKNOWN;
  }
  const [, ...rest] = call.args;
  const args = call.key === "apply" ? (rest[0]?.object?.elements ?? (rest[0] ? [unknownWith(deepTaint(rest[0]))] : [])) : rest;
  return dispatchCall(I, { ...call, receiver: undefined, key: undefined, target: ref, args });
}

function newInstance(ctor: Value): Value {
  const instance = newObject();
  const template = ctor.classInstance?.object?.props ?? ctor.object?.props.get("prototype")?.object?.props;
  if (template) for (const [key, value] of template) instance.object!.props.set(key, value);
  return instance;
}

/** The taint of arguments a function we do not follow may pass on to its result. */
export function argumentsTaint(I: Interpreter, args: Value[], call: { node: Node; frame: Frame }): Taint[] | undefined {
  let taint: Taint[] | undefined;
  for (const arg of args) {
    if (arg.special === "env") taint = mergeTaints(taint, I.realizeTaint(arg, call.node, call.frame, "passes process.env"));
    else taint = mergeTaints(taint, deepTaint(arg)?.filter((t) => !t.latent));
  }
  return taint;
}

const ITERATION_METHODS = new Set(
  "forEach map filter reduce reduceRight some every find findIndex findLast findLastIndex flatMap sort toSorted replace replaceAll from".split(" "),
);

const EVENT_METHODS = new Set(["addEventListener", "on", "once", "addListener", "prependListener"]);

const SIGNING_METHODS = /^(sign|signTransaction|signAllTransactions|signMessage|signTypedData|_signTypedData|signDigest|signSync|detached|getPublicKey|publicKeyCreate|derivePublicKey|toPublicKey|getAddress|computeAddress|privateToAddress|privateToPublic)$/;

/** A call into code we do not model: the result carries the arguments' taint; callbacks get it too. */
export function unknownCall(I: Interpreter, call: Call): Value {
  opaqueFunctionCalled(call.target, call.args);
  // A signature, or a public key or address derived from a secret key, is not the secret:
  // a wallet SDK that signs locally sends only what it signed.
  if (call.key !== undefined && SIGNING_METHODS.test(call.key) && !call.args.some((a) => a.fn)) return UNKNOWN;
  let taint = argumentsTaint(I, call.args, call);
  if (call.receiver) {
    const receiverTaint = (call.receiver.object ? deepTaint(call.receiver) : call.receiver.taint)?.filter((t) => !t.latent);
    if (hasRealTaint(receiverTaint)) taint = mergeTaints(taint, receiverTaint);
  }
  // A callback handed to code we do not model (a CLI framework's .action(), a plugin hook)
  // may never run during install or import: it runs at "call" time. Array-style iteration
  // methods run theirs at once, with the caller's trigger.
  const frame = call.key !== undefined && ITERATION_METHODS.has(call.key) ? call.frame : { ...call.frame, trigger: laterTrigger(call.frame.trigger) };
  // Event listeners run with `this` = the emitter (DOM and Node alike).
  const emitter = call.key !== undefined && EVENT_METHODS.has(call.key) ? call.receiver : undefined;
  for (const arg of call.args) {
    if (arg.fn) invokeCallback(I, arg, [unknownWith(taint), unknownWith(taint)], call.node, frame, false, emitter);
  }
  // `new Something(…)` of an unknown class: a fresh object (a Set, FormData, Blob…) holding its arguments.
  if (call.isNew) return { object: { props: new Map(), taint } };
  return unknownWith(taint);
}

const GLOBAL_OBJECT: Value = { ref: { global: true, path: ["globalThis"] } };

/** Run a callback the way an API would call it; it may run later, or never (conditional). */
export function invokeCallback(I: Interpreter, fnValue: Value, args: Value[], node: Node, frame: Frame, surelyRuns = false, thisValue?: Value): Value {
  if (!surelyRuns) frame.conditional++;
  try {
    return callFunction(I, fnValue, fnValue.fn?.lexicalThis ?? thisValue ?? UNKNOWN, args, node, frame, true);
  } finally {
    if (!surelyRuns) frame.conditional--;
  }
}

/** Inline a package function with these arguments (its facts carry the caller's trigger). */
export function callFunction(I: Interpreter, fnValue: Value, thisValue: Value, args: Value[], callNode: Node, frame: Frame, callback = false): Value {
  const fn = fnValue.fn!;
  if (fn.bound) {
    thisValue = fn.bound.thisValue;
    args = [...fn.bound.args, ...args];
  }
  if (!fn.node.body) return UNKNOWN; // TypeScript overloads and abstract methods have no body
  // Functions analysed on their own inline less deep, except callbacks handed to an API
  // (forEach, fs.access…: the values they close over, such as a path, are only known here)
  // and calls that follow a credential: what carries it would become unknown at the cut.
  const shallow = frame.standalone && !callback && !args.some((a) => hasRealTaint(deepTaint(a)?.filter((t) => !isFetched(t))));
  const limit = shallow ? MAX_STANDALONE_INLINE_DEPTH : MAX_INLINE_DEPTH;
  const unit = I.units[fn.unitId];
  // A bundled module's factory runs like a required file: fresh depth and recursion guard.
  const factory = I.bundles.enters(fn.node);
  if (!unit || (!factory && (frame.active.has(fn.node) || frame.depth >= limit))) {
    const previous = I.reached.get(fn.node);
    if (previous === undefined || strongerTrigger(frame.trigger, previous) !== previous) I.reached.set(fn.node, frame.trigger);
    return unknownWith(argumentsTaint(I, args, { node: callNode, frame }));
  }
  const node = fn.node;
  if (!worthInlining(I, node, args, frame)) return unknownWith(argumentsTaint(I, args, { node: callNode, frame }));
  const memoKey = frame.conditional + frame.inherited > 0 && I.concreteLoops === 0 ? I.memo.key(fn, thisValue, args, frame.trigger) : undefined;
  if (memoKey !== undefined) {
    const known = I.memo.get(memoKey);
    if (known) return known;
  }
  I.executed.add(node);
  const stepsBefore = I.budget.remaining;
  const callee: Frame = {
    unit,
    scope: new Scope(fn.closure, true),
    trigger: frame.trigger,
    depth: factory ? 0 : frame.depth + 1,
    evalDepth: frame.evalDepth,
    active: factory ? new Set() : frame.active,
    thisValue: fn.lexicalThis ?? (fn.globalThisWhenUnbound && thisValue === UNKNOWN ? GLOBAL_OBJECT : thisValue),
    conditional: 0,
    inherited: frame.inherited + frame.conditional,
    standalone: frame.standalone,
    superClass: fn.superClass,
    yields: node.generator ? [] : undefined,
  };
  callee.active.add(node);
  if (factory) I.bundles.begin(node);
  try {
    bindParameters(I, node, args, callee, callNode, frame, fn.name);
    let result: Value;
    if (node.body.type !== "BlockStatement") {
      // An expression body is no statement: what its calls queued runs when it is done.
      const queued = I.afterStatement.length;
      result = I.evalExpr(node.body, callee);
      I.runAfterStatement(queued);
    } else {
      I.execStatements(node.body.body, callee);
      result = callee.returned ?? constant(undefined);
    }
    // A generator call gives an iterator over what it yields (async ones are iterated with for await).
    if (node.generator) result = newArray(callee.yields ?? []);
    else if (node.async && !result.resolved) result = { resolved: result, taint: result.taint };
    if (memoKey !== undefined) I.memo.set(memoKey, result);
    return result;
  } finally {
    callee.active.delete(node);
    if (factory) I.bundles.end(node);
    const stats = I.inlineStats.get(node) ?? { count: 0, steps: 0, triggers: new Set() };
    stats.count++;
    stats.steps += stepsBefore - I.budget.remaining;
    stats.triggers.add(frame.trigger);
    I.inlineStats.set(node, stats);
  }
}

/** Average steps below which a function is always inlined (decoders, string-array helpers, small utilities). */
const SMALL_FUNCTION_STEPS = 300;
const LARGE_FUNCTION_INLINES = 3;

/** Large functions are inlined a few times per trigger; again only when an argument carries a credential. */
function worthInlining(I: Interpreter, node: Node, args: Value[], frame: Frame): boolean {
  const stats = I.inlineStats.get(node);
  if (!stats || !stats.triggers.has(frame.trigger)) return true;
  if (stats.count < LARGE_FUNCTION_INLINES || stats.steps / stats.count < SMALL_FUNCTION_STEPS) return true;
  return args.some((a) => deepTaint(a) !== undefined);
}

function bindParameters(I: Interpreter, node: Node, args: Value[], callee: Frame, callNode: Node, caller: Frame, name: string | undefined): void {
  const params = node.params as Node[];
  params.forEach((param, index) => {
    if (param.type === "RestElement") {
      I.bindPattern(param.argument, newArray(args.slice(index)), callee, true);
      return;
    }
    let arg = args[index] ?? constant(undefined);
    if (arg.taint && !arg.object && callNode !== node) {
      arg = { ...arg, taint: withStep(arg.taint, I.step(callNode, caller, `passed to ${name ?? "a function"}()`)) };
    }
    I.bindPattern(param, arg, callee, true);
  });
  if (node.type !== "ArrowFunctionExpression") callee.scope.declare("arguments", newArray(args), callee, 0);
}

/** Analyse a function on its own: unknown arguments (secret-named ones are credentials in SSH wrappers). */
export function runStandalone(I: Interpreter, fnValue: Value, trigger: Frame["trigger"], unitScopeFrame: Frame, args: Value[]): void {
  const fn = fnValue.fn!;
  const frame: Frame = { ...unitScopeFrame, trigger, standalone: true, depth: 0, conditional: 0, inherited: 1, active: new Set() };
  const thisValue = fn.lexicalThis ?? fn.homeObject ?? newObject();
  callFunction(I, fnValue, thisValue, args, fn.node, frame);
}
