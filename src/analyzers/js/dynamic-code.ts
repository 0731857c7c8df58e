// Code built at run time: eval, Function, vm, setTimeout(string), node -e. A folded
// string is parsed and analysed as code of the same package (a virtual unit whose
// facts are reported at the line that runs it); each execution is an obfuscation fact.
import { DECODE_CAP_BYTES, OVER_DECODE_CAP } from "../budget.js";
import type { Location } from "../../core/types.js";
import type { ObfuscationFact } from "../facts.js";
import type { Node } from "./ast.js";
import { makeFunction, type Call } from "./calls.js";
import type { Frame, Unit } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { parseSnippet } from "./parse.js";
import { runFetchedCode } from "./downloads.js";
import { isPartialCode, parsePartial, type PartialCode } from "./partial-code.js";
import { Scope } from "./scope.js";
import { HOLE, UNKNOWN, deepTaint, isFetched, isString, mergeTaints, patternOf, stringOf, unknownWith, type Value } from "./values.js";

const MAX_EVAL_DEPTH = 4;
const MAX_SNIPPET_CHARS = 2 * 1024 * 1024;

/** What a call's callee is called, for a finding's note (`eval`, `vm.runInNewContext`, `setTimeout`). */
function calleeName(node: Node): string {
  const callee = node.callee as Node | undefined;
  if (callee?.type === "Identifier") return callee.name as string;
  if (callee?.type === "MemberExpression" && !callee.computed && (callee.property as Node).type === "Identifier") {
    const object = callee.object as Node;
    return `${object.type === "Identifier" ? `${object.name as string}.` : ""}${(callee.property as Node).name as string}`;
  }
  return "eval";
}

function describe(code: string): string {
  const oneLine = code.replace(/\s+/g, " ").trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}

/**
 * `.then(eval)`, `.then(vm.runInThisContext)`: the settled value is run as code (an indirect,
 * global eval). True when `callback` is such a built-in.
 */
export function settledAsCode(I: Interpreter, callback: Value, settled: Value, call: Call): boolean {
  const ref = callback.ref;
  if (!ref || callback.fn) return false;
  const name = ref.path.join(".");
  if (!(ref.global ? name === "eval" : ref.module === "vm" && /^runIn(This|New)?Context$/.test(name))) return false;
  evalCode(I, settled, call, "global", `.then(${ref.global ? "" : "vm."}${name})`);
  return true;
}

/** eval(code) / vm.runIn…(code) / setTimeout(code). */
export function evalCode(I: Interpreter, code: Value, call: Call, mode: "eval" | "global", how?: string): Value {
  const { frame, node } = call;
  const text = code.bytes ? code.bytes.toString("utf8") : stringOf(code);
  const location = I.location(node, frame);
  if (text === undefined) {
    const partial = isPartialCode(code) ? partialProgram(I, [code], (texts) => texts[0]!, { location, frame }, "runs") : undefined;
    if (partial) {
      const scope = mode === "eval" ? frame.scope : new Scope(undefined, true);
      const unit = virtualUnit(I, frame.unit, partial.ast, location, scope);
      bindHoles(partial, scope, code);
      I.execStatements(partial.ast.body as Node[], { ...frame, unit, scope, evalDepth: frame.evalDepth + 1 });
      return UNKNOWN;
    }
    const sealed = !carriesCredential(code) && (mode === "global" || !scopeHoldsCredential(frame));
    I.collector.addObfuscation({ technique: "eval-dynamic", location, note: "runs code that could not be decoded statically", trigger: frame.trigger, executed: true, ...(sealed ? { sealed } : {}) });
    runFetchedCode(I, [code], how ?? `${calleeName(node)}()`, location, frame.trigger);
    return UNKNOWN;
  }
  // A literal is still analysed as code, but running it hides nothing: not obfuscation.
  if (code.decoded || code.built) {
    I.collector.addObfuscation({ technique: "eval-decoded", location, note: `runs decoded code: ${describe(text)}`, trigger: frame.trigger, executed: true });
  }
  let ast = parseDecoded(I, text, location, frame);
  if (!ast) return UNKNOWN;
  let unit = virtualUnit(I, frame.unit, ast, location, mode === "eval" ? frame.scope : new Scope(undefined, true));
  // A layer that only evals the next one (`eval(Buffer.from("…", "base64").toString())`, dozens
  // deep) is peeled here rather than nested: only layers holding other code count toward MAX_EVAL_DEPTH.
  for (let peeled = 0; peeled < MAX_PEELED_LAYERS; peeled++) {
    const next = loneEvalArgument(ast!);
    const layer = next ? stringOf(I.evalExpr(next, { ...frame, unit, scope: unit.scope })) : undefined;
    if (layer === undefined) break;
    ast = parseDecoded(I, layer, location, frame);
    if (!ast) return UNKNOWN;
    unit = virtualUnit(I, frame.unit, ast, location, unit.scope);
  }
  const inner: Frame = { ...frame, unit, scope: unit.scope, evalDepth: frame.evalDepth + 1 };
  const body = ast.body as Node[];
  const last = body[body.length - 1];
  if (last?.type !== "ExpressionStatement") {
    I.execStatements(body, inner);
    return UNKNOWN;
  }
  // eval's value is its last expression's: `eval("require")("axios")` (ncc's external require) is require.
  I.execStatements(body.slice(0, -1), inner);
  return I.evalExpr(last.expression as Node, inner);
}

