// The abstract values the interpreter computes for Python expressions: folded
// constants, what a name refers to, and the credential data (taint) it carries.
import type { FlowStep, SinkChannel, SourceKind } from "../facts.js";
import type { ClientFamily } from "../../rules/signatures.js";
import type { Location } from "../../core/types.js";
import type { PyNode } from "./ast.js";
import type { ModuleState } from "./frame.js";
import type { RepoState } from "./git-repos.js";
import { pushStep, type Steps } from "./steps.js";

/** A credential read without its trigger (the trigger is the caller's, decided at emission). */
export interface SourceRecord {
  id: string;
  kind: SourceKind;
  location: Location;
  note: string;
  detail?: string;
  /** Secret-named parameter: a source once it is also used as a credential (SSH, DB, login, signing) or sent to a collection service. */
  candidate?: string;
}

/** Credential data carried by a value, or a placeholder for a function parameter. */
export interface Taint {
  source?: SourceRecord;
  /** Parameter `index` of function `fn`: replaced by the argument's taint at call sites. */
  param?: { fn: number; index: number };
  /** Where the data went on its way (a persistent list: steps.ts). */
  steps: Steps;
  /** Values the credential was looked up with (netrc host): a request to the same host is own-service. */
  keys?: string[];
  /** A field of the credential's file that says where it is used (`repository`), not the secret: it only marks destinations. */
  locator?: boolean;
}

export interface SinkState {
  channel: SinkChannel;
  /** Where the instance connects (host/URL value given at creation or in connect()). */
  dest?: Value;
  /** A connect()/creation sink reported only if nothing is ever sent through the instance. */
  sent: boolean;
  /** A local (AF_UNIX / named pipe) socket: not a way off the machine. */
  local?: boolean;
  /** Credentials the instance authenticates with (session.auth, an Authorization header, login()): used, not sent as data. */
  authTaints?: Taint[];
  /** An API family's client (signatures/sinks.yaml `sends`): what its methods give back is a client of the family too. */
  family?: ClientFamily;
  /** The client this one was obtained from (`g.get_repo()` from `g`): a send through it is a send through that one. */
  parent?: SinkState;
}

/** Shared mutable state of an object: aliases see each other's writes. */
export interface Cell {
  taints: Taint[];
  sink?: SinkState;
  /** `obj.name = value` on an object that is neither a user instance nor a client: one entry a name (field-sensitive). */
  attrs?: Map<string, Value>;
  /** A file opened for writing under this folded path (see staging.ts). */
  stagePath?: string;
  /** A git repository object (GitPython): its working tree and remote (see git-repos.ts). */
  repo?: RepoState;
}

export interface FunctionInfo {
  id: number;
  name: string;
  node: PyNode;
  params: ParamInfo[];
  /** Body statements, or the expression of a lambda. */
  body: PyNode;
  isLambda: boolean;
  file: string;
  cls?: ClassInfo;
  /** Frame the function was defined in (closures read it). */
  closure: ScopeChain;
  decorators: readonly PyNode[];
  /** A @staticmethod (no implicit first argument) or @classmethod (the class as first argument). */
  binding?: "static" | "class";
  module?: ModuleState;
  /** Body under MAX_INLINE_NODES syntax nodes (user-functions.ts), once asked: asked again at every call. */
  small?: boolean | undefined;
}

export interface ParamInfo {
  name: string;
  node: PyNode;
  default?: PyNode;
  kind: "plain" | "star" | "starstar";
}

export interface ClassInfo {
  id: number;
  name: string;
  file: string;
  node: PyNode;
  bases: Value[];
  /** Class body names: methods and class attributes. */
  scope: Map<string, Value>;
  /** self.x stores from any method, merged over all instances. Persists across passes. */
  fields: Map<string, Value>;
  /** A dataclass/attrs/NamedTuple-style class: its annotated fields, in order, are the generated __init__'s parameters. */
  recordFields?: string[];
}

export interface ScopeChain {
  vars: Map<string, Value>;
  parent?: ScopeChain;
  /** Names declared `global` in this function scope. */
  globals?: Set<string>;
}

