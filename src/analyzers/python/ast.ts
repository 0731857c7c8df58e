// A plain-JS copy of the tree-sitter tree. The wasm tree is converted once and deleted
// right away: walking JS objects is faster than crossing into wasm for every child,
// and no wasm memory stays alive while the (long) analysis runs.

export interface PyNode {
  type: string;
  /** Field name in the parent ("function", "arguments", "left" …), null when none. */
  field: string | null;
  named: boolean;
  /** Source text, kept for leaves only (identifiers, operators, string pieces, numbers). */
  text: string;
  /** 1-based. */
  line: number;
  column: number;
  children: PyNode[];
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

/** Text of a leaf, or the concatenated leaves of a small node (dotted names, operators). */
export function textOf(node: PyNode): string {
  if (node.children.length === 0) return node.text;
  return node.children.map(textOf).join("");
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

function countUpTo(node: PyNode, limit: number): number {
  let count = 0;
  const stack = [node];
  while (stack.length > 0 && count <= limit) {
    const current = stack.pop()!;
    count++;
    for (const child of current.children) stack.push(child);
  }
  return count;
}
