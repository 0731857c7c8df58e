// pnpm-lock.yaml: lockfile v5.x/v6 (packages keyed "/name@version") and v9 (packages + snapshots).
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import type { LineCounter, YAMLMap } from "yaml";

// Loaded on the first pnpm lockfile: an npm-only project (and the warm path) never pays for the YAML parser.
let yamlModule: typeof Yaml | undefined;
const yaml = () => (yamlModule ??= createRequire(import.meta.url)("yaml") as typeof Yaml);
import { computePaths, type GraphNode } from "../graph.js";
import type { LockfileProblem, ParsedLockfile, ResolvedPackage } from "../types.js";
import { newPackage, parseSri, propagateFlags } from "./common.js";
import { splitDescriptor } from "./yarn.js";

type Deps = Record<string, string | { specifier?: string; version?: string }>;

interface Importer {
  dependencies?: Deps;
  devDependencies?: Deps;
  optionalDependencies?: Deps;
}

interface PnpmPackage {
  resolution?: { integrity?: string; tarball?: string; type?: string; repo?: string; commit?: string; directory?: string };
  name?: string;
  version?: string;
  dev?: string;
  optional?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** The line of every key of a top-level mapping (packages:, snapshots:). */
function keyLines(map: unknown, counter: LineCounter): Map<string, number> {
  const lines = new Map<string, number>();
  if (!yaml().isMap(map)) return lines;
  for (const item of (map as YAMLMap).items) {
    if (yaml().isScalar(item.key) && item.key.range) lines.set(String(item.key.value), counter.linePos(item.key.range[0]).line);
  }
  return lines;
}

/** "/@s/a@1.0.0(peer@2)" (v6), "/a/1.0.0_peer@2" (v5), "a@1.0.0(peer@2)" (v9) → name, version. */
export function pnpmKey(key: string): { name: string; version: string } | undefined {
  const bare = key.replace(/^\//, "").replace(/\(.*$/, "");
  const v6 = splitDescriptor(bare);
  if (v6[1] && /^\d/.test(v6[1])) return { name: v6[0], version: v6[1] };
  const v5 = /^((?:@[^/]+\/)?[^/]+)\/(\d[^_/]*)(?:_.*)?$/.exec(bare);
  return v5 ? { name: v5[1]!, version: v5[2]! } : undefined;
}

export function parsePnpmLock(file: string, text: string): ParsedLockfile {
  const counter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { schema: "failsafe", lineCounter: counter, uniqueKeys: false });
  if (doc.errors.length) {
    const error = doc.errors[0]!;
    return { file, kind: "pnpm", packages: [], problems: [{ file, line: error.linePos?.[0]?.line ?? 1, message: `invalid YAML: ${error.message.split("\n")[0]}` }] };
  }
  const json = (doc.toJS() ?? {}) as {
    lockfileVersion?: string;
    importers?: Record<string, Importer>;
    packages?: Record<string, PnpmPackage>;
    snapshots?: Record<string, PnpmPackage>;
  } & Importer;
  const version = String(json.lockfileVersion ?? "");
  const major = Number.parseInt(version, 10);
  const versionLine = keyLines(doc.contents, counter).get("lockfileVersion") ?? 1;
  if (![5, 6, 9].includes(major)) {
    return { file, kind: "pnpm", packages: [], problems: [{ file, line: versionLine, message: `unknown pnpm lockfileVersion "${version}" (this version of exfilscan reads 5.x, 6.x and 9.x)` }] };
  }
  const packageLines = keyLines(doc.get("packages"), counter);
  const problems: LockfileProblem[] = [];
  const nodes = new Map<string, GraphNode>();
  const dir = dirname(file);
  // v9 splits metadata (packages) from the graph (snapshots); v6 keeps both in packages.
  const graphEntries = major >= 9 ? json.snapshots ?? {} : json.packages ?? {};
  const metaOf = (id: string): PnpmPackage | undefined =>
    major >= 9 ? json.packages?.[id.replace(/\(.*$/, "")] : json.packages?.[id];
  for (const [key, entry] of Object.entries(graphEntries)) {
    const id = key.replace(/^\//, "");
    const meta = metaOf(key) ?? {};
    const nameVersion = pnpmKey(key);
    const line = packageLines.get(major >= 9 ? key.replace(/\(.*$/, "") : key) ?? 1;
    const name = meta.name ?? nameVersion?.name ?? key;
    const pkg: ResolvedPackage = newPackage("npm", name, file, line, {
      integrity: parseSri(meta.resolution?.integrity),
      dev: String(entry?.dev ?? meta.dev) === "true",
      optional: String(entry?.optional ?? meta.optional) === "true",
    });
    const pkgVersion = meta.version ?? nameVersion?.version;
    if (pkgVersion) pkg.version = pkgVersion;
    const resolution = meta.resolution ?? {};
    if (resolution.tarball) pkg.resolved = resolution.tarball;
    if (resolution.type === "git" || resolution.repo) {
      pkg.source = "git";
      pkg.unscannable = `git dependency (${resolution.repo ?? key}${resolution.commit ? `#${resolution.commit}` : ""}): not fetched from a registry`;
    } else if (resolution.directory) {
      pkg.source = "file";
      pkg.localPath = join(dir, resolution.directory);
    } else if (resolution.tarball && !resolution.integrity) {
      pkg.source = "url";
      pkg.unscannable = `URL dependency (${resolution.tarball}) with no integrity`;
    } else if (!pkg.version) {
      pkg.unscannable = `cannot read a name and version from "${key}"`;
      problems.push({ file, line, message: pkg.unscannable });
    }
    nodes.set(id, { pkg, children: [] });
  }
  const links = new Map<string, GraphNode>();
  const target = (depName: string, ref: unknown, fromDir: string): string | undefined => {
    const value = typeof ref === "object" && ref ? (ref as { version?: string }).version : (ref as string | undefined);
    if (!value) return undefined;
    if (value.startsWith("link:")) {
      const path = join(fromDir, value.slice(5));
      const id = `link:${path}`;
      if (!links.has(id)) {
        const pkg = newPackage("npm", depName, file, 1, { source: "link", localPath: path });
        links.set(id, { pkg, children: [] });
      }
      return id;
    }
    if (value.startsWith("/")) return value.slice(1); // v6 alias: "/real@1.0.0"
    if (/^@?[^@(]+@\d/.test(value) && !/^\d/.test(value)) return value; // v9 alias: "real@1.0.0"
    return major === 5 ? `${depName}/${value}` : `${depName}@${value}`;
  };
  for (const [key, entry] of Object.entries(graphEntries)) {
    const node = nodes.get(key.replace(/^\//, ""))!;
    for (const [dep, ref] of Object.entries({ ...entry?.dependencies, ...entry?.optionalDependencies })) {
      const id = target(dep, ref, dir);
      if (id) node.children.push(id);
    }
  }
  const importers: Record<string, Importer> = json.importers ?? { ".": { ...(json.dependencies ? { dependencies: json.dependencies } : {}), ...(json.devDependencies ? { devDependencies: json.devDependencies } : {}), ...(json.optionalDependencies ? { optionalDependencies: json.optionalDependencies } : {}) } };
  const prodRoots: string[] = [];
  const devRoots: string[] = [];
  const optionalRoots: string[] = [];
  for (const [path, importer] of Object.entries(importers)) {
    const from = join(dir, path);
    const collect = (deps: Deps | undefined, into: string[]) => {
      for (const [dep, ref] of Object.entries(deps ?? {})) {
        const id = target(dep, ref, from);
        if (id) into.push(id);
      }
    };
    collect(importer.dependencies, prodRoots);
    collect(importer.devDependencies, devRoots);
    collect(importer.optionalDependencies, optionalRoots);
  }
  for (const [id, node] of links) nodes.set(id, node);
  for (const node of nodes.values()) node.children = node.children.filter((c) => nodes.has(c));
  if (major >= 9) propagateFlags(nodes, [...prodRoots, ...optionalRoots], [...prodRoots, ...devRoots]);
  return { file, kind: "pnpm", formatVersion: version, packages: computePaths({ nodes, roots: [...prodRoots, ...optionalRoots, ...devRoots] }), problems };
}
