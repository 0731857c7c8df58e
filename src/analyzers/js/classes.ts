// Classes: methods (shared by every instance), accessors (`get token()`, run when read),
// inheritance (`extends`, `super(...)`, `super.m()`), instance fields (`k = readFileSync(...)`,
// `#k`), and decorators, which run when the class is defined, so a decorator that steals runs
// on import.
import type { Node } from "./ast.js";
import { callFunction, laterTrigger, makeFunction } from "./calls.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { propertyKeyName } from "./operators.js";
import { UNKNOWN, constant, newObject, stringOf, type Value } from "./values.js";

const MAX_SUPER_CHAIN = 8;

export function evalClass(I: Interpreter, node: Node, frame: Frame): Value {
  const parent = node.superClass ? I.evalExpr(node.superClass, frame) : undefined;
  const instance = newObject();
  // Inherited methods first: the class's own ones override them.
  const inherited = parent ? instanceTemplate(parent) : undefined;
  if (inherited) for (const [key, value] of inherited) instance.object!.props.set(key, value);
  const methods = new Map<string, Value>();
  let constructorNode: Node | undefined;
  const statics = new Map<string, Value>();
  if (parent?.object && !parent.object.elements) {
    for (const [key, value] of parent.object.props) if (key !== "prototype") statics.set(key, value);
  }
  const fieldNodes: Node[] = [];
  const fieldKeys: (string | undefined)[] = [];
  const decorated: { decorators: Node[]; key: string | undefined; isStatic: boolean }[] = [];
  for (const member of (node.body?.body ?? []) as Node[]) {
    if (member.type === "StaticBlock") {
      I.execBlock(member.body, frame);
      continue;
    }
    if (!member.key) continue;
    const key = member.computed ? stringOf(I.evalExpr(member.key, frame)) : propertyKeyName(member.key);
    if (member.decorators?.length) decorated.push({ decorators: member.decorators, key, isStatic: !!member.static });
    if (member.type === "MethodDefinition" || member.type === "TSDeclareMethod") {
      if (!member.value?.body) continue;
      if (member.kind === "constructor") constructorNode = member.value;
      else if (key !== undefined) {
        const fn = makeFunction(I, member.value, frame, member.static ? undefined : instance, key);
        fn.fn!.superClass = parent;
        const table = member.static ? statics : methods;
        // An accessor: reading `obj.key` runs its getter (members.ts); a setter beside it changes nothing read.
        if (member.kind === "get") table.set(key, { getter: fn });
        else if (member.kind !== "set" || !table.get(key)?.getter) table.set(key, fn);
      }
    } else if (member.type === "PropertyDefinition" || member.type === "ClassProperty" || member.type === "ClassPrivateProperty") {
      if (member.static) {
        if (key !== undefined) statics.set(key, member.value ? I.evalExpr(member.value, frame) : UNKNOWN);
      } else {
        fieldNodes.push(member);
        fieldKeys.push(key);
      }
    }
  }
  for (const [key, value] of methods) instance.object!.props.set(key, value);
  let classValue: Value;
  if (constructorNode) {
    classValue = makeFunction(I, constructorNode, frame, instance, "constructor");
    classValue.fn!.classMethods = methods;
    classValue.fn!.superClass = parent;
    for (const [key, value] of statics) classValue.object!.props.set(key, value);
  } else {
    // A class without a constructor: an object standing for the class (`new` copies the instance template).
    classValue = { object: { props: statics } };
  }
  classValue.classInstance = instance;
  classValue.superClass = parent;
  if (fieldNodes.length > 0) {
    classValue.fields = { nodes: fieldNodes, keys: fieldKeys, frame };
    // The shared instance seen by methods analysed on their own gets the fields too; the
    // fields run only when an instance is made, so these facts are "call" time at most.
    initFields(I, classValue, instance, { ...frame, trigger: laterTrigger(frame.trigger) }, false);
  }
  runDecorators(I, node, classValue, instance, decorated, frame);
  return classValue;
}

/** Methods an instance of this class (or constructor function) starts with. */
function instanceTemplate(cls: Value): Map<string, Value> | undefined {
  return cls.classInstance?.object?.props ?? cls.object?.props.get("prototype")?.object?.props;
}

/** Instance fields of a class and its ancestors, evaluated with `this` = the instance. */
export function initFields(I: Interpreter, cls: Value, instance: Value, frame: Frame, withParents = true, depth = 0): void {
  if (withParents && cls.superClass && depth < MAX_SUPER_CHAIN) initFields(I, cls.superClass, instance, frame, true, depth + 1);
  const fields = cls.fields;
  if (!fields || !instance.object) return;
  const fieldFrame: Frame = { ...fields.frame, trigger: frame.trigger, thisValue: instance, conditional: 0, inherited: frame.inherited + frame.conditional };
  fields.nodes.forEach((field, index) => {
    const key = fields.keys[index];
    const value = field.value ? I.evalExpr(field.value, fieldFrame) : constant(undefined);
    if (key !== undefined) instance.object!.props.set(key, value);
  });
}

/** `new C(...)` of a class without its own constructor: the parent's constructor gets the arguments. */
export function constructImplicit(I: Interpreter, cls: Value, instance: Value, args: Value[], node: Node, frame: Frame): void {
  let ancestor = cls.superClass;
  for (let depth = 0; ancestor && depth < MAX_SUPER_CHAIN; depth++) {
    if (ancestor.fn) {
      callFunction(I, ancestor, instance, args, node, frame);
      return;
    }
    ancestor = ancestor.superClass;
  }
}

/** `super(...)` inside a constructor: the nearest ancestor constructor runs on the same `this`. */
export function superCall(I: Interpreter, args: Value[], node: Node, frame: Frame): Value {
  const parent = frame.superClass;
  if (!parent) return UNKNOWN;
  if (parent.fn) callFunction(I, parent, frame.thisValue, args, node, frame);
  else constructImplicit(I, parent, frame.thisValue, args, node, frame);
  return UNKNOWN;
}

/** `super` as an object (`super.send(x)`): the parent's methods. */
export function superObject(frame: Frame): Value {
  const template = frame.superClass ? instanceTemplate(frame.superClass) : undefined;
  return template ? { object: { props: template } } : UNKNOWN;
}

/**
 * Decorators run once, when the class is defined: member decorators get (prototype, name,
 * descriptor), class decorators get the class. Their return values are not used.
 */
function runDecorators(
  I: Interpreter,
  node: Node,
  classValue: Value,
  instance: Value,
  decorated: { decorators: Node[]; key: string | undefined; isStatic: boolean }[],
  frame: Frame,
): void {
  for (const { decorators, key, isStatic } of decorated) {
    for (const decorator of [...decorators].reverse()) {
      const fn = I.evalExpr(decorator.expression, frame);
      if (fn.fn) callFunction(I, fn, UNKNOWN, [isStatic ? classValue : instance, key === undefined ? UNKNOWN : constant(key), newObject()], decorator, frame);
    }
  }
  for (const decorator of [...((node.decorators ?? []) as Node[])].reverse()) {
    const fn = I.evalExpr(decorator.expression, frame);
    if (fn.fn) callFunction(I, fn, UNKNOWN, [classValue], decorator, frame);
  }
}
