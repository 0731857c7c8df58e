// The analysis budget shared by both front-ends: how much work one file and one package
// may cost. It counts work (interpreter steps, syntax-tree nodes kept), never time, so a
// result does not depend on the machine or its load. Past a limit the analysis of that
// file (or of the rest of the package) stops, what was found is kept, and the file is
// reported as not analysed (rule unanalysed-code, or a listed skipped file).

export interface AnalysisBudget {
  /** Interpreter steps (statements and expressions evaluated) charged to one file: its top level and its functions. */
  fileSteps: number;
  /** Interpreter steps for the whole package. */
  packageSteps: number;
  /** Python syntax-tree nodes kept in memory for one package (about 125 bytes each): bounds the analyzer's heap. */
  packageNodes: number;
  /**
   * Syntax tokens parsed in one file (JavaScript: acorn builds ~100 bytes of tree a token;
   * Python: tree-sitter nodes of one file). Comments, whitespace and the characters inside a
   * string literal cost nothing, so a big file is refused by what it costs, not by its size.
   */
  fileTokens: number;
  /**
   * JavaScript syntax tokens of the trees kept for one package (every file's tree lives for
   * the whole analysis: requires cross files; ~100 bytes a token): bounds the analyzer's heap.
   */
  packageTokens: number;
}

export const DEFAULT_BUDGET: AnalysisBudget = {
  fileSteps: 5_000_000,
  packageSteps: 60_000_000,
  packageNodes: 8_000_000,
  fileTokens: 4_000_000,
  packageTokens: 16_000_000,
};

/** Output one decompression may produce (zlib, gzip, brotli on constant data, both front-ends). */
export const DECODE_CAP_BYTES = 4 * 1024 * 1024;

/**
 * What a decompression past DECODE_CAP_BYTES yields (a bomb inside a decoded payload): data
 * no code can contain, so code that runs it is reported as not analysed, never as clean.
 */
export const OVER_DECODE_CAP = "\u0000exfilscan: decompressed data over the cap\u0000";

/** The reason every budget stop gives (tests and users search for it). */
export const BUDGET_REASON = "analysis budget exceeded";

export function resolveBudget(partial: Partial<AnalysisBudget> | undefined): AnalysisBudget {
  return { ...DEFAULT_BUDGET, ...(partial ?? {}) };
}

/** Thrown by a step past a limit: `file` is the file whose own limit ran out, undefined for the package's. */
export class AnalysisBudgetExceeded extends Error {
  constructor(readonly file: string | undefined) {
    super(file === undefined ? `${BUDGET_REASON} (package)` : `${BUDGET_REASON} (${file})`);
  }
}

/**
 * Step counter: one account a file, charged to the file being analysed (the top of the
 * stack of units: a module's top level, or a function summary of that file).
 */
export class StepMeter {
  total = 0;
  private readonly accounts = new Map<string, { steps: number }>();
  private current: { steps: number } | undefined;
  private currentFile: string | undefined;
  private readonly stack: (string | undefined)[] = [];
  /** Files whose own limit ran out (their functions are not analysed again). */
  readonly exhaustedFiles = new Set<string>();
  packageExhausted = false;

  constructor(readonly budget: AnalysisBudget) {}

  /** Start charging `file` (until the matching leave()). */
  enter(file: string): void {
    this.stack.push(this.currentFile);
    this.switchTo(file);
  }

  leave(): void {
    const previous = this.stack.pop();
    if (previous === undefined) {
      this.current = undefined;
      this.currentFile = undefined;
    } else this.switchTo(previous);
  }

  private switchTo(file: string): void {
    this.currentFile = file;
    let account = this.accounts.get(file);
    if (!account) this.accounts.set(file, (account = { steps: 0 }));
    this.current = account;
  }

  /** One step of work; throws past the file's or the package's limit. */
  step(): void {
    if (++this.total > this.budget.packageSteps) {
      this.packageExhausted = true;
      throw new AnalysisBudgetExceeded(undefined);
    }
    const account = this.current;
    if (account && ++account.steps > this.budget.fileSteps) {
      this.exhaustedFiles.add(this.currentFile!);
      throw new AnalysisBudgetExceeded(this.currentFile);
    }
  }

  stepsOf(file: string): number {
    return this.accounts.get(file)?.steps ?? 0;
  }
}
