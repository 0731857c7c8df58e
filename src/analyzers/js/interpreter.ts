// The abstract interpreter: runs statements and expressions over abstract values,
// folding constants and carrying taint. Calls live in calls.ts, loops in loops.ts, APIs in
// sources.ts, sinks.ts, builtins.ts. It never runs package code: it only reads the AST.
import type { Location } from "../../core/types.js";
import type { FlowStep, Trigger } from "../facts.js";
import { hostOf, type Signatures } from "../../rules/signatures.js";
import { lineStartsOf, positionOf, type Node } from "./ast.js";
import { BranchWrites } from "./branches.js";
import { BundleModel } from "./bundles.js";
import { invokeCallback, makeFunction, type Call } from "./calls.js";
import { runSnippet, settledAsCode } from "./dynamic-code.js";
import type { FactCollector } from "./collector.js";
import { evalClass, evalExpression, evalIdentifier } from "./expressions.js";
import { BREAK, CONTINUE, NORMAL, RETURN, type Completion, type Frame, type Unit } from "./frame.js";
import { indicatorsIn } from "../common/indicators.js";
import { execLoop } from "./loops.js";
import { assignName, bindPattern, getMember, memberKey, setMember } from "./members.js";
import { CallMemo } from "./memo.js";
import { collectPatternNames, exportName } from "./operators.js";
import { Scope } from "./scope.js";
import { UNKNOWN, constant, deepTaint, join, newObject, truthiness, type Taint, type Value } from "./values.js";
import { WrittenFiles } from "./written-files.js";

const MAX_NESTING = 1200;
/** Dotted words rooted in these JS globals are property paths (`window.top`, `console.info`), not hosts. */
const JS_IDENTIFIER_ROOTS: ReadonlySet<string> = new Set(["window", "self", "document", "this", "parent", "module", "exports", "process", "console"]);

export class BudgetExceeded extends Error {}

/** Steps the interpreter may take: package-wide, and per analysis pass. */
export class Budget {
  remaining: number;
  passRemaining = Infinity;
  exhausted = false;
  constructor(total: number) {
    this.remaining = total;
  }
  spend(): void {
    if (--this.remaining < 0 || --this.passRemaining < 0) {
      if (this.remaining < 0) this.exhausted = true;
      throw new BudgetExceeded();
    }
  }
}

export interface ModuleLoader {
  /** require()/import of a specifier from a unit: exports of a package file, or a module reference. */
  require(from: Unit, specifier: string, frame: Frame): Value;
  /** A node file run as a program (fork, child node process). */
  runFile(from: Unit, path: string, frame: Frame): void;
  /** The text of a file of the package (a shell script a command runs), by its path relative to the package or to `from`. */
  packageText(from: Unit | undefined, path: string): { file: string; text: string } | undefined;
  /** A package file run as a worker thread's code: a fresh top level (a worker has its own module cache), not the cached module. */
  runWorker(from: Unit, path: string, frame: Frame): void;
}

