// The abstract interpreter's state for one package: modules, function summaries,
// classes, and the fact collector. Statements/expressions/calls live in their own files.
import type { Parser } from "web-tree-sitter";
import type { FlowStep, ParseProblem, SourceKind } from "../facts.js";
import type { Signatures } from "../../rules/signatures.js";
import { field, namedChildren, textOf, type PyNode } from "./ast.js";
import { FactCollector, type FactRecord } from "./collector.js";
import { addRecord, copyFrame, location, makeFrame, stepAt, newRecordSink, type Frame, type ModuleState, type RecordSink, type Summary } from "./frame.js";
import { indicatorsIn } from "../common/indicators.js";
import { unknown, join, type ClassInfo, type FunctionInfo, type ParamInfo, type ScopeChain, type Taint, type Value } from "./model.js";
import { moduleNames } from "./modules.js";
import { resolvePackagePath } from "./package-files.js";
import { initPythonParser, parsePython } from "./parser.js";
import { execBlock } from "./statements.js";
import { callValue, execCode } from "./calls.js";
import type { CallArgs } from "./library.js";
import { parameterSourceKind } from "./sources.js";
import { isSecretParameterName } from "../../rules/signatures.js";
import { BUILD_HOOKS, isInstallCommandBase, isPythonEntry, type CodeUnit } from "./triggers.js";
import { callUserFunction, instantiate } from "./user-functions.js";
import { evalExpr } from "./expressions.js";
import { StagedFiles } from "./staging.js";
import { AnalysisBudgetExceeded, BUDGET_REASON, StepMeter, type AnalysisBudget } from "../budget.js";

const PASSES = 2;
const NO_INDICATORS: string[] = [];
/** Dotted words rooted in Python's conventional receivers are attribute paths (`self.app`), not hosts. */
const PY_IDENTIFIER_ROOTS: ReadonlySet<string> = new Set(["self", "cls"]);

export class Interpreter {
  readonly collector = new FactCollector();
  readonly problems: ParseProblem[] = [];
  /** Files written by the package's code, kept across passes. */
  readonly staged = new StagedFiles();
  readonly moduleFiles: Map<string, string>;
  private readonly units = new Map<string, CodeUnit>();
  private readonly trees = new Map<string, PyNode>();
  modules = new Map<string, ModuleState>();
  summaries = new Map<FunctionInfo, Summary | "running">();
  private functions: FunctionInfo[] = [];
  private seenFunctionNodes = new Set<PyNode>();
  private readonly classes = new Map<PyNode, ClassInfo>();
  private nextId = 1;
  /** Recursion guard for expression evaluation (deeply nested generated code). */
  depth = 0;
  filesAnalyzed = 0;
  /** A secret-named parameter was seen: fields it is stored in may be read by code analysed earlier. */
  private sawSecretParameter = false;
  /** Steps charged to the file being analysed (analysis budget, ../budget.ts). */
  readonly meter: StepMeter;
  /** Files whose analysis stopped at a budget (reported once each). */
  private readonly stopped = new Set<string>();
  /** Top levels run to their end in the first pass (the others are reported when the package budget runs out). */
  private readonly completed = new Set<string>();

  constructor(
    units: CodeUnit[],
    readonly signatures: Signatures,
    /** Replaced between files when the wasm runtime is recycled (parser.ts). */
    public parser: Parser,
    readonly budget: AnalysisBudget,
  ) {
    for (const unit of units) this.units.set(unit.file, unit);
    this.moduleFiles = moduleNames(units.filter((u) => u.file.endsWith(".py")).map((u) => u.file));
    this.meter = new StepMeter(budget);
  }

