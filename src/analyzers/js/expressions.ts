// Expressions: literals, operators, objects, arrays, classes, templates, await. Calls
// are in calls.ts; member access and assignment targets in members.ts.
import { isNode, staticPropertyName, unwrap, type Node } from "./ast.js";
import { dispatchCall, evalCall, makeFunction } from "./calls.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { evalClass, superObject } from "./classes.js";
import { digestCompared } from "./downloads.js";
import { arithmetic, concatAll, elementOf, plus, propertyKeyName } from "./operators.js";
import { envMember } from "./sources.js";
import { storageDump } from "./web-storage.js";
import { urlSlots } from "../common/url-slots.js";
import {
  UNKNOWN,
  constant,
  deepTaint,
  isString,
  join,
  mergeTaints,
  newArray,
  newObject,
  stringOf,
  truthiness,
  unknownWith,
  withStep,
  type Primitive,
  type Value,
} from "./values.js";
const MAX_YIELDS = 64;

export { evalClass };

export function evalExpression(I: Interpreter, node: Node, frame: Frame): Value {
  switch (node.type) {
    case "Literal":
      return evalLiteral(I, node, frame);
    case "TemplateLiteral": {
      const parts: Value[] = [];
      (node.quasis as Node[]).forEach((quasi, index) => {
        parts.push(constant(quasi.value.cooked ?? quasi.value.raw));
        const expression = node.expressions[index];
        if (expression) parts.push(I.evalExpr(expression, frame));
      });
      const result = concatAll(parts, (node.expressions as Node[]).length > 0, urlSlots(I.signatures));
      if (isString(result)) I.noteString(result.constant, node, frame, node.expressions.length === 0);
      return result;
    }
    case "Identifier":
      return evalIdentifier(I, node.name, frame);
    case "ThisExpression":
      return frame.thisValue;
    case "Super":
      return superObject(frame);
    case "MemberExpression": {
      // process.env.NAME: read the variable without materialising the whole environment.
      const inner = node.object;
      if (inner.type === "MemberExpression" && inner.object.type === "Identifier" && inner.object.name === "process" && staticPropertyName(inner) === "env" && !frame.scope.lookup("process")) {
        const key = I.memberKey(node, frame);
        if (key !== undefined) return envMember(I, key, node, frame);
      }
      const object = I.evalExpr(node.object, frame);
      return I.getMember(object, I.memberKey(node, frame), node, frame);
    }
    case "CallExpression":
      return evalCall(I, node, frame, false);
    case "NewExpression":
      return evalCall(I, node, frame, true);
    case "ImportExpression": {
      const specifier = I.evalExpr(node.source, frame);
      const text = stringOf(specifier);
      return { resolved: text !== undefined ? I.loader.require(frame.unit, text, frame) : UNKNOWN };
    }
    case "AssignmentExpression":
      return evalAssignment(I, node, frame);
    case "BinaryExpression":
      return evalBinary(I, node, frame);
    case "LogicalExpression": {
      const left = I.evalExpr(node.left, frame);
      const t = truthiness(left);
      if (node.operator === "||" && t === true) return left;
      if (node.operator === "&&" && t === false) return left;
      if (node.operator === "??" && left.known && left.constant !== null && left.constant !== undefined) return left;
      if ((node.operator === "||" && t === false) || (node.operator === "&&" && t === true)) return I.evalExpr(node.right, frame);
      if (node.operator === "??" && left.known) return I.evalExpr(node.right, frame);
      frame.conditional++;
      const right = I.evalExpr(node.right, frame);
      frame.conditional--;
      return join(left, right);
    }
    case "ConditionalExpression": {
      const t = truthiness(I.evalExpr(node.test, frame));
      if (t === true) return I.evalExpr(node.consequent, frame);
      if (t === false) return I.evalExpr(node.alternate, frame);
      frame.conditional++;
      const result = join(...I.branches.both(() => I.evalExpr(node.consequent, frame), () => I.evalExpr(node.alternate, frame)));
      frame.conditional--;
      return result;
    }
    case "UnaryExpression":
      return evalUnary(I, node, frame);
    case "UpdateExpression": {
      const current = I.evalExpr(node.argument, frame);
      if (typeof current.constant === "number" && current.known) {
        const next = constant(node.operator === "++" ? current.constant + 1 : current.constant - 1);
        I.bindPattern(node.argument, next, frame, false);
        return node.prefix ? next : current;
      }
      I.bindPattern(node.argument, UNKNOWN, frame, false);
      return UNKNOWN;
    }
    case "SequenceExpression": {
      let last: Value = UNKNOWN;
      for (const expression of node.expressions as Node[]) last = I.evalExpr(expression, frame);
      return last;
    }
    case "ObjectExpression":
      return evalObject(I, node, frame);
    case "ArrayExpression": {
      I.bundles.noteLiteral(node);
      const elements: Value[] = [];
      let extraTaint;
      let open = false;
      for (const element of node.elements as (Node | null)[]) {
        if (!element) elements.push(constant(undefined));
        else if (element.type === "SpreadElement") {
          const spread = I.evalExpr(element.argument, frame);
          if (spread.object?.elements) {
            elements.push(...spread.object.elements);
            extraTaint = mergeTaints(extraTaint, spread.object.taint);
            open ||= !!spread.object.open;
          } else if (isString(spread)) for (const ch of spread.constant) elements.push(constant(ch));
          else {
            extraTaint = mergeTaints(extraTaint, deepTaint(spread));
            open = true;
          }
        } else elements.push(I.evalExpr(element, frame));
      }
      const array = newArray(elements);
      if (extraTaint) array.object!.taint = extraTaint;
      if (open) array.object!.open = true;
      return array;
    }
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return makeFunction(I, node, frame);
    case "ClassExpression":
    case "ClassDeclaration":
      return evalClass(I, node, frame);
    case "AwaitExpression": {
      const value = I.evalExpr(node.argument, frame);
      return value.resolved ?? value;
    }
    case "YieldExpression": {
      const value = node.argument ? I.evalExpr(node.argument, frame) : constant(undefined);
      // `yield* it` gives what `it` iterates; an async generator's yields are awaited.
      const yielded = node.delegate ? elementOf(value, false) : (value.resolved ?? value);
      if (frame.yields && frame.yields.length < MAX_YIELDS) frame.yields.push(yielded);
      return UNKNOWN;
    }
    case "TaggedTemplateExpression": {
      const tag = I.evalExpr(node.tag, frame);
      const quasi = node.quasi as Node;
      const values = (quasi.expressions as Node[]).map((e) => I.evalExpr(e, frame));
      if (tag.ref?.global && tag.ref.path.join(".") === "String.raw") {
        const parts: Value[] = [];
        (quasi.quasis as Node[]).forEach((q, i) => {
          parts.push(constant(q.value.raw));
          if (values[i]) parts.push(values[i]!);
        });
        return concatAll(parts, true);
      }
      // zx's and execa's $`…`, Bun's shell: the template is a command line whose values are its words.
      if (isShellTag(I, tag)) {
        const parts: Value[] = [];
        (quasi.quasis as Node[]).forEach((q, i) => {
          parts.push(constant(q.value.cooked ?? q.value.raw));
          if (values[i]) parts.push(values[i]!);
        });
        return dispatchCall(I, { node, frame, isNew: false, target: tag, args: [concatAll(parts, true)] });
      }
      return unknownWith(values.reduce((t, v) => mergeTaints(t, deepTaint(v)), undefined as Value["taint"]));
    }
    case "ParenthesizedExpression":
    case "ChainExpression":
    case "TSAsExpression":
    case "TSSatisfiesExpression":
    case "TSNonNullExpression":
    case "TSTypeAssertion":
    case "TSInstantiationExpression":
    case "TypeCastExpression":
      return I.evalExpr(node.expression, frame);
    case "MetaProperty":
      return UNKNOWN;
    default: {
      // JSX and anything unforeseen: evaluate what is inside for its calls, value unknown.
      let taint;
      for (const key of Object.keys(node)) {
        if (key === "loc" || key === "type") continue;
        const child = node[key];
        const children = Array.isArray(child) ? child : [child];
        for (const c of children) {
          if (!isNode(c) || c.type.endsWith("Identifier") || c.type === "JSXText") continue;
          if (c.type.endsWith("Statement") || c.type.endsWith("Declaration")) I.execStatement(c, frame);
          else taint = mergeTaints(taint, I.evalExpr(c, frame).taint);
        }
      }
      return unknownWith(taint);
    }
  }
}