export class Interpreter {
  private nesting = 0;
  /** Every function value's first closure, in creation order: analysed on its own afterwards. */
  readonly functions = new Map<Node, { fn: Value; unit: Unit }>();
  /** Strongest trigger under which a function was called but not inlined. */
  readonly reached = new Map<Node, Trigger>();
  readonly units: Unit[] = [];
  loader!: ModuleLoader;
  /** Counts branches taken without knowing the condition (ends concrete loop runs). */
  unknownBranches = 0;
  /** Concrete loops being run: their state changes between iterations, so no call memoisation. */
  concreteLoops = 0;
  /** Functions inlined at least once (they need no separate run with unknown arguments). */
  readonly executed = new Set<Node>();
  readonly memo = new CallMemo();
  /** Shell variables holding a credential read, per script file (`K=$(cat ~/.ssh/id_rsa)`; shell-calls.ts). */
  readonly shellVariables = new Map<string, Map<string, Taint[]>>();
  /** What both paths of an undecided condition assign (branches.ts). */
  readonly branches = new BranchWrites();
  /** Module factories of bundles (webpack, browserify, esbuild): each runs like a file of its own. */
  readonly bundles = new BundleModel();
  /** Files the package writes: their known text and the credential data written to them. */
  readonly written = new WrittenFiles();
  /**
   * Listeners a module's top level registers for the app's requests (webRequest, DevTools
   * events): they fire after the module has run, so they run again then and see what the
   * rest of the module defined (`var handlers = {…}` below the registration).
   */
  readonly afterTopLevel: (() => void)[] = [];
  /**
   * Callbacks a module hands to setInterval: they keep running while the package is used, so
   * they run again after its functions were analysed on their own and see what those left in
   * module state (a queue an exported API fills and the timer drains).
   */
  readonly recurring: { callback: Value; args: Value[]; node: Node; unit: Unit }[] = [];
  /** `workerData` of the worker_threads Worker whose code is being run (innermost last). */
  readonly workerData: Value[] = [];
  /**
   * Callbacks an API calls once the current statement is done (a connection's connect or
   * response callback): `const s = tls.connect(o, () => s.write(d))` runs the arrow after `s`
   * is bound. Run at the end of the innermost statement that queued them (see execStatement).
   */
  readonly afterStatement: (() => void)[] = [];
  /** How often and how expensively each function was inlined. */
  readonly inlineStats = new Map<Node, { count: number; steps: number; triggers: Set<Trigger> }>();

  constructor(
    readonly signatures: Signatures,
    readonly collector: FactCollector,
    readonly budget: Budget,
  ) {}

  // ---- locations ----------------------------------------------------------------

  location(node: Node, frame: Frame): Location {
    const unit = frame.unit;
    if (unit.override) return unit.override;
    if (!unit.lineStarts && unit.text !== undefined) unit.lineStarts = lineStartsOf(unit.text);
    return { file: unit.file, ...positionOf(node, unit.lineStarts) };
  }

  step(node: Node, frame: Frame, note: string): FlowStep {
    return { ...this.location(node, frame), note };
  }

  /** Hosts already reported from a literal: a string built from that literal is not a new indicator. */
  private readonly literalHosts = new Set<string>();

  noteString(text: string, node: Node, frame: Frame, literal = false): void {
    if (text.length < 4 || text.length > 100_000) return;
    for (const value of indicatorsIn(text, { tlds: this.signatures.publicTlds, identifierRoots: JS_IDENTIFIER_ROOTS })) {
      const host = hostOf(value) ?? value;
      if (literal) this.literalHosts.add(host);
      else if (this.literalHosts.has(host)) continue;
      this.collector.addIndicator({ value, location: this.location(node, frame) });
    }
  }

  // ---- statements -----------------------------------------------------------------

  /** Run a statement list in the frame's current scope (function declarations hoisted first). */
  execStatements(statements: Node[], frame: Frame): Completion {
    for (const statement of statements) {
      const declaration = statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration" ? statement.declaration : statement;
      if (declaration?.type === "FunctionDeclaration" && declaration.id) {
        frame.scope.declare(declaration.id.name, makeFunction(this, declaration, frame), frame, frame.conditional);
      }
    }
    for (const statement of statements) {
      const completion = this.execStatement(statement, frame);
      if (completion !== NORMAL) return completion;
    }
    return NORMAL;
  }

  execBlock(statements: Node[], frame: Frame): Completion {
    const saved = frame.scope;
    frame.scope = new Scope(saved, false);
    try {
      return this.execStatements(statements, frame);
    } finally {
      frame.scope = saved;
    }
  }

  execStatement(node: Node, frame: Frame): Completion {
    this.budget.spend();
    if (++this.nesting > MAX_NESTING) {
      this.nesting--;
      return NORMAL;
    }
    const queued = this.afterStatement.length;
    let completion: Completion;
    try {
      completion = this.execInner(node, frame);
    } finally {
      this.nesting--;
    }
    this.runAfterStatement(queued);
    return completion;
  }