export type Ref =
  | { kind: "external"; qname: string }
  | { kind: "module"; name: string }
  | { kind: "function"; fn: FunctionInfo }
  | { kind: "class"; cls: ClassInfo }
  | { kind: "instance"; cls: ClassInfo }
  | { kind: "bound"; fn: FunctionInfo; self: Value }
  | { kind: "env" }
  | { kind: "code"; code: Value }
  /** functools.partial(target, *positional, **keywords): calling it calls target (or target.method) with these first. */
  | { kind: "partial"; target: Value; method?: string; positional: Value[]; keywords: Map<string, Value> };

export interface Value {
  /** Exactly known string (bytes: one char per byte, see `bytes`). */
  str?: string;
  /** Partly known string, "*" for unknown pieces. */
  partial?: string;
  /** A URL string: keys of the taints that sit only in its issuer's credential slot (common/url-slots.ts). */
  slotKeys?: string[];
  bytes?: boolean;
  /** Text written as-is in the package (a literal, a package file's content): running it hides nothing. */
  plain?: boolean;
  /** A file handle opened for reading: the folded path it was opened with. */
  openedPath?: string;
  /** A handle or path of this package file (its content is known: setup.py reading its own _version.py). */
  file?: string;
  num?: number;
  /** Known elements of a list/tuple/set. */
  items?: Value[];
  /** Known string keys of a dict. */
  dict?: Map<string, Value>;
  /** A list of unknown length whose elements are all like this (a comprehension over unknown data). */
  element?: Value;
  taints: Taint[];
  ref?: Ref;
  cell?: Cell;
  /** An attribute entry created by a read before any store (see readObjectAttribute). */
  placeholder?: boolean;
}

export const MAX_TAINTS = 8;

export function unknown(): Value {
  return { taints: [] };
}

export function str(value: string, bytes = false): Value {
  return bytes ? { str: value, bytes: true, taints: [] } : { str: value, taints: [] };
}

export function num(value: number): Value {
  return { num: value, taints: [] };
}

export function external(qname: string): Value {
  return { ref: { kind: "external", qname }, taints: [] };
}

/** Ids of the stand-in sources of data fetched from the network (downloads.ts): never a credential. */
export const FETCH_PREFIX = "fetched|";

export function isFetchedSource(source: SourceRecord | undefined): boolean {
  return source !== undefined && source.id.startsWith(FETCH_PREFIX);
}

export function taintKey(taint: Taint): string {
  return taint.source ? `s:${taint.source.id}${taint.locator ? "|loc" : ""}` : `p:${taint.param!.fn}:${taint.param!.index}`;
}

/** All taints of a value: its own, its object's, its known elements'. */
export function allTaints(value: Value, depth = 0): Taint[] {
  // Most values hold no object, elements or keys: their own taints, without a visit budget to allocate.
  if (value.cell === undefined && value.items === undefined && value.dict === undefined) return value.taints;
  return collectTaints(value, depth, { left: MAX_VISITS });
}

/** Nesting followed into elements (chat-webhook payloads nest {embeds: [{fields: [{value}]}]}). */
const MAX_DEPTH = 6;
/** Elements visited for one value, so wide nested tables stay cheap. */
const MAX_VISITS = 2048;

function collectTaints(value: Value, depth: number, budget: { left: number }): Taint[] {
  let result = value.taints;
  if (value.cell && value.cell.taints.length > 0) result = mergeTaints(result, value.cell.taints);
  if (depth >= MAX_DEPTH || budget.left <= 0) return result;
  // The whole object (sent, serialised, vars()) carries every attribute stored on it.
  if (depth < 3 && value.cell?.attrs && value.cell.attrs.size <= SMALL_CONTAINER) {
    for (const item of value.cell.attrs.values()) result = mergeTaints(result, collectTaints(item, depth + 1, budget));
  }
  // Big containers (data tables) carry their elements' taint in their cell, set when built or changed.
  if ((value.items?.length ?? 0) <= SMALL_CONTAINER) {
    for (const item of value.items ?? []) {
      if (--budget.left <= 0) break;
      result = mergeTaints(result, collectTaints(item, depth + 1, budget));
    }
  }
  if (value.dict && value.dict.size <= SMALL_CONTAINER) {
    for (const item of value.dict.values()) {
      if (--budget.left <= 0) break;
      result = mergeTaints(result, collectTaints(item, depth + 1, budget));
    }
  }
  return result;
}

export const SMALL_CONTAINER = 64;

