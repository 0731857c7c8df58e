// Statement execution: assignments and their targets, control flow (both branches,
// joined), function and class definitions; imports are in imports.ts.
import { field, fields, namedChildren, nodeCount, textOf, type PyNode } from "./ast.js";
import { addCredential, isAuthHeader, storeHeaders } from "./sink-calls.js";
import { callValue, execCode } from "./calls.js";
import { callUserFunction } from "./user-functions.js";
import { evalExpr, iterationElement, iterationItems } from "./expressions.js";
import { binary } from "./operators.js";
import { copyFrame, type Frame } from "./frame.js";
import { execImport } from "./imports.js";
import { bindPattern, type PatternScope } from "./match-patterns.js";
import type { Interpreter } from "./interpreter.js";
import { addToObject, allTaints, derived, join, mergeTaints, SMALL_CONTAINER, storeObjectAttribute, unknown, type Taint, type Value } from "./model.js";

const MAX_LOOP_UNROLL = 512;

export function execBlock(ip: Interpreter, frame: Frame, statements: readonly PyNode[]): void {
  for (const statement of statements) execStatement(ip, frame, statement);
}

function block(node: PyNode | undefined): readonly PyNode[] {
  if (!node) return [];
  return node.type === "block" ? namedChildren(node) : [node];
}

function branch(ip: Interpreter, frame: Frame, body: readonly PyNode[]): void {
  frame.branchDepth++;
  try {
    execBlock(ip, frame, body);
  } finally {
    frame.branchDepth--;
  }
}

export function execStatement(ip: Interpreter, frame: Frame, node: PyNode): void {
  ip.meter.step();
  switch (node.type) {
    case "expression_statement":
      for (const child of namedChildren(node)) execExpressionStatement(ip, frame, child);
      return;
    case "if_statement":
      return execIf(ip, frame, node);
    case "for_statement":
      return execFor(ip, frame, node);
    case "while_statement":
      evalExpr(ip, frame, field(node, "condition")!);
      branch(ip, frame, block(field(node, "body")));
      branch(ip, frame, block(field(node, "alternative")).flatMap((c) => block(field(c, "body"))));
      return;
    case "try_statement":
      for (const child of namedChildren(node)) {
        if (child.type === "block") execBlock(ip, frame, namedChildren(child));
        else branch(ip, frame, namedChildren(child).filter((c) => c.type === "block").flatMap((c) => namedChildren(c)));
      }
      return;
    case "with_statement":
      return execWith(ip, frame, node);
    case "function_definition":
      return defineFunction(ip, frame, node, []);
    case "class_definition":
      return defineClass(ip, frame, node, []);
    case "decorated_definition": {
      const definition = field(node, "definition");
      const decorators = namedChildren(node).filter((c) => c.type === "decorator");
      if (definition?.type === "function_definition") defineFunction(ip, frame, definition, decorators);
      else if (definition?.type === "class_definition") defineClass(ip, frame, definition, decorators);
      return;
    }
    case "return_statement": {
      const value = namedChildren(node)[0];
      frame.returns?.push(value ? evalExpr(ip, frame, value) : unknown());
      return;
    }
    case "import_statement":
    case "import_from_statement":
    case "future_import_statement":
      return execImport(ip, frame, node);
    case "global_statement":
    case "nonlocal_statement":
      if (frame.scope !== frame.module.scope) {
        frame.scope.globals ??= new Set();
        for (const name of namedChildren(node)) frame.scope.globals.add(textOf(name));
      }
      return;
    case "exec_statement": {
      // Python 2: exec "code" [in globals]
      const code = field(node, "code") ?? namedChildren(node)[0];
      if (code) execCode(ip, frame, node, evalExpr(ip, frame, code), "exec");
      return;
    }
    case "print_statement":
    case "assert_statement":
    case "raise_statement":
    case "delete_statement":
      for (const child of namedChildren(node)) evalExpr(ip, frame, child);
      return;
    case "match_statement":
      return execMatch(ip, frame, node);
    case "block":
      return execBlock(ip, frame, namedChildren(node));
    case "ERROR":
      // Partly parsed code: still look at what is inside.
      for (const child of namedChildren(node)) {
        if (/statement|definition|^call$|assignment/.test(child.type)) execStatement(ip, frame, child);
        else if (child.type !== "identifier") evalExpr(ip, frame, child);
      }
      return;
    default:
      return;
  }
}

