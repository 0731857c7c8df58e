// What an npm command would install, found without running any package code: the same
// command with --package-lock-only --ignore-scripts in a temporary copy of the project,
// whose lockfile is then compared with the current one. After a clean check the real
// install runs from that verified lockfile (npm checks every tarball against it).
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSri, readLockfileWith } from "../deps/lockfiles/common.js";
import { parseNpmLock } from "../deps/lockfiles/npm.js";
import type { ParsedLockfile, ResolvedPackage } from "../deps/types.js";
import { npmInstallFlags, type ParsedCommand } from "./command.js";
import { findOnPath } from "./npm-inline.js";
import { runCaptured, tail } from "./process.js";

export interface NpmPlan {
  /** The lockfile that would result (every package of it is checked). */
  lockfile: ParsedLockfile;
  /** Packages not in the current lockfile with the same version and integrity. */
  added: ResolvedPackage[];
  /** The command that installs exactly the checked tree. */
  install: string[];
  /** Writes the verified package.json/lockfile into the project (before `install`). */
  apply(): void;
  /**
   * No resolution ran and nothing is written into the project: what gets checked and installed
   * is the project's own lockfile (`npm ci`, an in-sync `npm install`), a function of local files
   * only, so a clean verdict may be reused for the same inputs (src/guard/fast.ts).
   */
  reusable: boolean;
  cleanup(): void;
}

export class ResolutionError extends Error {
  override name = "ResolutionError";
}

export const LOCKS = ["npm-shrinkwrap.json", "package-lock.json"];
export const key = (p: Pick<ResolvedPackage, "name" | "version" | "integrity">) => `${p.name}@${p.version ?? "?"}#${p.integrity.map((d) => d.value).sort().join(",")}`;

export function planNpm(cmd: ParsedCommand, projectDir: string, env: NodeJS.ProcessEnv = process.env): NpmPlan {
  const detached = cmd.global || cmd.action === "exec";
  const unsupported = cmd.npmSpecs.find((s) => s.kind === "other");
  if (unsupported) throw new ResolutionError(`${unsupported.raw}: git, URL and file specs are not fetched from a registry and cannot be checked before install`);
  const tmp = mkdtempSync(join(tmpdir(), "exfilscan-guard-"));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  try {
    const lockName = detached ? "package-lock.json" : LOCKS.find((n) => existsSync(join(projectDir, n))) ?? "package-lock.json";
    if (detached) {
      writeFileSync(join(tmp, "package.json"), JSON.stringify({ name: "exfilscan-guard-check", version: "0.0.0", private: true }));
    } else {
      for (const name of ["package.json", ".npmrc", ...LOCKS]) if (existsSync(join(projectDir, name))) copyFileSync(join(projectDir, name), join(tmp, name));
      if (!existsSync(join(tmp, "package.json"))) writeFileSync(join(tmp, "package.json"), "{}\n");
    }
    const specs = cmd.npmSpecs.map((s) => s.raw);
    const flags = npmInstallFlags(cmd);
    // `npm install` with no package named, on a lockfile that already matches package.json:
    // npm installs that lockfile as it is, so it is what gets checked (no resolution run).
    const inSync = cmd.action === "install" && !detached && cmd.npmSpecs.length === 0 && lockMatchesManifest(tmp, lockName);
    if (cmd.action !== "ci" && !inSync) {
      const verb = cmd.action === "update" ? "update" : "install";
      const saveFlags = detached ? [] : cmd.saveFlags;
      const argv = [cmd.program, verb, "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", ...flags, ...saveFlags, ...specs];
      const run = runCaptured(argv, tmp, { ...env, npm_config_ignore_scripts: "true", ...gitPinned(env) });
      if (run.status !== 0) throw new ResolutionError(`npm could not resolve the packages (lockfile-only, no scripts):\n${tail(run.stderr || run.stdout)}`);
    }
    const lockPath = join(tmp, lockName);
    if (!existsSync(lockPath)) throw new ResolutionError(cmd.action === "ci" ? "npm ci needs a package-lock.json or npm-shrinkwrap.json" : "npm wrote no lockfile");
    const lockfile = parseNpmLockfile(lockPath);
    const currentPath = join(projectDir, lockName);
    // The lockfile npm would use is byte for byte the current one (an in-sync install): nothing is new, and it is parsed once.
    const unchanged = !detached && existsSync(currentPath) && readFileSync(currentPath).equals(readFileSync(lockPath));
    const before = unchanged ? undefined : !detached && existsSync(currentPath) ? new Set(parseNpmLockfile(currentPath).packages.map(key)) : new Set<string>();
    const added = before ? lockfile.packages.filter((p) => !before.has(key(p))) : [];
    let install: string[];
    if (cmd.action === "ci") install = [cmd.program, ...cmd.prefix, cmd.verb ?? "ci", ...cmd.args];
    else if (cmd.action === "exec" || cmd.global) {
      // Detached installs re-resolve from the registry: the checked versions are pinned for the named packages.
      const pinned = lockfile.packages.filter((p) => p.direct && p.version).map((p) => `${p.alias ?? p.name}@${p.version}`);
      install = cmd.action === "exec" ? [cmd.program, ...cmd.prefix, ...(cmd.verb ? [cmd.verb] : []), ...cmd.args] : [cmd.program, "install", ...flags, "-g", ...pinned];
    } else install = [cmd.program, "install", "--no-audit", "--no-fund", ...flags];
    const apply = () => {
      if (detached || cmd.action === "ci") return;
      for (const name of ["package.json", lockName]) {
        const from = join(tmp, name);
        const to = join(projectDir, name);
        const text = readFileSync(from);
        if (!existsSync(to) || !readFileSync(to).equals(text)) writeFileSync(to, text);
      }
    };
    const reusable = !detached && unchanged && (cmd.action === "ci" || inSync) && cmd.npmSpecs.length === 0;
    return { lockfile, added, install, apply, reusable, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/**
 * pacote prepares a git dependency with install-time scripts by running npm in its clone, where
 * the clone's own .npmrc counts: `git=./script` there would run the package's code when that npm
 * fetches a git dependency of its own. The environment outranks a project .npmrc, so the
 * resolver gets the git that PATH finds, unless the environment already names one.
 */
export function gitPinned(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (Object.keys(env).some((name) => name.toLowerCase() === "npm_config_git")) return {};
  return { npm_config_git: findOnPath("git", process.cwd(), env["PATH"]) ?? "git" };
}

const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const;

/** A v2/v3 lockfile whose root entry records exactly package.json's dependencies, every package pinned with an integrity. */
export function lockMatchesManifest(dir: string, lockName: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    const lock = JSON.parse(readFileSync(join(dir, lockName), "utf8")) as { lockfileVersion?: number; packages?: Record<string, Record<string, unknown>> };
    if ((lock.lockfileVersion !== 2 && lock.lockfileVersion !== 3) || !lock.packages?.[""] || manifest["workspaces"] || manifest["overrides"] || manifest["bundleDependencies"] || manifest["bundledDependencies"]) return false;
    const root = lock.packages[""];
    const same = (a: unknown, b: unknown) => JSON.stringify(Object.entries((a as Record<string, string>) ?? {}).sort()) === JSON.stringify(Object.entries((b as Record<string, string>) ?? {}).sort());
    if (!DEPENDENCY_FIELDS.every((field) => same(manifest[field], root[field]))) return false;
    return pinned(lock.packages);
  } catch {
    return false;
  }
}

/** Every package a v2/v3 lockfile installs is pinned by version and integrity (links and bundled packages aside). */
function pinned(packages: Record<string, Record<string, unknown>>): boolean {
  return Object.entries(packages).every(([location, entry]) => location === "" || Boolean(entry["link"]) || Boolean(entry["inBundle"]) || (typeof entry["integrity"] === "string" && typeof entry["version"] === "string"));
}

/** A v2/v3 npm lockfile's JSON, as far as these checks read it. */
export type LockJson = { lockfileVersion?: number; packages?: Record<string, Record<string, unknown>> };

/** A lockfile's JSON, or undefined when it cannot be read or is not JSON. */
export function readLockJson(file: string): LockJson | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockJson;
  } catch {
    return undefined;
  }
}

