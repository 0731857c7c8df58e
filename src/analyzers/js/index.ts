// The JavaScript/TypeScript front-end: lowers an npm package to facts.
// Order of the passes decides triggers: install scripts first, then the import entry
// points, then every other file (trigger "manual": nothing of the package runs it);
// finally each function on its own (trigger "call" unless it was reached from
// install/import code, "manual" in files nothing reaches).
import type { Location } from "../../core/types.js";
import type { LoadedPackage } from "../../ingest/types.js";
import type { Signatures } from "../../rules/signatures.js";
import type { PackageFacts, Trigger } from "../facts.js";
import { isFunctionNode, walk, type Node } from "./ast.js";
import { jsonToValue } from "./builtins.js";
import { makeFunction, runStandalone } from "./calls.js";
import { FactCollector } from "./collector.js";
import type { Frame, Unit } from "./frame.js";
import { Budget, BudgetExceeded, Interpreter, type ModuleLoader } from "./interpreter.js";
import { entryPoints, manifestOf, resolveFile, resolveSpecifier, dirnameOf, type Manifest } from "./modules.js";
import { remoteDependencies } from "./remote-dependencies.js";
import { INSTALL_SCRIPTS, readScripts, runScriptCommand, type ScriptHost } from "./npm-scripts.js";
import { withoutInlineSourceMap } from "./inert.js";
import { isJsLike, mayBeJavaScript, parseJs, parseStrict, type ParseResult } from "./parse.js";
import { irrelevantFiles } from "./relevance.js";
import { Scope } from "./scope.js";
import { PACKAGE_DIR, secretParameterTaint } from "./sources.js";
import { candidateParameterTaint } from "./secret-params.js";
import { isSecretParameterName } from "../../rules/signatures.js";
import { BUDGET_REASON, DEFAULT_BUDGET, type AnalysisBudget } from "../budget.js";
import { UNKNOWN, constant, newObject, resetTaintLive, unknownWith, type Value } from "./values.js";

const MAX_REQUIRE_NESTING = 40;

interface ModuleRecord {
  unit: Unit;
  executed: boolean;
  /** The trigger its top level first ran under. */
  trigger?: Trigger;
}

class PackageAnalysis implements ModuleLoader {
  readonly collector = new FactCollector();
  readonly interpreter: Interpreter;
  private readonly budget: Budget;
  private readonly records = new Map<string, ModuleRecord>();
  private readonly failed = new Set<string>();
  /** Files whose analysis stopped at a step limit. */
  private readonly truncated = new Set<string>();
  private readonly jsonCache = new Map<string, Value>();
  private readonly manifest: Manifest | undefined;
  private requireNesting = 0;
  /** Syntax tokens one file may cost to parse (../budget.ts). */
  private readonly fileTokens: number;
  /** Syntax tokens the package's kept trees may cost together, and what they cost so far. */
  private readonly packageTokens: number;
  private keptTokens = 0;
  /** Files that can produce no fact (relevance.ts): not loaded unless required, functions not run on their own. */
  private readonly irrelevant: Set<string>;

  constructor(
    private readonly pkg: LoadedPackage,
    signatures: Signatures,
    private readonly limits: Partial<AnalysisBudget>,
  ) {
    let jsBytes = 0;
    for (const [path, content] of pkg.files) if (isJsLike(path)) jsBytes += content.length;
    this.budget = new Budget(limits.packageSteps ?? 3_000_000 + 60 * jsBytes);
    this.fileTokens = limits.fileTokens ?? DEFAULT_BUDGET.fileTokens;
    this.packageTokens = limits.packageTokens ?? DEFAULT_BUDGET.packageTokens;
    this.interpreter = new Interpreter(signatures, this.collector, this.budget);
    this.interpreter.loader = this;
    this.manifest = manifestOf(pkg.files.get("package.json"));
    const paths = [...pkg.files.keys()].filter(isJsLike);
    this.irrelevant = irrelevantFiles(pkg.files, paths, signatures, this.manifest?.name);
  }

