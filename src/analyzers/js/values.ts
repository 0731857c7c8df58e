// Abstract values of the interpreter: known constants (for folding), partial strings
// (for destinations), taint (credential data and how it got here), objects, functions,
// and references to modules and globals (to recognise sources and sinks).
import type { FlowStep, SinkFact, SourceFact } from "../facts.js";
import type { Node } from "./ast.js";
import type { Frame } from "./frame.js";
import type { Scope } from "./scope.js";

export type Primitive = string | number | boolean | null | undefined | bigint;

/** Credential data carried by a value: where it was read and what happened to it since. */
export interface Taint {
  /** Identity of the source fact (dedup key). */
  key: string;
  source: SourceFact;
  steps: FlowStep[];
  /** Whole-environment objects are only a source once serialised or sent (`{env: process.env}` to spawn is not). */
  latent?: boolean;
}

/** Mutable object storage, shared by every value that aliases the object. */
export interface ObjectData {
  props: Map<string, Value>;
  /** Present for arrays. */
  elements?: Value[];
  /** Taint added by writes the interpreter could not place (unknown key, conditional push). */
  taint?: Taint[];
  /** Arrays: more elements than those listed may exist (unknown length, conditional push): never iterated as if complete. */
  open?: boolean;
  /** Arrays: values pushed on a path that may not run (at most MAX_MAYBE): iterating runs over each of them too. */
  maybe?: Value[];
}

export const MAX_MAYBE = 8;

export interface FunctionValue {
  node: Node;
  closure: Scope;
  unitId: number;
  /** `this` used when the function is analysed on its own (class instance, object literal). */
  homeObject?: Value;
  /** Class constructors: the class's methods become the instance's. */
  classMethods?: Map<string, Value>;
  /** Arrow functions keep the `this` of where they were created. */
  lexicalThis?: Value;
  /** Sloppy-mode code built by `Function(…)`: called without a receiver, `this` is the global object. */
  globalThisWhenUnbound?: boolean;
  name?: string;
  /** Methods and constructors of a derived class: what `super` names. */
  superClass?: Value;
  /** A function made by `f.bind(thisArg, ...args)`: the `this` and the leading arguments of every call. */
  bound?: { thisValue: Value; args: Value[] };
}

/** Instance fields of a class (`k = init`), evaluated on each `new` with `this` = the instance. */
export interface ClassFields {
  nodes: Node[];
  keys: (string | undefined)[];
  /** Where the class was defined (scope and unit of the initialisers). */
  frame: Frame;
}

/** A module or global reached by name: require('https').request → { module: "https", path: ["request"] }. */
export interface Ref {
  module?: string;
  global?: boolean;
  path: string[];
  /** Default options of a client instance (axios.create({ baseURL })). */
  base?: Value;
}

/** A connection or request object: data written to it leaves through its sink. */
export interface SinkHandle {
  sink: SinkFact;
  destination?: Value;
  /** Method names that send data (write, end, send, sendMail, emit). */
  sendMethods: Set<string>;
  /** What the request answers when it is known to be a credential (a cloud metadata endpoint). */
  response?: Value;
}

export type SpecialKind =
  | "env" // process.env
  | "hash" // crypto hash/hmac: digests cut the taint
  | "cipher" // crypto cipher: keeps the taint
  | "readline" // readline interface: question() may prompt for a password
  | "resolver" // resolve() of a new Promise
  | "secret-params"; // parameters of an SSH wrapper: reading .password is a source

export interface Value {
  /** True when `constant` is known. */
  known?: boolean;
  constant?: Primitive;
  /** The constant was computed (concatenation, decoding), not written literally. */
  built?: boolean;
  /** The constant came out of a decoding step (base64, hex, char codes, string array). */
  decoded?: boolean;
  /** Partially known string: unknown parts written as HOLE (patternOf shows them as "*"). */
  pattern?: string;
  /** A URL string: keys of the taints that sit only in its issuer's credential slot (common/url-slots.ts). */
  slotKeys?: string[];
  bytes?: Buffer;
  taint?: Taint[];
  object?: ObjectData;
  fn?: FunctionValue;
  ref?: Ref;
  handle?: SinkHandle;
  special?: SpecialKind;
  /** Promise-like: what awaiting it gives. */
  resolved?: Value;
  /** For special "resolver": the promise whose value it sets. */
  target?: Value;
  regex?: RegExp;
  /** One of these patterns, not known which (a loop variable over a list of regex literals). */
  regexes?: RegExp[];
  /** Classes: the shared instance whose fields the methods see when analysed on their own. */
  classInstance?: Value;
  /** Classes: the class they extend, and their instance fields. */
  superClass?: Value;
  fields?: ClassFields;
  /** An accessor property (Object.defineProperty with `get`): reading it calls this function. */
  getter?: Value;
  /** `new Proxy(target, handler)`: reads run the handler's `get` trap (members.ts); the rest of the value is the target's. */
  proxy?: { target: Value; handler: Value };
  /** A write stream to a file (fs.createWriteStream): what is piped or written into it lands under this folded path. */
  writesTo?: string;
  /** A digest (hash.digest()) of data fetched at install: the fetches' taint keys (downloads.ts). */
  digestOf?: Set<string>;
  /**
   * Read from a key an object does not have (members.ts): unknown only because something
   * unmodelled might have stored it. Joined with a value, it gives that value: a memo cache
   * (`let v = cache[k]; if (!v) v = decode(k)`) yields what it would hold.
   */
  absent?: true;
}

