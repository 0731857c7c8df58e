// An installed node_modules tree: every package.json in it (hoisted, nested, @scope,
// pnpm's .pnpm store once per package version), with dependency paths resolved the way
// Node resolves them. Nothing is run; symlinks are followed only to find the real folder.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { computePaths, type GraphNode } from "./graph.js";
import type { LockfileProblem, ParsedLockfile, ResolvedPackage } from "./types.js";
import { newPackage } from "./lockfiles/common.js";

interface Manifest {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  scripts?: Record<string, string>;
}

const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"];

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

/** A platform package (os/cpu set) that ships no JavaScript and runs nothing at install. */
function isBinaryOnly(dir: string, manifest: Manifest): boolean {
  if (!manifest.os && !manifest.cpu) return false;
  if (INSTALL_SCRIPTS.some((s) => manifest.scripts?.[s])) return false;
  const pending = [dir];
  let seen = 0;
  while (pending.length && seen < 2000) {
    const current = pending.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      seen++;
      if (entry.isDirectory() && entry.name !== "node_modules") pending.push(join(current, entry.name));
      else if (entry.isFile() && /\.(c|m)?[jt]s$|\.py$|\.sh$/.test(entry.name)) return false;
    }
  }
  return true;
}

export async function readInstalledNpm(nodeModules: string): Promise<ParsedLockfile> {
  const problems: LockfileProblem[] = [];
  const root = dirname(nodeModules);
  /** Any path a package can be reached at (symlinks included) → node id (name@version). */
  const byPath = new Map<string, string>();
  const nodes = new Map<string, GraphNode>();
  const manifests = new Map<string, { dir: string; manifest: Manifest }>();
  const visitedReal = new Set<string>();

  const visitPackage = (path: string) => {
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      return;
    }
    let real = path;
    if (stats.isSymbolicLink()) {
      try {
        real = realpathSync(path);
      } catch {
        problems.push({ file: path, message: "broken symlink" });
        return;
      }
    } else if (!stats.isDirectory()) return;
    const manifest = readManifest(real);
    if (!manifest) return;
    const id = `${manifest.name ?? relative(nodeModules, path)}@${manifest.version ?? "?"}`;
    byPath.set(path, id);
    byPath.set(real, id);
    if (visitedReal.has(real)) return;
    visitedReal.add(real);
    if (!nodes.has(id)) {
      const linked = stats.isSymbolicLink() && !real.split(sep).includes("node_modules");
      const pkg: ResolvedPackage = newPackage("npm", manifest.name ?? relative(nodeModules, path), join(real, "package.json"), 1, {
        source: linked ? "link" : "installed",
        localPath: real,
        ...(manifest.version ? { version: manifest.version } : {}),
      });
      if (!manifest.name || !manifest.version) pkg.unscannable = "package.json without a name or version";
      if (isBinaryOnly(real, manifest)) pkg.binaryOnly = true;
      nodes.set(id, { pkg, children: [] });
      manifests.set(id, { dir: real, manifest });
    }
    if (!stats.isSymbolicLink() || real.split(sep).includes("node_modules")) visitTree(join(real, "node_modules"));
  };

  const visitTree = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir).sort()) {
      if (entry === ".bin" || entry === ".cache" || entry.endsWith(".json") || entry.endsWith(".yaml")) continue;
      const path = join(dir, entry);
      if (entry === ".pnpm") {
        for (const id of readdirSync(path).sort()) if (id !== "node_modules" && !id.endsWith(".yaml")) visitTree(join(path, id, "node_modules"));
        continue;
      }
      if (entry.startsWith("@")) {
        for (const child of readdirSync(path).sort()) visitPackage(join(path, child));
        continue;
      }
      visitPackage(path);
    }
  };
  visitTree(nodeModules);

  // Node's resolution: <dir>/node_modules/<dep>, walking up from the dependent's real folder.
  const resolve = (from: string, dep: string): string | undefined => {
    for (let dir = from; ; dir = dirname(dir)) {
      const id = byPath.get(join(dir, "node_modules", dep));
      if (id) return id;
      if (dir === dirname(dir) || relative(root, dir).startsWith("..")) return undefined;
    }
  };
  const depNames = (m: Manifest, withDev: boolean) => [
    ...Object.keys(m.dependencies ?? {}),
    ...Object.keys(m.optionalDependencies ?? {}),
    ...Object.keys(m.peerDependencies ?? {}),
    ...(withDev ? Object.keys(m.devDependencies ?? {}) : []),
  ];
  for (const [id, { dir, manifest }] of manifests) {
    const node = nodes.get(id)!;
    for (const dep of depNames(manifest, false)) {
      const child = resolve(dir, dep);
      if (child && child !== id && !node.children.includes(child)) node.children.push(child);
    }
  }
  const rootManifest = readManifest(root);
  const roots = rootManifest ? depNames(rootManifest, true).map((d) => resolve(root, d)).filter((x): x is string => Boolean(x)) : [];
  if (rootManifest) {
    const prod = new Set(depNames({ ...rootManifest, devDependencies: {} }, false).map((d) => resolve(root, d)));
    const reach = new Set<string>();
    const stack = [...prod].filter((x): x is string => Boolean(x));
    while (stack.length) {
      const id = stack.pop()!;
      if (reach.has(id)) continue;
      reach.add(id);
      stack.push(...(nodes.get(id)?.children ?? []));
    }
    for (const [id, node] of nodes) node.pkg.dev = !reach.has(id) && roots.length > 0;
  }
  return { file: nodeModules, kind: "node_modules", packages: computePaths({ nodes, roots }), problems };
}
