// Parsing: acorn first for plain JavaScript (fast), Babel with error recovery for
// TypeScript, JSX, Flow and anything acorn rejects. Both yield ESTree shapes.
import { createRequire } from "node:module";
import type { ParserPlugin } from "@babel/parser";
import { parse as acornParse, tokenizer, type Options as AcornOptions } from "acorn";
import { BUDGET_REASON, DEFAULT_BUDGET } from "../budget.js";
import type { Node } from "./ast.js";

export const JS_EXTENSIONS = [".js", ".cjs", ".mjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"] as const;

export interface ParseResult {
  ast?: Node;
  /** Set when the file could not be read at all, or only partly (Babel recovered from errors). */
  problem?: string;
  /** Syntax tokens of the tree (acorn's count, or the estimate Babel was admitted on): what keeping it costs. */
  tokens?: number;
  /** Set when the file was refused for costing more than its token budget. */
  overBudget?: true;
  /** Set when it was refused because other files of the package used up the package's budget. */
  crowdedOut?: true;
}

export function isJsLike(path: string): boolean {
  if (/\.d\.[cm]?ts$/.test(path)) return false; // declarations hold no code
  return JS_EXTENSIONS.some((ext) => path.endsWith(ext));
}

/**
 * Whether a file reached by resolution (main, require, a script) can be JavaScript: a JS
 * extension or none (Node runs extensionless bins as JS), and no NUL bytes in its first KB
 * (native addons, wasm, images are never parsed).
 */
export function mayBeJavaScript(path: string, content: Buffer): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (!isJsLike(path) && name.includes(".", 1)) return false;
  return content.subarray(0, 1024).indexOf(0) < 0;
}

/**
 * The deepest bracket nesting handed to a parser. Both parsers recurse per level, and where
 * they run out of stack depends on the JIT: a fresh @babel/parser overflows at about 250
 * nested arrow bodies or 400 arrays, a warmed-up one at 1 200, so deeper code would be
 * analysed or not depending on what was parsed before it. Deeper code is refused up front,
 * the same way every time. No file of the top 1000 npm packages nests deeper than 150.
 */
export const MAX_NESTING = 200;

/** Bracket nesting counted on raw text: strings and regexes can push it up, never below the real depth of plain code. */
function rawNesting(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) max = Math.max(max, ++depth);
    else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return max;
}

/**
 * Nesting counted on tokens (strings, comments, regexes skipped); undefined when acorn cannot
 * tokenize the text. Only the first `maxTokens` tokens count: no parse goes further.
 */
function tokenNesting(text: string, maxTokens: number): number | undefined {
  let depth = 0;
  let max = 0;
  let count = 0;
  try {
    for (const token of tokenizer(text, { ecmaVersion: "latest", sourceType: "module", allowHashBang: true })) {
      if (++count > maxTokens || max > MAX_NESTING) break;
      const label = token.type.label;
      if (label === "(" || label === "[" || label === "{" || label === "${") max = Math.max(max, ++depth);
      else if ((label === ")" || label === "]" || label === "}") && depth > 0) depth--;
    }
  } catch {
    return undefined;
  }
  return max;
}

/** A problem when the code nests deeper than MAX_NESTING (the raw count first; tokens only confirm a deep one). */
function tooDeep(text: string, maxTokens: number): ParseResult | undefined {
  if (rawNesting(text) <= MAX_NESTING) return undefined;
  const depth = tokenNesting(text, maxTokens);
  if (depth !== undefined && depth <= MAX_NESTING) return undefined;
  return { problem: `could not parse: code nested deeper than ${MAX_NESTING} levels` };
}

function extensionOf(path: string): string {
  const match = /\.[a-z]+$/i.exec(path);
  return match ? match[0].toLowerCase() : "";
}

/** Thrown by the token counter: the file costs more than its budget (the parse stops there). */
class TokenBudgetExceeded extends Error {}

/** A token counter for acorn's onToken hook: throws past `max`, so a file is never parsed further than its budget. */
function tokenCounter(max: number): { onToken: () => void; count: number } {
  const counter = {
    count: 0,
    onToken: () => {
      if (++counter.count > max) throw new TokenBudgetExceeded();
    },
  };
  return counter;
}

function overBudget(max: number): ParseResult {
  return { problem: `${BUDGET_REASON} (more than ${max} syntax tokens in one file, --max-file-tokens): not analysed`, overBudget: true };
}

/**
 * Tokens of text acorn can tokenize (TypeScript mostly can), stopping past `max`; where the
 * tokenizer gives up, the rest is counted as one token per two bytes (dense minified code).
 */