export const MAX_TAINTS = 6;
export const MAX_STEPS = 14;

export const UNKNOWN: Value = Object.freeze({}) as Value;

export function constant(value: Primitive, extra?: Partial<Value>): Value {
  return { known: true, constant: value, ...extra };
}

export function unknownWith(taint: Taint[] | undefined): Value {
  return taint && taint.length > 0 ? { taint } : UNKNOWN;
}

export function newObject(props?: Map<string, Value>): Value {
  return { object: { props: props ?? new Map() } };
}

export function newArray(elements: Value[]): Value {
  return { object: { props: new Map(), elements } };
}

export function isString(value: Value): value is Value & { constant: string } {
  return value.known === true && typeof value.constant === "string";
}

export function isNumber(value: Value): value is Value & { constant: number } {
  return value.known === true && typeof value.constant === "number";
}

/** The text of a value if it is a known string/number/boolean (JS string conversion). */
export function stringOf(value: Value): string | undefined {
  if (value.bytes) return value.bytes.toString("utf8");
  if (!value.known) return undefined;
  const c = value.constant;
  if (typeof c === "object" && c !== null) return undefined;
  return String(c);
}

/**
 * Marks an unknown part inside a stored pattern. A private-use character, not "*": known
 * text may hold "*" itself (`a * b`, comments), and code with holes is analysed
 * (partial-code.ts) only if the holes can be told apart from the text.
 */
export const HOLE = "\uE000";

/** The partial string with its unknown parts as HOLE. */
export function skeletonOf(value: Value): string {
  const text = stringOf(value);
  if (text !== undefined) return text;
  if (value.pattern !== undefined) return value.pattern;
  if (value.object?.elements) return value.object.elements.map(skeletonOf).join(",");
  return HOLE;
}

/** The partial string: known text, "*" for unknown parts (destinations, paths, command lines). */
export function patternOf(value: Value): string {
  const skeleton = skeletonOf(value);
  return skeleton.includes(HOLE) ? skeleton.replaceAll(HOLE, "*") : skeleton;
}

export function mergeTaints(a: Taint[] | undefined, b: Taint[] | undefined): Taint[] | undefined {
  if (!a || a.length === 0) return b && b.length > 0 ? b : undefined;
  if (!b || b.length === 0) return a;
  // Copied only when b changes something (merging taint already there is the common case).
  let out: Taint[] | undefined;
  for (const t of b) {
    const current = out ?? a;
    let same = -1;
    for (let i = 0; i < current.length; i++) {
      if (current[i]!.key === t.key) {
        same = i;
        break;
      }
    }
    if (current.length < MAX_TAINTS) {
      if (same < 0) (out ??= [...a]).push(t);
      else if (current[same]!.latent && !t.latent) (out ??= [...a])[same] = t;
    } else if (same < 0 && !isFetched(t)) {
      // Full: a downloaded part gives its place to anything else, so padding a value with
      // downloads cannot push a credential out of it (downloads only ever link a download to a run).
      const slot = current.findIndex(isFetched);
      if (slot >= 0) (out ??= [...a])[slot] = t;
    }
  }
  return out ?? a;
}

/**
 * Whether any taint exists in the package being analysed. Most packages never read a
 * credential: then no value can carry taint and deep walks are skipped.
 */
let taintLive = false;

export function markTaintLive(): void {
  taintLive = true;
}

export function resetTaintLive(): void {
  taintLive = false;
}

