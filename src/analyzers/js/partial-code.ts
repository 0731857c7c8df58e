// Code run from a string that is only partly known (`eval("(function (" + args + ") {…})")`,
// lodash templates, ajv validators, zod's JIT): the known text is real code and is
// analysed; each unknown part (a HOLE of the pattern) is replaced by something neutral.
// Only when no replacement gives code that parses is the string opaque (eval-dynamic).
import { walk, type Node } from "./ast.js";
import { parseStrict } from "./parse.js";
import { HOLE, skeletonOf, type Value } from "./values.js";

/** Fresh names for the unknown parts: bound to unknown values (with the string's taint). */
export const HOLE_NAME = "__exfilscan_hole_";

/** The same replacement for every hole; the first whose text parses wins. */
const SUBSTITUTIONS: ((index: number) => string)[] = [
  (i) => ` ${HOLE_NAME}${i} `, // an expression, a parameter list, a name
  () => "", // a piece of statement list or initialiser (`var __p = ''` + more declarators)
  (i) => `;${HOLE_NAME}${i};`, // a statement between statements
  () => " 0 ",
];

export interface PartialCode {
  ast: Node;
  /** Hole identifiers that the parsed code may read. */
  holes: string[];
  /** How many unknown parts the string had. */
  holeCount: number;
  /** The known text with its unknown parts shown as "*" (for notes). */
  display: string;
}

/** True when the value is a string with some known code in it and at least one unknown part. */
export function isPartialCode(value: Value): boolean {
  if (value.pattern === undefined) return false;
  return /[^\s\uE000]/.test(value.pattern) && value.pattern.includes(HOLE);
}

/**
 * Parse a partially known program. `wrap` builds the full text from the substituted
 * pieces (Function(params…, body) puts them in a function expression; `statements` then
 * finds its body).
 */
export function parsePartial(pieces: Value[], wrap: (texts: string[]) => string, statements: (ast: Node) => Node[] = (ast) => ast.body): PartialCode | undefined {
  const skeletons = pieces.map(skeletonOf);
  const holeCount = skeletons.reduce((n, s) => n + s.split(HOLE).length - 1, 0);
  if (holeCount === 0) return undefined;
  for (const substitute of SUBSTITUTIONS) {
    let index = 0;
    const holes: string[] = [];
    const texts = skeletons.map((s) =>
      s.replace(/\uE000/g, () => {
        const text = substitute(index++);
        if (text.includes(HOLE_NAME)) holes.push(text.replace(/[\s;]/g, ""));
        return text;
      }),
    );
    const ast = parseStrict(wrap(texts));
    if (!ast) continue;
    // Known text that is only comments and separators around the holes (`code + "//# sourceURL=" + url`) tells nothing.
    if (!hasKnownCode(statements(ast) ?? [])) return undefined;
    return { ast, holes, holeCount, display: skeletons[skeletons.length - 1]!.replaceAll(HOLE, "*") };
  }
  return undefined;
}

const FILLER = new Set(["ExpressionStatement", "EmptyStatement", "SequenceExpression"]);

function hasKnownCode(statements: Node[]): boolean {
  let known = false;
  for (const statement of statements) {
    walk(statement, (node) => {
      if (known) return false;
      if (FILLER.has(node.type) || (node.type === "Identifier" && node.name.startsWith(HOLE_NAME)) || (node.type === "Literal" && node.value === 0)) return;
      known = true;
      return false;
    });
    if (known) return true;
  }
  return false;
}