  /** Parse first (parseUnits), then run. */
  run(): void {
    try {
      for (let pass = 0; pass < PASSES; pass++) {
        // A second pass lets fields written late reach earlier reads; without any credential read it cannot add a flow.
        if (pass > 0 && !this.collector.hasSources && !this.sawSecretParameter) break;
        this.modules = new Map();
        this.summaries = new Map();
        this.functions = [];
        this.seenFunctionNodes = new Set();
        for (const file of this.runOrder()) {
          this.runModule(file);
          if (pass === 0) this.completed.add(file);
        }
        // Every function body is analysed at least once, as code that runs when called.
        for (let i = 0; i < this.functions.length; i++) this.summary(this.functions[i]!);
      }
    } catch (error) {
      if (!(error instanceof AnalysisBudgetExceeded)) throw error;
      // The package's budget ran out: what was found is kept; every file whose top level did not run is said.
      const reason = `${BUDGET_REASON} (${this.budget.packageSteps} steps for the package)`;
      this.stopMany([...this.trees.keys()].filter((f) => !this.completed.has(f)), reason);
      this.problems.push({ file: "package", message: `${BUDGET_REASON} (${this.budget.packageSteps} steps for the package): facts may be incomplete` });
    }
  }

  /**
   * Parse every unit, install-time code first, then shallow files (entry points), keeping
   * at most `packageNodes` syntax-tree nodes: the rest are not analysed, and said so.
   * Asynchronous only to let the parser's wasm runtime be replaced between files.
   */
  async parseUnits(): Promise<void> {
    let nodes = 0;
    const left: string[] = [];
    for (const unit of this.parseOrder()) {
      if (nodes > this.budget.packageNodes) {
        left.push(unit.file);
        continue;
      }
      this.parser = await initPythonParser();
      const parsed = parsePython(this.parser, unit.source);
      if (!parsed) {
        this.problems.push({ file: unit.file, message: "could not parse" });
        continue;
      }
      if (parsed.syntaxError) {
        const { line, column } = parsed.syntaxError;
        this.problems.push({ file: unit.file, message: `syntax error at line ${line}, column ${column}; ${unparsedText(parsed.unparsed)}` });
      }
      nodes += parsed.nodes;
      if (nodes > this.budget.packageNodes) {
        left.push(unit.file);
        continue;
      }
      this.trees.set(unit.file, parsed.root);
      this.filesAnalyzed++;
    }
    this.stopMany(left, `${BUDGET_REASON} (${this.budget.packageNodes} syntax-tree nodes for the package)`);
  }