export function evalLiteral(I: Interpreter, node: Node, frame: Frame): Value {
  const value = node.value;
  if (typeof value === "string") {
    I.noteString(value, node, frame, true);
    return constant(value);
  }
  if (node.regex) {
    try {
      return { regex: new RegExp(node.regex.pattern, node.regex.flags) };
    } catch {
      return UNKNOWN;
    }
  }
  if (typeof value === "bigint") return UNKNOWN;
  return constant(value as Primitive);
}

export function evalIdentifier(I: Interpreter, name: string, frame: Frame): Value {
  const binding = frame.scope.lookup(name);
  if (binding) return binding.value;
  if (name === "undefined") return constant(undefined);
  if (name === "NaN") return constant(NaN);
  if (name === "Infinity") return constant(Infinity);
  return { ref: { global: true, path: [name] } };
}

export function evalAssignment(I: Interpreter, node: Node, frame: Frame): Value {
  if (node.operator === "=") {
    const value = I.evalExpr(node.right, frame);
    I.bindPattern(node.left, value, frame, false);
    return value;
  }
  const current = I.evalExpr(node.left, frame);
  const right = I.evalExpr(node.right, frame);
  let result: Value;
  if (node.operator === "+=") result = plus(current, right, urlSlots(I.signatures));
  else if (node.operator === "||=" || node.operator === "&&=" || node.operator === "??=") result = join(current, right);
  else result = arithmetic(node.operator.slice(0, -1), current, right);
  I.bindPattern(node.left, result, frame, false);
  return result;
}

