// A plain-JS copy of the tree-sitter tree. The wasm tree is converted once and deleted
// right away: walking JS objects is faster than crossing into wasm for every child,
// and no wasm memory stays alive while the (long) analysis runs.

/** Shared by all leaves (nothing mutates a converted tree's arrays): one array less per leaf. */
export const NO_CHILDREN: PyNode[] = [];

/**
 * Trees are most of a big package's heap (700,000+ nodes alive for the whole analysis), so a
 * node has 4 fields (56 bytes; 7 plain fields took 80): a leaf's text and an inner node's
 * children share one (a node has one or the other, never both), and line, column and the
 * named flag are packed into one small integer. Bit 0: named; bits 1–12: column; bits 13–29: line
 * (kept under 2^30, a small integer on every V8 build).
 */
const COLUMN_SHIFT = 1;
const COLUMN_LIMIT = 1 << 12;
const LINE_SHIFT = 13;
const LINE_LIMIT = 1 << 17;
/** Positions past those bounds (very long lines, huge files): rare, kept aside. */
const widePositions = new WeakMap<PyNode, { line: number; column: number }>();
const WIDE = -2;

export class PyNode {
  // Declared, not class fields: assigned once in the constructor, in this order (one shape for all nodes).
  declare readonly type: string;
  /** Field name in the parent ("function", "arguments", "left" …), null when none. */
  declare field: string | null;
  /** A leaf's text, or an inner node's children. */
  declare private content: string | PyNode[];
  declare private position: number;

  constructor(type: string, field: string | null, named: boolean, text: string, line: number, column: number, children: PyNode[]) {
    this.type = type;
    this.field = field;
    this.content = text === "" || children.length > 0 ? children : text;
    if (line < LINE_LIMIT && column < COLUMN_LIMIT && line >= 0 && column >= 0) {
      this.position = (line << LINE_SHIFT) | (column << COLUMN_SHIFT) | (named ? 1 : 0);
    } else {
      this.position = WIDE | (named ? 1 : 0);
      widePositions.set(this, { line, column });
    }
  }

  /** Source text, kept for leaves only (identifiers, operators, string pieces, numbers). */
  get text(): string {
    const content = this.content;
    return typeof content === "string" ? content : "";
  }

  /** Set on leaves only (the converter learns a node is a leaf after making it). */
  set text(text: string) {
    this.content = text === "" ? NO_CHILDREN : text;
  }

  get children(): PyNode[] {
    const content = this.content;
    return typeof content === "string" ? NO_CHILDREN : content;
  }

  /** Set on inner nodes only (a node with children has no text). */
  set children(children: PyNode[]) {
    this.content = children;
  }

  get named(): boolean {
    return (this.position & 1) === 1;
  }

  /** 1-based. */
  get line(): number {
    const position = this.position;
    return position >= 0 ? position >>> LINE_SHIFT : widePositions.get(this)!.line;
  }

  /** 1-based. */
  get column(): number {
    const position = this.position;
    return position >= 0 ? (position >>> COLUMN_SHIFT) & (COLUMN_LIMIT - 1) : widePositions.get(this)!.column;
  }

  /** Moves the node down `lines` lines (recovered pieces are parsed without the lines before them). */
  shiftLines(lines: number): void {
    const line = this.line + lines;
    const column = this.column;
    if (this.position >= 0 && line < LINE_LIMIT && line >= 0) {
      this.position = (line << LINE_SHIFT) | (this.position & ((1 << LINE_SHIFT) - 1));
    } else {
      this.position = WIDE | (this.position & 1);
      widePositions.set(this, { line, column });
    }
  }

  /** A copy with other children (the same position and flags). */
  withChildren(children: PyNode[]): PyNode {
    return new PyNode(this.type, this.field, this.named, this.text, this.line, this.column, children);
  }
}

// Loops instead of find/filter: these run for every node the interpreter visits.
export function field(node: PyNode, name: string): PyNode | undefined {
  for (const child of node.children) if (child.field === name) return child;
  return undefined;
}

export function fields(node: PyNode, name: string): PyNode[] {
  return node.children.filter((c) => c.field === name);
}

/** Named children (comments are not copied by the parser). The node's own array when all are named: callers only read it. */
export function namedChildren(node: PyNode): readonly PyNode[] {
  const children = node.children;
  for (let i = 0; i < children.length; i++) {
    if (!children[i]!.named) return children.filter((c) => c.named);
  }
  return children;
}

/**
 * A string's `string_end` token is not copied when it is just the closing quote of its
 * `string_start` (always, but in a broken tree): 7.8 % of the nodes of a big package. It is
 * still a node for the budget and for the size tests (`countsAsNodes`), and its text is given
 * back by textOf. Every string has a string_end in tree-sitter's tree (a MISSING one in a
 * broken string, kept), so a string without one had it dropped.
 */
export function endDropped(node: PyNode): boolean {
  if (node.type !== "string") return false;
  const children = node.children;
  return children.length > 0 && children[children.length - 1]!.type !== "string_end";
}

/** The closing quote of a string that starts with `start` (`rb"""` → `"""`). */
export function closingQuote(start: string): string {
  let i = 0;
  while (i < start.length && start[i] !== '"' && start[i] !== "'") i++;
  return i === 0 ? start : start.slice(i);
}

/** Nodes a node stands for in tree-sitter's tree: itself, and the closing quote not copied. */
export function countsAsNodes(node: PyNode): number {
  return endDropped(node) ? 2 : 1;
}

/** Text of a leaf, or the concatenated leaves of a small node (dotted names, operators). */
export function textOf(node: PyNode): string {
  if (node.children.length === 0) return node.text;
  const text = node.children.map(textOf).join("");
  return endDropped(node) ? text + closingQuote(node.children[0]!.text) : text;
}

/** Dotted name as written: `a.b.c` for dotted_name nodes, the identifier itself otherwise. */
export function dottedName(node: PyNode): string {
  if (node.type === "dotted_name") return namedChildren(node).map(textOf).join(".");
  return textOf(node);
}

const COUNT_CAP = 1024;
const counts = new WeakMap<PyNode, number>();

/**
 * Count nodes, stopping early past the limit (used to decide whether to inline a function
 * or unroll a loop). Remembered per node: the same bodies are asked about at every call.
 */
export function nodeCount(node: PyNode, limit: number): number {
  if (limit >= COUNT_CAP) return countUpTo(node, limit);
  let count = counts.get(node);
  if (count === undefined) counts.set(node, (count = countUpTo(node, COUNT_CAP)));
  return Math.min(count, limit + 1);
}

/** Stands for a string's closing quote when counting (endDropped): counted, never in a tree. */
const DROPPED_END = new PyNode("string_end", null, true, "", 1, 1, NO_CHILDREN);

function countUpTo(node: PyNode, limit: number): number {
  let count = 0;
  const stack = [node];
  while (stack.length > 0 && count <= limit) {
    const current = stack.pop()!;
    count++;
    if (current.type === "string" && endDropped(current)) stack.push(DROPPED_END);
    for (const child of current.children) stack.push(child);
  }
  return count;
}