  run(): PackageFacts {
    resetTaintLive();
    try {
      this.installPass();
      for (const entry of entryPoints(this.pkg.files)) this.loadModule(entry, "import");
      this.remainingFilesPass();
      this.standalonePass();
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
    }
    if (this.budget.exhausted) {
      this.collector.parseProblems.push({ file: "package", message: `${BUDGET_REASON} (steps for the package): facts may be incomplete` });
      // Files the analysis never reached are said one by one (an install or entry file among them is unanalysed-code).
      for (const path of [...this.pkg.files.keys()].filter(isJsLike).sort()) {
        if (this.records.has(path) || this.failed.has(path) || this.truncated.has(path) || this.irrelevant.has(path)) continue;
        this.collector.parseProblems.push({ file: path, message: `${BUDGET_REASON} (steps for the package): not analysed` });
      }
    }
    const facts = this.collector.finish();
    const manifestText = this.pkg.files.get("package.json")?.toString("utf8");
    if (manifestText && this.manifest) {
      const remote = remoteDependencies(manifestText, this.manifest);
      if (remote.length) facts.remoteDependencies = remote;
    }
    return facts;
  }

  /**
   * Files no install script or entry point reached: their top level runs only if someone
   * starts or deep-requires them by hand ("manual"); what they do is still reported. TypeScript sources beside compiled JavaScript are not run by
   * npm or Node unless reached, so they are skipped (and said so).
   */
  private remainingFilesPass(): void {
    const paths = [...this.pkg.files.keys()].filter(isJsLike).sort();
    const shipsJavaScript = paths.some((p) => /\.(c|m)?jsx?$/.test(p));
    let skippedTypeScript = 0;
    for (const path of paths) {
      if (this.records.has(path) || this.failed.has(path)) continue;
      if (shipsJavaScript && /\.(c|m)?tsx?$/.test(path)) {
        skippedTypeScript++;
        continue;
      }
      if (this.irrelevant.has(path) && this.acceptedUnread(path)) continue;
      // Parsed (its problems are reported) but not run: nothing in it can reach a source or sink.
      this.loadModule(path, "manual", !this.irrelevant.has(path));
    }
    if (skippedTypeScript > 0) {
      this.collector.parseProblems.push({
        file: "package",
        message: `${skippedTypeScript} TypeScript source file(s) not reached from an entry point, script or require were not analysed: the package ships compiled JavaScript, which was analysed instead`,
      });
    }
  }

  /**
   * An irrelevant file nothing loads: if it parses there is nothing to report. acorn, not
   * node:vm: scanned code never enters the JavaScript engine, not even to be compiled.
   */
  private acceptedUnread(path: string): boolean {
    const content = this.pkg.files.get(path)!;
    if (!/\.(c|m)?js$/.test(path) || !mayBeJavaScript(path, content)) return false;
    if (!parseStrict(withoutInlineSourceMap(content).toString("utf8"), this.fileTokens)) return false;
    this.collector.filesAnalyzed++;
    return true;
  }

  // ---- install scripts ------------------------------------------------------------------

  private installPass(): void {
    const text = this.pkg.files.get("package.json")?.toString("utf8");
    if (!text || !this.manifest) return;
    const scripts = readScripts(text, this.manifest.scripts as Record<string, unknown> | undefined);
    const host: ScriptHost = {
      interpreter: this.interpreter,
      files: this.pkg.files,
      scripts,
      frameAt: (location) => this.scriptFrame(location),
      runFile: (path, frame) => this.runFile(undefined, path, frame),
    };
    for (const name of INSTALL_SCRIPTS) {
      const script = scripts.get(name);
      if (script) this.guarded("package.json", () => runScriptCommand(host, script.command, script.location, `scripts.${name}`));
    }
  }

  private scriptFrame(location: Location): Frame {
    const unit = this.newUnit("package.json", { type: "Program", body: [] }, false, location);
    return this.topFrame(unit, "install");
  }

