// Module resolution inside the package: relative requires/imports (./x, ./x.js → x.ts,
// ./dir → dir/index.js), the package's own name, and its entry points (main/exports).

const EXTENSIONS = [".js", ".cjs", ".mjs", ".ts", ".tsx", ".mts", ".cts", ".jsx", ".json"];

/** Node built-ins whose sub-paths are distinct modules in sinks.yaml. */
const BUILTIN_SUBPATHS = new Set(["fs/promises", "dns/promises", "stream/promises", "timers/promises", "readline/promises", "path/posix", "path/win32", "util/types"]);

export interface Manifest {
  name?: string;
  main?: unknown;
  module?: unknown;
  exports?: unknown;
  bin?: unknown;
  scripts?: Record<string, unknown>;
}

export function dirnameOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Normalise a path relative to the package root ("" for the root); undefined if it leaves the package. */
export function normalizePath(path: string): string | undefined {
  const out: string[] = [];
  for (const segment of path.replace(/\\/g, "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(segment);
  }
  return out.join("/");
}

/** The file a path names, trying the extensions and index files Node (and TypeScript) would. */
export function resolveFile(files: ReadonlyMap<string, Buffer>, path: string): string | undefined {
  const base = normalizePath(path);
  if (base === undefined) return undefined;
  if (base && files.has(base)) return base;
  const stem = base.replace(/\.(c|m)?js$/, "");
  for (const ext of EXTENSIONS) {
    if (files.has(base + ext)) return base + ext;
    if (stem !== base && files.has(stem + ext)) return stem + ext; // ./x.js written for x.ts
  }
  const prefix = base ? `${base}/` : "";
  const nested = files.get(`${prefix}package.json`);
  if (nested && base) {
    const main = manifestOf(nested)?.main;
    if (typeof main === "string") {
      const viaMain = resolveFile(files, `${prefix}${main}`);
      if (viaMain && viaMain !== base) return viaMain;
    }
  }
  for (const ext of EXTENSIONS) if (files.has(`${prefix}index${ext}`)) return `${prefix}index${ext}`;
  return undefined;
}

export type Resolution = { file: string } | { module: string } | { missing: string };

/** What require(specifier) from `fromFile` loads. */
export function resolveSpecifier(files: ReadonlyMap<string, Buffer>, fromFile: string, specifier: string, packageName?: string): Resolution {
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const target = specifier.startsWith("/") ? specifier : `${dirnameOf(fromFile)}/${specifier}`;
    const file = resolveFile(files, target);
    return file ? { file } : { missing: specifier };
  }
  if (packageName && (specifier === packageName || specifier.startsWith(`${packageName}/`))) {
    const rest = specifier.slice(packageName.length + 1);
    const file = rest ? resolveFile(files, rest) : entryPoints(files)[0];
    if (file) return { file };
  }
  return { module: moduleName(specifier) };
}

/** The module a bare specifier names: "node:fs" → "fs", "axios/lib/x" → "axios", "@a/b/c" → "@a/b". */
export function moduleName(specifier: string): string {
  const bare = specifier.replace(/^node:/, "");
  if (BUILTIN_SUBPATHS.has(bare)) return bare;
  const parts = bare.split("/");
  return bare.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

export function manifestOf(bytes: Buffer | undefined): Manifest | undefined {
  if (!bytes) return undefined;
  try {
    const parsed: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Manifest) : undefined;
  } catch {
    return undefined;
  }
}

/** Files that run when the package is imported: main, module, and the "." targets of exports. */
export function entryPoints(files: ReadonlyMap<string, Buffer>): string[] {
  const manifest = manifestOf(files.get("package.json"));
  const targets: string[] = [];
  if (typeof manifest?.main === "string") targets.push(manifest.main);
  if (typeof manifest?.module === "string") targets.push(manifest.module);
  collectExportTargets(manifest?.exports, targets, 0, true);
  if (targets.length === 0) targets.push("index.js");
  const out: string[] = [];
  for (const target of targets) {
    const file = resolveFile(files, target);
    if (file && !out.includes(file) && !file.endsWith(".json")) out.push(file);
  }
  // Node never runs TypeScript from node_modules: a source condition ("@zod/source": "./src/index.ts")
  // beside compiled JavaScript entries is not what importing the package runs.
  const javascript = out.filter((f) => !TYPESCRIPT.test(f));
  return javascript.length > 0 ? javascript : out;
}

const TYPESCRIPT = /\.(c|m)?tsx?$/;

function collectExportTargets(value: unknown, out: string[], depth: number, root: boolean): void {
  if (depth > 6 || value === null || value === undefined) return;
  if (typeof value === "string") {
    if (!value.includes("*")) out.push(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectExportTargets(item, out, depth + 1, false);
    return;
  }
  if (typeof value !== "object") return;
  const entries = Object.entries(value as Record<string, unknown>);
  const subpathKeys = root && entries.some(([key]) => key.startsWith("."));
  for (const [key, item] of entries) {
    if (subpathKeys && key !== ".") continue; // only the package's main entry runs on import
    if (key === "types" || key === "typings") continue;
    collectExportTargets(item, out, depth + 1, false);
  }
}