/** Build-time summary of a large container's taint (allTaints does not walk it). */
export function containerTaints(elements: Iterable<Value>): Taint[] {
  let result: Taint[] = [];
  for (const element of elements) {
    const taints = element.taints.length || element.cell || element.items || element.dict ? allTaints(element, MAX_DEPTH - 1) : element.taints;
    if (taints.length) result = mergeTaints(result, taints);
  }
  return result;
}

/** Whether two taints have the same taintKey (compared without building the strings). */
function sameKey(x: Taint, y: Taint): boolean {
  if (x.source) return !!y.source && x.source.id === y.source.id && !x.locator === !y.locator;
  return !y.source && x.param!.fn === y.param!.fn && x.param!.index === y.param!.index;
}

/**
 * a, then b's taints whose key is not there yet, up to MAX_TAINTS. Both hold at most a few
 * taints: a linear scan, and no array at all when b adds nothing (the common case: the
 * interpreter merges the same taints again and again).
 */
export function mergeTaints(a: Taint[], b: Taint[]): Taint[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  let result: Taint[] | undefined;
  for (const taint of b) {
    const current = result ?? a;
    let known = false;
    for (const other of current) {
      if (sameKey(other, taint)) {
        known = true;
        break;
      }
    }
    if (known) continue;
    if (current.length < MAX_TAINTS) {
      result ??= a.slice();
      result.push(taint);
    } else if (!isFetchedSource(taint.source)) {
      // Full: a downloaded part gives its place to anything else, so padding a value with
      // downloads cannot push a credential out of it.
      const slot = current.findIndex((t) => isFetchedSource(t.source));
      if (slot >= 0) (result ??= a.slice())[slot] = taint;
    }
  }
  return result ?? a;
}

/** mergeTaints(into, [taint]), on an array the caller owns: changed in place, nothing copied. */
export function addTaint(into: Taint[], taint: Taint): void {
  for (const other of into) if (sameKey(other, taint)) return;
  if (into.length < MAX_TAINTS) into.push(taint);
  else if (!isFetchedSource(taint.source)) {
    // Full: a downloaded part gives its place to anything else (as in mergeTaints).
    const slot = into.findIndex((t) => isFetchedSource(t.source));
    if (slot >= 0) into[slot] = taint;
  }
}

/** A taint with the key (source or parameter) of `taint` is in `taints`. */
export function hasTaintKey(taints: Taint[], taint: Taint): boolean {
  for (const other of taints) if (sameKey(other, taint)) return true;
  return false;
}

export function withStep(taints: Taint[], step: FlowStep | undefined): Taint[] {
  if (!step || taints.length === 0) return taints;
  return taints.map((t) => {
    const steps = pushStep(t.steps, step);
    return steps === t.steps ? t : { ...t, steps };
  });
}

/** A new value carrying the taints of all inputs (no folding). */
export function derived(inputs: Value[], step?: FlowStep): Value {
  let taints: Taint[] = [];
  for (const input of inputs) taints = mergeTaints(taints, allTaints(input));
  return { taints: withStep(taints, step) };
}

/** Either of two values (branches, several returns). Constants survive only when equal. */
export function join(a: Value, b: Value): Value {
  if (a === b) return a;
  const result: Value = { taints: mergeTaints(a.taints, b.taints) };
  if (a.str !== undefined && a.str === b.str) {
    result.str = a.str;
    if (a.plain && b.plain) result.plain = true;
  }
  else if (isConstant(a) !== isConstant(b)) {
    // `path or "~/.ssh/id_rsa"`: keep the one known alternative as a possible value.
    const known = isConstant(a) ? a : b;
    const text = known.str ?? known.partial;
    if (text !== undefined) result.partial = text;
  }
  if (a.num !== undefined && a.num === b.num) result.num = a.num;
  if (a.bytes && b.bytes) result.bytes = true;
  const ref = a.ref ?? b.ref;
  if (ref) result.ref = ref;
  const cell = a.cell ?? b.cell;
  if (cell) {
    result.cell = cell;
    const other = a.cell ? b.cell : undefined;
    if (other && other !== cell) {
      cell.taints = mergeTaints(cell.taints, other.taints);
      if (other.attrs) mergeAttributes(cell, other.attrs);
    }
  }
  if (a.items && b.items === undefined && b.str === undefined && b.ref === undefined) result.items = a.items;
  else if (b.items && a.items === undefined && a.str === undefined && a.ref === undefined) result.items = b.items;
  else if (a.items && b.items) result.items = [...a.items, ...b.items].slice(0, 256);
  if (a.dict || b.dict) result.dict = joinDicts(a.dict, b.dict);
  return result;
}