  /** Run the callbacks queued since `queued` (they may queue more). */
  runAfterStatement(queued: number): void {
    while (this.afterStatement.length > queued) for (const job of this.afterStatement.splice(queued)) job();
  }

  private execInner(node: Node, frame: Frame): Completion {
    switch (node.type) {
      case "ExpressionStatement":
        this.evalExpr(node.expression, frame);
        return NORMAL;
      case "VariableDeclaration":
        for (const declarator of node.declarations as Node[]) {
          if (declarator.init?.type === "ArrayExpression" && declarator.id.type === "Identifier") this.noteStringArray(declarator, frame);
          const hoisted = node.kind === "var" && !frame.scope.isFunctionScope;
          // `var x;` again (a loop body) keeps the value; `var` in a block belongs to the function.
          if (!declarator.init && hoisted && declarator.id.type === "Identifier" && frame.scope.functionScope().lookup(declarator.id.name)) continue;
          const value = declarator.init ? this.evalExpr(declarator.init, frame) : constant(undefined);
          if (!hoisted) this.bindPattern(declarator.id, value, frame, true);
          else {
            const blockScope = frame.scope;
            frame.scope = blockScope.functionScope();
            try {
              this.bindPattern(declarator.id, value, frame, true);
            } finally {
              frame.scope = blockScope;
            }
          }
        }
        return NORMAL;
      case "FunctionDeclaration":
        return NORMAL; // hoisted
      case "ClassDeclaration":
        if (node.id) frame.scope.declare(node.id.name, this.evalExpr(node, frame), frame, frame.conditional);
        return NORMAL;
      case "ReturnStatement": {
        const value = node.argument ? this.evalExpr(node.argument, frame) : constant(undefined);
        frame.returned = frame.returned ? join(frame.returned, value) : value;
        return RETURN;
      }
      case "IfStatement":
        return this.execIf(node, frame);
      case "BlockStatement":
      case "StaticBlock":
        return this.execBlock(node.body, frame);
      case "ForStatement":
      case "WhileStatement":
      case "DoWhileStatement":
      case "ForInStatement":
      case "ForOfStatement":
        return execLoop(this, node, frame);
      case "TryStatement": {
        const completion = this.execBlock(node.block.body, frame);
        if (node.handler) {
          frame.conditional++;
          this.unknownBranchesHold(() => {
            const saved = frame.scope;
            frame.scope = new Scope(saved, false);
            if (node.handler.param) this.bindPattern(node.handler.param, UNKNOWN, frame, true);
            this.execStatements(node.handler.body.body, frame);
            frame.scope = saved;
          });
          frame.conditional--;
        }
        if (node.finalizer) this.execBlock(node.finalizer.body, frame);
        return completion === RETURN && !node.handler ? RETURN : completion === BREAK ? BREAK : completion === RETURN ? RETURN : NORMAL;
      }
      case "SwitchStatement": {
        const discriminant = this.evalExpr(node.discriminant, frame);
        frame.conditional++;
        this.unknownBranches++;
        for (const switchCase of node.cases as Node[]) {
          if (switchCase.test) this.evalExpr(switchCase.test, frame);
          this.execBlock(switchCase.consequent, frame);
        }
        frame.conditional--;
        void discriminant;
        return NORMAL;
      }
      case "LabeledStatement":
        return this.execStatement(node.body, frame);
      case "ThrowStatement":
        this.evalExpr(node.argument, frame);
        return frame.conditional === 0 ? RETURN : NORMAL;
      case "BreakStatement":
        return BREAK;
      case "ContinueStatement":
        return CONTINUE;
      case "ExportNamedDeclaration":
        return this.execExportNamed(node, frame);
      case "ExportDefaultDeclaration": {
        const declaration = node.declaration as Node;
        let value: Value;
        if (declaration.type === "FunctionDeclaration") {
          value = declaration.id ? (frame.scope.lookup(declaration.id.name)?.value ?? makeFunction(this, declaration, frame)) : makeFunction(this, declaration, frame);
        } else {
          value = this.evalExpr(declaration, frame);
          if (declaration.type === "ClassDeclaration" && declaration.id) frame.scope.declare(declaration.id.name, value, frame, 0);
        }
        this.setExport(frame.unit, "default", value);
        return NORMAL;
      }
      case "ExportAllDeclaration": {
        const source = this.loader.require(frame.unit, node.source.value, frame);
        if (node.exported) this.setExport(frame.unit, exportName(node.exported), source);
        else for (const [key, value] of source.object?.props ?? []) if (key !== "default") this.setExport(frame.unit, key, value);
        return NORMAL;
      }
      case "ImportDeclaration":
        this.execImport(node, frame);
        return NORMAL;
      case "EmptyStatement":
      case "DebuggerStatement":
        return NORMAL;
      case "WithStatement":
        this.evalExpr(node.object, frame);
        return this.execStatement(node.body, frame);
      default:
        if (/^(TS|Declare|Interface|TypeAlias|Opaque|Enum)/.test(node.type) && node.type !== "TSExportAssignment") {
          return NORMAL;
        }
        if (node.type === "TSExportAssignment") {
          this.exportsObject(frame.unit).props;
          frame.unit.module.object!.props.set("exports", this.evalExpr(node.expression, frame));
          return NORMAL;
        }
        if (node.type.endsWith("Statement") || node.type.endsWith("Declaration")) return NORMAL;
        this.evalExpr(node, frame);
        return NORMAL;
    }
  }