/**
 * What npm starts its resolution from pins every package by version and integrity, so the tree
 * it resolves does too (what it adds comes from the registry with its integrity): a v2/v3
 * lockfile that pins every package, or no lockfile and nothing installed yet. `lock` is that
 * lockfile's JSON when the caller has read it already.
 */
export function resolvesPinned(dir: string, lockName: string, lock?: LockJson): boolean {
  if (!existsSync(join(dir, lockName))) return !existsSync(join(dir, "node_modules"));
  const json = lock ?? readLockJson(join(dir, lockName));
  try {
    return (json!.lockfileVersion === 2 || json!.lockfileVersion === 3) && Boolean(json!.packages) && pinned(json!.packages!);
  } catch {
    return false; // not a lockfile object (null, an entry that is not an object)
  }
}

/**
 * The keys (`key`) of the packages a lockfile installs, as parseNpmLockfile would give them; for
 * a v2/v3 lockfile from its JSON alone (no line map, no dependency graph: this only says what is
 * new); `json` is the file's JSON when the caller has read it already.
 */
export function lockKeys(file: string, json?: LockJson): Set<string> {
  try {
    const lock = json ?? (JSON.parse(readFileSync(file, "utf8")) as LockJson);
    const packages = lock.packages;
    if ((lock.lockfileVersion === 2 || lock.lockfileVersion === 3) && packages) {
      const keys = new Set<string>();
      for (const [location, entry] of Object.entries(packages)) {
        const at = location.lastIndexOf("node_modules/");
        if (at === -1 || !entry || typeof entry !== "object") continue;
        const name = typeof entry["name"] === "string" ? entry["name"] : location.slice(at + "node_modules/".length);
        const target = entry["link"] && typeof entry["resolved"] === "string" ? packages[entry["resolved"]] : undefined;
        const version = entry["version"] ?? target?.["version"];
        keys.add(key({ name, ...(typeof version === "string" && version ? { version } : {}), integrity: parseSri(typeof entry["integrity"] === "string" ? entry["integrity"] : undefined) }));
      }
      return keys;
    }
  } catch {
    // not JSON: as parseNpmLockfile reads it
  }
  return new Set(parseNpmLockfile(file).packages.map(key));
}

/**
 * An npm lockfile (package-lock.json, npm-shrinkwrap.json) as parseLockfile reads it, without
 * loading every other lockfile parser: never throws, problems name the file.
 */
export function parseNpmLockfile(file: string): ParsedLockfile {
  return readLockfileWith(file, parseNpmLock);
}