  // ---- modules ----------------------------------------------------------------------------

  require(from: Unit, specifier: string, frame: Frame): Value {
    const resolution = resolveSpecifier(this.pkg.files, from.file, specifier, this.manifest?.name);
    if ("module" in resolution) return { ref: { module: resolution.module, path: [] } };
    if ("missing" in resolution) return UNKNOWN;
    if (resolution.file.endsWith(".json")) return this.jsonModule(resolution.file);
    if (!isJsLike(resolution.file)) return UNKNOWN; // native addons (.node), assets
    return this.loadModule(resolution.file, frame.trigger);
  }

  runFile(from: Unit | undefined, path: string, frame: Frame): void {
    const file = resolveFile(this.pkg.files, path) ?? (from ? resolveFile(this.pkg.files, `${dirnameOf(from.file)}/${path}`) : undefined);
    if (file && isJsLike(file)) this.loadModule(file, frame.trigger);
  }

  packageText(from: Unit | undefined, path: string): { file: string; text: string } | undefined {
    const clean = path.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
    const file = this.pkg.files.has(clean) ? clean : from && this.pkg.files.has(`${dirnameOf(from.file)}/${clean}`) ? `${dirnameOf(from.file)}/${clean}` : undefined;
    const content = file ? this.pkg.files.get(file) : undefined;
    return file && content && content.length <= 1_000_000 ? { file, text: content.toString("utf8") } : undefined;
  }

  private workerRuns = 0;

  runWorker(from: Unit, path: string, frame: Frame): void {
    const file = resolveFile(this.pkg.files, path) ?? resolveFile(this.pkg.files, `${dirnameOf(from.file)}/${path}`);
    if (!file || !isJsLike(file) || this.workerRuns >= MAX_WORKER_RUNS) return;
    this.loadModule(file, frame.trigger, false);
    const record = this.records.get(file);
    if (!record) return;
    this.workerRuns++;
    const unit = this.newUnit(file, record.unit.ast, record.unit.sshAware);
    unit.text = record.unit.text;
    this.interpreter.execStatements(unit.ast.body as Node[], this.topFrame(unit, frame.trigger));
  }

  private jsonModule(path: string): Value {
    let value = this.jsonCache.get(path);
    if (!value) {
      try {
        value = jsonToValue(JSON.parse(this.pkg.files.get(path)!.toString("utf8")), 0);
      } catch {
        value = UNKNOWN;
      }
      this.jsonCache.set(path, value);
    }
    return value;
  }

  /** Run a file's top level once (Node's module cache); returns its exports. */
  private loadModule(path: string, trigger: Trigger, run = true): Value {
    const existing = this.records.get(path);
    if (existing) {
      if (!existing.executed && this.requireNesting === 0) this.execute(existing, trigger);
      return existing.unit.module.object!.props.get("exports") ?? UNKNOWN;
    }
    if (this.failed.has(path)) return UNKNOWN;
    const content = this.pkg.files.get(path);
    if (!content) return UNKNOWN;
    if (!mayBeJavaScript(path, content)) {
      this.failed.add(path);
      return UNKNOWN;
    }
    const text = withoutInlineSourceMap(content).toString("utf8");
    const parsed = this.parseWithinPackage(path, text);
    if (parsed.problem) this.collector.parseProblems.push({ file: path, message: parsed.problem, ...(parsed.crowdedOut ? { crowdedOut: true as const } : {}) });
    if (!parsed.ast) {
      this.failed.add(path);
      return UNKNOWN;
    }
    this.keptTokens += parsed.tokens ?? 0;
    this.collector.filesAnalyzed++;
    const record: ModuleRecord = { unit: this.newUnit(path, parsed.ast, this.interpreter.signatures.credentialConsumers.js.imported.test(text)), executed: false };
    record.unit.text = text;
    this.records.set(path, record);
    if (run && this.requireNesting < MAX_REQUIRE_NESTING) this.execute(record, trigger);
    return record.unit.module.object!.props.get("exports") ?? UNKNOWN;
  }