/** Layers of eval-only code peeled at one depth (a self-reproducing layer stops here). */
const MAX_PEELED_LAYERS = 100;

/** The argument of a program that is one statement, `eval(x)`, and nothing else. */
function loneEvalArgument(ast: Node): Node | undefined {
  const body = ast.body as Node[];
  const call = body.length === 1 && body[0]!.type === "ExpressionStatement" ? unparenthesized(body[0]!.expression) : undefined;
  const callee = call?.type === "CallExpression" ? unparenthesized(call.callee) : undefined;
  return callee?.type === "Identifier" && callee.name === "eval" && call!.arguments.length === 1 && call!.arguments[0].type !== "SpreadElement" ? call!.arguments[0] : undefined;
}

/** Function(a, b, body) / new Function(body): a function whose body is the decoded string. */
export function makeDynamicFunction(I: Interpreter, call: Call): Value {
  const { frame, node } = call;
  const location = I.location(node, frame);
  const parts = call.args.map((a) => stringOf(a));
  const body = parts[parts.length - 1];
  if (call.args.length === 0) return UNKNOWN;
  if (body === undefined || parts.some((p) => p === undefined)) {
    const last = call.args[call.args.length - 1]!;
    if (isString(last) || isPartialCode(last)) {
      const wrap = (texts: string[]): string => `(function anonymous(${texts.slice(0, -1).join(",")}\n) {\n${texts[texts.length - 1]}\n})`;
      const body = (ast: Node): Node[] => unparenthesized(ast.body[0]?.expression)?.body?.body;
      const partial = partialProgram(I, call.args, wrap, { location, frame }, "builds a function from", body);
      if (partial) return functionOf(I, partial.ast, location, frame, partial, call.args);
    }
    const sealed = !call.args.some(carriesCredential);
    const fact = I.collector.addObfuscation({ technique: "eval-dynamic", location, note: `Function() of code that could not be decoded: ${patternOf(call.args[call.args.length - 1]!)}`.slice(0, 120), trigger: frame.trigger, executed: true, ...(sealed ? { sealed } : {}) });
    runFetchedCode(I, call.args, "Function()", location, frame.trigger);
    // Called with a credential later, it is no longer sealed (see opaqueFunctionCalled).
    const opaque: Value = {};
    OPAQUE_FUNCTIONS.set(opaque, fact);
    return opaque;
  }
  const decoded = call.args[call.args.length - 1]!;
  if (decoded.decoded || decoded.built) {
    I.collector.addObfuscation({ technique: "eval-decoded", location, note: `builds a function from decoded code: ${describe(body)}`, trigger: frame.trigger, executed: true });
  }
  const params = parts.slice(0, -1).join(",");
  const ast = parseDecoded(I, `(function anonymous(${params}\n) {\n${body}\n})`, location, frame);
  if (!ast) return UNKNOWN;
  return functionOf(I, ast, location, frame);
}

/** The function expression of a parsed `(function anonymous(…) {…})`, closed over a fresh scope. */
function functionOf(I: Interpreter, ast: Node, location: Location, frame: Frame, partial?: PartialCode, pieces: Value[] = []): Value {
  const expression = unparenthesized((ast.body as Node[])[0]?.expression);
  if (!expression || expression.type !== "FunctionExpression") return UNKNOWN;
  const unit = virtualUnit(I, frame.unit, ast, location, new Scope(undefined, true));
  if (partial) bindHoles(partial, unit.scope, ...pieces);
  const made = makeFunction(I, expression, { ...frame, unit, scope: unit.scope, evalDepth: frame.evalDepth + 1 });
  // `Function('return this')()`: the code Function() builds is sloppy unless it says otherwise.
  if (!strictBody(expression)) made.fn!.globalThisWhenUnbound = true;
  return made;
}

function strictBody(fn: Node): boolean {
  const first = (fn.body?.body as Node[] | undefined)?.[0];
  return first?.type === "ExpressionStatement" && first.expression?.type === "Literal" && first.expression.value === "use strict";
}

function unparenthesized(node: Node | undefined): Node | undefined {
  let expression = node;
  while (expression && expression.type === "ParenthesizedExpression") expression = expression.expression;
  return expression;
}

/**
 * Partially known code that parses once its unknown parts are filled in: analysed like
 * decoded code, and an executed eval-decoded fact (the known parts were built at run time).
 */
