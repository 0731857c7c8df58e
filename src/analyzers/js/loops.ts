// Loops (for, while, do-while, for-in/of): run concretely while the condition folds, else abstractly twice; kept apart from interpreter.ts's other statements.
import type { Node } from "./ast.js";
import { BREAK, NORMAL, RETURN, type Completion, type Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { elementOf, iterationItems } from "./operators.js";
import { Scope } from "./scope.js";
import { truthiness } from "./values.js";

const MAX_CONCRETE_ITERATIONS = 600;

export function execLoop(ip: Interpreter, node: Node, frame: Frame): Completion {
  const saved = frame.scope;
  frame.scope = new Scope(saved, false);
  try {
    if (node.type === "ForStatement" && node.init) {
      if (node.init.type === "VariableDeclaration") ip.execStatement(node.init, frame);
      else ip.evalExpr(node.init, frame);
    }
    if (node.type === "ForInStatement" || node.type === "ForOfStatement") return execForEach(ip, node, frame);
    // Concrete iterations while the condition is known (string-array rotation, decoding loops).
    if (frame.conditional === 0 || node.type === "DoWhileStatement") {
      ip.concreteLoops++;
      try {
        const outcome = runConcrete(ip, node, frame);
        if (outcome === RETURN) return RETURN;
        if (outcome === "done") return NORMAL;
      } finally {
        ip.concreteLoops--;
      }
    }
    // Abstract: run the body twice with joined assignments (taint carried by the loop).
    frame.conditional++;
    for (let pass = 0; pass < 2; pass++) {
      if (node.test) ip.evalExpr(node.test, frame);
      ip.execStatement(node.body, frame);
      if (node.update) ip.evalExpr(node.update, frame);
    }
    frame.conditional--;
    return NORMAL;
  } finally {
    frame.scope = saved;
  }
}

/** Iterate while the loop condition folds to true; RETURN/BREAK when the loop is done, NORMAL to go on abstractly. */
function runConcrete(ip: Interpreter, node: Node, frame: Frame): Completion | "done" {
  for (let i = 0; i < MAX_CONCRETE_ITERATIONS; i++) {
    const test = node.type === "DoWhileStatement" && i === 0 ? true : node.test ? truthiness(ip.evalExpr(node.test, frame)) : true;
    if (test === false) return "done";
    if (test === undefined) return NORMAL;
    const before = ip.unknownBranches;
    const completion = ip.execStatement(node.body, frame);
    if (completion === RETURN) return RETURN;
    if (completion === BREAK) return "done";
    if (node.update) ip.evalExpr(node.update, frame);
    if (ip.unknownBranches !== before) return NORMAL;
  }
  return NORMAL;
}

function execForEach(ip: Interpreter, node: Node, frame: Frame): Completion {
  const iterable = ip.evalExpr(node.right, frame);
  const target: Node = node.left.type === "VariableDeclaration" ? node.left.declarations[0].id : node.left;
  const declare = node.left.type === "VariableDeclaration";
  const items = iterationItems(iterable, node.type === "ForInStatement");
  if (items && frame.conditional === 0 && items.length <= MAX_CONCRETE_ITERATIONS) {
    ip.concreteLoops++;
    try {
      let finished = true;
      for (const item of items) {
        const before = ip.unknownBranches;
        ip.bindPattern(target, item, frame, declare);
        const completion = ip.execStatement(node.body, frame);
        if (completion === RETURN) return RETURN;
        if (completion === BREAK) return NORMAL;
        // A branch not known: every item still runs (a finite list), and the loop runs abstractly too.
        if (ip.unknownBranches !== before) finished = false;
      }
      if (finished) return NORMAL;
    } finally {
      ip.concreteLoops--;
    }
  }
  const element = elementOf(iterable, node.type === "ForInStatement");
  frame.conditional++;
  for (let pass = 0; pass < 2; pass++) {
    ip.bindPattern(target, element, frame, declare);
    ip.execStatement(node.body, frame);
  }
  // Values pushed on a path that may not have run (ObjectData.maybe): each may be an item.
  for (const possible of node.type === "ForOfStatement" ? (iterable.object?.maybe ?? []) : []) {
    ip.bindPattern(target, possible, frame, declare);
    ip.execStatement(node.body, frame);
  }
  frame.conditional--;
  return NORMAL;
}
