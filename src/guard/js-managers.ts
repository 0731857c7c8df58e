// What a pnpm or Yarn command would install, found without running any package code: the
// same command, resolution only, in a temporary copy of the project; the lockfile it writes
// is compared with the current one. After a clean check the real install runs from that
// verified lockfile, frozen, so the package manager installs exactly what was scanned:
//   pnpm:      add/install/update --lockfile-only --ignore-scripts → install --frozen-lockfile
//   Yarn 1:    add/install --ignore-scripts (it has no lockfile-only mode; packages are only
//              unpacked in the temporary copy, no script runs) → install --frozen-lockfile
//   Yarn 2+:   add/install/up --mode=update-lockfile (no link step, no script, git fetches nothing) → install --immutable
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLockfile } from "../deps/lockfiles/index.js";
import type { ResolvedPackage } from "../deps/types.js";
import { npmInstallFlags, type ParsedCommand } from "./command.js";
import { ResolutionError, type NpmPlan } from "./npm.js";
import { runCaptured, tail } from "./process.js";
import { BLOCKED_BY_NETWORK_SETTINGS, registryOnlyNetwork } from "./yarn-network.js";

/** GIT_ALLOW_PROTOCOL naming no real protocol: git refuses every transport (file, http, https, ssh, git). */
export const NO_GIT = "none";

const key = (p: ResolvedPackage) => `${p.name}@${p.version ?? "?"}#${p.integrity.map((d) => d.value).sort().join(",")}`;

/** Yarn's major version as the project sees it (a `yarnPath` in .yarnrc.yml wins over the global yarn). */
export function yarnMajor(cmd: ParsedCommand, projectDir: string, env: NodeJS.ProcessEnv): number {
  const run = runCaptured([cmd.program, "--version"], projectDir, env);
  const major = /^(\d+)\./.exec(run.stdout.trim())?.[1];
  if (run.status !== 0 || !major) throw new ResolutionError(`could not tell which Yarn runs here (${cmd.program} --version):\n${tail(run.stderr || run.stdout)}`);
  return Number(major);
}

interface Flavour {
  lockName: string;
  /** Project files the resolution needs, copied to the temporary folder when present. */
  copy: string[];
  resolve: (verb: string, specs: string[], flags: string[], saveFlags: string[]) => string[];
  envExtra: NodeJS.ProcessEnv;
  /** Adjusts the temporary copy before resolving; returns more environment for the resolution. */
  prepare?: (tmp: string) => NodeJS.ProcessEnv;
  /** Why a failed resolution failed, when the guard's own settings refused something (a line, or ""). */
  explain?: (output: string) => string;
  frozen: (flags: string[]) => string[];
  global?: (pinned: string[], flags: string[]) => string[];
}

function flavour(cmd: ParsedCommand, projectDir: string, env: NodeJS.ProcessEnv): Flavour {
  const p = cmd.program;
  if (cmd.manager === "pnpm") {
    return {
      lockName: "pnpm-lock.yaml",
      copy: ["package.json", "pnpm-lock.yaml", ".npmrc", ".pnpmfile.cjs", "patches"],
      resolve: (verb, specs, flags, saveFlags) => [p, verb, "--lockfile-only", "--ignore-scripts", ...flags, ...saveFlags, ...specs],
      envExtra: { npm_config_ignore_scripts: "true" },
      frozen: (flags) => [p, "install", "--frozen-lockfile", ...flags],
      global: (pinned, flags) => [p, "add", "-g", ...flags, ...pinned],
    };
  }
  const major = yarnMajor(cmd, projectDir, env);
  if (major < 2) {
    // Yarn 1 reads neither npm_config_offline nor YARN_ENABLE_NETWORK: guard --offline (which sets the first) passes its flag.
    const offline = env["npm_config_offline"] === "true" ? ["--offline"] : [];
    return {
      lockName: "yarn.lock",
      copy: ["package.json", "yarn.lock", ".npmrc", ".yarnrc"],
      resolve: (verb, specs, flags, saveFlags) => [p, verb === "update" ? "upgrade" : verb, "--ignore-scripts", "--non-interactive", "--no-progress", "--no-bin-links", ...offline, ...flags, ...saveFlags, ...specs],
      envExtra: { npm_config_ignore_scripts: "true", YARN_IGNORE_SCRIPTS: "true" },
      frozen: (flags) => [p, "install", "--frozen-lockfile", ...flags],
      global: (pinned, flags) => [p, "global", "add", ...flags, ...pinned],
    };
  }
  return {
    lockName: "yarn.lock",
    copy: ["package.json", "yarn.lock", ".yarnrc.yml", ".npmrc", ".yarn/releases", ".yarn/plugins", ".yarn/patches"],
    resolve: (verb, specs, flags, saveFlags) => [p, verb === "update" ? "up" : verb, "--mode=update-lockfile", ...flags, ...saveFlags, ...specs],
    // Yarn 2+ resolves a git dependency by packing its clone, which runs the clone's package
    // manager there (install, prepack: its scripts, and whatever its own .yarnrc.yml loads),
    // enableScripts or not. git is not let to fetch anything during this resolution (git's own
    // GIT_ALLOW_PROTOCOL, which outranks any git config): such a dependency fails to resolve,
    // and the guard fails closed on it, as it does on every git dependency.
    envExtra: { YARN_ENABLE_SCRIPTS: "false", YARN_ENABLE_TELEMETRY: "0", YARN_ENABLE_IMMUTABLE_INSTALLS: "false", GIT_ALLOW_PROTOCOL: NO_GIT },
    // GitHub dependencies come as codeload tarballs (not git) and are packed the same way: only
    // the registries are reachable while resolving (yarn-network.ts).
    prepare: (tmp) => registryOnlyNetwork(tmp, env),
    explain: (output) =>
      /transport '[^']*' not allowed/.test(output) ? "a git dependency: Yarn 2+ would pack its clone to resolve it, running its scripts, so git fetches nothing while the guard resolves; git dependencies cannot be checked before install\n"
      : BLOCKED_BY_NETWORK_SETTINGS.test(output) ? "a dependency from outside the package registry (GitHub, a tarball URL): Yarn 2+ may pack it while resolving, running its scripts, so only the registry is reachable while the guard resolves; such dependencies cannot be checked before install\n"
      : "",
    frozen: (flags) => [p, "install", "--immutable", ...flags],
  };
}

