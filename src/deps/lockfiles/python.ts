// poetry.lock, uv.lock, pdm.lock (TOML, read by smol-toml) and Pipfile.lock (JSON).
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { createRequire } from "node:module";
import type * as SmolToml from "smol-toml";

// Loaded on the first TOML lockfile only (see pnpm.ts).
let tomlModule: typeof SmolToml | undefined;
const toml = () => (tomlModule ??= createRequire(import.meta.url)("smol-toml") as typeof SmolToml);
const parseToml = (text: string) => toml().parse(text);
import { computePaths, type GraphNode } from "../graph.js";
import type { ExpectedDigest, LockfileKind, LockfileProblem, ParsedLockfile, ResolvedPackage } from "../types.js";
import { newPackage, normalizePypiName, parseHexHash } from "./common.js";
import { jsonKeyLines, keyPath, parseJsonWithLine } from "./json-lines.js";

type Table = Record<string, unknown>;

function fail(file: string, kind: LockfileKind, message: string, line?: number): ParsedLockfile {
  return { file, kind, packages: [], problems: [{ file, ...(line ? { line } : {}), message }] };
}

function readToml(file: string, kind: LockfileKind, text: string): Table | ParsedLockfile {
  try {
    return parseToml(text) as Table;
  } catch (error) {
    const line = error instanceof toml().TomlError ? error.line : undefined;
    return fail(file, kind, `invalid TOML: ${(error as Error).message.split("\n")[0]}`, line);
  }
}

/** Line of the n-th `[[package]]` header: arrays of tables keep file order. */
function packageHeaderLines(text: string): number[] {
  const lines: number[] = [];
  text.split("\n").forEach((line, index) => {
    if (/^\s*\[\[\s*package\s*\]\]\s*$/.test(line)) lines.push(index + 1);
  });
  return lines;
}

