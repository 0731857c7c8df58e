// Call memoisation: a function inlined again with arguments of the same shape (same
// constants, same objects, same taint) gives the same facts and result, so the second
// run is skipped. Only used where a call may run several times (loops, branches,
// callbacks), never in concrete loops whose state changes between runs.
import type { Trigger } from "../facts.js";
import type { Value } from "./values.js";

const MAX_ENTRIES = 100_000;
const MAX_CONSTANT_CHARS = 400;

export class CallMemo {
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly results = new Map<string, Value>();

  private id(object: object): number {
    let id = this.ids.get(object);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(object, id);
    }
    return id;
  }

  /** A key for this call, or undefined when a value is too large or unusual to compare. */
  key(fn: object, thisValue: Value, args: Value[], trigger: Trigger): string | undefined {
    const parts = [String(this.id(fn)), trigger, this.signature(thisValue, 0)];
    for (const arg of args) parts.push(this.signature(arg, 0));
    if (parts.some((p) => p === undefined)) return undefined;
    return parts.join("|");
  }

  private signature(value: Value, depth: number): string | undefined {
    if (depth > 2) return undefined;
    const taint = value.taint ? "T" + value.taint.map((t) => (t.latent ? "~" : "") + t.key).join(",") : "";
    if (value.fn) return `F${this.id(value.fn)}${taint}`;
    if (value.object) return `O${this.id(value.object)}${taint}`;
    if (value.handle) return `H${this.id(value.handle)}`;
    if (value.ref) return `R${value.ref.module ?? "^"}.${value.ref.path.join(".")}${value.ref.base ? this.id(value.ref.base) : ""}`;
    if (value.bytes || value.regex || value.classInstance) return undefined;
    if (value.special) return `S${value.special}${value.target ? this.id(value.target) : ""}${taint}`;
    if (value.resolved) {
      const inner = this.signature(value.resolved, depth + 1);
      return inner === undefined ? undefined : `Q${inner}${taint}`;
    }
    if (value.known) {
      const c = value.constant;
      if (typeof c === "string" && c.length > MAX_CONSTANT_CHARS) return undefined;
      return `K${typeof c}:${String(c)}${value.built ? "b" : ""}${value.decoded ? "d" : ""}${taint}`;
    }
    if (value.pattern !== undefined) return value.pattern.length > MAX_CONSTANT_CHARS ? undefined : `P${value.pattern}${taint}`;
    return `U${taint}`;
  }

  get(key: string): Value | undefined {
    return this.results.get(key);
  }

  /** Forget every result: what the module defined since may change what a call does. */
  clear(): void {
    this.results.clear();
  }

  set(key: string, result: Value): void {
    if (this.results.size >= MAX_ENTRIES) this.results.clear();
    this.results.set(key, result);
  }
}
