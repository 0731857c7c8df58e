// Lexical scopes of the interpreter. One scope chain per closure; functions see the
// bindings of the scope they were created in (values are shared, not copied).
import type { Value } from "./values.js";

export interface Binding {
  value: Value;
  /** The invocation and branch level that declared it: assignments there replace, elsewhere they join. */
  owner?: object;
  level: number;
}

export class Scope {
  /** Created on first declaration: most block scopes declare nothing. */
  private bindings: Map<string, Binding> | undefined;

  constructor(
    readonly parent: Scope | undefined,
    /** Function or module scope: `var` and assignments to undeclared names land here. */
    readonly isFunctionScope: boolean,
  ) {}

  lookup(name: string): Binding | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      const binding = scope.bindings?.get(name);
      if (binding) return binding;
    }
    return undefined;
  }

  declare(name: string, value: Value, owner?: object, level = 0): Binding {
    this.bindings ??= new Map();
    const existing = this.bindings.get(name);
    if (existing) {
      existing.value = value;
      existing.owner = owner;
      existing.level = level;
      return existing;
    }
    const binding: Binding = { value, owner, level };
    this.bindings.set(name, binding);
    return binding;
  }

  /** Every value bound in this scope and the scopes around it. */
  *visibleValues(): Generator<Value> {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.bindings) for (const binding of scope.bindings.values()) yield binding.value;
    }
  }

  functionScope(): Scope {
    let scope: Scope = this;
    while (!scope.isFunctionScope && scope.parent) scope = scope.parent;
    return scope;
  }

  /** The outermost scope (module scope of the file). */
  root(): Scope {
    let scope: Scope = this;
    while (scope.parent) scope = scope.parent;
    return scope;
  }
}
