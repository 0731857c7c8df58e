// Value-level helpers of the interpreter: `+` and other operators over abstract values,
// iteration over known arrays, URL parts of folded strings, pattern names.
import type { Node } from "./ast.js";
import { unwrap } from "./ast.js";
import { isPlaceholder } from "../../core/placeholders.js";
import { SlotTracker } from "../common/url-slots.js";
import {
  UNKNOWN,
  constant,
  deepTaint,
  isString,
  join,
  mergeTaints,
  newObject,
  HOLE,
  skeletonOf,
  unknownWith,
  type ObjectData,
  type Value,
} from "./values.js";
export const GLOBAL_OBJECTS = new Set(["global", "globalThis", "window", "self"]);
export const URL_PARTS = new Set(["hostname", "host", "href", "origin", "pathname", "protocol", "search", "port"]);

export function urlPart(text: string, key: string): Value {
  // A URL that is still a placeholder: its host (and whole address) is the placeholder.
  if (isPlaceholder(text)) return constant(key === "protocol" ? "https:" : key === "pathname" ? "/" : key === "search" || key === "port" ? "" : text);
  try {
    const url = new URL(text);
    return constant((url as unknown as Record<string, string>)[key]);
  } catch {
    return UNKNOWN;
  }
}

/** `obj[unknownKey]`: any of the members; a cheap join of a few (large tables are data, not code). */
export function anyMember(data: ObjectData): Value {
  const all = data.elements ? (data.elements.length > 0 ? data.elements : [...data.props.values()]) : [...data.props.values()];
  let result = unknownWith(data.taint);
  const limit = Math.min(all.length, 8);
  for (let i = 0; i < limit; i++) result = join(result, all[i]);
  let taint = result.taint;
  for (let i = limit; i < all.length && i < 2000; i++) if (all[i]!.taint) taint = mergeTaints(taint, all[i]!.taint);
  return taint === result.taint ? result : { ...result, taint };
}

export function exportName(node: Node): string {
  return node.type === "Literal" ? String(node.value) : node.name;
}

export function propertyKeyName(key: Node | undefined): string | undefined {
  if (!key) return undefined;
  if (key.type === "Identifier") return key.name;
  // Private names are kept apart from public ones: `this.#k` is not `this.k`.
  if (key.type === "PrivateIdentifier" || key.type === "PrivateName") return `#${key.name ?? key.id?.name}`;
  if (key.type === "Literal") return String(key.value);
  return undefined;
}

export function collectPatternNames(pattern: Node, out: string[]): void {
  const target = unwrap(pattern);
  if (target.type === "Identifier") out.push(target.name);
  else if (target.type === "ObjectPattern") {
    for (const p of target.properties as Node[]) collectPatternNames(p.type === "RestElement" ? p.argument : p.value, out);
  } else if (target.type === "ArrayPattern") {
    for (const e of target.elements as (Node | null)[]) if (e) collectPatternNames(e, out);
  } else if (target.type === "AssignmentPattern") collectPatternNames(target.left, out);
  else if (target.type === "RestElement") collectPatternNames(target.argument, out);
}

export function restOf(value: Value, used: string[]): Value {
  if (!value.object) return value;
  const props = new Map([...value.object.props].filter(([key]) => !used.includes(key)));
  const rest = newObject(props);
  rest.object!.taint = value.object.taint;
  return rest;
}

export function iterationItems(iterable: Value, keys: boolean): Value[] | undefined {
  const data = iterable.object;
  if (keys) {
    if (data?.elements) return data.open ? undefined : data.elements.map((_, i) => constant(String(i)));
    if (data && !data.taint) return [...data.props.keys()].map((k) => constant(k));
    return undefined;
  }
  if (data?.elements && !data.taint && !data.open) return data.elements;
  if (isString(iterable)) return [...iterable.constant].map((ch) => constant(ch));
  return undefined;
}

export function elementOf(iterable: Value, keys: boolean): Value {
  const data = iterable.object;
  if (keys) return unknownWith(iterable.special === "env" ? undefined : deepTaint(iterable));
  if (data?.elements) return data.elements.slice(0, 64).reduce<Value>((acc, v) => join(acc, v), unknownWith(data.taint));
  return unknownWith(deepTaint(iterable));
}

const MAX_PATTERN_CHARS = 64 * 1024;

/**
 * `a + b` over abstract values. `slots` (common/url-slots.ts): URL prefixes after which a value
 * sits in its issuer's credential slot; the result records the credentials that sit only there.
 */
