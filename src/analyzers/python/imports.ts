// Import statements and module loading (`import x.y`, `from m import n`), separate from statements.ts's control flow and binding.
import { dottedName, field, fields, namedChildren, textOf, type PyNode } from "./ast.js";
import { lookup, type Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { external, unknown, type Value } from "./model.js";
import { resolveRelative } from "./modules.js";
import { setName } from "./statements.js";

export function execImport(ip: Interpreter, frame: Frame, node: PyNode): void {
  if (node.type === "future_import_statement") return;
  if (node.type === "import_statement") {
    for (const child of namedChildren(node)) {
      const aliased = child.type === "aliased_import";
      const nameNode = aliased ? field(child, "name")! : child;
      const dotted = dottedName(nameNode);
      const module = importModule(ip, frame, dotted);
      if (aliased) setName(frame, textOf(field(child, "alias")!), module);
      else {
        const top = dotted.split(".")[0]!;
        setName(frame, top, importModule(ip, frame, top));
      }
    }
    return;
  }
  const moduleNode = field(node, "module_name");
  let moduleName = moduleNode ? dottedName(moduleNode) : "";
  if (moduleNode?.type === "relative_import") {
    const prefix = namedChildren(moduleNode).find((c) => c.type === "import_prefix");
    const level = prefix ? textOf(prefix).length : 1;
    const rest = namedChildren(moduleNode).find((c) => c.type === "dotted_name");
    moduleName = resolveRelative(frame.module.name, ip.isPackageModule(frame.module), level, rest ? dottedName(rest) : "");
  }
  const module = importModule(ip, frame, moduleName);
  if (namedChildren(node).some((c) => c.type === "wildcard_import")) {
    if (module.ref?.kind === "module") {
      for (const [name, value] of ip.modules.get(module.ref.name)?.scope.vars ?? []) {
        if (!name.startsWith("_")) setName(frame, name, value);
      }
    } else if (module.ref?.kind === "external" && moduleName) {
      // The library's names are not known here: evalName resolves an otherwise unbound name through them.
      const stars = (frame.module.starImports ??= []);
      if (!stars.includes(moduleName) && stars.length < 16) stars.push(moduleName);
    }
    return;
  }
  for (const child of fields(node, "name")) {
    const aliased = child.type === "aliased_import";
    const nameNode = aliased ? field(child, "name")! : child;
    const name = dottedName(nameNode);
    const bound = aliased ? textOf(field(child, "alias")!) : name;
    setName(frame, bound, importedName(ip, frame, module, moduleName, name));
  }
}

/** `import x.y`: an in-package module (executed once) or an external module reference. */
export function importModule(ip: Interpreter, frame: Frame, dotted: string): Value {
  const file = ip.lookupModuleFile(dotted);
  if (!file || file === frame.file) return external(dotted);
  // Parent packages run first, as in Python.
  const parts = dotted.split(".");
  for (let i = 1; i < parts.length; i++) {
    const parent = ip.lookupModuleFile(parts.slice(0, i).join("."));
    if (parent && parent !== frame.file) liftModule(ip, frame, ip.runModule(parent).file);
  }
  const state = ip.runModule(file);
  liftModule(ip, frame, state.file);
  return { ref: { kind: "module", name: state.file }, taints: [] };
}

/** A module imported from install-time code runs at install: its top-level facts say so. */
function liftModule(ip: Interpreter, frame: Frame, file: string): void {
  const state = ip.modules.get(file);
  if (!state || frame.trigger !== "install" || state.trigger === "install") return;
  ip.liftRecords(frame, state.out);
}

function importedName(ip: Interpreter, frame: Frame, module: Value, moduleName: string, name: string): Value {
  if (module.ref?.kind === "module") {
    const state = ip.modules.get(module.ref.name);
    const value = state?.scope.vars.get(name) ?? lookup(state?.scope ?? frame.scope, name);
    if (value && state) return value;
    const sub = ip.lookupModuleFile(`${moduleName}.${name}`);
    if (sub) return importModule(ip, frame, `${moduleName}.${name}`);
    return unknown();
  }
  const sub = moduleName ? ip.lookupModuleFile(`${moduleName}.${name}`) : ip.lookupModuleFile(name);
  if (sub) return importModule(ip, frame, moduleName ? `${moduleName}.${name}` : name);
  return external(moduleName ? `${moduleName}.${name}` : name);
}