  private parseOrder(): CodeUnit[] {
    const rank = (unit: CodeUnit): number => (unit.trigger === "install" ? 0 : isPythonEntry(unit.file) ? 1 : 2);
    return [...this.units.values()].sort((a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  /** Install-time code first (the package budget must not run out before it), then by name. */
  private runOrder(): string[] {
    const files = [...this.trees.keys()].sort();
    const install = files.filter((f) => this.units.get(f)?.trigger === "install");
    return [...install, ...files.filter((f) => this.units.get(f)?.trigger !== "install")];
  }

  /** A file left (partly) unanalysed by a budget: one problem, with the trigger it runs under. */
  private stop(file: string, message: string): void {
    if (this.stopped.has(file)) return;
    this.stopped.add(file);
    this.problems.push({ file, message });
  }

  /**
   * Files a package-wide limit left out: install and entry files one by one (each is an
   * unanalysed-code finding), the others in one entry naming them (thousands of warnings
   * would bury the rest of the report).
   */
  private stopMany(files: string[], reason: string): void {
    const rest: string[] = [];
    for (const file of files) {
      if (this.units.get(file)?.trigger === "install" || isPythonEntry(file)) this.stop(file, `${reason}: not analysed`);
      else if (!this.stopped.has(file)) {
        this.stopped.add(file);
        rest.push(file);
      }
    }
    if (rest.length === 0) return;
    const shown = rest.slice(0, 20).join(", ");
    this.problems.push({ file: "package", message: `${reason}: ${rest.length} other file(s) not analysed: ${shown}${rest.length > 20 ? `, … (${rest.length - 20} more)` : ""}` });
  }

  /** Run `body` charging `file`; a stop at that file's own limit ends only this body. */
  private charged(file: string, body: () => void): boolean {
    this.meter.enter(file);
    try {
      body();
      return true;
    } catch (error) {
      if (!(error instanceof AnalysisBudgetExceeded) || error.file !== file) throw error;
      this.stop(file, `${BUDGET_REASON} (${this.budget.fileSteps} steps for one file): the rest of this file was not analysed`);
      return false;
    } finally {
      this.meter.leave();
    }
  }

  /** self.x = value, merged over all instances. */
  storeField(cls: ClassInfo, name: string, value: Value): void {
    const previous = cls.fields.get(name);
    cls.fields.set(name, previous ? join(previous, value) : value);
  }

  /** File → its first dotted name (moduleFiles reversed once: a search per module is quadratic in big packages). */
  private moduleNames: Map<string, string> | undefined;

  private moduleNameOf(file: string): string | undefined {
    if (!this.moduleNames) {
      this.moduleNames = new Map();
      for (const [name, f] of this.moduleFiles) if (!this.moduleNames.has(f)) this.moduleNames.set(f, name);
    }
    return this.moduleNames.get(file);
  }

  moduleState(file: string): ModuleState {
    let state = this.modules.get(file);
    if (!state) {
      const name = this.moduleNameOf(file) ?? file.replace(/\.py$/, "").replace(/\//g, ".");
      state = {
        name,
        file,
        scope: { vars: new Map([["__name__", { str: name, taints: [] }]]) },
        status: "new",
        out: newRecordSink(),
        trigger: this.units.get(file)?.trigger ?? "import",
      };
      this.modules.set(file, state);
    }
    return state;
  }

  /** Execute a module's top level once per pass; later imports reuse its scope. */
  runModule(file: string): ModuleState {
    const state = this.moduleState(file);
    const root = this.trees.get(file);
    if (state.status !== "new" || !root) return state;
    state.status = "running";
    const frame = this.moduleFrame(state);
    try {
      this.charged(file, () => {
        execBlock(this, frame, namedChildren(root));
        if (file.endsWith("setup.py") && state.trigger === "install") this.runCommandClasses(frame);
        if (this.units.get(file)?.buildBackend) this.runBuildHooks(frame);
      });
    } finally {
      state.status = "done";
    }
    return state;
  }

  moduleFrame(state: ModuleState): Frame {
    return makeFrame(state.file, state, state.scope, state.trigger, state.out);
  }

  isPackageModule(state: ModuleState): boolean {
    return state.file.endsWith("__init__.py");
  }

  /** setup.py classes deriving from install/develop/egg_info…: their run() executes at install. */
  private runCommandClasses(frame: Frame): void {
    for (const cls of this.classes.values()) {
      if (cls.file === frame.file && this.isCommandClass(cls, 0)) this.runCommand(frame, cls);
    }
  }

  /** The backend's PEP 517 hooks, called by the build frontend during install. */
  private runBuildHooks(frame: Frame): void {
    for (const hook of BUILD_HOOKS) {
      const value = frame.scope.vars.get(hook);
      if (value?.ref?.kind === "function") callUserFunction(this, frame, value.ref.fn, { positional: [], keywords: new Map() }, value.ref.fn.node);
    }
  }

  isCommandClass(cls: ClassInfo, depth: number): boolean {
    if (depth > 5) return false;
    return cls.bases.some((b) =>
      b.ref?.kind === "external" ? isInstallCommandBase(b.ref.qname) : b.ref?.kind === "class" ? this.isCommandClass(b.ref.cls, depth + 1) : false,
    );
  }

  runCommand(frame: Frame, cls: ClassInfo): void {
    const instance = instantiate(this, frame, cls, { positional: [], keywords: new Map() }, undefined);
    for (const method of ["initialize_options", "finalize_options", "run"]) {
      const fn = this.findMethod(cls, method);
      if (fn) callUserFunction(this, frame, fn, { positional: [instance], keywords: new Map() }, fn.node);
    }
  }

  findMethod(cls: ClassInfo, name: string, depth = 0): FunctionInfo | undefined {
    const own = cls.scope.get(name);
    if (own?.ref?.kind === "function") return own.ref.fn;
    if (depth > 8) return undefined;
    for (const base of cls.bases) {
      if (base.ref?.kind === "class") {
        const found = this.findMethod(base.ref.cls, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /**
   * A field stored by a subclass's methods (merged over all subclasses), for methods of a
   * base class. Walks down the direct-subclass index (a scan of every class per read is
   * quadratic in packages with thousands of classes).
   */
  subclassField(cls: ClassInfo, name: string): Value | undefined {
    let found: Value | undefined;
    const seen = new Set<ClassInfo>([cls]);
    let level = [cls];
    for (let depth = 0; depth <= 8 && level.length > 0; depth++) {
      const next: ClassInfo[] = [];
      for (const base of level) {
        for (const sub of this.subclasses.get(base) ?? []) {
          this.meter.step();
          if (seen.has(sub) || !sub.bases.some((b) => b.ref?.kind === "class" && b.ref.cls === base)) continue;
          seen.add(sub);
          next.push(sub);
          const value = sub.fields.get(name);
          if (value) found = found ? join(found, value) : value;
        }
      }
      level = next;
    }
    return found;
  }

  /** Direct subclasses of each class, as defined (an entry may be stale after a redefinition: checked on use). */
  private readonly subclasses = new Map<ClassInfo, Set<ClassInfo>>();

  private indexBases(cls: ClassInfo): void {
    for (const base of cls.bases) {
      if (base.ref?.kind !== "class") continue;
      let list = this.subclasses.get(base.ref.cls);
      if (!list) this.subclasses.set(base.ref.cls, (list = new Set()));
      list.add(cls);
    }
  }

  /** Class attribute or method through the bases. */
  classAttribute(cls: ClassInfo, name: string): Value | undefined {
    return this.inheritedAttribute(cls, name, 0);
  }

  private inheritedAttribute(cls: ClassInfo, name: string, depth: number): Value | undefined {
    const value = cls.fields.get(name) ?? cls.scope.get(name);
    if (value || depth > 8) return value;
    for (const base of cls.bases) {
      if (base.ref?.kind === "class") {
        const found = this.inheritedAttribute(base.ref.cls, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  // ---- functions and classes ----------------------------------------------------

  defineFunction(frame: Frame, node: PyNode, decorators: readonly PyNode[], cls?: ClassInfo): FunctionInfo {
    const isLambda = node.type === "lambda";
    const params = parseParams(field(node, "parameters"));
    const fn: FunctionInfo = {
      id: this.nextId++,
      name: isLambda ? "<lambda>" : textOf(field(node, "name") ?? node),
      node,
      params,
      body: field(node, "body") ?? node,
      isLambda,
      file: frame.file,
      closure: frame.scope,
      decorators,
      small: undefined,
    };
    if (cls) {
      fn.cls = cls;
      const binding = methodBinding(decorators);
      if (binding) fn.binding = binding;
    }
    if (!this.seenFunctionNodes.has(node) && frame.execDepth === 0) {
      this.seenFunctionNodes.add(node);
      this.functions.push(fn);
    }
    fn.module = frame.module;
    return fn;
  }

  defineClass(frame: Frame, node: PyNode, bases: Value[]): ClassInfo {
    let cls = this.classes.get(node);
    if (!cls) {
      cls = { id: this.nextId++, name: textOf(field(node, "name") ?? node), file: frame.file, node, bases, scope: new Map(), fields: new Map() };
      this.classes.set(node, cls);
    } else {
      cls.bases = bases;
      cls.scope = new Map();
    }
    this.indexBases(cls);
    return cls;
  }

  /** Analyse a function once with symbolic parameters; callers apply the result. */
  summary(fn: FunctionInfo): Summary | undefined {
    const cached = this.summaries.get(fn);
    if (cached === "running") return undefined;
    if (cached) return cached;
    // A file past its own step limit: its functions are not analysed again (callers keep their arguments' taint).
    if (this.meter.exhaustedFiles.has(fn.file)) return undefined;
    this.summaries.set(fn, "running");
    const module = fn.module ?? this.moduleState(fn.file);
    const scope: ScopeChain = { vars: new Map(), parent: fn.closure };
    const frame = makeFrame(fn.file, module, scope, "call", newRecordSink());
    frame.symbolicFn = fn;
    frame.methodClass = fn.cls;
    frame.returns = [];
    const ran = this.charged(fn.file, () => {
      fn.params.forEach((param, index) => scope.vars.set(param.name, this.symbolicParameter(frame, fn, param, index)));
      this.runBody(frame, fn);
    });
    if (!ran) {
      const summary: Summary = { ret: unknown(), out: frame.out };
      this.summaries.set(fn, summary);
      return summary;
    }
    const ret = frame.returns!.reduce((a, b) => join(a, b), frame.returns![0] ?? unknown());
    const summary: Summary = { ret, out: frame.out };
    this.summaries.set(fn, summary);
    return summary;
  }

  runBody(frame: Frame, fn: FunctionInfo): void {
    if (fn.isLambda) {
      frame.returns!.push(evalExpr(this, frame, fn.body));
    } else {
      execBlock(this, frame, namedChildren(fn.body));
    }
  }

  private symbolicParameter(frame: Frame, fn: FunctionInfo, param: ParamInfo, index: number): Value {
    if (index === 0 && fn.cls && param.kind === "plain" && fn.binding !== "static") {
      return { ref: fn.binding === "class" ? { kind: "class", cls: fn.cls } : { kind: "instance", cls: fn.cls }, taints: [] };
    }
    const step: FlowStep = stepAt(frame, param.node, `parameter ${param.name} of ${fn.name}()`);
    const taints: Taint[] = [{ param: { fn: fn.id, index }, steps: step }];
    if (isSecretParameterName(this.signatures, param.name)) {
      this.sawSecretParameter = true;
      const kind: SourceKind = parameterSourceKind(param.name);
      const loc = location(frame, param.node);
      const candidate = `${fn.file}:${param.node.line}:${param.node.column}:${param.name}`;
      taints.push({
        source: {
          id: `param|${candidate}`,
          kind,
          location: loc,
          note: `secret parameter "${param.name}" of ${fn.name}() is also used as a credential (login, signing key, SSH client)`,
          detail: param.name,
          candidate,
        },
        steps: { ...loc, note: `receives ${param.name}` },
      });
    }
    const value: Value = { taints };
    if (param.default) {
      const inner = copyFrame(frame);
      inner.returns = [];
      const fallback = evalExpr(this, inner, param.default);
      if (fallback.str !== undefined) value.str = fallback.str;
      if (fallback.num !== undefined) value.num = fallback.num;
    }
    if (param.kind === "star") return { items: undefined, taints };
    return value;
  }

  // ---- what the library models receive (callbacks.ts, shell-calls.ts never import calls.ts) ----

  /** Call a value (a user function, bound method or class) with these arguments: how a library runs a callback. */
  callValue(frame: Frame, node: PyNode, callee: Value, args: CallArgs): Value {
    return callValue(this, frame, node, callee, args);
  }

  /** exec/eval of code the package built or wrote (`python -c`, a staged file). */
  execCode(frame: Frame, node: PyNode, code: Value, mode: "exec" | "eval"): Value {
    return execCode(this, frame, node, code, mode);
  }

  // ---- emitting facts ---------------------------------------------------------

  emit(frame: Frame, record: FactRecord): void {
    if (addRecord(frame.out, record)) this.collector.emit(record, frame.trigger);
  }

  /**
   * emit() every record of `from` (a callee's summary, an imported module's top level). A sink
   * only grows, and a record emitted into frame.out once is a no-op the next time: records lifted
   * into the same frame.out before are skipped (a helper called in a loop lifted them all again).
   */
  liftRecords(frame: Frame, from: RecordSink): void {
    const records = from.records;
    const out = frame.out;
    const done = out.lifted?.get(from) ?? 0;
    if (done === records.length) return;
    for (let i = done; i < records.length; i++) this.emit(frame, records[i]!);
    (out.lifted ??= new Map()).set(from, records.length);
  }

  /** A credential read at `node`: records the source and returns the taint it starts. */
  source(frame: Frame, node: PyNode, kind: SourceKind, note: string, detail?: string): Taint {
    const loc = location(frame, node);
    const record = { id: `${kind}|${loc.file}:${loc.line}:${loc.column}|${detail ?? ""}`, kind, location: loc, note, ...(detail !== undefined ? { detail } : {}) };
    this.emit(frame, { type: "source", source: record });
    return { source: record, steps: { ...loc, note } };
  }

  indicators(frame: Frame, node: PyNode, text: string): void {
    for (const value of this.indicatorsOf(text)) this.collector.indicator(value, location(frame, node));
  }

  /** What indicatorsIn finds in a text, remembered for short texts: the same literals are folded again in every pass and call. */
  private readonly indicatorTexts = new Map<string, string[]>();

  private indicatorsOf(text: string): string[] {
    if (text.length < 4) return NO_INDICATORS; // indicatorsIn's own first test
    if (text.length > 256) return indicatorsIn(text, { tlds: this.signatures.publicTlds, identifierRoots: PY_IDENTIFIER_ROOTS });
    let found = this.indicatorTexts.get(text);
    if (found === undefined) {
      found = indicatorsIn(text, { tlds: this.signatures.publicTlds, identifierRoots: PY_IDENTIFIER_ROOTS });
      if (this.indicatorTexts.size < 50_000) this.indicatorTexts.set(text, found);
    }
    return found;
  }

  /** Parse decoded code (exec/eval of a folded string). */
  parseDecoded(source: string): PyNode | undefined {
    return parsePython(this.parser, source)?.root;
  }

  /** Source of a .py file of this package named by a path the code built (see package-files.ts). */
  packageSource(path: string, fromFile: string): { file: string; source: string } | undefined {
    const isSource = (file: string): boolean => file.endsWith(".py") && this.units.has(file);
    const file = resolvePackagePath(path, fromFile, isSource);
    return file === undefined ? undefined : { file, source: this.units.get(file)!.source };
  }

  lookupModuleFile(name: string): string | undefined {
    return this.moduleFiles.get(name);
  }
}

const METHOD_BINDING = /^@?\s*(?:builtins\.|(?:abc\.)?abstract)?(static|class)method\s*$/;

/** How a method defined in a class body binds its first parameter: @staticmethod none, @classmethod the class. */
function methodBinding(decorators: readonly PyNode[]): "static" | "class" | undefined {
  for (const decorator of decorators) {
    const match = METHOD_BINDING.exec(textOf(decorator));
    if (match) return match[1] === "static" ? "static" : "class";
  }
  return undefined;
}

/** Parameters in order, with their default expressions. */
function parseParams(node: PyNode | undefined): ParamInfo[] {
  if (!node) return [];
  const params: ParamInfo[] = [];
  for (const child of namedChildren(node)) {
    switch (child.type) {
      case "identifier":
        params.push({ name: child.text, node: child, kind: "plain" });
        break;
      case "default_parameter":
      case "typed_default_parameter": {
        const name = field(child, "name");
        const value = field(child, "value");
        if (name) params.push({ name: textOf(name), node: name, kind: "plain", ...(value ? { default: value } : {}) });
        break;
      }
      case "typed_parameter": {
        const inner = namedChildren(child)[0];
        if (inner?.type === "identifier") params.push({ name: inner.text, node: inner, kind: "plain" });
        else if (inner?.type === "list_splat_pattern") params.push({ name: textOf(inner).replace(/^\*/, ""), node: inner, kind: "star" });
        else if (inner?.type === "dictionary_splat_pattern") params.push({ name: textOf(inner).replace(/^\*\*/, ""), node: inner, kind: "starstar" });
        break;
      }
      case "list_splat_pattern":
        params.push({ name: textOf(child).replace(/^\*/, ""), node: child, kind: "star" });
        break;
      case "dictionary_splat_pattern":
        params.push({ name: textOf(child).replace(/^\*\*/, ""), node: child, kind: "starstar" });
        break;
      case "tuple_pattern": // Python 2 `def f((a, b)):`
        params.push({ name: `<tuple${params.length}>`, node: child, kind: "plain" });
        break;
      default:
        break;
    }
  }
  return params;
}

/** What recovery could not read, for the file's note (the rest was analysed). */
function unparsedText(ranges: [number, number][] | undefined): string {
  if (!ranges?.length) return "analyzed what parsed";
  const shown = ranges.slice(0, 5).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  const more = ranges.length > 5 ? ` and ${ranges.length - 5} more ranges` : "";
  return `line${ranges.length > 1 || ranges[0]![0] !== ranges[0]![1] ? "s" : ""} ${shown.join(", ")}${more} not analyzed, the rest analyzed statement by statement`;
}
