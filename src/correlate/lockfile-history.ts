// When did the project start pulling the flagged version? The first commit in which a
// lockfile (or requirements file) of the project names the package at that version, read
// with git (simple-git) and never by running anything of the project.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { UsageError } from "../core/errors.js";
import type { PackageRef } from "../core/types.js";
import { normaliseName } from "./processes.js";

/** A lockfile commit that introduced the flagged package version. */
export interface LockfileIntroduction {
  package: PackageRef;
  lockfile: string;
  line: number;
  commit: string;
  authorDate: number;
  author: string;
  subject: string;
}

const LOCKFILES = /^(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lock|requirements[\w.-]*\.txt|poetry\.lock|uv\.lock|pdm\.lock|Pipfile\.lock)$/;

/** The line of a lockfile text that pins the package at its version, or undefined. */
export function pinLine(text: string, pkg: PackageRef): number | undefined {
  const lines = text.split("\n");
  const version = pkg.version;
  const nameOf = (s: string): string => normaliseName(pkg.ecosystem, s);
  const want = nameOf(pkg.name);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (pkg.ecosystem === "pypi") {
      const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\]\s*)?===?\s*([^\s;#\\]+)/.exec(l) ?? /^\s*name\s*=\s*"([^"]+)"/.exec(l);
      if (!m || nameOf(m[1]!) !== want) continue;
      if (m[2] !== undefined) {
        if (!version || m[2] === version) return i + 1;
        continue;
      }
      // poetry.lock / uv.lock / pdm.lock: name = "x" then version = "y" on the next lines.
      for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) {
        const v = /^\s*version\s*=\s*"([^"]+)"/.exec(lines[j]!);
        if (v && (!version || v[1] === version)) return i + 1;
      }
      continue;
    }
    // npm: "node_modules/<name>": { ... "version": "<v>" } (v2/v3), "<name>": { "version" } (v1), yarn "<name>@…": version "<v>", pnpm /<name>@<v> or <name>@<v>.
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const escaped = escape(pkg.name);
    // The version is escaped whole: "1.0.0+build.1" is literal, and a version from a hostile log is not a pattern.
    if (version && new RegExp(`(?:^|[\\s/"'])${escaped}@${escape(version)}(?:[:("'\\s]|$)`).test(l)) return i + 1;
    if (new RegExp(`^\\s*"(?:node_modules/)?${escaped}"\\s*:\\s*\\{`).test(l) || new RegExp(`^"?${escaped}@`).test(l)) {
      for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) {
        const v = /^\s*"?version"?:?\s*"([^"]+)"/.exec(lines[j]!);
        if (v && (!version || v[1] === version)) return i + 1;
      }
    }
  }
  return undefined;
}

/** For each package, the earliest commit of each lockfile under `dir` (top level) that pins it. */
export async function lockfileHistory(dir: string, packages: PackageRef[]): Promise<LockfileIntroduction[]> {
  if (!existsSync(dir)) throw new UsageError(`--project ${dir}: no such directory`);
  const git = simpleGit(dir);
  let root: string;
  try {
    root = (await git.revparse(["--show-toplevel"])).trim();
  } catch {
    throw new UsageError(`--project ${dir}: not inside a git repository (lockfile history needs git)`);
  }
  const prefix = (await git.revparse(["--show-prefix"])).trim();
  const lockfiles = readdirSync(dir).filter((f) => LOCKFILES.test(f));
  const found: LockfileIntroduction[] = [];
  for (const lockfile of lockfiles) {
    const path = `${prefix}${lockfile}`;
    // Oldest first: every commit that touched the lockfile.
    const log = await simpleGit(root).raw(["log", "--reverse", "--format=%H%x1f%aI%x1f%an%x1f%s", "--", path]);
    const commits = log.split("\n").filter(Boolean).map((l) => l.split("\x1f") as [string, string, string, string]);
    for (const pkg of packages) {
      for (const [commit, date, author, subject] of commits) {
        let text: string;
        try {
          text = await simpleGit(root).show([`${commit}:${path}`]);
        } catch {
          continue; // deleted in that commit
        }
        const line = pinLine(text, pkg);
        if (line === undefined) continue;
        found.push({ package: pkg, lockfile: join(dir, lockfile), line, commit, authorDate: Date.parse(date), author, subject });
        break;
      }
    }
  }
  return found;
}
