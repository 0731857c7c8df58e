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
import type { Language, Parser, TreeCursor } from "web-tree-sitter";
import type { PyNode } from "./ast.js";
import { recoverStatements } from "./recovery.js";

/** A runtime whose wasm heap has grown past this is replaced at the next file or package. */
export const RECYCLE_HEAP_BYTES = 64 * 1024 * 1024;

const require = createRequire(import.meta.url);

interface Runtime {
  parser: Parser;
  /** The emscripten module object: its HEAPU8 is replaced by a larger view when the heap grows. */
  module: { HEAPU8?: Uint8Array; wasmBinary?: Uint8Array };
}

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
  const module: Runtime["module"] = { wasmBinary: binaries.runtime };
  await treeSitter.Parser.init(module);
  const language = await treeSitter.Language.load(binaries.grammar);
  const parser = new treeSitter.Parser();
  parser.setLanguage(language);
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
  const root: PyNode = { ...parsed.root, children: recovered.statements };
  return { root, syntaxError: parsed.syntaxError, unparsed: recovered.unparsed, nodes: countNodes(root) };
}

/** Nodes of a (recovered) tree, for the analysis budget. */
function countNodes(root: PyNode): number {
  let count = 0;
  const stack: PyNode[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    count++;
    for (const child of node.children) stack.push(child);
  }
  return count;
}

/** One tree-sitter parse, converted; with keepBroken false a tree with errors is not converted (empty root). */
function parseOnce(parser: Parser, source: string, keepBroken = true): ParsedPython | undefined {
  const tree = parser.parse(source);
  if (!tree) return undefined;
  try {
    if (!keepBroken && tree.rootNode.hasError) return { root: { type: "module", field: null, named: true, text: "", line: 1, column: 1, children: [] }, syntaxError: { line: 1, column: 1 }, nodes: 1 };
    const cursor = tree.walk();
    try {
      return convert(cursor, source, parser.language!, tree.rootNode.hasError);
    } finally {
      cursor.delete();
    }
  } finally {
    tree.delete();
  }
}

/** Per type id: name, named flag, and how the converter treats it (one lookup per node instead of several wasm calls). */
interface LanguageTables {
  types: string[];
  named: boolean[];
  fields: (string | null)[];
  /** Punctuation and keywords no analysis reads: not copied (fewer wasm calls, smaller trees). */
  dropped: boolean[];
  /** Named types that never have children: no gotoFirstChild call. */
  leaf: boolean[];
}

/** Anonymous tokens the interpreter never looks at. Operators, "*", "." and ":" (slices) are kept. */
const DROPPED_TOKENS = new Set(
  (
    "( ) , [ ] { } ; : = := -> @ \\ end import from as def class return if elif else for while try except finally with " +
    "pass break continue del raise global nonlocal lambda assert print exec async await yield match case type _ __future__"
  ).split(" "),
);
/** Named leaves (and string_content, whose escape children would hide the text between them). */
const LEAF_TYPES = new Set(["identifier", "integer", "float", "true", "false", "none", "string_start", "string_end", "escape_sequence", "string_content", "comment", "ellipsis", "type_conversion"]);

const tablesCache = new WeakMap<Language, LanguageTables>();

function tablesFor(language: Language): LanguageTables {
  let tables = tablesCache.get(language);
  if (!tables) {
    const types: string[] = [];
    const named: boolean[] = [];
    const dropped: boolean[] = [];
    const leaf: boolean[] = [];
    for (let id = 0; id < language.nodeTypeCount; id++) {
      types[id] = language.nodeTypeForId(id) ?? "";
      named[id] = language.nodeTypeIsNamed(id);
      dropped[id] = named[id] ? types[id] === "comment" : DROPPED_TOKENS.has(types[id]!);
      leaf[id] = !named[id] || LEAF_TYPES.has(types[id]!);
    }
    const fields: (string | null)[] = [null];
    for (let id = 1; id <= language.fieldCount; id++) fields[id] = language.fieldNameForId(id);
    tables = { types, named, fields, dropped, leaf };
    tablesCache.set(language, tables);
  }
  return tables;
}