/** All taint reachable from a value: its own, its fields', its elements' (chat-webhook payloads nest the data in content.embeds[0].fields[i].value). */
export function deepTaint(value: Value, maxDepth = 6): Taint[] | undefined {
  if (!taintLive) return undefined;
  let result = value.taint;
  if (value.resolved) result = mergeTaints(result, deepTaint(value.resolved, maxDepth - 1));
  const object = value.object;
  if (!object || maxDepth <= 0) return result;
  result = mergeTaints(result, object.taint);
  const seen = new Set<ObjectData>([object]);
  const queue: ObjectData[] = [object];
  const depths: number[] = [0];
  let visited = 0;
  const visit = (child: Value, depth: number): void => {
    visited++;
    if (child.taint) result = mergeTaints(result, child.taint);
    if (child.resolved?.taint) result = mergeTaints(result, child.resolved.taint);
    if (child.object && depth + 1 < maxDepth && !seen.has(child.object)) {
      seen.add(child.object);
      if (child.object.taint) result = mergeTaints(result, child.object.taint);
      queue.push(child.object);
      depths.push(depth + 1);
    }
  };
  for (let head = 0; head < queue.length && visited < 300; head++) {
    const data = queue[head]!;
    const depth = depths[head]!;
    if (data.elements) for (const child of data.elements) visit(child, depth);
    for (const child of data.props.values()) visit(child, depth);
  }
  return result;
}

/** Taint with one more step appended (the note says what happened). */
export function withStep(taint: Taint[] | undefined, step: FlowStep, realize = false): Taint[] | undefined {
  if (!taint || taint.length === 0) return undefined;
  return taint.map((t) => {
    const last = t.steps[t.steps.length - 1];
    const duplicate = last && last.line === step.line && last.file === step.file && last.note === step.note;
    const steps = duplicate || t.steps.length >= MAX_STEPS ? t.steps : [...t.steps, step];
    return { key: t.key, source: t.source, steps, latent: realize ? undefined : t.latent };
  });
}

/** Whole-environment taint becomes real once the environment is serialised, copied or sent. */
export function realize(taint: Taint[] | undefined): Taint[] | undefined {
  if (!taint || !taint.some((t) => t.latent)) return taint;
  return taint.map((t) => (t.latent ? { ...t, latent: undefined } : t));
}

/** Keys of taint that stands for data fetched from the network at install (downloads.ts), never a credential. */
export const FETCH_PREFIX = "fetched|";

export function isFetched(t: Taint): boolean {
  return t.key.startsWith(FETCH_PREFIX);
}

export function hasRealTaint(taint: Taint[] | undefined): boolean {
  return !!taint && taint.some((t) => !t.latent);
}

/** A value standing for "either a or b" (branches, loops, several returns). */
export function join(a: Value | undefined, b: Value | undefined): Value {
  if (!a || a === b) return b ?? a ?? UNKNOWN;
  if (!b) return a;
  if (a.absent && !a.taint && !b.absent) return b;
  if (b.absent && !b.taint && !a.absent) return a;
  const out: Value = {};
  if (a.known && b.known && a.constant === b.constant) {
    out.known = true;
    out.constant = a.constant;
    out.built = a.built || b.built;
    out.decoded = a.decoded || b.decoded;
  } else if ((a.known || a.pattern !== undefined) && (b.known || b.pattern !== undefined)) {
    out.pattern = HOLE;
  }
  const taint = mergeTaints(a.taint, b.taint);
  if (taint) out.taint = taint;
  if (a.object || b.object) {
    // An object joined with a truly unknown value has no known shape (`x.match(re) || []`).
    const other = a.object ? b : a;
    const otherUnknown = !other.object && !other.known && !other.fn && !other.ref && !other.special;
    if (otherUnknown) out.taint = mergeTaints(out.taint, deepTaint(a.object ? a : b));
    else out.object = a.object ?? b.object;
  }
  if (a.object && b.object && a.object !== b.object) out.taint = mergeTaints(out.taint, deepTaint(b));
  if (a.fn || b.fn) out.fn = a.fn ?? b.fn;
  if (a.ref && b.ref && sameRef(a.ref, b.ref)) out.ref = a.ref;
  else if (a.ref || b.ref) out.ref = a.ref ?? b.ref;
  if (a.handle || b.handle) out.handle = a.handle ?? b.handle;
  if (a.special === b.special) out.special = a.special;
  if (a.resolved || b.resolved) out.resolved = join(a.resolved, b.resolved);
  const regexes = regexesOf(a, regexesOf(b, []));
  if (regexes.length) out.regexes = regexes;
  return out;
}

/** The patterns a value may be (`regex`, or the `regexes` of a join), added to `into` (at most 16). */
export function regexesOf(value: Value, into: RegExp[]): RegExp[] {
  for (const regex of value.regex ? [value.regex] : (value.regexes ?? [])) if (!into.includes(regex) && into.length < 16) into.push(regex);
  return into;
}

function sameRef(a: Ref, b: Ref): boolean {
  return a.module === b.module && a.global === b.global && a.path.join(".") === b.path.join(".");
}

/** Truthiness when known. */
export function truthiness(value: Value): boolean | undefined {
  if (value.object || value.fn || value.ref || value.handle || value.regex || value.resolved) return true;
  if (!value.known) return undefined;
  return Boolean(value.constant);
}