function partialProgram(
  I: Interpreter,
  pieces: Value[],
  wrap: (texts: string[]) => string,
  at: { location: Location; frame: Frame },
  verb: string,
  statements?: (ast: Node) => Node[],
): PartialCode | undefined {
  const { frame, location } = at;
  if (frame.evalDepth >= MAX_EVAL_DEPTH || pieces.some((p) => skeletonLength(p) > MAX_SNIPPET_CHARS)) return undefined;
  const partial = parsePartial(pieces, wrap, statements);
  if (!partial) return undefined;
  // A literal body with unknown parameter names hides nothing (like a literal run as code).
  if (!pieces.some((p) => isPartialCode(p) || p.built || p.decoded)) return partial;
  const parts = partial.holeCount === 1 ? "1 unknown part" : `${partial.holeCount} unknown parts`;
  I.collector.addObfuscation({
    technique: "eval-decoded",
    location,
    note: `${verb} partially known code (${parts}): ${describe(partial.display)}`,
    trigger: frame.trigger,
    executed: true,
  });
  return partial;
}

function skeletonLength(value: Value): number {
  return value.pattern?.length ?? stringOf(value)?.length ?? 0;
}

/** The unknown parts read as values: unknown, with whatever taint the string carried. */
function bindHoles(partial: PartialCode, scope: Scope, ...pieces: Value[]): void {
  const taint = pieces.reduce<Value["taint"]>((t, p) => mergeTaints(t, deepTaint(p)), undefined);
  for (const name of partial.holes) scope.declare(name, unknownWith(taint));
}

/**
 * Inline code of `node -e "…"` (npm script or a child process): runs as a program of the
 * package. Code built at run time may hold unknown parts (HOLE): analysed as partial code.
 */
export function runSnippet(I: Interpreter, code: string, node: Node | undefined, frame: Frame, label: string, at?: Location): void {
  const location = at ?? I.location(node!, frame);
  let ast: Node | undefined;
  const scope = new Scope(undefined, true);
  if (code.includes(HOLE)) {
    const value: Value = { pattern: code };
    const partial = isPartialCode(value) ? partialProgram(I, [value], (texts) => texts[0]!, { location, frame }, `runs (${label})`) : undefined;
    if (!partial) {
      I.collector.addObfuscation({ technique: "eval-dynamic", location, note: `runs code that could not be decoded statically (${label})`, trigger: frame.trigger, executed: true });
      return;
    }
    ast = partial.ast;
    bindHoles(partial, scope, value);
  } else ast = parseDecoded(I, code, location, frame, label);
  if (!ast) return;
  const unit = virtualUnit(I, frame.unit, ast, location, scope);
  const inner: Frame = { ...frame, unit, scope: unit.scope, evalDepth: frame.evalDepth + 1, conditional: 0 };
  I.execStatements(ast.body as Node[], inner);
}

function parseDecoded(I: Interpreter, text: string, location: Location, frame: Frame, label = "eval"): Node | undefined {
  const bomb = text.includes(OVER_DECODE_CAP);
  if (frame.evalDepth >= MAX_EVAL_DEPTH || text.length > MAX_SNIPPET_CHARS || bomb) {
    const why =
      bomb ? `decompressed past ${DECODE_CAP_BYTES} bytes (a decompression bomb?)`
      : text.length > MAX_SNIPPET_CHARS ? `${text.length} characters, over the ${MAX_SNIPPET_CHARS}-character limit`
      : `nested more than ${MAX_EVAL_DEPTH} levels of ${label} deep`;
    I.collector.addParseProblem({ file: `${location.file}#${label}@${location.line}`, message: `code run by ${label} not analysed: ${why}`, trigger: frame.trigger, line: location.line });
    return undefined;
  }
  const ast = parseSnippet(text);
  if (!ast) {
    // One problem per location: the same code is often analysed more than once (inlined, then on its own).
    I.collector.addParseProblem({ file: `${location.file}#${label}@${location.line}`, message: `could not parse code run by ${label}: ${describe(text)}` });
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

// ---- can credential data reach code that could not be decoded? -------------------------

const OPAQUE_FUNCTIONS = new WeakMap<Value, ObfuscationFact>();

/** A call of a function built from undecodable code: its arguments reach that code. */
export function opaqueFunctionCalled(target: Value, args: Value[]): void {
  const fact = OPAQUE_FUNCTIONS.get(target);
  if (fact?.sealed && args.some(carriesCredential)) delete fact.sealed;
}

function carriesCredential(value: Value): boolean {
  return (deepTaint(value) ?? []).some((t) => !t.latent && !isFetched(t));
}

/** A direct eval sees the scope it runs in: a credential bound there can reach it. */
function scopeHoldsCredential(frame: Frame): boolean {
  let seen = 0;
  for (const value of frame.scope.visibleValues()) {
    if (carriesCredential(value)) return true;
    if (++seen > 20_000) return true;
  }
  return carriesCredential(frame.thisValue);
}