export function evalBinary(I: Interpreter, node: Node, frame: Frame): Value {
  if (node.operator === "+") {
    // Long concatenation chains are left-nested: flatten them instead of recursing.
    const operands: Node[] = [];
    let current: Node = node;
    while (current.type === "BinaryExpression" && current.operator === "+") {
      operands.push(current.right);
      current = unwrap(current.left);
    }
    operands.push(current);
    let accumulated = I.evalExpr(operands[operands.length - 1]!, frame);
    const slots = urlSlots(I.signatures);
    for (let i = operands.length - 2; i >= 0; i--) accumulated = plus(accumulated, I.evalExpr(operands[i]!, frame), slots);
    if (isString(accumulated) && operands.length > 1) {
      I.noteString(accumulated.constant, node, frame);
      return { ...accumulated, built: true };
    }
    return accumulated;
  }
  const left = node.left.type === "PrivateName" ? UNKNOWN : I.evalExpr(node.left, frame);
  const right = I.evalExpr(node.right, frame);
  // `digest !== EXPECTED`: fetched bytes checked against a digest that is not itself fetched.
  if (left.digestOf || right.digestOf) digestCompared(I, node.operator, left, right);
  return arithmetic(node.operator, left, right);
}

export function evalUnary(I: Interpreter, node: Node, frame: Frame): Value {
  const argument = I.evalExpr(node.argument, frame);
  switch (node.operator) {
    case "!": {
      const t = truthiness(argument);
      return t === undefined ? UNKNOWN : constant(!t);
    }
    case "-":
      return argument.known && typeof argument.constant !== "bigint" ? constant(-Number(argument.constant)) : unknownWith(argument.taint);
    case "+":
      return argument.known && typeof argument.constant !== "bigint" ? constant(Number(argument.constant)) : unknownWith(argument.taint);
    case "~":
      return argument.known && typeof argument.constant !== "bigint" ? constant(~Number(argument.constant)) : unknownWith(argument.taint);
    case "void":
      return constant(undefined);
    case "typeof":
      if (argument.fn) return constant("function");
      if (argument.known) return constant(argument.constant === null ? "object" : typeof argument.constant);
      return UNKNOWN;
    case "delete":
      return constant(true);
    default:
      return UNKNOWN;
  }
}

export function evalObject(I: Interpreter, node: Node, frame: Frame): Value {
  I.bundles.noteLiteral(node);
  const result = newObject();
  I.bundles.noteObject(node, result.object!);
  const data = result.object!;
  for (const property of node.properties as Node[]) {
    if (property.type === "SpreadElement") {
      const spread = I.evalExpr(property.argument, frame);
      const dump = storageDump(I, spread, "{ ...%s }", property, frame);
      if (dump) data.taint = mergeTaints(data.taint, dump);
      else if (spread.special === "env") {
        // Still latent: a copy of the environment handed to a child process is not a leak.
        data.taint = mergeTaints(data.taint, withStep(spread.taint, I.step(property, frame, "copies process.env")));
      } else if (spread.object) {
        for (const [key, value] of spread.object.props) data.props.set(key, value);
        data.taint = mergeTaints(data.taint, spread.object.taint);
      } else data.taint = mergeTaints(data.taint, deepTaint(spread));
      continue;
    }
    const key = property.computed ? stringOf(I.evalExpr(property.key, frame)) : propertyKeyName(property.key);
    let value: Value;
    if (property.value && (property.value.type === "FunctionExpression" || property.value.type === "ArrowFunctionExpression")) {
      value = makeFunction(I, property.value, frame, result, key);
    } else value = property.value ? I.evalExpr(property.value, frame) : UNKNOWN;
    if (key === undefined) data.taint = mergeTaints(data.taint, deepTaint(value));
    // `{ get token() {…} }`: reading the property runs the getter (members.ts); a setter beside it changes nothing read.
    else if (property.kind === "get" && value.fn) data.props.set(key, { getter: value });
    else if (property.kind !== "set" || !data.props.get(key)?.getter) data.props.set(key, value);
  }
  return result;
}

/** A tag that runs its template as a command: `$` of a command-running module (zx, execa), Bun's `Bun.$`. */
function isShellTag(I: Interpreter, tag: Value): boolean {
  const ref = tag.ref;
  if (!ref) return false;
  if (ref.global) return ref.path.join(".") === "Bun.$";
  const path = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
  return I.signatures.commands.runners.js.modules.has(ref.module!) && path.join(".") === "$";
}
