// Variables given a value on both paths of a condition the analysis cannot decide: after
// `c ? (v = a) : (v = b)` or `if (c) v = a; else v = b;`, v is a or b, no longer what it was
// before. Each path's assignments are weak (joined into the old value, since the path may not
// run), so without this the old value would stay among v's possibilities (an obfuscator's
// memo, `v = cached ? cached : decode(raw)`, would still look like the raw string).
import type { Binding } from "./scope.js";
import { join, type Value } from "./values.js";

export class BranchWrites {
  /** The path being run: each binding it assigned (outside its own level) and the value given last. */
  private current: Map<Binding, Value> | undefined;

  /** An assignment on a path that may not run (members.ts assignName). */
  record(binding: Binding, value: Value): void {
    this.current?.set(binding, value);
  }

  /** Run both paths of an undecided condition; what both assigned becomes the join of the two values. */
  both<A, B>(first: () => A, second: () => B): [A, B] {
    const outer = this.current;
    const writesA = (this.current = new Map());
    const a = first();
    const writesB = (this.current = new Map());
    const b = second();
    this.current = outer;
    for (const [binding, valueA] of writesA) {
      const valueB = writesB.get(binding);
      if (valueB === undefined) {
        this.oneSided(outer, binding, valueA);
        continue;
      }
      const value = join(valueA, valueB);
      binding.value = value;
      outer?.set(binding, value);
    }
    for (const [binding, valueB] of writesB) if (!writesA.has(binding)) this.oneSided(outer, binding, valueB);
    return [a, b];
  }

  /** Assigned on one path only: the enclosing path's own value for it now may be either. */
  private oneSided(outer: Map<Binding, Value> | undefined, binding: Binding, value: Value): void {
    const before = outer?.get(binding);
    if (before !== undefined) outer!.set(binding, join(before, value));
  }
}
