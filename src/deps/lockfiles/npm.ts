// npm package-lock.json (v1, v2, v3) and npm-shrinkwrap.json.
import { basename, dirname, join } from "node:path";
import { computePaths, type GraphNode } from "../graph.js";
import type { LockfileProblem, ParsedLockfile, ResolvedPackage } from "../types.js";
import { newPackage, npmSource, parseSri, readRootManifest, unscannableReason } from "./common.js";
import { jsonKeyLines, keyPath, parseJsonWithLine, type KeyLines } from "./json-lines.js";

interface V2Entry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  inBundle?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface V1Entry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  bundled?: boolean;
  requires?: Record<string, string>;
  dependencies?: Record<string, V1Entry>;
}

export function parseNpmLock(file: string, text: string): ParsedLockfile {
  const kind = basename(file) === "npm-shrinkwrap.json" ? "npm-shrinkwrap" : "npm-package-lock";
  const parsed = parseJsonWithLine(text);
  if ("error" in parsed) return fail(file, kind, parsed.error, parsed.line);
  return parseNpmLockJson(file, parsed.value, jsonKeyLines(text));
}

/**
 * A lockfile's JSON value, as parseNpmLock reads its text; `lines` places the packages (every
 * line is 1 without it: the guard reads npm's resolved tree as the lockfile npm would write).
 */
export function parseNpmLockJson(file: string, value: unknown, lines: KeyLines = new Map()): ParsedLockfile {
  const kind = basename(file) === "npm-shrinkwrap.json" ? "npm-shrinkwrap" : "npm-package-lock";
  const json = value as { lockfileVersion?: unknown; packages?: Record<string, V2Entry>; dependencies?: Record<string, V1Entry> };
  if (!json || typeof json !== "object") return fail(file, kind, "not a JSON object", 1);
  const version = json.lockfileVersion;
  if (version === 2 || version === 3) {
    if (!json.packages || typeof json.packages !== "object") return fail(file, kind, `lockfileVersion ${version} without "packages"`, lines.get("lockfileVersion"));
    return { file, kind, formatVersion: String(version), ...parseV2(file, json.packages, lines) };
  }
  if (version === 1 || (version === undefined && json.dependencies)) {
    return { file, kind, formatVersion: "1", ...parseV1(file, json.dependencies ?? {}, lines) };
  }
  return fail(file, kind, `unknown lockfileVersion ${JSON.stringify(version)} (this version of exfilscan reads 1, 2 and 3)`, lines.get("lockfileVersion") ?? 1);
}

function fail(file: string, kind: ParsedLockfile["kind"], message: string, line?: number): ParsedLockfile {
  return { file, kind, packages: [], problems: [{ file, ...(line ? { line } : {}), message }] };
}

function nameFromLocation(location: string): string {
  const index = location.lastIndexOf("node_modules/");
  return index === -1 ? location : location.slice(index + "node_modules/".length);
}