function estimateTokens(text: string, max: number): number {
  let count = 0;
  let end = 0;
  try {
    for (const token of tokenizer(text, { ecmaVersion: "latest", sourceType: "module", allowHashBang: true })) {
      end = token.end;
      if (++count > max) return count;
    }
    return count;
  } catch {
    return count + Math.ceil((text.length - end) / 2);
  }
}

/** How the front-end asks acorn to read a file (also what `npm run bench`'s parse floor uses). */
export function acornOptions(sourceType: "module" | "script"): AcornOptions {
  return {
    ecmaVersion: "latest",
    sourceType,
    // No location objects: lines are computed from offsets only when a fact needs one.
    locations: false,
    allowHashBang: true,
    allowReturnOutsideFunction: true,
    allowImportExportEverywhere: true,
    allowAwaitOutsideFunction: sourceType === "module" ? undefined : true,
  };
}

function tryAcorn(text: string, maxTokens: number): { ast: Node; tokens: number } | undefined {
  for (const sourceType of ["module", "script"] as const) {
    const counter = tokenCounter(maxTokens);
    try {
      const ast = acornParse(text, { ...acornOptions(sourceType), onToken: counter.onToken }) as unknown as Node;
      return { ast, tokens: counter.count };
    } catch (error) {
      if (error instanceof TokenBudgetExceeded) throw error;
      // try the next mode, then Babel
    }
  }
  return undefined;
}

let babelModule: typeof import("@babel/parser") | undefined;
/** Babel is the fallback parser (TypeScript, JSX, what acorn rejects): loaded on first use only. */
function babel(): typeof import("@babel/parser") {
  babelModule ??= createRequire(import.meta.url)("@babel/parser") as typeof import("@babel/parser");
  return babelModule;
}

function babelPlugins(ext: string): ParserPlugin[] {
  const plugins: ParserPlugin[] = ["estree", "decorators-legacy", "importAttributes"];
  if (ext === ".ts" || ext === ".mts" || ext === ".cts") plugins.push("typescript");
  else if (ext === ".tsx") plugins.push("typescript", "jsx");
  else plugins.push("jsx", "flow");
  return plugins;
}

function tryBabel(text: string, ext: string): ParseResult {
  try {
    const file = babel().parse(text, {
      sourceType: "unambiguous",
      errorRecovery: true,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      allowImportExportEverywhere: true,
      allowUndeclaredExports: true,
      allowSuperOutsideMethod: true,
      plugins: babelPlugins(ext),
    });
    const errors = (file as unknown as { errors?: { message: string }[] }).errors ?? [];
    const program = file.program as unknown as Node;
    return errors.length > 0
      ? { ast: program, problem: `parsed with ${errors.length} recovered error(s): ${errors[0]!.message}` }
      : { ast: program };
  } catch (error) {
    if (error instanceof RangeError) return { problem: "could not parse: code nested too deeply for the parser" };
    return { problem: `could not parse: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Parse one file within its token budget (acorn counts while it parses; Babel, which has no
 * such hook, gets a file only when an estimate fits). Never throws.
 */
export function parseJs(path: string, text: string, maxTokens = DEFAULT_BUDGET.fileTokens): ParseResult {
  const deep = tooDeep(text, maxTokens);
  if (deep) return deep;
  const ext = extensionOf(path);
  const plainJs = ext === ".js" || ext === ".cjs" || ext === ".mjs" || ext === "";
  if (plainJs) {
    try {
      const parsed = tryAcorn(text, maxTokens);
      if (parsed) return parsed;
    } catch {
      return overBudget(maxTokens);
    }
  }
  const tokens = estimateTokens(text, maxTokens);
  if (tokens > maxTokens) return overBudget(maxTokens);
  return { ...tryBabel(text, ext), tokens };
}

/** Parse code built at run time (eval, new Function, node -e). */
export function parseSnippet(text: string, maxTokens = DEFAULT_BUDGET.fileTokens): Node | undefined {
  if (tooDeep(text, maxTokens)) return undefined;
  try {
    return tryAcorn(text, maxTokens)?.ast ?? (estimateTokens(text, maxTokens) > maxTokens ? undefined : tryBabel(text, ".js").ast);
  } catch {
    return undefined;
  }
}

/** Parse without error recovery: for guessed code (partially known strings), a recovered parse is a wrong guess. */
export function parseStrict(text: string, maxTokens = DEFAULT_BUDGET.fileTokens): Node | undefined {
  if (tooDeep(text, maxTokens)) return undefined;
  try {
    return tryAcorn(text, maxTokens)?.ast;
  } catch {
    return undefined;
  }
}
