// tree-sitter-python behind one function: text in, plain PyNode tree out. The wasm
// runtime and the grammar are loaded once per process.
import { createRequire } from "node:module";
import { Language, Parser, type TreeCursor } from "web-tree-sitter";
import type { PyNode } from "./ast.js";

let parserPromise: Promise<Parser> | undefined;

/** Load the runtime and the grammar once; later calls share the same parser. */
export function initPythonParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve("tree-sitter-python/tree-sitter-python.wasm");
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

export interface ParsedPython {
  root: PyNode;
  /** Set when the tree holds ERROR or MISSING nodes: what parsed is still usable. */
  syntaxError?: { line: number; column: number };
}

/** Parse with an already initialised parser (synchronous, so decoded code can be parsed mid-analysis). */
export function parsePython(parser: Parser, source: string): ParsedPython | undefined {
  const tree = parser.parse(source);
  if (!tree) return undefined;
  try {
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

/** Type names, named flags and field names by id: one lookup per node instead of several wasm calls. */
interface LanguageTables {
  types: string[];
  named: boolean[];
  fields: (string | null)[];
}

const tablesCache = new WeakMap<Language, LanguageTables>();

function tablesFor(language: Language): LanguageTables {
  let tables = tablesCache.get(language);
  if (!tables) {
    const types: string[] = [];
    const named: boolean[] = [];
    for (let id = 0; id < language.nodeTypeCount; id++) {
      types[id] = language.nodeTypeForId(id) ?? "";
      named[id] = language.nodeTypeIsNamed(id);
    }
    const fields: (string | null)[] = [null];
    for (let id = 1; id <= language.fieldCount; id++) fields[id] = language.fieldNameForId(id);
    tables = { types, named, fields };
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

/** Iterative pre-order copy (no recursion: generated code nests deeply). */
function convert(cursor: TreeCursor, source: string, language: Language, hasError: boolean): ParsedPython {
  const tables = tablesFor(language);
  const starts = lineStarts(source);
  let lineHint = 0;
  const makeNode = (): PyNode => {
    const typeId = cursor.nodeTypeId;
    const index = cursor.startIndex;
    // Nodes come in source order mostly: search forward from the last line, back when needed.
    if (index < starts[lineHint]!) lineHint = 0;
    while (lineHint + 1 < starts.length && starts[lineHint + 1]! <= index) lineHint++;
    const type = tables.types[typeId] ?? cursor.nodeType;
    return {
      type,
      field: tables.fields[cursor.currentFieldId] ?? null,
      named: tables.named[typeId] ?? cursor.nodeIsNamed,
      text: "",
      line: lineHint + 1,
      column: index - starts[lineHint]! + 1,
      children: [],
    };
  };
  const result: ParsedPython = { root: makeNode() };
  const noteError = (node: PyNode): void => {
    if (hasError && !result.syntaxError && (node.type === "ERROR" || cursor.nodeIsMissing)) {
      result.syntaxError = { line: node.line, column: node.column };
    }
  };
  const stack: PyNode[] = [result.root];
  if (!cursor.gotoFirstChild()) return result;
  for (;;) {
    const node = makeNode();
    noteError(node);
    stack[stack.length - 1]!.children.push(node);
    if (cursor.gotoFirstChild()) {
      stack.push(node);
      continue;
    }
    // A leaf: keep its text (indices are UTF-16 offsets into the JS string).
    node.text = source.slice(cursor.startIndex, cursor.endIndex);
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent() || stack.length <= 1) return result;
      stack.pop();
    }
  }
}
