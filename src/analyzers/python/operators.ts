// Operators and slicing on abstract values: arithmetic for char-code decoders,
// string building (+, %, *), pathlib's `/`, and Python slice semantics.
import { field, type PyNode } from "./ast.js";
import { concat, evalExpr } from "./expressions.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { PATH_TYPE } from "./library.js";
import { allTaints, derived, mergeTaints, type Value } from "./model.js";
import { joinPath } from "./paths.js";
import { percentFormat } from "./string-methods.js";
import { urlSlots } from "../common/url-slots.js";

const MAX_ITEMS = 4096;

export function slice(ip: Interpreter, frame: Frame, object: Value, node: PyNode): Value {
  // slice children: [start] ':' [stop] [':' [step]]; missing parts are absent.
  const bounds: (number | undefined)[] = [undefined, undefined, undefined];
  let position = 0;
  for (const child of node.children) {
    if (child.type === ":") position++;
    else if (child.named) bounds[position] = evalExpr(ip, frame, child).num;
  }
  if (object.str !== undefined) {
    const picked = pySlice([...object.str], bounds[0], bounds[1], bounds[2]);
    if (picked) return { str: picked.join(""), taints: allTaints(object), ...(object.bytes ? { bytes: true } : {}) };
  } else if (object.items) {
    const picked = pySlice(object.items, bounds[0], bounds[1], bounds[2]);
    if (picked) return { items: picked, taints: object.taints };
  }
  return derived([object]);
}

/** Python slice semantics, including negative indices and steps. */
export function pySlice<T>(seq: T[], start?: number, stop?: number, step = 1): T[] | undefined {
  if (step === 0) return undefined;
  const n = seq.length;
  const norm = (i: number, fallback: number, low: number, high: number): number => {
    if (i === undefined) return fallback;
    const v = i < 0 ? i + n : i;
    return Math.min(Math.max(v, low), high);
  };
  const out: T[] = [];
  if (step > 0) {
    const a = start === undefined ? 0 : norm(start, 0, 0, n);
    const b = stop === undefined ? n : norm(stop, n, 0, n);
    for (let i = a; i < b; i += step) out.push(seq[i]!);
  } else {
    const a = start === undefined ? n - 1 : norm(start, n - 1, -1, n - 1);
    const b = stop === undefined ? -1 : norm(stop, -1, -1, n - 1);
    for (let i = a; i > b; i += step) out.push(seq[i]!);
  }
  return out;
}

export function evalBinary(ip: Interpreter, frame: Frame, node: PyNode): Value {
  const left = evalExpr(ip, frame, field(node, "left")!);
  const right = evalExpr(ip, frame, field(node, "right")!);
  const op = field(node, "operator")?.text ?? node.children.find((c) => !c.named)?.text ?? "";
  return binary(ip, frame, node, op, left, right);
}

export function binary(ip: Interpreter, frame: Frame, node: PyNode, op: string, left: Value, right: Value): Value {
  const taints = mergeTaints(allTaints(left), allTaints(right));
  if (left.num !== undefined && right.num !== undefined) {
    const a = left.num;
    const b = right.num;
    const value =
      op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : op === "^" ? a ^ b : op === "&" ? a & b
      : op === "|" ? a | b : op === "<<" ? a << b : op === ">>" ? a >> b : op === "%" && b !== 0 ? ((a % b) + b) % b
      : op === "//" && b !== 0 ? Math.floor(a / b) : op === "/" && b !== 0 ? a / b : op === "**" ? a ** b : undefined;
    return value === undefined || !Number.isFinite(value) ? { taints } : { num: value, taints };
  }
  if (op === "+") {
    if (left.items && right.items && left.items.length + right.items.length <= MAX_ITEMS) return { items: [...left.items, ...right.items], taints };
    // A known list and a comprehension over unknown data: the known items, then one standing for the rest.
    if (left.items && right.element && left.items.length < MAX_ITEMS) return { items: [...left.items, right.element], taints };
    if (right.items && left.element && right.items.length < MAX_ITEMS) return { items: [left.element, ...right.items], taints };
    if (left.items || right.items) return { taints };
    const result = concat([left, right], urlSlots(ip.signatures));
    if (result.str !== undefined) ip.indicators(frame, node, result.str);
    return result;
  }
  if (op === "%" && (left.str !== undefined || left.partial !== undefined)) {
    const result = percentFormat(left, right, urlSlots(ip.signatures));
    if (result.str !== undefined) ip.indicators(frame, node, result.str);
    return result;
  }
  if (op === "*") {
    const [text, count] = left.str !== undefined ? [left, right.num] : [right, left.num];
    if (text.str !== undefined && count !== undefined && count >= 0 && text.str.length * count <= 100_000) {
      return { str: text.str.repeat(count), taints };
    }
    const [list, times] = left.items ? [left, right.num] : [right, left.num];
    if (list.items && times !== undefined && times >= 0 && list.items.length * times <= 10_000) {
      return { items: Array.from({ length: times }, () => list.items!).flat(), taints };
    }
  }
  if (op === "/" && left.ref?.kind === "external" && left.ref.qname === PATH_TYPE) {
    const path = left.str !== undefined && right.str !== undefined ? joinPath([left.str, right.str]) : undefined;
    const result: Value = { taints, ref: left.ref };
    if (path !== undefined) result.str = path;
    else result.partial = joinPath([left.str ?? left.partial ?? "*", right.str ?? right.partial ?? "*"]);
    return result;
  }
  return { taints };
}