  /** An obfuscator's string table: `const _0x3f2a = ['log', 'https://…', …]`. */
  private noteStringArray(declarator: Node, frame: Frame): void {
    const elements = declarator.init.elements as (Node | null)[];
    if (elements.length < 3 || !/^_0x[0-9a-f]{2,}$/i.test(declarator.id.name)) return;
    if (!elements.every((e) => e?.type === "Literal" && typeof e.value === "string")) return;
    this.collector.addObfuscation({
      technique: "string-array",
      location: this.location(declarator, frame),
      note: `string table ${declarator.id.name} of ${elements.length} entries, read through index helpers`,
      trigger: frame.trigger,
      executed: false,
    });
  }

  /** Run `body` counting its unknown branches as ours only (try/catch is not a real branch). */
  private unknownBranchesHold(body: () => void): void {
    const before = this.unknownBranches;
    body();
    this.unknownBranches = before;
  }

  private execIf(node: Node, frame: Frame): Completion {
    const test = truthiness(this.evalExpr(node.test, frame));
    if (test === true) return this.execStatement(node.consequent, frame);
    if (test === false) return node.alternate ? this.execStatement(node.alternate, frame) : NORMAL;
    this.unknownBranches++;
    frame.conditional++;
    const [a, b] = node.alternate
      ? this.branches.both(() => this.execStatement(node.consequent, frame), () => this.execStatement(node.alternate, frame))
      : [this.execStatement(node.consequent, frame), NORMAL];
    frame.conditional--;
    return a === RETURN && b === RETURN ? RETURN : NORMAL;
  }

  private execExportNamed(node: Node, frame: Frame): Completion {
    const unit = frame.unit;
    if (node.declaration) {
      const declaration = node.declaration as Node;
      this.execStatement(declaration, frame);
      const names: string[] = [];
      if (declaration.type === "VariableDeclaration") {
        for (const d of declaration.declarations as Node[]) collectPatternNames(d.id, names);
      } else if (declaration.id?.name) names.push(declaration.id.name);
      for (const name of names) this.setExport(unit, name, frame.scope.lookup(name)?.value ?? UNKNOWN);
      return NORMAL;
    }
    const source = node.source ? this.loader.require(unit, node.source.value, frame) : undefined;
    for (const specifier of (node.specifiers ?? []) as Node[]) {
      const local = exportName(specifier.local ?? specifier.exported);
      const exported = exportName(specifier.exported);
      let value: Value;
      if (specifier.type === "ExportNamespaceSpecifier") value = source ?? UNKNOWN;
      else if (source) value = this.getMember(source, local, specifier, frame);
      else value = frame.scope.lookup(local)?.value ?? UNKNOWN;
      this.setExport(unit, exported, value);
    }
    return NORMAL;
  }

