// Bundled code: webpack, browserify, parcel and esbuild keep each source module as a
// factory function in a module map (an object keyed by ids or paths, or an array) and call
// it through their own small require (`__webpack_require__(12)`, `o(n||r)`, `__commonJS`).
// The interpreter already follows those calls; what a factory needs is to run like a file
// of its own: a fresh inline depth and recursion guard (the bundle's require calls itself
// through every module that requires another). Recognised from the literal's shape only,
// never from names, so a renamed or minified runtime is the same.
import type { Node } from "./ast.js";
import type { ObjectData } from "./values.js";

/** How many bundled modules may be loading inside each other (Node's own limit is similar in spirit). */
export const MAX_FACTORY_NESTING = 40;

const FUNCTION_TYPES = new Set(["FunctionExpression", "ArrowFunctionExpression"]);
/** A module id: a number, or a path (`./src/a.js`, `node_modules/x/index.js`, `src/b.ts`). */
const MODULE_KEY = /^\d+$|[/\\]|\.(?:c|m)?[jt]sx?$|\.json$/;

export class BundleModel {
  /** Factory functions of module maps seen so far. */
  private readonly factories = new WeakSet<Node>();
  private readonly checked = new WeakSet<Node>();
  /** Factories running now (a cycle the bundle's cache would break is cut here). */
  private readonly running = new Set<Node>();
  /** Keys of the module maps seen (webpack ids, browserify ids, esbuild paths). */
  private readonly ids = new Set<string>();

  /** Module maps and browserify dependency maps: complete by construction, a key they lack is absent. */
  private readonly closedLiterals = new WeakSet<Node>();
  private readonly closedObjects = new WeakSet<ObjectData>();

  /** Look at an object or array literal once; mark the factories of a module map. */
  noteLiteral(node: Node): void {
    if (this.checked.has(node)) return;
    this.checked.add(node);
    const factories = factoriesOf(node);
    for (const { fn, id, deps } of factories) {
      this.factories.add(fn);
      if (id !== undefined) this.ids.add(id);
      if (deps) this.closedLiterals.add(deps);
    }
    if (factories.length > 0 && node.type === "ObjectExpression") this.closedLiterals.add(node);
  }

  /** The object an object literal evaluated to (a closed map stays closed until an unknown write). */
  noteObject(node: Node, data: ObjectData): void {
    if (this.closedLiterals.has(node)) this.closedObjects.add(data);
  }

  /**
   * A bundle's module cache (`cache[id]` before the module was loaded): an object holding
   * nothing but module ids, none written through an unknown key, is asked for an id it does
   * not hold. That is `undefined`, not unknown: otherwise `if (cached !== undefined) return
   * cached.exports` would hide every module's exports behind an unknown value.
   */
  isCacheMiss(data: ObjectData, key: string): boolean {
    if (data.open || data.taint || data.elements || data.props.has(key)) return false;
    if (this.closedObjects.has(data)) return true;
    if (!this.ids.has(key)) return false;
    for (const id of data.props.keys()) if (!this.ids.has(id)) return false;
    return true;
  }

  /** May this call run as a bundled module of its own (fresh depth and recursion guard)? */
  enters(fnNode: Node): boolean {
    return this.factories.has(fnNode) && !this.running.has(fnNode) && this.running.size < MAX_FACTORY_NESTING;
  }

  begin(fnNode: Node): void {
    this.running.add(fnNode);
  }

  end(fnNode: Node): void {
    this.running.delete(fnNode);
  }
}

const isFactory = (node: Node | null | undefined): node is Node => !!node && FUNCTION_TYPES.has(node.type) && (node.params as Node[]).length <= 3;

/** The module factories of a literal (with their ids), when it has the shape of a module map. */
export function factoriesOf(node: Node): { fn: Node; id?: string; deps?: Node }[] {
  if (node.type === "ArrayExpression") {
    // webpack 4: [function (module, exports, require) {…}, …]
    const elements = node.elements as (Node | null)[];
    const present = elements.filter((e): e is Node => e !== null);
    if (present.length < 2 || !present.every(isFactory)) return [];
    return elements.flatMap((fn, index) => (fn ? [{ fn, id: String(index) }] : []));
  }
  if (node.type !== "ObjectExpression") return [];
  const found: { fn: Node; id?: string; deps?: Node }[] = [];
  const plain: { fn: Node; id?: string }[] = [];
  for (const property of node.properties as Node[]) {
    if (property.type !== "Property" || property.kind !== "init") continue;
    const value = property.value as Node;
    const key = property.computed ? undefined : property.key.type === "Identifier" ? property.key.name : String(property.key.value);
    // browserify / parcel 1: id: [function (require, module, exports) {…}, { "./dep": id }]
    if (value.type === "ArrayExpression" && value.elements.length === 2 && isFactory(value.elements[0]) && value.elements[1]?.type === "ObjectExpression") {
      found.push({ fn: value.elements[0], id: key, deps: value.elements[1] });
      continue;
    }
    // webpack 5 / esbuild __commonJS: 12: (module, exports, require) => {…}, "src/a.js"(exports, module) {…}
    if (key !== undefined && isFactory(value)) plain.push({ fn: value, id: key });
  }
  // Externals sit beside the modules under bare names (`"fs": (module) => {…}`): once one key
  // is a module id or path, every factory of the literal is a module.
  if (plain.some(({ id }) => MODULE_KEY.test(id!))) found.push(...plain);
  return found;
}
