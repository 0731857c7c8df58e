// ESTree node shape shared by acorn and Babel (with its `estree` plugin), plus an
// iterative walker: minified bundles nest deeper than the JS stack allows recursion.

/** A loosely typed ESTree node: the analyzer reads fields by node type. */
export interface Node {
  type: string;
  loc?: { start: { line: number; column: number } } | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

const NON_CHILD_KEYS = new Set([
  "type",
  "loc",
  "start",
  "end",
  "range",
  "extra",
  "leadingComments",
  "trailingComments",
  "innerComments",
  "comments",
  "tokens",
  "typeAnnotation",
  "returnType",
  "typeParameters",
  "typeArguments",
  "superTypeParameters",
]);

export function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/** Direct child nodes, in source order. */
export function childNodes(node: Node): Node[] {
  const children: Node[] = [];
  for (const key of Object.keys(node)) {
    if (NON_CHILD_KEYS.has(key)) continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) children.push(item);
    } else if (isNode(value)) children.push(value);
  }
  return children;
}

/** Pre-order walk without recursion. `visit` returning false skips the node's children. */
export function walk(root: Node, visit: (node: Node) => boolean | void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    const children = childNodes(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

export const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

export function isFunctionNode(node: Node): boolean {
  return FUNCTION_TYPES.has(node.type);
}

/** Wrappers that do not change a value: parentheses, TypeScript casts, `a?.b` chains. */
const TRANSPARENT = new Set([
  "ParenthesizedExpression",
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
  "TypeCastExpression",
  "ChainExpression",
]);

export function unwrap(node: Node): Node {
  let current = node;
  while (TRANSPARENT.has(current.type) && isNode(current.expression)) current = current.expression;
  return current;
}

/** The static name of a member property (`a.b`, `a["b"]`), if written literally. */
export function staticPropertyName(member: Node): string | undefined {
  const property = member.property as Node | undefined;
  if (!property) return undefined;
  if (!member.computed) {
    if (property.type === "Identifier") return property.name;
    if (property.type === "PrivateIdentifier" || property.type === "PrivateName") return `#${property.name ?? property.id?.name}`;
    return undefined;
  }
  if (property.type === "Literal" && (typeof property.value === "string" || typeof property.value === "number")) {
    return String(property.value);
  }
  return undefined;
}

/** Offsets where each line starts, for turning node offsets into lines. */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of a node: from Babel's loc, or from acorn's offset. */
export function positionOf(node: Node, lineStarts: number[] | undefined): { line: number; column: number } {
  const start = node.loc?.start;
  if (start) return { line: start.line, column: start.column + 1 };
  if (typeof node.start !== "number" || !lineStarts) return { line: 1, column: 1 };
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid]! <= node.start) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: node.start - lineStarts[low]! + 1 };
}