function execExpressionStatement(ip: Interpreter, frame: Frame, node: PyNode): void {
  if (node.type === "assignment") {
    const value = assignmentValue(ip, frame, node);
    bindTarget(ip, frame, field(node, "left")!, value);
    return;
  }
  if (node.type === "augmented_assignment") {
    const left = field(node, "left")!;
    const current = evalExpr(ip, frame, left);
    const right = evalExpr(ip, frame, field(node, "right")!);
    const op = (field(node, "operator")?.text ?? node.children.find((c) => !c.named)?.text ?? "+=").replace(/=$/, "");
    bindTarget(ip, frame, left, binary(ip, frame, node, op, current, right), true);
    return;
  }
  evalExpr(ip, frame, node);
}

/** Right-hand side, following chains `a = b = value` (each level binds its own target). */
function assignmentValue(ip: Interpreter, frame: Frame, node: PyNode): Value {
  const right = field(node, "right");
  if (!right) return unknown(); // annotation only: `x: int`
  if (right.type === "assignment") {
    const value = assignmentValue(ip, frame, right);
    bindTarget(ip, frame, field(right, "left")!, value);
    return value;
  }
  return evalExpr(ip, frame, right);
}

function execIf(ip: Interpreter, frame: Frame, node: PyNode): void {
  const condition = field(node, "condition");
  if (condition) evalExpr(ip, frame, condition);
  // `if __name__ == "__main__":` runs only when the file is executed as a script.
  const scriptOnly = frame.trigger === "import" && condition !== undefined && isMainTest(condition);
  const inner = scriptOnly ? copyFrame(frame) : frame;
  if (scriptOnly) inner.trigger = "call";
  const alternatives = fields(node, "alternative");
  // Each alternative starts from the state before the `if`: what one branch assigns is not
  // seen by the next (`server = loop item` in one, `server = "login"` in the other).
  const vars = frame.scope.vars;
  const before = alternatives.length > 0 && vars.size <= MAX_SPLIT_SCOPE ? new Map(vars) : undefined;
  const ends: Map<string, Value>[] = [];
  const next = (): void => {
    if (!before) return;
    ends.push(new Map(vars));
    vars.clear();
    for (const [name, value] of before) vars.set(name, value);
  };
  branch(ip, inner, block(field(node, "consequence")));
  next();
  for (const alternative of alternatives) {
    if (alternative.type === "elif_clause") {
      const c = field(alternative, "condition");
      if (c) evalExpr(ip, frame, c);
    }
    branch(ip, frame, block(field(alternative, "consequence") ?? field(alternative, "body")));
    next();
  }
  if (!before) return;
  // No `else`: the path that runs no branch keeps the state before.
  if (!alternatives.some((a) => a.type === "else_clause")) ends.push(before);
  vars.clear();
  for (const end of ends) {
    for (const [name, value] of end) {
      const seen = vars.get(name);
      vars.set(name, seen ? join(seen, value) : value);
    }
  }
}

/** Per condition node: whether it is the `__name__ == "__main__"` test (its text is rebuilt from the leaves otherwise, at every run of the `if`). */
const mainTests = new WeakMap<PyNode, boolean>();

