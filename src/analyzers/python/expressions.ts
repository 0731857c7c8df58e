// Expression evaluation: folding constants, resolving names to modules/functions,
// and carrying taint through every way Python builds a value.
import { apiSource, parameterSourceKind, PUBLIC_KEY_ATTRIBUTES } from "./sources.js";
import { isSecretParameterName } from "../../rules/signatures.js";
import { classifySinkCall } from "./sinks.js";
import { field, fields, namedChildren, textOf, type PyNode } from "./ast.js";
import { evalCall } from "./calls.js";
import { callUserFunction, instanceFields } from "./user-functions.js";
import { copyFrame, lookup, type Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { decodeEscapes, parseIntegerLiteral, parseStringPrefix } from "./literals.js";
import { PATH_TYPE } from "./library.js";
import { evalBinary, slice } from "./operators.js";
import {
  allTaints,
  containerTaints,
  SMALL_CONTAINER,
  derived,
  external,
  join,
  mergeTaints,
  num,
  readObjectAttribute,
  str,
  taintKey,
  textForConcat,
  unknown,
  type ClassInfo,
  type FunctionInfo,
  type Value,
} from "./model.js";
import { envRead, envDump } from "./environment.js";
import { SlotTracker, urlSlots } from "../common/url-slots.js";
import { bindTarget } from "./statements.js";

const MAX_DEPTH = 200;
const MAX_STRING = 8 * 1024 * 1024;
const MAX_ITERATION = 4096;

const BUILTINS = new Set(
  (
    "open exec eval compile getattr setattr hasattr __import__ chr ord map list tuple set dict str bytes bytearray " +
    "reversed sorted len print input raw_input isinstance issubclass globals locals vars type int float bool repr " +
    "hash id callable zip enumerate range filter iter next sum min max any all unichr unicode file execfile reload " +
    "super object format hex oct bin abs round divmod pow frozenset memoryview dir help delattr breakpoint"
  ).split(" "),
);

export function evalExpr(ip: Interpreter, frame: Frame, node: PyNode): Value {
  if (ip.depth > MAX_DEPTH) return unknown();
  ip.meter.step();
  ip.depth++;
  try {
    return evaluate(ip, frame, node);
  } finally {
    ip.depth--;
  }
}

function evaluate(ip: Interpreter, frame: Frame, node: PyNode): Value {
  switch (node.type) {
    case "identifier":
      return evalName(ip, frame, node.text);
    case "string":
      return evalString(ip, frame, node);
    case "concatenated_string": {
      const parts = namedChildren(node).map((c) => evalString(ip, frame, c, false));
      const result = concat(parts, urlSlots(ip.signatures));
      if (result.str !== undefined) ip.indicators(frame, node, result.str);
      if (parts.every((p) => p.plain)) result.plain = true;
      return result;
    }
    case "integer": {
      const value = parseIntegerLiteral(node.text);
      return value === undefined ? unknown() : num(value);
    }
    case "float":
      return num(Number(node.text.replace(/_/g, "")));
    case "true":
      return num(1);
    case "false":
      return num(0);
    case "none":
    case "ellipsis":
      return unknown();
    case "parenthesized_expression":
    case "await":
    case "expression_statement": {
      const inner = namedChildren(node)[0];
      return inner ? evalExpr(ip, frame, inner) : unknown();
    }
    case "yield":
      return evalYield(ip, frame, node);
    case "attribute":
      return evalAttribute(ip, frame, node);
    case "subscript":
      return evalSubscript(ip, frame, node);
    case "call":
      return evalCall(ip, frame, node);
    case "binary_operator":
      return evalBinary(ip, frame, node);
    case "unary_operator": {
      const operand = evalExpr(ip, frame, field(node, "argument") ?? namedChildren(node)[0]!);
      const op = node.children[0]?.text;
      if (operand.num !== undefined) return num(op === "-" ? -operand.num : op === "~" ? ~operand.num : operand.num);
      return derived([operand]);
    }
    case "not_operator":
    case "comparison_operator":
      for (const child of namedChildren(node)) evalExpr(ip, frame, child);
      return unknown();
    case "boolean_operator": {
      const left = evalExpr(ip, frame, field(node, "left")!);
      const right = evalExpr(ip, frame, field(node, "right")!);
      return join(left, right);
    }
    case "conditional_expression": {
      const [a, , b] = namedChildren(node).map((c) => evalExpr(ip, frame, c));
      return a && b ? join(a, b) : a ?? unknown();
    }
    case "list":
    case "tuple":
    case "set":
    case "expression_list":
    case "pattern_list":
      return evalSequence(ip, frame, namedChildren(node));
    case "dictionary":
      return evalDict(ip, frame, node);
    case "list_comprehension":
    case "set_comprehension":
    case "generator_expression":
    case "dictionary_comprehension":
      return evalComprehension(ip, frame, node);
    case "lambda":
      return { ref: { kind: "function", fn: ip.defineFunction(frame, node, []) }, taints: [] };
    case "named_expression": {
      const value = evalExpr(ip, frame, field(node, "value")!);
      bindTarget(ip, frame, field(node, "name")!, value);
      return value;
    }
    case "assignment":
    case "augmented_assignment":
      // Only reached for nested `a = b = c` right-hand sides handled in statements.
      return unknown();
    case "keyword_argument":
      return evalExpr(ip, frame, field(node, "value")!);
    case "list_splat":
    case "dictionary_splat":
    case "interpolation": {
      const inner = namedChildren(node)[0];
      return inner ? evalExpr(ip, frame, inner) : unknown();
    }
    default: {
      // Anything else (yield, slices in odd places …): evaluate children for their effects.
      let taints = [] as Value["taints"];
      for (const child of namedChildren(node)) taints = mergeTaints(taints, allTaints(evalExpr(ip, frame, child)));
      return { taints };
    }
  }
}

export function evalName(ip: Interpreter, frame: Frame, name: string): Value {
  const value = lookup(frame.scope, name);
  if (value) return value;
  if (frame.scope !== frame.module.scope) {
    const global = frame.module.scope.vars.get(name);
    if (global) return global;
  }
  if (name === "__builtins__" || name === "builtins") return external("builtins");
  if (BUILTINS.has(name)) return external(`builtins.${name}`);
  if (name === "__file__") return str(frame.file);
  const stars = frame.module.starImports;
  if (stars?.length) return external(`${starModule(ip, stars, name)}.${name}`);
  return unknown();
}

/**
 * `from discord_webhook import *` then `DiscordWebhook(...)`: the name comes from a star-imported
 * library. Of several, the one whose member is a known sink or credential source, else the last
 * (a later star import shadows an earlier one).
 */
function starModule(ip: Interpreter, stars: readonly string[], name: string): string {
  for (let i = stars.length - 1; i >= 0; i--) {
    const qname = `${stars[i]}.${name}`;
    if (classifySinkCall(ip.signatures, qname) || apiSource(ip.signatures, qname, undefined, false)) return stars[i]!;
  }
  return stars[stars.length - 1]!;
}

/**
 * Folded text of each string literal without interpolations, read once: the same literals are
 * evaluated again in every pass, summary and inlined call (their escapes decoded each time).
 */
let literalTexts = new WeakMap<PyNode, { text: string; bytes: boolean }>();

/** After a package: a fresh table (a WeakMap's entries go only at a full GC; one table for every package grew with all of them). */
export function forgetLiteralTexts(): void {
  literalTexts = new WeakMap();
}

function evalString(ip: Interpreter, frame: Frame, node: PyNode, report = true): Value {
  if (node.type !== "string") return evalExpr(ip, frame, node);
  const known = literalTexts.get(node);
  if (known !== undefined) {
    // A new value each time: values are changed in place (an object's cell, a list's items).
    const value: Value = known.bytes ? { str: known.text, taints: [], bytes: true, plain: true } : { str: known.text, taints: [], plain: true };
    if (report) ip.indicators(frame, node, known.text);
    return value;
  }
  const start = node.children.find((c) => c.type === "string_start")?.text ?? '"';
  const prefix = parseStringPrefix(start);
  const parts: Value[] = [];
  let plain = true;
  for (const child of node.children) {
    if (child.type === "string_content") parts.push(str(decodeEscapes(textOf(child), prefix), prefix.bytes));
    else if (child.type === "escape_sequence") parts.push(str(decodeEscapes(child.text, prefix), prefix.bytes));
    else if (child.type === "interpolation") {
      const inner = field(child, "expression") ?? namedChildren(child)[0];
      parts.push(inner ? evalExpr(ip, frame, inner) : unknown());
      plain = false;
    }
  }
  const result = parts.length === 0 ? str("", prefix.bytes) : concat(parts, urlSlots(ip.signatures));
  if (prefix.bytes) result.bytes = true;
  if (plain && result.str !== undefined) {
    result.plain = true;
    literalTexts.set(node, { text: result.str, bytes: result.bytes === true });
  }
  if (report && result.str !== undefined) ip.indicators(frame, node, result.str);
  else if (report && result.partial !== undefined) ip.indicators(frame, node, result.partial);
  return result;
}

/**
 * String concatenation with partial folding. `slots` (common/url-slots.ts): URL prefixes after
 * which a value sits in its issuer's credential slot; the result records the credentials only there.
 */
export function concat(parts: Value[], slots?: readonly RegExp[]): Value {
  const result = concatValues(parts);
  if (!slots?.length || result.taints.length === 0) return result;
  const tracker = new SlotTracker(slots);
  parts.forEach((part, i) => tracker.add(textForConcat(part), allTaints(part).map(taintKey), i === 0 ? part.slotKeys : undefined));
  const slotted = tracker.slotted();
  if (slotted) result.slotKeys = slotted;
  return result;
}

function concatValues(parts: Value[]): Value {
  let taints = [] as Value["taints"];
  for (const part of parts) taints = mergeTaints(taints, allTaints(part));
  if (parts.every((p) => p.str !== undefined || p.num !== undefined)) {
    const text = parts.map((p) => p.str ?? String(p.num)).join("");
    return { str: text.length > MAX_STRING ? text.slice(0, MAX_STRING) : text, taints, ...(parts[0]?.bytes ? { bytes: true } : {}) };
  }
  const partial = parts.map(textForConcat).join("").replace(/\*+/g, "*");
  return partial === "*" ? { taints } : { partial, taints };
}

function evalSequence(ip: Interpreter, frame: Frame, nodes: readonly PyNode[]): Value {
  const items: Value[] = [];
  let spread = false;
  let taints = [] as Value["taints"];
  for (const child of nodes) {
    const value = evalExpr(ip, frame, child);
    if (child.type === "list_splat") {
      if (value.items) items.push(...value.items);
      else spread = true;
      taints = mergeTaints(taints, allTaints(value));
      if (value.ref?.kind === "env") taints = mergeTaints(taints, [envDump(ip, frame, child)]);
    } else items.push(value);
  }
  if (spread) return { taints: mergeTaints(taints, derived(items).taints) };
  return withContainerCell({ items, taints: [] }, items);
}

function evalDict(ip: Interpreter, frame: Frame, node: PyNode): Value {
  const dict = new Map<string, Value>();
  let taints = [] as Value["taints"];
  for (const child of namedChildren(node)) {
    if (child.type === "pair") {
      const key = evalExpr(ip, frame, field(child, "key")!);
      const value = evalExpr(ip, frame, field(child, "value")!);
      if (key.str !== undefined) dict.set(key.str, value);
      else taints = mergeTaints(taints, mergeTaints(allTaints(key), allTaints(value)));
    } else if (child.type === "dictionary_splat") {
      const inner = evalExpr(ip, frame, namedChildren(child)[0]!);
      if (inner.ref?.kind === "env") taints = mergeTaints(taints, [envDump(ip, frame, child)]);
      if (inner.dict) for (const [k, v] of inner.dict) dict.set(k, v);
      taints = mergeTaints(taints, allTaints(inner));
    }
  }
  return withContainerCell({ dict, taints }, dict.values());
}

/** Large literal tables: remember their elements' taint once (see allTaints). */
function withContainerCell(value: Value, elements: Iterable<Value>): Value {
  const size = value.items?.length ?? value.dict?.size ?? 0;
  if (size > SMALL_CONTAINER) {
    const taints = containerTaints(elements);
    if (taints.length) value.cell = { taints };
  }
  return value;
}

function evalComprehension(ip: Interpreter, frame: Frame, node: PyNode): Value {
  const body = field(node, "body") ?? namedChildren(node)[0]!;
  const clauses = namedChildren(node).filter((c) => c.type === "for_in_clause");
  const inner = copyFrame(frame);
  inner.scope = { vars: new Map(), parent: frame.scope };
  const first = clauses[0];
  if (!first) return derived([evalExpr(ip, inner, body)]);
  const iterable = evalExpr(ip, inner, field(first, "right")!);
  const left = field(first, "left")!;
  const elements = iterationItems(iterable)?.slice();
  // Real iteration over known elements folds chr lists, XOR decoders and the like.
  if (elements && clauses.length === 1 && elements.length <= MAX_ITERATION) {
    const items: Value[] = [];
    for (const element of elements) {
      bindTarget(ip, inner, left, element);
      items.push(evalBody(ip, inner, node, body));
    }
    return withContainerCell({ items, taints: [] }, items);
  }
  bindTarget(ip, inner, left, iterationElement(ip, frame, first, iterable));
  for (const clause of clauses.slice(1)) {
    const more = evalExpr(ip, inner, field(clause, "right")!);
    bindTarget(ip, inner, field(clause, "left")!, iterationElement(ip, frame, clause, more));
  }
  const element = evalBody(ip, inner, node, body);
  const result = derived([element]);
  // `[f"{base}/{d}/Local Storage/leveldb" for d in os.listdir(base)]`: what each element is stays known.
  if (node.type !== "dictionary_comprehension" && (element.str !== undefined || element.partial !== undefined || element.ref)) result.element = element;
  return result;
}

function evalBody(ip: Interpreter, frame: Frame, node: PyNode, body: PyNode): Value {
  if (node.type === "dictionary_comprehension" && body.type === "pair") {
    const key = evalExpr(ip, frame, field(body, "key")!);
    const value = evalExpr(ip, frame, field(body, "value")!);
    return derived([key, value]);
  }
  return evalExpr(ip, frame, body);
}

/** Known elements when iterating a value (list items, characters, dict keys). */
export function iterationItems(value: Value): Value[] | undefined {
  if (value.items) return value.items;
  if (value.str !== undefined && value.str.length <= MAX_ITERATION) {
    return [...value.str].map((c) => (value.bytes ? num(c.charCodeAt(0)) : str(c)));
  }
  if (value.dict) return [...value.dict.keys()].map((k) => str(k));
  return undefined;
}

/** The value of one element when the elements are not known: carries the container's taint. */
export function iterationElement(ip: Interpreter, frame: Frame, node: PyNode, iterable: Value): Value {
  if (iterable.ref?.kind === "env") return { taints: [envDump(ip, frame, node)] };
  if (iterable.element) return { ...iterable.element, taints: allTaints(iterable) };
  const element = derived([iterable]);
  if (iterable.ref?.kind === "external" && /^pathlib\.Path\(\)|os\.(listdir|scandir|walk)/.test(iterable.ref.qname)) element.ref = external(PATH_TYPE).ref!;
  if (iterable.ref?.kind === "external" && /^glob\.i?glob\(\)$/.test(iterable.ref.qname) && iterable.partial && !iterable.taints.some((t) => t.source)) element.partial = iterable.partial;
  return element;
}

/**
 * `yield x` / `yield from xs`: a generator's callers iterate what it yields, so each yielded
 * value is returned as one known element (the returns join into the list of all of them).
 */
function evalYield(ip: Interpreter, frame: Frame, node: PyNode): Value {
  const inner = namedChildren(node)[0];
  const value = inner ? evalExpr(ip, frame, inner) : unknown();
  if (frame.returns && inner) {
    const delegated = node.children.some((c) => !c.named && c.type === "from");
    const items = delegated ? (iterationItems(value)?.slice(0, 64) ?? [iterationElement(ip, frame, node, value)]) : [value];
    frame.returns.push({ items, taints: [] });
  }
  return unknown();
}

function evalAttribute(ip: Interpreter, frame: Frame, node: PyNode): Value {
  const objectNode = field(node, "object")!;
  const name = textOf(field(node, "attribute")!);
  const object = evalExpr(ip, frame, objectNode);
  return attributeOf(ip, frame, object, name, node);
}

const PROPERTY_DECORATOR = /^@?\s*(builtins\.)?(property|(functools\.)?cached_property|[\w.]*\.getter)\s*$/;

function isProperty(fn: FunctionInfo): boolean {
  return fn.decorators.some((d) => PROPERTY_DECORATOR.test(textOf(d)));
}

/** A method read through an instance of `cls`: bound to it, to its class (@classmethod), or to nothing (@staticmethod). */
export function boundMethod(fn: FunctionInfo, method: Value, instance: Value, cls: ClassInfo): Value {
  if (fn.binding === "static") return method;
  const self: Value = fn.binding === "class" ? { ref: { kind: "class", cls }, taints: [] } : instance;
  return { ref: { kind: "bound", fn, self }, taints: [] };
}

export function attributeOf(ip: Interpreter, frame: Frame, object: Value, name: string, node: PyNode): Value {
  const ref = object.ref;
  if (ref?.kind === "module") {
    const state = ip.modules.get(ref.name);
    const found = state?.scope.vars.get(name);
    if (found) return found;
    const subFile = state ? ip.lookupModuleFile(`${state.name}.${name}`) : undefined;
    if (subFile) return { ref: { kind: "module", name: ip.runModule(subFile).file }, taints: [] };
    return unknown();
  }
  if (ref?.kind === "class") {
    const value = ip.classAttribute(ref.cls, name);
    // A @classmethod read through its class is bound to it.
    if (value?.ref?.kind === "function" && value.ref.fn.binding === "class") return { ref: { kind: "bound", fn: value.ref.fn, self: object }, taints: [] };
    return value ?? unknown();
  }
  if (ref?.kind === "instance") {
    // A base-class method reading a field only subclasses set (`self.private_key` set in the subclass __init__).
    const value = ip.classAttribute(ref.cls, name) ?? ip.subclassField(ref.cls, name);
    // A @property runs its getter on attribute access.
    if (value?.ref?.kind === "function" && isProperty(value.ref.fn)) return callUserFunction(ip, frame, value.ref.fn, { positional: [object], keywords: new Map() }, node);
    if (value?.ref?.kind === "function") return boundMethod(value.ref.fn, value, object, ref.cls);
    if (!value && name === "__dict__") return instanceFields(ip, object)!;
    return value ?? inheritedSecret(ip, frame, ref.cls, name, node) ?? unknown();
  }
  if (ref?.kind === "external") {
    const qname = `${ref.qname}.${name}`;
    if (qname === "os.environ" || qname === "os.environb" || qname === "posix.environ") return { ref: { kind: "env" }, taints: [] };
    // Separators fold, so that `".ssh" + os.sep + "id_rsa"` is still a path.
    if (/^(os|os\.path|posixpath)\.sep$/.test(qname)) return str("/");
    if (ref.qname === PATH_TYPE && object.str !== undefined) {
      if (name === "parent") return { ...object, str: object.str.includes("/") ? object.str.replace(/\/[^/]*$/, "") : "." };
      if (name === "name") return str(object.str.replace(/^.*\//, ""));
    }
    // account.address / key.public_key: public data derived from the key, not the key.
    if (PUBLIC_KEY_ATTRIBUTES.test(name)) return { ref: { kind: "external", qname }, taints: [] };
    // A library object the package stored attributes on: that attribute, not the others.
    if (object.cell && !object.cell.sink) {
      const attribute = readObjectAttribute(object, name);
      return attribute.ref ? attribute : { ...attribute, ref: { kind: "external", qname } };
    }
    // A secret held in an attribute of a library object (`Account.create().key`, read, not called): signatures/sources.yaml apiSources.
    const held = node.type === "attribute" && node.field !== "function" ? apiSource(ip.signatures, qname, undefined, false) : undefined;
    const taints = held ? mergeTaints([ip.source(frame, node, held.kind, held.note, held.detail)], allTaints(object)) : allTaints(object);
    const result: Value = { ref: { kind: "external", qname }, taints };
    if (object.cell) result.cell = object.cell;
    return result;
  }
  if (ref?.kind === "env") return { ref: { kind: "external", qname: `os.environ.${name}` }, taints: [] };
  if (object.cell && !object.cell.sink) return readObjectAttribute(object, name);
  const result = derived([object]);
  if (object.cell) result.cell = object.cell;
  return result;
}

function evalSubscript(ip: Interpreter, frame: Frame, node: PyNode): Value {
  const object = evalExpr(ip, frame, field(node, "value")!);
  const subscripts = fields(node, "subscript");
  const sub = subscripts[0];
  if (!sub) return derived([object]);
  if (object.ref?.kind === "env") {
    const key = evalExpr(ip, frame, sub);
    return envRead(ip, frame, node, key);
  }
  if (sub.type === "slice") return slice(ip, frame, object, sub);
  const index = evalExpr(ip, frame, sub);
  if (index.num !== undefined) {
    const i = index.num;
    if (object.str !== undefined) {
      const chars = [...object.str];
      const ch = chars[i < 0 ? chars.length + i : i];
      if (ch !== undefined) return object.bytes ? { num: ch.charCodeAt(0), taints: allTaints(object) } : { str: ch, taints: allTaints(object) };
    }
    if (object.items) {
      const item = object.items[i < 0 ? object.items.length + i : i];
      if (item) return item;
    }
  }
  if (index.str !== undefined && object.dict?.has(index.str)) return object.dict.get(index.str)!;
  const result = derived([object, index]);
  if (object.ref?.kind === "external") result.ref = external(`${object.ref.qname}[]`).ref!;
  return result;
}


/**
 * `self.secret` / `self.apiKey` in a subclass of a library class (`class mexc(ccxt.mexc)`) that
 * the package never sets: the library keeps it on the instance from the user's configuration,
 * so reading it reads that credential.
 */
function inheritedSecret(ip: Interpreter, frame: Frame, cls: ClassInfo, name: string, node: PyNode): Value | undefined {
  if (!isSecretParameterName(ip.signatures, name)) return undefined;
  const base = libraryBase(cls, 0);
  if (!base) return undefined;
  return { taints: [ip.source(frame, node, parameterSourceKind(name), `"${name}" that ${base} keeps on the instance (from the user's configuration)`, name)] };
}

function libraryBase(cls: ClassInfo, depth: number): string | undefined {
  if (depth > 8) return undefined;
  for (const b of cls.bases) {
    if (b.ref?.kind === "external") return b.ref.qname;
    if (b.ref?.kind === "class") {
      const found = libraryBase(b.ref.cls, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
