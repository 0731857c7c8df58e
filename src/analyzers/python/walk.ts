// A tree-sitter tree copied into plain PyNodes by one pre-order walk of a tree cursor.
//
// The cursor's state lives in the runtime's transfer buffer (web-tree-sitter's C glue reads
// it from there and writes it back after every move): the walk calls the runtime's exported C
// functions directly and leaves the state there between calls, instead of going through the
// TreeCursor class, which copies the four words of state in and out of wasm memory around
// every call (most of the conversion's cost). Nothing else may use the runtime mid-walk.
import type { Language, Tree } from "web-tree-sitter";
import { closingQuote, NO_CHILDREN, PyNode } from "./ast.js";
import type { ParsedPython } from "./parser.js";

/** The C functions of web-tree-sitter's runtime the walk calls (tree: the TSTree pointer; cursor: in the transfer buffer). */
export interface CursorExports {
  _ts_tree_cursor_delete_wasm(tree: number): void;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_named_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
}

/** Per type id: name, named flag, and how the converter treats it (one lookup per node instead of several wasm calls). */
export interface LanguageTables {
  types: string[];
  named: boolean[];
  fields: (string | null)[];
  /** Punctuation and keywords no analysis reads: not copied (fewer wasm calls, smaller trees). */
  dropped: boolean[];
  /** Named types that never have children: no gotoFirstChild call. */
  leaf: boolean[];
  /** Types named `string_end`. */
  stringEnd: boolean[];
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

export function tablesFor(language: Language): LanguageTables {
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
    tables = { types, named, fields, dropped, leaf, stringEnd: types.map((type) => type === "string_end") };
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

/** The cursor is on a string_end that is exactly the closing quote of the string_start its string began with. */
function closesString(c: CursorExports, t: number, source: string, parent: PyNode, start: PyNode | undefined): boolean {
  if (parent.type !== "string" || start === undefined || start.type !== "string_start") return false;
  const quote = closingQuote(start.text);
  const from = c._ts_tree_cursor_start_index_wasm(t);
  return c._ts_tree_cursor_end_index_wasm(t) - from === quote.length && source.startsWith(quote, from);
}

/**
 * Children wait in one buffer shared by the walk (a node's start in it is kept on a stack) and
 * are copied out once, at their exact length, when the node is done: a pushed-to array per node
 * would keep spare capacity (17 slots after the first push) or, trimmed, be garbage.
 */
function closeNode(node: PyNode, pending: PyNode[], start: number): void {
  if (pending.length === start) return;
  node.children = pending.slice(start);
  pending.length = start;
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

/**
 * Iterative pre-order copy (no recursion: generated code nests deeply). Every cursor
 * property is a call into wasm, so each node asks only what it needs: dropped tokens
 * their type, anonymous tokens no text (their type is their text) and no children.
 */
export function walkTree(tree: Tree, c: CursorExports, source: string, tables: LanguageTables, hasError: boolean): ParsedPython {
  // tree.walk() leaves the new cursor in the transfer buffer: from here on only raw calls.
  tree.walk();
  const t = (tree as unknown as { 0: number })[0];
  try {
    return convert(t, c, source, tables, hasError);
  } finally {
    c._ts_tree_cursor_delete_wasm(t);
  }
}

function convert(t: number, c: CursorExports, source: string, tables: LanguageTables, hasError: boolean): ParsedPython {
  const starts = lineStarts(source);
  let lineHint = 0;
  const makeNode = (typeId: number): PyNode => {
    const index = c._ts_tree_cursor_start_index_wasm(t);
    // Nodes come in source order mostly: search forward from the last line, back when needed.
    if (index < starts[lineHint]!) lineHint = 0;
    while (lineHint + 1 < starts.length && starts[lineHint + 1]! <= index) lineHint++;
    return new PyNode(
      tables.types[typeId] ?? "ERROR",
      tables.fields[c._ts_tree_cursor_current_field_id_wasm(t)] ?? null,
      tables.named[typeId] ?? c._ts_tree_cursor_current_node_is_named_wasm(t) === 1,
      "",
      lineHint + 1,
      index - starts[lineHint]! + 1,
      NO_CHILDREN,
    );
  };
  const result: ParsedPython = { root: makeNode(c._ts_tree_cursor_current_node_type_id_wasm(t)), nodes: 1 };
  const stack: PyNode[] = [result.root];
  const pending: PyNode[] = [];
  /** Where each node of `stack` has its children in `pending`. */
  const childStarts: number[] = [0];
  if (c._ts_tree_cursor_goto_first_child_wasm(t) !== 1) return result;
  for (;;) {
    const typeId = c._ts_tree_cursor_current_node_type_id_wasm(t);
    const parent = stack[stack.length - 1]!;
    const missing = hasError && c._ts_tree_cursor_current_node_is_missing_wasm(t) === 1;
    const keep = !tables.dropped[typeId] || (parent.type === "slice" && tables.types[typeId] === ":");
    if (tables.stringEnd[typeId] && !missing && closesString(c, t, source, parent, pending[childStarts[childStarts.length - 1]!])) {
      // A string's closing quote: counted, not copied (see endDropped in ast.ts).
      result.nodes++;
    } else if (keep || (hasError && !result.syntaxError && missing)) {
      const node = makeNode(typeId);
      if (hasError && !result.syntaxError && (node.type === "ERROR" || missing)) result.syntaxError = { line: node.line, column: node.column };
      if (keep) {
        result.nodes++;
        pending.push(node);
        if (!tables.leaf[typeId] && c._ts_tree_cursor_goto_first_child_wasm(t) === 1) {
          stack.push(node);
          childStarts.push(pending.length);
          continue;
        }
        // A leaf: keep its text (indices are UTF-16 offsets into the JS string); a token's text is its type.
        node.text = tables.named[typeId] || missing ? intern(source.slice(c._ts_tree_cursor_start_index_wasm(t), c._ts_tree_cursor_end_index_wasm(t))) : node.type;
      }
    }
    while (c._ts_tree_cursor_goto_next_sibling_wasm(t) !== 1) {
      if (c._ts_tree_cursor_goto_parent_wasm(t) !== 1 || stack.length <= 1) {
        closeNode(result.root, pending, 0);
        return result;
      }
      closeNode(stack.pop()!, pending, childStarts.pop()!);
    }
  }
}
