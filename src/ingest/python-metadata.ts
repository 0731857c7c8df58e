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

// Every reader below is linear in its input: lines are split once and each line is read
// with indexOf and anchored, bounded patterns (no pattern that can backtrack over a line),
// so a hostile manifest costs what its size costs (issue #16: a 435-byte pyproject.toml
// once took minutes).

/** Manifests are read for a name and version up to this many characters. */
export const MAX_MANIFEST_CHARS = 1024 * 1024;

/** A lone "\r" ends a line too (Python's email parser and splitlines agree): a value never holds one. */
const LINE_BREAK = /\r\n?|\n/;

/** RFC 822-style headers of PKG-INFO / METADATA, up to the first blank line. */
export function readCoreMetadata(text: string): PythonMetadata {
  const meta: { name?: string; version?: string } = {};
  for (const line of text.slice(0, MAX_MANIFEST_CHARS).split(LINE_BREAK)) {
    if (line.trim() === "") break;
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).toLowerCase();
    if ((key === "name" || key === "version") && meta[key] === undefined) {
      const value = line.slice(colon + 1).trim();
      if (value) meta[key] = value;
    }
  }
  return clean(meta);
}

/** `[project]` name and version: a tiny reader for two string keys, no TOML library. */
export function readPyproject(text: string): PythonMetadata {
  const table = tomlTable(text, "project") ?? tomlTable(text, "tool.poetry");
  if (!table) return {};
  return clean({ name: tomlString(table, "name"), version: tomlString(table, "version") });
}

function tomlTable(text: string, name: string): string | undefined {
  const lines = text.slice(0, MAX_MANIFEST_CHARS).split(LINE_BREAK);
  const start = lines.findIndex((l) => l.trim() === `[${name}]`);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.trimStart().startsWith("["));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** Offset of the value of `key = value` starting a line of `table`, or -1. */
function keyValueStart(table: string, key: string): number {
  let offset = 0;
  for (const line of table.split("\n")) {
    const trimmed = line.trimStart();
    if (trimmed.startsWith(key)) {
      const rest = trimmed.slice(key.length).trimStart();
      if (rest.startsWith("=")) {
        const value = rest.slice(1);
        return offset + line.length - value.trimStart().length;
      }
    }
    offset += line.length + 1;
  }
  return -1;
}

function tomlString(table: string, key: string): string | undefined {
  const at = keyValueStart(table, key);
  if (at < 0) return undefined;
  let value: string | undefined;
  for (const quote of ['"""', "'''"]) {
    if (value === undefined && table.startsWith(quote, at)) {
      const close = table.indexOf(quote, at + 3);
      value = close < 0 ? "" : table.slice(at + 3, close);
    }
  }
  if (value === undefined && table[at] === "'") {
    const close = table.indexOf("'", at + 1);
    const newline = table.indexOf("\n", at + 1);
    value = close < 0 || (newline >= 0 && newline < close) ? "" : table.slice(at + 1, close);
  }
  if (value === undefined && table[at] === '"') {
    let out = "";
    for (let i = at + 1; i < table.length; i++) {
      const char = table[i]!;
      if (char === '"') {
        value = out;
        break;
      }
      if (char === "\n") break;
      if (char === "\\" && (table[i + 1] === '"' || table[i + 1] === "\\")) {
        out += table[++i];
        continue;
      }
      out += char;
    }
  }
  return value?.trim() || undefined;
}

/** `[metadata]` name / version in setup.cfg (INI; `attr:`/`file:` directives are not values). */
export function readSetupCfg(text: string): PythonMetadata {
  const lines = text.slice(0, MAX_MANIFEST_CHARS).split(LINE_BREAK);
  const start = lines.findIndex((l) => l.trim().toLowerCase() === "[metadata]");
  if (start < 0) return {};
  const meta: { name?: string; version?: string } = {};
  for (const line of lines.slice(start + 1)) {
    const trimmed = line.trim();
    if (trimmed.startsWith("[")) break;
    const separator = trimmed.search(/[=:]/);
    if (separator < 0) continue;
    const key = trimmed.slice(0, separator).trim().toLowerCase();
    const value = trimmed.slice(separator + 1).trim();
    if ((key === "name" || key === "version") && value && !/^(attr|file):/.test(value)) meta[key] = value;
  }
  return clean(meta);
}

/** Literal `name="…"` / `version="…"` keyword arguments inside `setup(...)`, one line at a time. */
export function readSetupPy(text: string): PythonMetadata {
  const call = /\bsetup[ \t]*\(/.exec(text);
  if (!call) return {};
  const lines = text.slice(call.index, call.index + MAX_MANIFEST_CHARS).split("\n");
  const literal = (key: string): string | undefined => {
    const pattern = new RegExp(`\\b${key}[ \\t]*=[ \\t]*[rRuU]?(?:"([^"\\n]*)"|'([^'\\n]*)')`);
    for (const line of lines) {
      const match = line.includes(key) ? pattern.exec(line) : null;
      if (match) return match[1] ?? match[2];
    }
    return undefined;
  };
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
  const at = keyValueStart(table, "backend-path");
  const close = at >= 0 && table[at] === "[" ? table.indexOf("]", at) : -1;
  const list = close >= 0 ? table.slice(at + 1, close) : undefined;
  if (!backend || list === undefined) return undefined;
  const paths = [...list.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2] ?? "");
  const module = backend.split(":")[0]!.trim();
  return paths.length && /^[A-Za-z_][\w.]*$/.test(module) ? { module, paths } : undefined;
}
