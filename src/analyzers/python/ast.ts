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

export function field(node: PyNode, name: string): PyNode | undefined {
  return node.children.find((c) => c.field === name);
}

export function fields(node: PyNode, name: string): PyNode[] {
  return node.children.filter((c) => c.field === name);
}

export function namedChildren(node: PyNode): PyNode[] {
  return node.children.filter((c) => c.named && c.type !== "comment");
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

/** Count nodes, stopping early past the limit (used to decide whether to inline a function). */
export function nodeCount(node: PyNode, limit: number): number {
  let count = 0;
  const stack = [node];
  while (stack.length > 0 && count <= limit) {
    const current = stack.pop()!;
    count++;
    for (const child of current.children) stack.push(child);
  }
  return count;
}