function fileDigests(files: unknown): { name: string; url?: string; digest?: ExpectedDigest }[] {
  if (!Array.isArray(files)) return [];
  return files.flatMap((f: Table) => {
    const digest = parseHexHash(String(f["hash"] ?? ""));
    const url = typeof f["url"] === "string" ? (f["url"] as string) : undefined;
    const name = String(f["file"] ?? f["name"] ?? (url ? basename(url.replace(/[?#].*$/, "")) : ""));
    return [{ name, ...(url ? { url } : {}), ...(digest ? { digest } : {}) }];
  });
}

function withFiles(pkg: ResolvedPackage, files: { name: string; url?: string; digest?: ExpectedDigest }[]): void {
  if (files.length) pkg.files = files;
  pkg.integrity = files.flatMap((f) => (f.digest ? [f.digest] : []));
}

/** Direct dependencies from pyproject.toml next to the lockfile (poetry and PEP 621). */
function readPyprojectRoots(lockfile: string): { prod: Set<string>; dev: Set<string> } | undefined {
  let data: Table;
  try {
    data = parseToml(readFileSync(join(dirname(lockfile), "pyproject.toml"), "utf8")) as Table;
  } catch {
    return undefined;
  }
  const prod = new Set<string>();
  const dev = new Set<string>();
  const fromPep508 = (list: unknown, into: Set<string>) => {
    if (Array.isArray(list)) for (const item of list) if (typeof item === "string") into.add(normalizePypiName(/^[A-Za-z0-9._-]+/.exec(item)?.[0] ?? item));
  };
  const project = data["project"] as Table | undefined;
  fromPep508(project?.["dependencies"], prod);
  for (const list of Object.values((project?.["optional-dependencies"] as Table) ?? {})) fromPep508(list, prod);
  for (const list of Object.values((data["dependency-groups"] as Table) ?? {})) fromPep508(list, dev);
  const poetry = (data["tool"] as Table | undefined)?.["poetry"] as Table | undefined;
  for (const name of Object.keys((poetry?.["dependencies"] as Table) ?? {})) if (name !== "python") prod.add(normalizePypiName(name));
  for (const name of Object.keys((poetry?.["dev-dependencies"] as Table) ?? {})) dev.add(normalizePypiName(name));
  for (const group of Object.values((poetry?.["group"] as Table) ?? {})) for (const name of Object.keys(((group as Table)["dependencies"] as Table) ?? {})) dev.add(normalizePypiName(name));
  return { prod, dev };
}

function finish(file: string, kind: LockfileKind, formatVersion: string, nodes: Map<string, GraphNode>, problems: LockfileProblem[], rootIds?: { prod: string[]; dev: string[] }): ParsedLockfile {
  const manifest = rootIds ? undefined : readPyprojectRoots(file);
  let roots = rootIds ? [...rootIds.prod, ...rootIds.dev] : [];
  if (manifest) roots = [...nodes.keys()].filter((id) => manifest.prod.has(id) || manifest.dev.has(id));
  const packages = computePaths({ nodes, roots });
  if (manifest) markDev(nodes, roots.filter((id) => manifest.prod.has(id)));
  return { file, kind, formatVersion, packages, problems };
}

export function parsePoetryLock(file: string, text: string): ParsedLockfile {
  const data = readToml(file, "poetry", text);
  if ("kind" in data && "problems" in data) return data as ParsedLockfile;
  const metadata = (data["metadata"] ?? {}) as Table;
  const version = String(metadata["lock-version"] ?? "");
  if (!/^(1\.\d+|2\.\d+)$/.test(version)) return fail(file, "poetry", `unknown poetry lock-version "${version}" (this version of exfilscan reads 1.x and 2.x)`, lineOfKey(text, "lock-version"));
  const legacyFiles = (metadata["files"] ?? {}) as Table;
  const headers = packageHeaderLines(text);
  const nodes = new Map<string, GraphNode>();
  const problems: LockfileProblem[] = [];
  const list = Array.isArray(data["package"]) ? (data["package"] as Table[]) : [];
  list.forEach((entry, index) => {
    const line = headers[index] ?? 1;
    const name = String(entry["name"] ?? "");
    if (!name) return void problems.push({ file, line, message: "package without a name" });
    const pkg = newPackage("pypi", name, file, line, { dev: entry["category"] === "dev", optional: entry["optional"] === true });
    if (entry["version"]) pkg.version = String(entry["version"]);
    withFiles(pkg, fileDigests(entry["files"] ?? legacyFiles[name]));
    const source = entry["source"] as Table | undefined;
    const type = String(source?.["type"] ?? "");
    if (type === "git") Object.assign(pkg, { source: "git", unscannable: `git dependency (${String(source?.["url"])}): not fetched from a registry` });
    else if (type === "directory" || type === "file") Object.assign(pkg, { source: "file", localPath: join(dirname(file), String(source?.["url"])) });
    else if (type === "url") Object.assign(pkg, { source: "url", resolved: String(source?.["url"]), unscannable: `URL dependency (${String(source?.["url"])})` });
    else if (type === "legacy" && typeof source?.["url"] === "string") pkg.resolved = String(source["url"]);
    nodes.set(normalizePypiName(name), { pkg, children: Object.keys((entry["dependencies"] as Table) ?? {}).map(normalizePypiName) });
  });
  return finish(file, "poetry", version, nodes, problems);
}

export function parseUvLock(file: string, text: string): ParsedLockfile {
  const data = readToml(file, "uv", text);
  if ("kind" in data && "problems" in data) return data as ParsedLockfile;
  const version = String(data["version"] ?? "");
  if (version !== "1") return fail(file, "uv", `unknown uv.lock version "${version}" (this version of exfilscan reads 1)`, lineOfKey(text, "version"));
  const headers = packageHeaderLines(text);
  const nodes = new Map<string, GraphNode>();
  const problems: LockfileProblem[] = [];
  const roots = { prod: [] as string[], dev: [] as string[] };
  const names = (list: unknown) => (Array.isArray(list) ? list.map((d: Table) => normalizePypiName(String(d["name"]))) : []);
  const list = Array.isArray(data["package"]) ? (data["package"] as Table[]) : [];
  list.forEach((entry, index) => {
    const line = headers[index] ?? 1;
    const name = String(entry["name"] ?? "");
    if (!name) return void problems.push({ file, line, message: "package without a name" });
    const source = (entry["source"] ?? {}) as Table;
    const id = normalizePypiName(name);
    const optional = Object.values((entry["optional-dependencies"] as Table) ?? {}).flatMap(names);
    const dev = Object.values(((entry["dev-dependencies"] ?? entry["dependency-groups"]) as Table) ?? {}).flatMap(names);
    const local = (source["editable"] ?? source["virtual"] ?? source["directory"] ?? source["path"]) as string | undefined;
    if (local === ".") {
      roots.prod.push(...names(entry["dependencies"]), ...optional);
      roots.dev.push(...dev);
      return;
    }
    const pkg = newPackage("pypi", name, file, line);
    if (entry["version"]) pkg.version = String(entry["version"]);
    const files = [...(entry["sdist"] ? [entry["sdist"]] : []), ...((entry["wheels"] as unknown[]) ?? [])];
    withFiles(pkg, fileDigests(files));
    if (typeof source["git"] === "string") Object.assign(pkg, { source: "git", unscannable: `git dependency (${source["git"]}): not fetched from a registry` });
    else if (local !== undefined) Object.assign(pkg, { source: "file", localPath: join(dirname(file), local) });
    else if (typeof source["url"] === "string") Object.assign(pkg, { source: "url", resolved: source["url"], unscannable: `URL dependency (${source["url"]})` });
    else if (typeof source["registry"] === "string") pkg.resolved = source["registry"] as string;
    nodes.set(id, { pkg, children: [...names(entry["dependencies"]), ...optional, ...dev] });
  });
  const parsed = finish(file, "uv", version, nodes, problems, roots);
  markDev(nodes, roots.prod);
  return parsed;
}

export function parsePdmLock(file: string, text: string): ParsedLockfile {
  const data = readToml(file, "pdm", text);
  if ("kind" in data && "problems" in data) return data as ParsedLockfile;
  const metadata = (data["metadata"] ?? {}) as Table;
  const version = String(metadata["lock_version"] ?? "");
  if (!/^4\./.test(version)) return fail(file, "pdm", `unknown pdm lock_version "${version}" (this version of exfilscan reads 4.x)`, lineOfKey(text, "lock_version"));
  const headers = packageHeaderLines(text);
  const nodes = new Map<string, GraphNode>();
  const problems: LockfileProblem[] = [];
  const list = Array.isArray(data["package"]) ? (data["package"] as Table[]) : [];
  list.forEach((entry, index) => {
    const line = headers[index] ?? 1;
    const name = String(entry["name"] ?? "");
    if (!name) return void problems.push({ file, line, message: "package without a name" });
    const groups = Array.isArray(entry["groups"]) ? (entry["groups"] as string[]) : undefined;
    const pkg = newPackage("pypi", name, file, line, { dev: groups ? !groups.includes("default") : false });
    if (entry["version"]) pkg.version = String(entry["version"]);
    withFiles(pkg, fileDigests(entry["files"]));
    if (typeof entry["git"] === "string") Object.assign(pkg, { source: "git", unscannable: `git dependency (${entry["git"]}): not fetched from a registry` });
    else if (typeof entry["path"] === "string") Object.assign(pkg, { source: "file", localPath: join(dirname(file), entry["path"]) });
    else if (typeof entry["url"] === "string") Object.assign(pkg, { source: "url", resolved: entry["url"], unscannable: `URL dependency (${entry["url"]})` });
    const deps = Array.isArray(entry["dependencies"]) ? (entry["dependencies"] as string[]) : [];
    nodes.set(normalizePypiName(name), { pkg, children: deps.map((d) => normalizePypiName(/^[A-Za-z0-9._-]+/.exec(d)?.[0] ?? d)) });
  });
  return finish(file, "pdm", version, nodes, problems);
}

export function parsePipfileLock(file: string, text: string): ParsedLockfile {
  const parsed = parseJsonWithLine(text);
  if ("error" in parsed) return fail(file, "pipfile", parsed.error, parsed.line);
  const json = parsed.value as { _meta?: { "pipfile-spec"?: number; sources?: { url?: string }[] }; default?: Table; develop?: Table };
  const spec = json?._meta?.["pipfile-spec"];
  if (typeof spec !== "number" || spec > 6) return fail(file, "pipfile", `unknown pipfile-spec ${JSON.stringify(spec)} (this version of exfilscan reads up to 6)`, 1);
  const lines = jsonKeyLines(text);
  const packages: ResolvedPackage[] = [];
  for (const section of ["default", "develop"] as const) {
    for (const [name, raw] of Object.entries(json[section] ?? {})) {
      const entry = (raw ?? {}) as Table;
      const pkg = newPackage("pypi", name, file, lines.get(keyPath(section, name)) ?? 1, { dev: section === "develop", direct: true });
      const version = /^===?(.+)$/.exec(String(entry["version"] ?? ""));
      if (version) pkg.version = version[1]!;
      pkg.integrity = (Array.isArray(entry["hashes"]) ? (entry["hashes"] as string[]) : []).flatMap((h) => parseHexHash(h) ?? []);
      if (typeof entry["git"] === "string") Object.assign(pkg, { source: "git", unscannable: `git dependency (${entry["git"]}): not fetched from a registry` });
      else if (typeof entry["path"] === "string") Object.assign(pkg, { source: "file", localPath: join(dirname(file), entry["path"]) });
      else if (typeof entry["file"] === "string") Object.assign(pkg, { source: "url", resolved: entry["file"], unscannable: `URL dependency (${entry["file"]})` });
      else if (!version) pkg.unscannable = "no pinned version";
      pkg.paths = [[pkg.version ? `${name}@${pkg.version}` : name]];
      packages.push(pkg);
    }
  }
  const indexUrls = (json._meta?.sources ?? []).flatMap((s) => (s.url ? [s.url] : []));
  return { file, kind: "pipfile", formatVersion: String(spec), packages, problems: [], ...(indexUrls.length ? { indexUrls } : {}) };
}

function lineOfKey(text: string, key: string): number | undefined {
  const index = text.split("\n").findIndex((l) => l.trimStart().startsWith(`${key} `) || l.trimStart().startsWith(`${key}=`));
  return index === -1 ? undefined : index + 1;
}

function markDev(nodes: Map<string, GraphNode>, prodRoots: string[]): void {
  const seen = new Set<string>();
  const stack = [...prodRoots];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || !nodes.has(id)) continue;
    seen.add(id);
    stack.push(...nodes.get(id)!.children);
  }
  if (prodRoots.length) for (const [id, node] of nodes) node.pkg.dev = !seen.has(id);
}
