// Name and version of a Python package from the files it ships, without running
// anything: PKG-INFO / METADATA headers, pyproject.toml [project], setup.cfg
// [metadata], or literal name=/version= in setup(...). The first file that answers wins.

export interface PythonMetadata {
  name?: string;
  version?: string;
}

type Reader = (text: string) => PythonMetadata;

/** Shallowest match first, so the package's own metadata beats a vendored one. */
function findFile(files: Map<string, Buffer>, test: (path: string) => boolean): string | undefined {
  return [...files.keys()].filter(test).sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b))[0];
}

const base = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

const SOURCES: { test: (path: string) => boolean; read: Reader }[] = [
  { test: (p) => base(p) === "PKG-INFO" && !p.includes(".egg-info/") && !p.includes("EGG-INFO/"), read: readCoreMetadata },
  { test: (p) => /\.dist-info\/METADATA$/.test(p), read: readCoreMetadata },
  { test: (p) => /(^|\/)EGG-INFO\/PKG-INFO$/.test(p) || /\.egg-info\/PKG-INFO$/.test(p), read: readCoreMetadata },
  { test: (p) => base(p) === "pyproject.toml", read: readPyproject },
  { test: (p) => base(p) === "setup.cfg", read: readSetupCfg },
  { test: (p) => base(p) === "setup.py", read: readSetupPy },
];

export function readPythonMetadata(files: Map<string, Buffer>): PythonMetadata {
  for (const source of SOURCES) {
    const file = findFile(files, source.test);
    if (!file) continue;
    const found = source.read(files.get(file)!.toString("utf8"));
    if (found.name || found.version) return found;
  }
  return {};
}

function clean(meta: { name?: string | undefined; version?: string | undefined }): PythonMetadata {
  const out: PythonMetadata = {};
  if (meta.name) out.name = meta.name;
  if (meta.version) out.version = meta.version;
  return out;
}

/** RFC 822-style headers of PKG-INFO / METADATA, up to the first blank line. */
export function readCoreMetadata(text: string): PythonMetadata {
  const headers = text.split(/\r?\n\r?\n/)[0] ?? "";
  const header = (key: string): string | undefined =>
    new RegExp(`^${key}:[ \\t]*(.+?)[ \\t]*$`, "im").exec(headers)?.[1];
  return clean({ name: header("Name"), version: header("Version") });
}

/** `[project]` name and version: a tiny reader for two string keys, no TOML library. */
export function readPyproject(text: string): PythonMetadata {
  const table = tomlTable(text, "project") ?? tomlTable(text, "tool.poetry");
  if (!table) return {};
  return clean({ name: tomlString(table, "name"), version: tomlString(table, "version") });
}

function tomlTable(text: string, name: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === `[${name}]`);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^\s*\[/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

function tomlString(table: string, key: string): string | undefined {
  const match = new RegExp(`^\\s*${key}\\s*=\\s*("""([\\s\\S]*?)"""|'''([\\s\\S]*?)'''|"((?:[^"\\\\]|\\\\.)*)"|'([^']*)')`, "m").exec(table);
  if (!match) return undefined;
  const value = match[2] ?? match[3] ?? match[5] ?? match[4]?.replace(/\\(["\\])/g, "$1");
  return value?.trim() || undefined;
}

/** `[metadata]` name / version in setup.cfg (INI; `attr:`/`file:` directives are not values). */
export function readSetupCfg(text: string): PythonMetadata {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim().toLowerCase() === "[metadata]");
  if (start < 0) return {};
  const meta: { name?: string; version?: string } = {};
  for (const line of lines.slice(start + 1)) {
    if (/^\s*\[/.test(line)) break;
    const match = /^\s*(name|version)\s*[=:]\s*(.+?)\s*$/i.exec(line);
    if (match && !/^(attr|file):/.test(match[2]!)) meta[match[1]!.toLowerCase() as "name" | "version"] = match[2]!;
  }
  return clean(meta);
}

/** Literal `name="…"` / `version="…"` keyword arguments inside `setup(...)`. */
export function readSetupPy(text: string): PythonMetadata {
  const call = /\bsetup\s*\(/.exec(text);
  if (!call) return {};
  const body = text.slice(call.index);
  const literal = (key: string): string | undefined =>
    new RegExp(`\\b${key}\\s*=\\s*[rRuU]?("([^"\\n]*)"|'([^'\\n]*)')`).exec(body)?.slice(2, 4).find((v) => v !== undefined);
  return clean({ name: literal("name"), version: literal("version") });
}

/** PEP 517 in-tree build backend: `build-backend` loaded from `backend-path` folders of the package. */
export interface InTreeBackend {
  module: string;
  paths: string[];
}

/** The in-tree backend a pyproject.toml names; undefined when the backend is an installed module. */
export function readInTreeBackend(text: string): InTreeBackend | undefined {
  const table = tomlTable(text, "build-system");
  if (!table) return undefined;
  const backend = tomlString(table, "build-backend");
  const list = /^\s*backend-path\s*=\s*\[([^\]]*)\]/m.exec(table)?.[1];
  if (!backend || list === undefined) return undefined;
  const paths = [...list.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2] ?? "");
  const module = backend.split(":")[0]!.trim();
  return paths.length && /^[A-Za-z_][\w.]*$/.test(module) ? { module, paths } : undefined;
}