/** Keys of either dict; a key both have holds either value (`data = {"content": secret}` then, in a branch, `data = {"content": "file"}`). */
function joinDicts(a: Map<string, Value> | undefined, b: Map<string, Value> | undefined, depth = 0): Map<string, Value> {
  const merged = new Map(a ?? []);
  for (const [key, value] of b ?? []) {
    const previous = merged.get(key);
    merged.set(key, previous && previous !== value ? (depth < 4 ? joinShallow(previous, value, depth + 1) : { taints: mergeTaints(allTaints(previous), allTaints(value)) }) : value);
  }
  return merged;
}

function joinShallow(a: Value, b: Value, depth: number): Value {
  if (!a.dict || !b.dict) return join(a, b);
  return { ...join({ ...a, dict: undefined }, { ...b, dict: undefined }), dict: joinDicts(a.dict, b.dict, depth) };
}

/** Attributes of another object joined into `cell` (either object at run time): per name, taints only, no recursion. */
function mergeAttributes(cell: Cell, attrs: Map<string, Value>): void {
  cell.attrs ??= new Map();
  for (const [name, value] of attrs) {
    const existing = cell.attrs.get(name);
    if (existing === value) continue;
    cell.attrs.set(name, existing ? { ...existing, taints: mergeTaints(existing.taints, allTaints(value)) } : value);
  }
}

/**
 * `obj.name = value` on a plain object (not a user-class instance, module or client with a
 * sink): stored under its name, so that reading another attribute does not see it. Weak
 * update: a store in one branch or iteration keeps what the other stored.
 */
export function storeObjectAttribute(object: Value, name: string, value: Value): void {
  object.cell ??= { taints: [] };
  const attrs = (object.cell.attrs ??= new Map());
  const previous = attrs.get(name);
  attrs.set(name, previous && previous !== value && !isPlaceholder(previous) ? join(previous, value) : value);
}

/** The entry a read of a never-stored attribute created, still empty. */
function isPlaceholder(value: Value): boolean {
  return value.placeholder === true && value.taints.length === 0 && value.cell?.taints.length === 0 && !value.cell.attrs?.size;
}

/**
 * `obj.name` on a plain object with a cell: the attribute stored under that name plus what
 * the whole object carries, never another attribute's data. An attribute not stored yet gets
 * its own entry, so that a mutation through it (`obj.sub.x = …`) is part of the object.
 */
export function readObjectAttribute(object: Value, name: string): Value {
  const cell = object.cell!;
  if (name === "__dict__") return { taints: allTaints(object) };
  const attrs = (cell.attrs ??= new Map());
  let stored = attrs.get(name);
  if (!stored) {
    if (attrs.size >= SMALL_CONTAINER) return { taints: mergeTaints(object.taints, cell.taints), cell };
    stored = { taints: [], cell: { taints: [] }, placeholder: true };
    attrs.set(name, stored);
  }
  const whole = mergeTaints(object.taints, cell.taints);
  return whole.length === 0 ? stored : { ...stored, taints: mergeTaints(stored.taints, whole) };
}

function isConstant(value: Value): boolean {
  return value.str !== undefined || value.partial !== undefined || value.num !== undefined;
}

/** The string a value folds to, with "*" for unknown parts; undefined when nothing is known. */
export function foldedText(value: Value): string | undefined {
  return value.str ?? value.partial;
}

/** Text for concatenation: the known string, the partial one, or "*". */
export function textForConcat(value: Value): string {
  if (value.str !== undefined) return value.str;
  if (value.num !== undefined) return String(value.num);
  return value.partial ?? "*";
}

export function isTruthyKnown(value: Value): boolean | undefined {
  if (value.str !== undefined) return value.str.length > 0;
  if (value.num !== undefined) return value.num !== 0;
  return undefined;
}

/** Mutation of an object: the taint sticks to it (and its aliases). */
export function addToObject(object: Value, taints: Taint[]): void {
  if (taints.length === 0) return;
  object.cell ??= { taints: [] };
  object.cell.taints = mergeTaints(object.cell.taints, taints);
}
