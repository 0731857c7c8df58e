// `match` statements: the names a case pattern captures get the part of the subject they
// match (a dict pattern's value, a sequence pattern's element), or carry the whole subject's
// taint when that part is not known. Only match statements come here.
import { namedChildren, type PyNode } from "./ast.js";
import type { Interpreter } from "./interpreter.js";
import { allTaints, derived, unknown, type Value } from "./model.js";

/** What the statement executor lends: binding a captured name, and evaluating a literal (a dict pattern's key). */
export interface PatternScope {
  bind(name: string, value: Value): void;
  evaluate(node: PyNode): Value;
}

/** Builtin classes whose positional sub-pattern matches the subject itself: `case str(s):`. */
const SELF_MATCHING = new Set(["str", "bytes", "bytearray", "int", "float", "complex", "bool", "dict", "list", "tuple", "set", "frozenset"]);
const MAX_DEPTH = 32;

/** Bind the names `pattern` (a case_pattern or one of its forms) captures from `subject`. */
export function bindPattern(ip: Interpreter, scope: PatternScope, pattern: PyNode, subject: Value, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  const children = namedChildren(pattern);
  const next = depth + 1;
  switch (pattern.type) {
    case "case_pattern":
    case "union_pattern":
      // `case _:` has no children; each alternative of `a | b` binds the same names.
      for (const child of children) bindPattern(ip, scope, child, subject, next);
      return;
    case "dotted_name":
      // A bare name captures; `Color.RED` is a value to compare with.
      if (children.length === 1 && children[0]!.type === "identifier") scope.bind(children[0]!.text, subject);
      return;
    case "as_pattern":
    case "splat_pattern":
      for (const child of children) {
        // `… as name` names the whole match; `*rest` / `**rest` get what their sequence or dict pattern passes down.
        if (child.type === "identifier") scope.bind(child.text, subject);
        else bindPattern(ip, scope, child, subject, next);
      }
      return;
    case "dict_pattern":
      return bindMapping(ip, scope, children, subject, next);
    case "list_pattern":
    case "tuple_pattern":
      return bindSequence(ip, scope, children, subject, next);
    case "class_pattern":
      return bindClass(ip, scope, children, subject, next);
    default:
      return; // literals, None, True/False, value patterns
  }
}

/** `{"payload": p, **rest}`: p is the subject's "payload" when the dict is known, else carries the subject. */
function bindMapping(ip: Interpreter, scope: PatternScope, children: readonly PyNode[], subject: Value, depth: number): void {
  let key: Value | undefined;
  for (const child of children) {
    if (child.field === "key") key = scope.evaluate(child);
    else if (child.field === "value") {
      const part = key?.str !== undefined ? subject.dict?.get(key.str) : undefined;
      bindPattern(ip, scope, child, part ?? element(subject), depth);
      key = undefined;
    } else if (child.type === "splat_pattern") bindPattern(ip, scope, child, subject, depth);
  }
}

/** `[a, *rest, z]` / `(a, b)`: each name the element at its place when the items are known. */
function bindSequence(ip: Interpreter, scope: PatternScope, children: readonly PyNode[], subject: Value, depth: number): void {
  const items = subject.items;
  const star = children.findIndex((c) => c.type === "case_pattern" && namedChildren(c)[0]?.type === "splat_pattern");
  children.forEach((child, index) => {
    if (index === star) {
      const after = children.length - star - 1;
      const middle = items && items.length >= star + after ? { items: items.slice(star, items.length - after), taints: [] } : subject;
      bindPattern(ip, scope, child, middle, depth);
      return;
    }
    const at = star >= 0 && index > star && items ? items.length - (children.length - index) : index;
    bindPattern(ip, scope, child, items?.[at] ?? element(subject), depth);
  });
}

/**
 * `Point(x=px)`: px is the instance's field x; `Point(px)`: the field `__match_args__` (or a
 * dataclass's fields) names first; `str(s)`: s is the subject; otherwise the subject's taint.
 */
function bindClass(ip: Interpreter, scope: PatternScope, children: readonly PyNode[], subject: Value, depth: number): void {
  const [name, ...patterns] = children;
  const builtin = name?.type === "dotted_name" && SELF_MATCHING.has(name.children.length === 1 ? name.children[0]!.text : "");
  let position = 0;
  for (const child of patterns) {
    const inner = namedChildren(child)[0];
    if (inner?.type === "keyword_pattern") {
      const [attribute, value] = namedChildren(inner);
      if (attribute && value) bindPattern(ip, scope, value, field(ip, subject, attribute.text), depth);
    } else if (builtin) bindPattern(ip, scope, child, subject, depth);
    else {
      const attribute = matchArgument(ip, subject, position++);
      bindPattern(ip, scope, child, attribute !== undefined ? field(ip, subject, attribute) : element(subject), depth);
    }
  }
}

/** The field a class pattern's positional sub-pattern matches on an instance: `__match_args__[i]`, or a record class's i-th field. */
function matchArgument(ip: Interpreter, subject: Value, index: number): string | undefined {
  if (subject.ref?.kind !== "instance") return undefined;
  const cls = subject.ref.cls;
  const declared = ip.classAttribute(cls, "__match_args__")?.items;
  return declared ? declared[index]?.str : cls.recordFields?.[index];
}

/** An instance's field (class attribute or one its methods store), else a value carrying the subject. */
function field(ip: Interpreter, subject: Value, name: string): Value {
  const found = subject.ref?.kind === "instance" ? ip.classAttribute(subject.ref.cls, name) : undefined;
  return found ?? element(subject);
}

/** A part of the subject that is not known: carries the subject's taint. */
function element(subject: Value): Value {
  if (subject.element) return { ...subject.element, taints: allTaints(subject) };
  return allTaints(subject).length > 0 ? derived([subject]) : unknown();
}