  /**
   * Parse a file whose tree will be kept, within what is left of the package's token budget
   * (install code and entry files are parsed first). A file past it is not analysed, and said
   * so: the rule unanalysed-code reports it when it runs at install or import.
   */
  private parseWithinPackage(path: string, text: string): ParseResult {
    const left = this.packageTokens - this.keptTokens;
    const packageMessage = `${BUDGET_REASON} (${this.packageTokens} syntax tokens of kept trees for the package, --max-package-tokens): not analysed`;
    if (left <= 0) return { problem: packageMessage, overBudget: true, crowdedOut: true };
    const parsed = parseJs(path, text, Math.min(this.fileTokens, left));
    return parsed.overBudget && left < this.fileTokens ? { problem: packageMessage, overBudget: true, crowdedOut: true } : parsed;
  }

  private execute(record: ModuleRecord, trigger: Trigger): void {
    record.executed = true;
    record.trigger = trigger;
    const unit = record.unit;
    const size = this.pkg.files.get(unit.file)?.length ?? 0;
    this.requireNesting++;
    try {
      this.withPassBudget(100_000 + 20 * size, unit.file, () => {
        const mark = this.interpreter.afterTopLevel.length;
        this.interpreter.execStatements(unit.ast.body as Node[], this.topFrame(unit, trigger));
        const listeners = this.interpreter.afterTopLevel.splice(mark);
        if (listeners.length > 0) this.interpreter.memo.clear();
        for (const run of listeners) run();
      });
    } finally {
      this.requireNesting--;
    }
  }

  private newUnit(file: string, ast: Node, sshAware: boolean, override?: Location): Unit {
    const scope = new Scope(undefined, true);
    const exportsValue = newObject();
    // module.constructor is the Module class, require("module"): its _load(name) is a require (builtins.ts).
    const module = newObject(new Map<string, Value>([["exports", exportsValue], ["require", { ref: { global: true, path: ["require"] } }], ["constructor", { ref: { module: "module", path: [] } }]]));
    scope.declare("module", module);
    scope.declare("exports", exportsValue);
    scope.declare("__dirname", constant(`${PACKAGE_DIR}/${dirnameOf(file)}`.replace(/\/$/, "")));
    scope.declare("__filename", constant(`${PACKAGE_DIR}/${file}`));
    const unit: Unit = { id: this.interpreter.units.length, file, ast, scope, module, sshAware, override };
    this.interpreter.units.push(unit);
    return unit;
  }

  private topFrame(unit: Unit, trigger: Trigger): Frame {
    return {
      unit,
      scope: unit.scope,
      trigger,
      depth: 0,
      evalDepth: unit.override ? 1 : 0,
      active: new Set(),
      thisValue: unit.module.object!.props.get("exports") ?? UNKNOWN,
      conditional: 0,
      inherited: 0,
      standalone: false,
    };
  }

  // ---- functions on their own ------------------------------------------------------------