/** Offsets (UTF-16) where each line starts, to turn start indices into line/column. */
function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * A pushed-to array keeps spare capacity (17 slots after the first push): a copy of exact
 * length halves the heap a tree costs (every function body stays alive for the whole analysis).
 */
function trimChildren(node: PyNode): void {
  if (node.children !== NO_CHILDREN) node.children = node.children.slice();
}

/**
 * Short leaf texts (identifiers, numbers, operators) repeat across a package: one copy each.
 * A text of 13+ characters is a slice that keeps its whole file's source alive: the table
 * is emptied when a package is done (forgetInternedText), or it would hold every source read.
 */
const interned = new Map<string, string>();
const MAX_INTERNED = 200_000;

/** Drop the intern table (and with it the sources its slices point into): a package is done. */
export function forgetInternedText(): void {
  interned.clear();
}

function intern(text: string): string {
  if (text.length > 24) return text;
  const known = interned.get(text);
  if (known !== undefined) return known;
  if (interned.size >= MAX_INTERNED) interned.clear();
  interned.set(text, text);
  return text;
}

/** Shared by all leaves (nothing mutates a converted tree): one array less per leaf. */
const NO_CHILDREN: PyNode[] = [];

/**
 * Iterative pre-order copy (no recursion: generated code nests deeply). Every cursor
 * property is a call into wasm, so each node asks only what it needs: dropped tokens
 * their type, anonymous tokens no text (their type is their text) and no children.
 */
function convert(cursor: TreeCursor, source: string, language: Language, hasError: boolean): ParsedPython {
  const tables = tablesFor(language);
  const starts = lineStarts(source);
  let lineHint = 0;
  const makeNode = (typeId: number): PyNode => {
    const index = cursor.startIndex;
    // Nodes come in source order mostly: search forward from the last line, back when needed.
    if (index < starts[lineHint]!) lineHint = 0;
    while (lineHint + 1 < starts.length && starts[lineHint + 1]! <= index) lineHint++;
    return {
      type: tables.types[typeId] ?? cursor.nodeType,
      field: tables.fields[cursor.currentFieldId] ?? null,
      named: tables.named[typeId] ?? cursor.nodeIsNamed,
      text: "",
      line: lineHint + 1,
      column: index - starts[lineHint]! + 1,
      children: NO_CHILDREN,
    };
  };
  const result: ParsedPython = { root: makeNode(cursor.nodeTypeId), nodes: 1 };
  const stack: PyNode[] = [result.root];
  if (!cursor.gotoFirstChild()) return result;
  for (;;) {
    const typeId = cursor.nodeTypeId;
    const parent = stack[stack.length - 1]!;
    const missing = hasError && cursor.nodeIsMissing;
    const keep = !tables.dropped[typeId] || (parent.type === "slice" && tables.types[typeId] === ":");
    if (keep || (hasError && !result.syntaxError && missing)) {
      const node = makeNode(typeId);
      if (hasError && !result.syntaxError && (node.type === "ERROR" || missing)) result.syntaxError = { line: node.line, column: node.column };
      if (keep) {
        result.nodes++;
        if (parent.children === NO_CHILDREN) parent.children = [];
        parent.children.push(node);
        if (!tables.leaf[typeId] && cursor.gotoFirstChild()) {
          stack.push(node);
          continue;
        }
        // A leaf: keep its text (indices are UTF-16 offsets into the JS string); a token's text is its type.
        node.text = tables.named[typeId] || missing ? intern(source.slice(cursor.startIndex, cursor.endIndex)) : node.type;
      }
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent() || stack.length <= 1) {
        trimChildren(result.root);
        return result;
      }
      trimChildren(stack.pop()!);
    }
  }
}
