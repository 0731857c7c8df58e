// What the interpreter knows while it runs one piece of code: which file (or decoded
// snippet) it is in, when that code runs, how deep the inlined calls go.
import type { Location } from "../../core/types.js";
import type { Trigger } from "../facts.js";
import type { Node } from "./ast.js";
import type { Scope } from "./scope.js";
import type { Value } from "./values.js";

/** A file of the package, or code decoded from one (eval, node -e). */
export interface Unit {
  id: number;
  /** Real file, POSIX path relative to the package root. */
  file: string;
  /** Code that has no lines of its own (decoded, inline): every fact is reported here. */
  override?: Location;
  ast: Node;
  /** Source text of a real file (positions are computed from offsets when needed). */
  text?: string;
  lineStarts?: number[];
  scope: Scope;
  /** The CommonJS `module` object; its `exports` field is what require() returns. */
  module: Value;
  /** The file uses an SSH client library: secret-named parameters are credentials (ssh-decorate shape). */
  sshAware: boolean;
}

/** One function invocation (or one top-level run) being interpreted. */
export interface Frame {
  unit: Unit;
  scope: Scope;
  trigger: Trigger;
  /** Inlined call depth. */
  depth: number;
  /** Nesting of eval-of-decoded-code. */
  evalDepth: number;
  /** Functions being inlined (recursion guard). */
  active: Set<Node>;
  thisValue: Value;
  /** > 0 inside branches and loops whose execution is not known: assignments join instead of replacing. */
  conditional: number;
  /** Conditional depth of the callers: 0 when this invocation surely runs (top level, unconditional calls). */
  inherited: number;
  returned?: Value;
  /** Analysing a function on its own with unknown arguments. */
  standalone: boolean;
  /** Inside a derived class's constructor or method: the class `super` names. */
  superClass?: Value;
  /** Inside a generator: the values it yields (its iteration gives them). */
  yields?: Value[];
}

export const NORMAL = 0;
export const BREAK = 1;
export const CONTINUE = 2;
export const RETURN = 3;
export type Completion = typeof NORMAL | typeof BREAK | typeof CONTINUE | typeof RETURN;
