// tree-sitter-python behind one function: text in, plain PyNode tree out.
//
// A wasm instance never gives memory back: its heap stays at the high-water mark of the
// largest tree it ever held (a 2 MB generated file leaves ~100 MB for the rest of the run).
// So the runtime is a replaceable instance: once its heap has grown past RECYCLE_HEAP_BYTES,
// the next initPythonParser() (between files and between packages) loads a fresh one from
// a fresh copy of the CommonJS build, and the old instance, heap included, becomes garbage.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as TreeSitter from "web-tree-sitter";
import type { Parser } from "web-tree-sitter";
import { countsAsNodes, PyNode } from "./ast.js";
import { recoverStatements } from "./recovery.js";
import { tablesFor, walkTree, type CursorExports } from "./walk.js";

export { forgetInternedText } from "./walk.js";

/** A runtime whose wasm heap has grown past this is replaced at the next file or package. */
export const RECYCLE_HEAP_BYTES = 64 * 1024 * 1024;

const require = createRequire(import.meta.url);

/**
 * The emscripten module object: its HEAPU8 is replaced by a larger view when the heap grows.
 * It also holds the runtime's exported C functions, called directly by the tree walk (walk.ts).
 */
export type RuntimeModule = { HEAPU8?: Uint8Array; wasmBinary?: Uint8Array } & Partial<CursorExports>;

interface Runtime {
  parser: Parser;
  module: RuntimeModule;
}

/** The module each parser was made by (its tree walks call that runtime's exports). */
const modules = new WeakMap<Parser, RuntimeModule>();

let runtime: Promise<Runtime> | undefined;
let loaded: Runtime | undefined;
/** Runtime and grammar wasm, read once per thread. */
let binaries: { runtime: Uint8Array; grammar: Uint8Array } | undefined;

async function loadRuntime(): Promise<Runtime> {
  binaries ??= {
    runtime: readFileSync(require.resolve("web-tree-sitter/tree-sitter.wasm")),
    grammar: readFileSync(require.resolve("tree-sitter-python/tree-sitter-python.wasm")),
  };
  // A fresh evaluation of the module: its emscripten instance is held by module-level state.
  // The previous copy is forgotten by the cache and by the parent's list of children (which would keep it alive).
  const path = require.resolve("web-tree-sitter");
  const previous = require.cache[path];
  delete require.cache[path];
  const siblings = previous?.parent?.children;
  if (previous && siblings?.includes(previous)) siblings.splice(siblings.indexOf(previous), 1);
  const treeSitter = require(path) as typeof TreeSitter;
  const module: RuntimeModule = { wasmBinary: binaries.runtime };
  await treeSitter.Parser.init(module);
  const language = await treeSitter.Language.load(binaries.grammar);
  const parser = new treeSitter.Parser();
  parser.setLanguage(language);
  modules.set(parser, module);
  return { parser, module };
}

/** Bytes of the current runtime's wasm heap (0 before the first load). */
export function pythonParserHeapBytes(): number {
  return loaded?.module.HEAPU8?.byteLength ?? 0;
}

/**
 * The parser, loaded on first use. When the heap has grown past RECYCLE_HEAP_BYTES a new
 * runtime is loaded; a parser handed out before stays usable (its instance lives as long as it).
 */
export function initPythonParser(recycleAbove = RECYCLE_HEAP_BYTES): Promise<Parser> {
  if (loaded && pythonParserHeapBytes() > recycleAbove) {
    runtime = undefined;
    loaded = undefined;
  }
  runtime ??= loadRuntime().then((r) => (loaded = r));
  return runtime.then((r) => r.parser);
}

export interface ParsedPython {
  root: PyNode;
  /** Set when the tree holds ERROR or MISSING nodes: what parsed is still usable. */
  syntaxError?: { line: number; column: number };
  /** With a syntax error: 1-based line ranges that recovery could not parse (the rest was re-parsed piece by piece). */
  unparsed?: [number, number][];
  /** Nodes in the tree (the analysis budget bounds the nodes a package keeps). */
  nodes: number;
}

/**
 * Parse with an already initialised parser (synchronous, so decoded code can be parsed
 * mid-analysis). A tree with syntax errors is rebuilt from the statements that parse on
 * their own (recovery.ts); `syntaxError` and `unparsed` say what was not read.
 */
export function parsePython(parser: Parser, source: string): ParsedPython | undefined {
  const parsed = parseOnce(parser, source);
  if (!parsed?.syntaxError) return parsed;
  const recovered = recoverStatements(source, (text, keepBroken) => {
    const piece = parseOnce(parser, text, keepBroken);
    return piece && { root: piece.root, clean: !piece.syntaxError };
  });
  const root = parsed.root.withChildren(recovered.statements);
  return { root, syntaxError: parsed.syntaxError, unparsed: recovered.unparsed, nodes: countNodes(root) };
}

/** Nodes of a (recovered) tree, for the analysis budget. */
function countNodes(root: PyNode): number {
  let count = 0;
  const stack: PyNode[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    count += countsAsNodes(node);
    for (const child of node.children) stack.push(child);
  }
  return count;
}

/** One tree-sitter parse, converted; with keepBroken false a tree with errors is not converted (empty root). */
function parseOnce(parser: Parser, source: string, keepBroken = true): ParsedPython | undefined {
  const tree = parser.parse(source);
  if (!tree) return undefined;
  try {
    const hasError = tree.rootNode.hasError;
    if (!keepBroken && hasError) return { root: new PyNode("module", null, true, "", 1, 1, []), syntaxError: { line: 1, column: 1 }, nodes: 1 };
    return walkTree(tree, modules.get(parser) as CursorExports, source, tablesFor(parser.language!), hasError);
  } finally {
    tree.delete();
  }
}