function parseV2(file: string, packages: Record<string, V2Entry>, lines: KeyLines): { packages: ResolvedPackage[]; problems: LockfileProblem[] } {
  const problems: LockfileProblem[] = [];
  const nodes = new Map<string, GraphNode>();
  const root = packages[""] ?? {};
  for (const [location, entry] of Object.entries(packages)) {
    if (location === "" || !location.includes("node_modules/")) continue; // root and workspace folders
    const line = lines.get(keyPath("packages", location)) ?? 1;
    if (!entry || typeof entry !== "object") {
      problems.push({ file, line, message: `entry "${location}" is not an object` });
      continue;
    }
    const installedAs = nameFromLocation(location);
    const name = entry.name ?? installedAs;
    const pkg = newPackage("npm", name, file, line, {
      dev: Boolean(entry.dev),
      optional: Boolean(entry.optional),
      ...(entry.devOptional ? { dev: true, optional: true } : {}),
      ...(entry.peer ? { peer: true } : {}),
      ...(name !== installedAs ? { alias: installedAs } : {}),
      ...(entry.version ? { version: entry.version } : {}),
      ...(entry.resolved ? { resolved: entry.resolved } : {}),
      integrity: parseSri(entry.integrity),
    });
    if (entry.link) {
      const target = entry.resolved ? packages[entry.resolved] : undefined;
      pkg.source = "link";
      pkg.localPath = join(dirname(file), entry.resolved ?? location);
      if (!pkg.version && target?.version) pkg.version = target.version;
    } else {
      pkg.source = npmSource(entry.resolved);
      if (pkg.source === "file") pkg.localPath = join(dirname(file), entry.resolved!.slice(5));
      if (entry.inBundle) pkg.unscannable = "bundled inside its parent's tarball: scanned as part of the parent";
      else if (!entry.version) pkg.unscannable = "no version recorded";
      else if (pkg.source !== "registry") pkg.unscannable = unscannableReason(pkg.source, entry.resolved);
    }
    nodes.set(location, { pkg, children: [] });
  }
  // Node's resolution: the nearest node_modules/<dep> walking up from the dependent.
  const resolve = (from: string, dep: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`;
      if (candidate in packages) return candidate;
      if (!base) return undefined;
      const cut = base.lastIndexOf("/node_modules/");
      base = cut === -1 ? (base.startsWith("node_modules/") ? "" : "") : base.slice(0, cut);
    }
  };
  const depsOf = (entry: V2Entry, withDev: boolean) => [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...Object.keys(entry.peerDependencies ?? {}),
    ...(withDev ? Object.keys(entry.devDependencies ?? {}) : []),
  ];
  for (const [location, node] of nodes) {
    const entry = packages[location]!;
    const source = entry.link && entry.resolved ? packages[entry.resolved] ?? {} : entry;
    const from = entry.link && entry.resolved ? entry.resolved : location;
    for (const dep of depsOf(source, Boolean(entry.link))) {
      const id = resolve(from, dep);
      if (id && id !== location) node.children.push(id);
    }
  }
  const roots: string[] = [];
  for (const dep of depsOf(root, true)) {
    const id = resolve("", dep);
    if (id) roots.push(id);
  }
  return { packages: computePaths({ nodes, roots }), problems };
}

function parseV1(file: string, dependencies: Record<string, V1Entry>, lines: KeyLines): { packages: ResolvedPackage[]; problems: LockfileProblem[] } {
  const problems: LockfileProblem[] = [];
  const nodes = new Map<string, GraphNode>();
  // Node ids are the nesting path: "a", "a/b" (b nested under a).
  const walk = (deps: Record<string, V1Entry>, parentId: string, keyPrefix: string[], depth: number) => {
    if (depth > 100) return;
    for (const [installedAs, entry] of Object.entries(deps)) {
      const id = parentId ? `${parentId}\u0000${installedAs}` : installedAs;
      const keys = [...keyPrefix, "dependencies", installedAs];
      const line = lines.get(keyPath(...keys)) ?? 1;
      if (!entry || typeof entry !== "object") {
        problems.push({ file, line, message: `dependency "${installedAs}" is not an object` });
        continue;
      }
      const alias = /^npm:(@?[^@]+)@(.+)$/.exec(entry.version ?? "");
      const name = alias ? alias[1]! : installedAs;
      const version = alias ? alias[2]! : entry.version;
      const source = npmSource(alias ? entry.resolved : entry.version?.includes(":") || entry.version?.includes("/") ? entry.version : entry.resolved);
      const pkg = newPackage("npm", name, file, line, {
        dev: Boolean(entry.dev),
        optional: Boolean(entry.optional),
        source,
        ...(alias ? { alias: installedAs } : {}),
        ...(entry.resolved ? { resolved: entry.resolved } : {}),
        integrity: parseSri(entry.integrity),
      });
      if (source === "registry" && version) pkg.version = version;
      else if (source === "file") pkg.localPath = join(dirname(file), (entry.version ?? "").replace(/^file:/, ""));
      if (entry.bundled) pkg.unscannable = "bundled inside its parent's tarball: scanned as part of the parent";
      else if (source !== "registry") pkg.unscannable = unscannableReason(source, entry.version);
      else if (!version) pkg.unscannable = "no version recorded";
      nodes.set(id, { pkg, children: [] });
      if (entry.dependencies) walk(entry.dependencies, id, keys, depth + 1);
    }
  };
  walk(dependencies, "", [], 0);
  const resolve = (from: string, dep: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = base ? `${base}\u0000${dep}` : dep;
      if (nodes.has(candidate)) return candidate;
      if (!base) return undefined;
      const cut = base.lastIndexOf("\u0000");
      base = cut === -1 ? "" : base.slice(0, cut);
    }
  };
  const find = (path: string[]): V1Entry | undefined => {
    let deps: Record<string, V1Entry> | undefined = dependencies;
    let entry: V1Entry | undefined;
    for (const part of path) {
      entry = deps?.[part];
      deps = entry?.dependencies;
    }
    return entry;
  };
  for (const [id, node] of nodes) {
    for (const dep of Object.keys(find(id.split("\u0000"))?.requires ?? {})) {
      const child = resolve(id, dep);
      if (child && child !== id) node.children.push(child);
    }
  }
  const manifest = readRootManifest(file);
  const roots = manifest ? [...manifest.prod, ...manifest.dev, ...manifest.optional].filter((n) => nodes.has(n)) : [];
  return { packages: computePaths({ nodes, roots }), problems };
}