export function plus(a: Value, b: Value, slots?: readonly RegExp[]): Value {
  const result = plusValues(a, b);
  if (!slots?.length || (!a.taint && !b.taint && !a.object && !b.object) || result === UNKNOWN) return result;
  const tracker = new SlotTracker(slots);
  tracker.add(slotText(a), taintKeys(a), a.slotKeys);
  tracker.add(slotText(b), taintKeys(b), undefined);
  const slotted = tracker.slotted();
  return slotted ? { ...result, slotKeys: slotted } : result;
}

const taintKeys = (v: Value): string[] => (v.object || v.special ? deepTaint(v) : v.taint)?.map((t) => t.key) ?? [];
const slotText = (v: Value): string => (v.known ? String(v.constant) : v.pattern !== undefined ? v.pattern : "*");

function plusValues(a: Value, b: Value): Value {
  const taint = mergeTaints(a.object || a.special ? deepTaint(a) : a.taint, b.object || b.special ? deepTaint(b) : b.taint);
  const aText = a.bytes ? a.bytes.toString("utf8") : a.known ? a.constant : undefined;
  const bText = b.bytes ? b.bytes.toString("utf8") : b.known ? b.constant : undefined;
  const aKnown = a.known || a.bytes !== undefined;
  const bKnown = b.known || b.bytes !== undefined;
  if (aKnown && bKnown && !a.object && !b.object) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const result = (aText as any) + (bText as any);
      if (typeof result === "string" && result.length > 2_000_000) return { pattern: HOLE, taint };
      return { known: true, constant: result, built: true, decoded: a.decoded || b.decoded, taint };
    } catch {
      return unknownWith(taint);
    }
  }
  const stringish = (v: Value): boolean => typeof v.constant === "string" || v.pattern !== undefined || !!v.bytes;
  if (stringish(a) || stringish(b) || taint) {
    const left = skeletonOf(a);
    const right = skeletonOf(b);
    // Adjacent unknown parts are one unknown part.
    const pattern = left.endsWith(HOLE) && right.startsWith(HOLE) ? left + right.slice(1) : left + right;
    // Generated code (templates, validators) is long; a cut pattern still names a destination.
    return pattern.length > MAX_PATTERN_CHARS ? { pattern: pattern.slice(0, MAX_PATTERN_CHARS), taint } : { pattern, taint };
  }
  return UNKNOWN;
}

/** Concatenate parts of a template literal. */
export function concatAll(parts: Value[], built: boolean, slots?: readonly RegExp[]): Value {
  let result = parts[0] ?? constant("");
  if (!isString(result) && result.known) result = constant(String(result.constant));
  for (let i = 1; i < parts.length; i++) result = plus(result, parts[i]!, slots);
  if (!isString(result) && !result.known && parts.length === 1 && !result.taint) return result;
  return isString(result) ? { ...result, built: result.built || built } : result;
}

const COMPARISONS = new Set(["==", "!=", "===", "!==", "<", "<=", ">", ">=", "in", "instanceof"]);

const EQUALITY = new Set(["==", "!=", "===", "!=="]);

function isPlaceholderValue(value: Value): boolean {
  return isString(value) && isPlaceholder(value.constant);
}

export function arithmetic(operator: string, a: Value, b: Value): Value {
  // `if (webhook !== "%WEBHOOK%")`: whether a kit was configured, not a fact to fold.
  if (EQUALITY.has(operator) && (isPlaceholderValue(a) || isPlaceholderValue(b))) return UNKNOWN;
  // null is a primitive here (typeof null is "object"): `Z == null` with a parameter left at its null default folds.
  if (a.known && b.known && (a.constant === null || typeof a.constant !== "object") && (b.constant === null || typeof b.constant !== "object")) {
    const x = a.constant as never;
    const y = b.constant as never;
    try {
      switch (operator) {
        case "-": return constant(x - y);
        case "*": return constant(x * y);
        case "/": return constant(x / y);
        case "%": return constant(x % y);
        case "**": return constant(x ** y);
        case "|": return constant(x | y);
        case "&": return constant(x & y);
        case "^": return constant(x ^ y);
        case "<<": return constant(x << y);
        case ">>": return constant(x >> y);
        case ">>>": return constant(x >>> y);
        case "==": return constant(x == y);
        case "!=": return constant(x != y);
        case "===": return constant(x === y);
        case "!==": return constant(x !== y);
        case "<": return constant(x < y);
        case "<=": return constant(x <= y);
        case ">": return constant(x > y);
        case ">=": return constant(x >= y);
        default: return UNKNOWN;
      }
    } catch {
      return UNKNOWN;
    }
  }
  if ((operator === "===" || operator === "!==") && a.known && (b.fn || b.object || b.ref)) return constant(operator === "!==");
  if (COMPARISONS.has(operator)) return UNKNOWN;
  return unknownWith(mergeTaints(a.taint, b.taint));
}