export function planPnpmOrYarn(cmd: ParsedCommand, projectDir: string, env: NodeJS.ProcessEnv = process.env): NpmPlan {
  const unsupported = cmd.npmSpecs.find((s) => s.kind === "other");
  if (unsupported) throw new ResolutionError(`${unsupported.raw}: git, URL and file specs are not fetched from a registry and cannot be checked before install`);
  if (existsSync(join(projectDir, "pnpm-workspace.yaml")) || hasWorkspaces(projectDir))
    throw new ResolutionError(`${cmd.manager} workspaces are not checked by the guard yet: run \`exfilscan deps\` on the lockfile after resolving, or use --fail-open`);
  const detached = cmd.global || cmd.action === "exec";
  const f = flavour(cmd, projectDir, env);
  const tmp = mkdtempSync(join(tmpdir(), "exfilscan-guard-"));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  try {
    if (detached) writeFileSync(join(tmp, "package.json"), JSON.stringify({ name: "exfilscan-guard-check", version: "0.0.0", private: true }));
    else for (const name of f.copy) if (existsSync(join(projectDir, name))) cpSync(join(projectDir, name), join(tmp, name), { recursive: true });
    if (!existsSync(join(tmp, "package.json"))) writeFileSync(join(tmp, "package.json"), "{}\n");
    // Yarn 2+ needs a lockfile to treat the folder as a project of its own.
    if (cmd.manager === "yarn" && !existsSync(join(tmp, "yarn.lock"))) writeFileSync(join(tmp, "yarn.lock"), "");
    const specs = cmd.npmSpecs.map((s) => s.raw);
    const flags = npmInstallFlags(cmd).filter((flag) => !["--frozen-lockfile", "--immutable", "--prefer-offline", "--offline"].includes(flag));
    const verb = detached ? "add" : cmd.action === "update" ? "update" : specs.length ? "add" : "install";
    const prepared = f.prepare?.(tmp) ?? {};
    const run = runCaptured(f.resolve(verb, specs, flags, detached ? [] : cmd.saveFlags), tmp, { ...env, ...f.envExtra, ...prepared });
    if (run.status !== 0) {
      const why = f.explain?.(`${run.stdout}\n${run.stderr}`) ?? "";
      throw new ResolutionError(`${cmd.manager} could not resolve the packages (no scripts run):\n${why}${tail(run.stderr || run.stdout)}`);
    }
    const lockPath = join(tmp, f.lockName);
    if (!existsSync(lockPath) || !readFileSync(lockPath, "utf8").trim()) throw new ResolutionError(`${cmd.manager} wrote no ${f.lockName}`);
    const lockfile = parseLockfile(lockPath);
    if (lockfile.problems.length) throw new ResolutionError(`${f.lockName} written by ${cmd.manager} could not be read: ${lockfile.problems.map((p) => `${p.line ? `line ${p.line}: ` : ""}${p.message}`).join("; ")}`);
    // The project itself (workspace root) is not a package to fetch.
    lockfile.packages = lockfile.packages.filter((p) => p.source !== "workspace");
    const currentPath = join(projectDir, f.lockName);
    const before = !detached && existsSync(currentPath) ? new Set(parseLockfile(currentPath).packages.map(key)) : new Set<string>();
    const added = lockfile.packages.filter((p) => !before.has(key(p)));
    let install: string[];
    if (cmd.action === "exec") install = [cmd.program, ...cmd.prefix, ...(cmd.verb ? [cmd.verb] : []), ...cmd.args];
    else if (cmd.global) {
      const pinned = lockfile.packages.filter((p) => p.direct && p.version).map((p) => `${p.alias ?? p.name}@${p.version}`);
      if (!f.global) throw new ResolutionError("yarn 2+ has no global installs");
      install = f.global(pinned, flags);
    } else install = f.frozen(flags);
    const apply = () => {
      if (detached) return;
      for (const name of ["package.json", f.lockName]) {
        const text = readFileSync(join(tmp, name));
        const to = join(projectDir, name);
        if (!existsSync(to) || !readFileSync(to).equals(text)) writeFileSync(to, text);
      }
    };
    return { lockfile, added, install, apply, reusable: false, cleanup }; // the fast path keys npm's files only
  } catch (error) {
    cleanup();
    throw error;
  }
}

function hasWorkspaces(dir: string): boolean {
  try {
    return Boolean((JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { workspaces?: unknown }).workspaces);
  } catch {
    return false;
  }
}
