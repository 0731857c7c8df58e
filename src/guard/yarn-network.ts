// Yarn 2+ prepares some dependencies while it resolves them: a GitHub dependency is fetched as
// a codeload tarball over HTTPS (not by git) and packed with its own package manager, running
// its scripts; so is a tarball URL naming a workspace. enableScripts does not cover that. While
// the guard resolves, Yarn's network therefore reaches only the package registries:
// `networkSettings` turns the network off for every host ("*") and on for the registries' hosts
// (Yarn takes, per setting, the most specific matching host glob first). The global
// `enableNetwork` stays on: with it off, `yarn add name` suggests no version at all. A dependency from anywhere
// else fails to resolve with "blocked because of your configuration settings", and the guard
// fails closed on it, as it does on git dependencies (GIT_ALLOW_PROTOCOL covers git itself).
import { createRequire } from "node:module";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type * as Yaml from "yaml";

const yaml = () => createRequire(import.meta.url)("yaml") as typeof Yaml;

/** What Yarn says when a request is refused by its network settings. */
export const BLOCKED_BY_NETWORK_SETTINGS = /has been blocked because of your configuration settings/;

/** Yarn's default registry, and the npm host it rewrites to it. */
const DEFAULT_REGISTRIES = ["https://registry.yarnpkg.com", "https://registry.npmjs.org"];

type Rc = Record<string, unknown>;

function readRc(path: string): Rc {
  if (!existsSync(path)) return {};
  const parsed = yaml().parse(readFileSync(path, "utf8")) as unknown;
  return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Rc) : {};
}

/** The registry servers a Yarn 2+ project resolves from: npmRegistryServer and each npmScopes entry's, from the environment, the project and the home rc file. */
function registryServers(project: Rc, home: Rc, env: NodeJS.ProcessEnv): string[] {
  const servers: string[] = [];
  const add = (value: unknown) => typeof value === "string" && value && servers.push(value);
  add(env["YARN_NPM_REGISTRY_SERVER"]);
  for (const rc of [project, home]) {
    add(rc["npmRegistryServer"]);
    const scopes = rc["npmScopes"];
    if (scopes && typeof scopes === "object") for (const scope of Object.values(scopes as Rc)) add((scope as Rc | null)?.["npmRegistryServer"]);
  }
  if (!env["YARN_NPM_REGISTRY_SERVER"] && project["npmRegistryServer"] === undefined && home["npmRegistryServer"] === undefined) servers.push(...DEFAULT_REGISTRIES);
  return servers;
}

function hostOf(server: string): string | undefined {
  try {
    return new URL(server).hostname || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rewrite the .yarnrc.yml of the temporary copy at `dir` so that only the registries' hosts are
 * reachable: every networkSettings entry of the project and home
 * rc files keeps its other keys but has its network off, and each registry host gets an entry
 * turning it on. Returns the environment to resolve with (none needed today).
 */
export function registryOnlyNetwork(dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rcPath = join(dir, ".yarnrc.yml");
  const project = readRc(rcPath);
  let home: Rc = {};
  try {
    home = readRc(join(env["HOME"] || homedir(), ".yarnrc.yml"));
  } catch {
    // an unreadable home rc names no registry of its own; the project's still count
  }
  // The home rc's entries are merged with these by Yarn: each of its globs (and "*") is turned off here too.
  const settings: Record<string, Rc> = { "*": { enableNetwork: false } };
  for (const rc of [home, project]) {
    const existing = rc["networkSettings"];
    if (!existing || typeof existing !== "object") continue;
    for (const [glob, value] of Object.entries(existing as Rc)) settings[glob] = { ...settings[glob], ...(value && typeof value === "object" ? (value as Rc) : {}), enableNetwork: false };
  }
  for (const host of registryServers(project, home, env).map(hostOf)) {
    if (host) settings[host] = { ...settings[host], enableNetwork: true };
  }
  writeFileSync(rcPath, yaml().stringify({ ...project, networkSettings: settings }));
  return {};
}