  private execImport(node: Node, frame: Frame): void {
    const module = this.loader.require(frame.unit, node.source.value, frame);
    for (const specifier of (node.specifiers ?? []) as Node[]) {
      let value: Value;
      if (specifier.type === "ImportNamespaceSpecifier") value = module;
      else if (specifier.type === "ImportDefaultSpecifier") {
        // CommonJS modules imported by default give module.exports itself.
        const explicit = module.object?.props.get("default");
        value = explicit ?? module;
      } else value = this.getMember(module, exportName(specifier.imported), specifier, frame);
      frame.scope.declare(specifier.local.name, value, frame, frame.conditional);
    }
  }

  exportsObject(unit: Unit): { props: Map<string, Value> } {
    const exportsValue = unit.module.object!.props.get("exports");
    if (!exportsValue?.object) {
      const fresh = newObject();
      unit.module.object!.props.set("exports", fresh);
      return fresh.object!;
    }
    return exportsValue.object;
  }

  private setExport(unit: Unit, name: string, value: Value): void {
    this.exportsObject(unit).props.set(name, value);
  }

  // ---- patterns, members, expressions (members.ts, expressions.ts) ----------------------

  bindPattern(pattern: Node, value: Value, frame: Frame, declare: boolean): void {
    bindPattern(this, pattern, value, frame, declare);
  }

  assignName(name: string, value: Value, frame: Frame, declare: boolean): void {
    assignName(this, name, value, frame, declare);
  }

  memberKey(member: Node, frame: Frame): string | undefined {
    return memberKey(this, member, frame);
  }

  getMember(object: Value, key: string | undefined, node: Node, frame: Frame): Value {
    return getMember(this, object, key, node, frame);
  }

  setMember(object: Value, key: string | undefined, value: Value, frame: Frame): void {
    setMember(this, object, key, value, frame);
  }

  evalIdentifier(name: string, frame: Frame): Value {
    return evalIdentifier(this, name, frame);
  }

  evalClass(node: Node, frame: Frame): Value {
    return evalClass(this, node, frame);
  }

  // ---- what the library models receive (sources.ts, sinks.ts, shell-calls.ts never import calls.ts) ----

  /** Run a package function handed to a library API (a callback) with the arguments the library gives it. */
  invokeCallback(fnValue: Value, args: Value[], node: Node, frame: Frame, surelyRuns = false, thisValue?: Value): Value {
    return invokeCallback(this, fnValue, args, node, frame, surelyRuns, thisValue);
  }

  /** `.then(eval)`: run the settled value as code when `callback` is a built-in that runs code (dynamic-code.ts). */
  settledAsCode(callback: Value, settled: Value, call: Call): boolean {
    return settledAsCode(this, callback, settled, call);
  }

  /** Analyze JavaScript found in a string (`node -e <code>`) as code of the package. */
  runSnippet(code: string, node: Node | undefined, frame: Frame, label: string, at?: Location): void {
    runSnippet(this, code, node, frame, label, at);
  }

  // ---- expressions ----------------------------------------------------------------------

  evalExpr(node: Node, frame: Frame): Value {
    this.budget.spend();
    if (++this.nesting > MAX_NESTING) {
      this.nesting--;
      return UNKNOWN;
    }
    try {
      return evalExpression(this, node, frame);
    } finally {
      this.nesting--;
    }
  }

  realizeTaint(value: Value, node: Node, frame: Frame, note: string): Value["taint"] {
    const taint = deepTaint(value);
    if (!taint) return undefined;
    return taint.map((t) => {
      if (!t.latent) return t;
      const source = this.collector.addSource({ ...t.source, trigger: frame.trigger });
      return { key: t.key, source, steps: [...t.steps, this.step(node, frame, note)] };
    });
  }
}
