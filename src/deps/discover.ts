// What `exfilscan deps [DIR|LOCKFILE...]` reads: every lockfile under a directory (never
// inside node_modules, .git or a virtualenv), and installed trees when asked for.
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { isLockfileName, isRequirementsFile } from "./lockfiles/names.js";

export interface DiscoveredInputs {
  lockfiles: string[];
  nodeModules: string[];
  sitePackages: string[];
  /** Inputs that are neither: reported as usage errors. */
  unknown: { input: string; message: string }[];
}

const SKIP_DIRS = new Set(["node_modules", ".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".venv", "venv", ".mypy_cache", ".pnpm-store", ".yarn", "site-packages", "dist-packages"]);
const MAX_DEPTH = 12;

function isVirtualenv(dir: string): boolean {
  return existsSync(join(dir, "pyvenv.cfg")) || existsSync(join(dir, "conda-meta"));
}

/** site-packages of a virtualenv: lib/python3.X/site-packages (POSIX) or Lib/site-packages (Windows). */
export function venvSitePackages(venv: string): string[] {
  const out: string[] = [];
  for (const lib of ["lib", "lib64", "Lib"]) {
    const dir = join(venv, lib);
    if (!existsSync(dir)) continue;
    if (existsSync(join(dir, "site-packages"))) out.push(join(dir, "site-packages"));
    for (const entry of readdirSync(dir)) if (/^python\d/.test(entry) && existsSync(join(dir, entry, "site-packages"))) out.push(join(dir, entry, "site-packages"));
  }
  return [...new Set(out)];
}

export function discover(inputs: string[], options: { installed: boolean }): DiscoveredInputs {
  const found: DiscoveredInputs = { lockfiles: [], nodeModules: [], sitePackages: [], unknown: [] };
  for (const input of inputs) {
    const stats = statSync(input, { throwIfNoEntry: false });
    if (!stats) {
      found.unknown.push({ input, message: "no such file or directory" });
      continue;
    }
    const name = basename(input);
    if (stats.isFile()) {
      if (isLockfileName(name) || name.endsWith(".txt")) found.lockfiles.push(input);
      else found.unknown.push({ input, message: "not a lockfile (package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, requirements*.txt, poetry.lock, uv.lock, pdm.lock, Pipfile.lock)" });
      continue;
    }
    if (name === "node_modules") {
      found.nodeModules.push(input);
      continue;
    }
    if (name === "site-packages" || name === "dist-packages") {
      found.sitePackages.push(input);
      continue;
    }
    if (isVirtualenv(input)) {
      found.sitePackages.push(...venvSitePackages(input));
      continue;
    }
    const before = found.lockfiles.length;
    walk(input, 0, found, options.installed);
    if (found.lockfiles.length === before && !options.installed) {
      const hint = existsSync(join(input, "node_modules")) ? " (it has a node_modules folder: add --installed to scan it)" : "";
      found.unknown.push({ input, message: `no lockfile found${hint}` });
    }
  }
  for (const key of ["lockfiles", "nodeModules", "sitePackages"] as const) found[key] = [...new Set(found[key])].sort();
  return found;
}

function walk(dir: string, depth: number, found: DiscoveredInputs, installed: boolean): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  // Only a project's own lockfile: pip-compile's requirements.in is an input, not a lock.
  for (const entry of entries) {
    if (entry.isFile() && isLockfileName(entry.name)) found.lockfiles.push(join(dir, entry.name));
  }
  // A requirements.txt that only -r includes another is still a root; includes are read by the parser.
  found.lockfiles = dedupeIncluded(found.lockfiles);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.name === "node_modules") {
      if (installed) found.nodeModules.push(path);
      continue;
    }
    if (isVirtualenv(path)) {
      if (installed) found.sitePackages.push(...venvSitePackages(path));
      continue;
    }
    if (SKIP_DIRS.has(entry.name) || depth >= MAX_DEPTH) continue;
    walk(path, depth + 1, found, installed);
  }
}

/** Keep every requirements file: each is its own root (one may include another; the parser dedupes within a file). */
function dedupeIncluded(files: string[]): string[] {
  return [...new Set(files)].filter((f) => !isRequirementsFile(basename(f)) || !basename(f).startsWith("constraints"));
}

/**
 * For `exfilscan scan DIR`: a project directory's dependencies are not part of the package.
 * Returns what was left unscanned (its lockfiles and installed trees), to say so.
 */
export function unscannedDependencies(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) return [];
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.filter((name) => isLockfileName(name) || name === "node_modules" || ((name === ".venv" || name === "venv") && isVirtualenv(join(dir, name)))).sort();
}
