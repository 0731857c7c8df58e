// Code built at run time: eval, Function, vm, setTimeout(string), node -e. A folded
// string is parsed and analysed as code of the same package (a virtual unit whose
// facts are reported at the line that runs it); each execution is an obfuscation fact.
import type { Location } from "../../core/types.js";
import type { Node } from "./ast.js";
import { makeFunction, type Call } from "./calls.js";
import type { Frame, Unit } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { parseSnippet } from "./parse.js";
import { Scope } from "./scope.js";
import { UNKNOWN, patternOf, stringOf, type Value } from "./values.js";

const MAX_EVAL_DEPTH = 4;
const MAX_SNIPPET_CHARS = 2 * 1024 * 1024;

function describe(code: string): string {
  const oneLine = code.replace(/\s+/g, " ").trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}

/** eval(code) / vm.runIn…(code) / setTimeout(code). */
export function evalCode(I: Interpreter, code: Value, call: Call, mode: "eval" | "global"): Value {
  const { frame, node } = call;
  const text = code.bytes ? code.bytes.toString("utf8") : stringOf(code);
  const location = I.location(node, frame);
  if (text === undefined) {
    I.collector.addObfuscation({ technique: "eval-dynamic", location, note: "runs code that could not be decoded statically", trigger: frame.trigger, executed: true });
    return UNKNOWN;
  }
  // A literal is still analysed as code, but running it hides nothing: not obfuscation.
  if (code.decoded || code.built) {
    I.collector.addObfuscation({ technique: "eval-decoded", location, note: `runs decoded code: ${describe(text)}`, trigger: frame.trigger, executed: true });
  }
  const ast = parseDecoded(I, text, location, frame);
  if (!ast) return UNKNOWN;
  const unit = virtualUnit(I, frame.unit, ast, location, mode === "eval" ? frame.scope : new Scope(undefined, true));
  const inner: Frame = { ...frame, unit, scope: unit.scope, evalDepth: frame.evalDepth + 1 };
  I.execStatements(ast.body as Node[], inner);
  return UNKNOWN;
}

/** Function(a, b, body) / new Function(body): a function whose body is the decoded string. */
export function makeDynamicFunction(I: Interpreter, call: Call): Value {
  const { frame, node } = call;
  const location = I.location(node, frame);
  const parts = call.args.map((a) => stringOf(a));
  const body = parts[parts.length - 1];
  if (call.args.length === 0) return UNKNOWN;
  if (body === undefined || parts.some((p) => p === undefined)) {
    I.collector.addObfuscation({ technique: "eval-dynamic", location, note: `Function() of code that could not be decoded: ${patternOf(call.args[call.args.length - 1]!)}`.slice(0, 120), trigger: frame.trigger, executed: true });
    return UNKNOWN;
  }
  const decoded = call.args[call.args.length - 1]!;
  if (decoded.decoded || decoded.built) {
    I.collector.addObfuscation({ technique: "eval-decoded", location, note: `builds a function from decoded code: ${describe(body)}`, trigger: frame.trigger, executed: true });
  }
  const params = parts.slice(0, -1).join(",");
  const ast = parseDecoded(I, `(function anonymous(${params}\n) {\n${body}\n})`, location, frame);
  if (!ast) return UNKNOWN;
  const statement = (ast.body as Node[])[0];
  let expression: Node | undefined = statement?.expression;
  while (expression && expression.type === "ParenthesizedExpression") expression = expression.expression;
  if (!expression || expression.type !== "FunctionExpression") return UNKNOWN;
  const unit = virtualUnit(I, frame.unit, ast, location, new Scope(undefined, true));
  return makeFunction(I, expression, { ...frame, unit, scope: unit.scope, evalDepth: frame.evalDepth + 1 });
}

/** Inline code of `node -e "…"` (npm script or a child process): runs as a program of the package. */
export function runSnippet(I: Interpreter, code: string, node: Node | undefined, frame: Frame, label: string, at?: Location): void {
  const location = at ?? I.location(node!, frame);
  const ast = parseDecoded(I, code, location, frame, label);
  if (!ast) return;
  const unit = virtualUnit(I, frame.unit, ast, location, new Scope(undefined, true));
  const inner: Frame = { ...frame, unit, scope: unit.scope, evalDepth: frame.evalDepth + 1, conditional: 0 };
  I.execStatements(ast.body as Node[], inner);
}

function parseDecoded(I: Interpreter, text: string, location: Location, frame: Frame, label = "eval"): Node | undefined {
  if (frame.evalDepth >= MAX_EVAL_DEPTH || text.length > MAX_SNIPPET_CHARS) return undefined;
  const ast = parseSnippet(text);
  if (!ast) {
    I.collector.parseProblems.push({ file: `${location.file}#${label}@${location.line}`, message: `could not parse code run by ${label}: ${describe(text)}` });
  }
  return ast;
}

function virtualUnit(I: Interpreter, parent: Unit, ast: Node, location: Location, scope: Scope): Unit {
  const unit: Unit = {
    id: I.units.length,
    file: parent.file,
    override: location,
    ast,
    scope,
    module: parent.module,
    sshAware: parent.sshAware,
  };
  I.units.push(unit);
  return unit;
}