  private standalonePass(): void {
    const I = this.interpreter;
    const done = new Set<Node>();
    const drain = (): void => {
      // Constructors first: what they store on the instance (a key handed to the client) is
      // what the other methods, analysed on their own, then read from `this`.
      const pending = [...I.functions].filter(([node]) => !done.has(node));
      pending.sort(([, a], [, b]) => Number(b.fn.fn?.name === "constructor") - Number(a.fn.fn?.name === "constructor"));
      for (const [node, record] of pending) {
        if (done.has(node)) continue;
        done.add(node);
        // Already inlined with real arguments: a run with unknown ones adds nothing,
        // except in SSH wrappers where the unknown parameters are the credentials.
        if (I.executed.has(node) && !record.unit.sshAware) continue;
        if (this.irrelevant.has(record.unit.file)) continue;
        const trigger = I.reached.get(node) ?? (this.records.get(record.unit.file)?.trigger === "manual" ? "manual" : "call");
        const size = typeof node.end === "number" && typeof node.start === "number" ? node.end - node.start : 1000;
        this.withPassBudget(5_000 + 10 * size, record.unit.file, () => {
          runStandalone(I, record.fn, trigger, this.topFrame(record.unit, trigger), this.standaloneArguments(node, record.unit));
        });
      }
    };
    drain();
    // Functions no run created, in files whose analysis stopped at its step limit.
    for (const { unit } of this.records.values()) {
      if (!this.truncated.has(unit.file)) continue;
      walk(unit.ast, (node) => {
        if (isFunctionNode(node) && !I.functions.has(node)) makeFunction(I, node, this.topFrame(unit, "call"));
      });
    }
    drain();
    // Timers keep running while the package's API is used: once more, with what that left in module state.
    for (const { callback, args, node, unit } of I.recurring) {
      if (this.irrelevant.has(unit.file)) continue;
      this.withPassBudget(20_000, unit.file, () => {
        I.memo.clear();
        I.invokeCallback(callback, args, node, this.topFrame(unit, "call"));
      });
    }
  }

  /**
   * Unknown arguments; in files using an SSH client, secret-named parameters are credentials;
   * elsewhere they are candidates that count once the package uses them as one (secret-params.ts).
   */
  private standaloneArguments(node: Node, unit: Unit): Value[] {
    const frame = this.topFrame(unit, "call");
    return (node.params as Node[]).map((param) => {
      let target = param;
      if (target.type === "AssignmentPattern") target = target.left;
      const secret = target.type === "Identifier" && isSecretParameterName(this.interpreter.signatures, target.name);
      if (!unit.sshAware) return secret ? unknownWith(candidateParameterTaint(this.interpreter, target.name, target, frame)) : UNKNOWN;
      if (secret) return unknownWith(secretParameterTaint(this.interpreter, target.name, target, frame));
      return { special: "secret-params" };
    });
  }

  // ---- robustness ---------------------------------------------------------------------------

  /** Run one analysis pass with its own step limit; an overrun stops that pass only. */
  private withPassBudget(limit: number, file: string, body: () => void): void {
    const outer = this.budget.passRemaining;
    const start = Math.min(outer, limit, this.limits.fileSteps ?? Infinity);
    this.budget.passRemaining = start;
    try {
      this.guarded(file, body);
    } finally {
      const used = start - this.budget.passRemaining;
      this.budget.passRemaining = outer === Infinity ? Infinity : outer - used;
    }
  }

  /** Analyzer errors on one file become a problem report, never a crash of the scan. */
  private guarded(file: string, body: () => void): void {
    try {
      body();
    } catch (error) {
      if (error instanceof BudgetExceeded) {
        // One line per file, however many of its passes (top level, each function, each eval'd chunk) ran out.
        if (!this.truncated.has(file)) this.collector.parseProblems.push({ file, message: `${BUDGET_REASON} (steps for one file): the rest of this file was not analysed` });
        this.truncated.add(file);
        if (this.budget.exhausted) throw error;
        return;
      }
      const overflow = error instanceof RangeError && /call stack/i.test(error.message);
      const message = overflow ? "analysis stopped: code nested too deeply" : `analysis stopped by an error: ${error instanceof Error ? error.message : String(error)}`;
      this.collector.parseProblems.push({ file, message });
    }
  }
}

/** `budget`: limits set by the user (../budget.ts); unset ones scale with the package's JavaScript. */
/** Worker files run afresh per `new Worker(file)`: a cap, since a worker may start workers. */
const MAX_WORKER_RUNS = 8;

export async function analyzeNpmPackage(pkg: LoadedPackage, signatures: Signatures, budget?: Partial<AnalysisBudget>): Promise<PackageFacts> {
  return new PackageAnalysis(pkg, signatures, budget ?? {}).run();
}