function isMainTest(condition: PyNode): boolean {
  let known = mainTests.get(condition);
  if (known === undefined) mainTests.set(condition, (known = /__name__==['"]__main__['"]/.test(textOf(condition).replace(/\s+/g, ""))));
  return known;
}

/** Scopes larger than this run the branches of an `if` one after the other (joined, less precise). */
const MAX_SPLIT_SCOPE = 4000;

function execFor(ip: Interpreter, frame: Frame, node: PyNode): void {
  const left = field(node, "left")!;
  const iterable = evalExpr(ip, frame, field(node, "right")!);
  const body = block(field(node, "body"));
  // A snapshot: a body that appends to the list it iterates (a work queue) must not loop until the item cap.
  const items = iterationItems(iterable)?.slice();
  // A list that also received unknown elements (`hits.extend(re.findall(...))`): its known items are not all of it.
  const unlisted = items ? mergeTaints(iterable.taints, iterable.cell?.taints ?? []) : [];
  if (unlisted.length > 0) items!.push({ taints: unlisted });
  if (items && unlisted.length === 0 && items.length <= MAX_LOOP_UNROLL && body.reduce((n, s) => n + nodeCount(s, 300), 0) < 300) {
    // Small loop over known data: run it for real so that string building folds.
    for (const item of items) {
      bindTarget(ip, frame, left, item);
      execBlock(ip, frame, body);
    }
  } else {
    frame.branchDepth++;
    try {
      bindTarget(ip, frame, left, items?.length ? items.reduce((a, b) => join(a, b)) : iterationElement(ip, frame, node, iterable));
      execBlock(ip, frame, body);
      // Twice: values built in one iteration reach the next (accumulators).
      execBlock(ip, frame, body);
    } finally {
      frame.branchDepth--;
    }
  }
  const alternative = field(node, "alternative");
  if (alternative) branch(ip, frame, block(field(alternative, "body")));
}

function execWith(ip: Interpreter, frame: Frame, node: PyNode): void {
  const clause = namedChildren(node).find((c) => c.type === "with_clause");
  for (const item of clause ? namedChildren(clause) : []) {
    const value = field(item, "value") ?? namedChildren(item)[0];
    if (!value) continue;
    if (value.type === "as_pattern") {
      const expression = namedChildren(value)[0]!;
      const alias = field(value, "alias");
      const result = entered(ip, frame, expression, evalExpr(ip, frame, expression));
      const target = alias ? namedChildren(alias)[0] ?? alias : undefined;
      if (target) bindTarget(ip, frame, target, result);
    } else entered(ip, frame, value, evalExpr(ip, frame, value));
  }
  execBlock(ip, frame, block(field(node, "body")));
}

/** `match subject:` — each arm runs (as a branch) with the names its pattern captures bound, after its guard. */
function execMatch(ip: Interpreter, frame: Frame, node: PyNode): void {
  const subjectNode = field(node, "subject");
  const subject = subjectNode ? evalExpr(ip, frame, subjectNode) : unknown();
  const scope: PatternScope = { bind: (name, value) => setName(frame, name, value), evaluate: (expression) => evalExpr(ip, frame, expression) };
  for (const body of namedChildren(node).filter((c) => c.type === "block")) {
    for (const caseClause of namedChildren(body)) {
      frame.branchDepth++;
      try {
        for (const part of namedChildren(caseClause)) {
          if (part.type === "case_pattern") bindPattern(ip, scope, part, subject);
          else if (part.type === "if_clause") for (const guard of namedChildren(part)) evalExpr(ip, frame, guard);
        }
      } finally {
        frame.branchDepth--;
      }
      branch(ip, frame, block(field(caseClause, "consequence")));
    }
  }
}

const ENTER_METHODS = ["__enter__", "__aenter__"];

/**
 * What `with obj as x` binds: what obj.__enter__() returns when obj's class defines it
 * (`async with`'s __aenter__ likewise; the parser drops `async`, so either one runs).
 */
function entered(ip: Interpreter, frame: Frame, node: PyNode, value: Value): Value {
  if (value.ref?.kind !== "instance") return value;
  let result: Value | undefined;
  for (const name of ENTER_METHODS) {
    const method = ip.findMethod(value.ref.cls, name);
    if (!method) continue;
    const returned = callUserFunction(ip, frame, method, { positional: [value], keywords: new Map() }, node);
    result = result ? join(result, returned) : returned;
  }
  return result ?? value;
}

// ---- binding ---------------------------------------------------------------------

/** Assign `value` to a target expression (name, attribute, subscript, tuple pattern). */
export function bindTarget(ip: Interpreter, frame: Frame, target: PyNode, value: Value, augmented = false): void {
  switch (target.type) {
    case "identifier":
      return setName(frame, target.text, value);
    case "attribute":
      return setAttribute(ip, frame, target, value);
    case "subscript":
      return setSubscript(ip, frame, target, value, augmented);
    case "pattern_list":
    case "tuple_pattern":
    case "list_pattern":
    case "tuple":
    case "list":
    case "expression_list":
    case "parenthesized_expression": {
      const targets = namedChildren(target);
      if (target.type === "parenthesized_expression" && targets.length === 1) return bindTarget(ip, frame, targets[0]!, value);
      targets.forEach((t, i) => {
        const item = value.items?.[i];
        // A connection unpacked (`reader, writer = await asyncio.open_connection(…)`): each part is the stream.
        const element = item ?? (value.ref?.kind === "env" || value.cell?.sink ? value : derived([value]));
        if (t.type === "list_splat_pattern") bindTarget(ip, frame, namedChildren(t)[0] ?? t, derived([value]));
        else bindTarget(ip, frame, t, element);
      });
      return;
    }
    case "list_splat_pattern":
    case "as_pattern_target": {
      const inner = namedChildren(target)[0];
      if (inner) bindTarget(ip, frame, inner, value);
      return;
    }
    default:
      return;
  }
}

export function setName(frame: Frame, name: string, value: Value): void {
  if (frame.classBody) {
    frame.classBody.scope.set(name, value);
    return;
  }
  if (frame.scope.globals?.has(name)) {
    // `global X; X = f(X)` rebinds X like a local would: joined only under a branch.
    const previous = frame.branchDepth > 0 ? frame.module.scope.vars.get(name) : undefined;
    frame.module.scope.vars.set(name, previous ? join(previous, value) : value);
    return;
  }
  const previous = frame.branchDepth > 0 ? frame.scope.vars.get(name) : undefined;
  frame.scope.vars.set(name, previous ? join(previous, value) : value);
}

function setAttribute(ip: Interpreter, frame: Frame, target: PyNode, value: Value): void {
  const object = evalExpr(ip, frame, field(target, "object")!);
  const name = textOf(field(target, "attribute")!);
  storeAttribute(frame, object, name, value, ip);
}

export function storeAttribute(frame: Frame, object: Value, name: string, value: Value, ip: Interpreter): void {
  const ref = object.ref;
  if (ref?.kind === "instance" || ref?.kind === "class") {
    const cls = ref.cls;
    const own = value.taints.filter((t) => t.source);
    const params = value.taints.filter((t) => t.param && t.param.fn === frame.symbolicFn?.id);
    const stored: Value = { ...value, taints: own };
    ip.storeField(cls, name, stored);
    if (params.length > 0) frame.out.fieldStores.push({ cls, field: name, taints: params });
    return;
  }
  if (ref?.kind === "module") {
    ip.modules.get(ref.name)?.scope.vars.set(name, value);
    return;
  }
  // session.auth = (user, token): the client's credential. session.headers = {...}: split by header.
  if (name === "auth" && addCredential(object.cell, [value])) return;
  if (name === "headers" && storeHeaders(object, value)) return;
  // A client's options (session.params, request.data) are part of every request it sends.
  if (object.cell?.sink) addToObject(object, allTaints(value));
  else storeObjectAttribute(object, name, value);
}

function setSubscript(ip: Interpreter, frame: Frame, target: PyNode, value: Value, augmented: boolean): void {
  const objectNode = field(target, "value")!;
  const object = evalExpr(ip, frame, objectNode);
  if (object.ref?.kind === "env") return;
  const keyNode = fields(target, "subscript")[0];
  const key = keyNode ? evalExpr(ip, frame, keyNode) : unknown();
  if (object.dict && key.str !== undefined) {
    object.dict.set(key.str, value);
    if (object.dict.size > SMALL_CONTAINER) addToObject(object, allTaints(value));
    return;
  }
  if (object.items && key.num !== undefined && key.num >= 0 && key.num < object.items.length) {
    object.items[key.num] = value;
    if (object.items.length > SMALL_CONTAINER) addToObject(object, allTaints(value));
    return;
  }
  // session.headers["Authorization"] = "token " + t: the client's credential.
  if (object.ref?.kind === "external" && object.ref.qname.endsWith(".headers") && isAuthHeader(key.str) && addCredential(object.cell, [value])) return;
  addToObject(object, mergeTaints(allTaints(value), allTaints(key)));
}

// ---- definitions -------------------------------------------------------------------

function defineFunction(ip: Interpreter, frame: Frame, node: PyNode, decorators: readonly PyNode[]): void {
  const fn = ip.defineFunction(frame, node, decorators, frame.classBody);
  let value: Value = { ref: { kind: "function", fn }, taints: [] };
  for (const decorator of [...decorators].reverse()) {
    const expression = namedChildren(decorator)[0];
    if (!expression) continue;
    const callee = evalExpr(ip, frame, expression);
    if (callee.ref?.kind === "external" && /^(atexit\.register)$/.test(callee.ref.qname)) {
      callUserFunction(ip, frame, fn, { positional: [], keywords: new Map() }, node);
    } else if (callee.ref?.kind === "function" || callee.ref?.kind === "class") {
      // A decorator runs when the function is defined; what it returns replaces the function.
      const result = callValue(ip, frame, decorator, callee, { positional: [value], keywords: new Map() });
      if (result.ref?.kind === "function" || result.ref?.kind === "bound") value = result;
    }
  }
  setName(frame, fn.name, value);
}

/** Decorators and bases whose classes get an `__init__` taking their annotated fields. */
const RECORD_DECORATORS = /^(dataclasses\.dataclass|pydantic\.dataclasses\.dataclass|attrs?\.(s|attrs|define|frozen|mutable)|attr\.dataclass)(\(\))?$/;
const RECORD_BASES = /^(typing\.NamedTuple|pydantic\.BaseModel|msgspec\.Struct)$/;

/** `name: type [= default]` lines of a class body, after the fields of record base classes. */
function recordFields(bases: Value[], body: readonly PyNode[]): string[] {
  const names = bases.flatMap((b) => (b.ref?.kind === "class" ? b.ref.cls.recordFields ?? [] : []));
  for (const statement of body) {
    const inner = statement.type === "expression_statement" ? namedChildren(statement)[0] : undefined;
    const left = inner?.type === "assignment" && field(inner, "type") ? field(inner, "left") : undefined;
    if (left?.type === "identifier" && !names.includes(left.text)) names.push(left.text);
  }
  return names;
}

function defineClass(ip: Interpreter, frame: Frame, node: PyNode, decorators: readonly PyNode[]): void {
  const superclasses = field(node, "superclasses");
  const bases = superclasses
    ? namedChildren(superclasses).filter((c) => c.type !== "keyword_argument").map((c) => evalExpr(ip, frame, c))
    : [];
  let record = bases.some((b) => b.ref?.kind === "external" && RECORD_BASES.test(b.ref.qname)) || bases.some((b) => b.ref?.kind === "class" && b.ref.cls.recordFields !== undefined);
  for (const decorator of decorators) {
    const expression = namedChildren(decorator)[0];
    const value = expression ? evalExpr(ip, frame, expression) : undefined;
    if (value?.ref?.kind === "external" && RECORD_DECORATORS.test(value.ref.qname)) record = true;
  }
  const cls = ip.defineClass(frame, node, bases);
  const classFrame = copyFrame(frame);
  classFrame.classBody = cls;
  classFrame.scope = { vars: cls.scope, parent: frame.scope };
  const body = block(field(node, "body"));
  execBlock(ip, classFrame, body);
  if (record) cls.recordFields = recordFields(bases, body);
  setName(frame, cls.name, { ref: { kind: "class", cls }, taints: [] });
}
