// The user's registry configuration: .npmrc (registry, @scope:registry, per-host
// _authToken / _auth) and pip (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, pip.conf).
// Credentials are only ever sent to the host (and path prefix) they are configured for.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ProxySettings } from "./proxy.js";
import { trimSlashes } from "../core/trim.js";

export interface NpmConfig {
  registry?: string;
  /** "@scope" → registry URL */
  scopes: Record<string, string>;
  /** "//host[:port]/path/" → Authorization header value */
  auth: Record<string, string>;
  /** `proxy`, `https-proxy`, `noproxy` (used for the npm registries, over the environment's). */
  proxy?: ProxySettings;
}

function expand(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([^}]+)\}/g, (_m, name: string) => env[name] ?? "");
}

export function parseNpmrc(text: string, env: NodeJS.ProcessEnv = process.env, into: NpmConfig = { scopes: {}, auth: {} }): NpmConfig {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq === -1) continue;
    const key = line.slice(0, eq).trim();
    const value = expand(line.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1"), env);
    if (key === "registry") into.registry = trimSlashes(value);
    else if (/^@[^:]+:registry$/.test(key)) into.scopes[key.slice(0, key.indexOf(":"))] = trimSlashes(value);
    else if (key.startsWith("//") && key.endsWith(":_authToken")) into.auth[normalizePrefix(key.slice(0, -":_authToken".length))] = `Bearer ${value}`;
    else if (key === "proxy" || key === "https-proxy" || key === "noproxy") {
      const field = key === "proxy" ? "http" : key === "https-proxy" ? "https" : "noProxy";
      if (value && value !== "null" && value !== "false") (into.proxy ??= {})[field] = value;
    } else if (key.startsWith("//") && key.endsWith(":_auth")) into.auth[normalizePrefix(key.slice(0, -":_auth".length))] = `Basic ${value}`;
  }
  return into;
}

function normalizePrefix(prefix: string): string {
  return prefix.endsWith("/") ? prefix : `${prefix}/`;
}

/** ~/.npmrc (or $NPM_CONFIG_USERCONFIG), then the project's .npmrc over it. */
export function loadNpmConfig(projectDirs: string[], env: NodeJS.ProcessEnv = process.env): NpmConfig {
  const config: NpmConfig = { scopes: {}, auth: {} };
  const files = [env["NPM_CONFIG_USERCONFIG"] ?? env["npm_config_userconfig"] ?? join(env["HOME"] ?? homedir(), ".npmrc"), ...projectDirs.map((d) => join(d, ".npmrc"))];
  for (const file of files) if (existsSync(file)) parseNpmrc(readFileSync(file, "utf8"), env, config);
  return config;
}

/** The registry a package name is fetched from: its scope's, else the configured one. */
export function registryFor(name: string, config: NpmConfig | undefined, fallback: string): string {
  const scope = name.startsWith("@") ? name.slice(0, name.indexOf("/")) : undefined;
  return (scope && config?.scopes[scope]) || config?.registry || fallback;
}

/** The Authorization header for a URL: the longest configured //host/path/ prefix it starts with. */
export function authorizationFor(url: string, config: NpmConfig | undefined): string | undefined {
  if (!config) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const target = `//${parsed.host}${parsed.pathname}`;
  let best: string | undefined;
  for (const prefix of Object.keys(config.auth)) {
    if (target.startsWith(prefix) && (!best || prefix.length > best.length)) best = prefix;
  }
  return best ? config.auth[best] : undefined;
}

/**
 * pip's index as pip uses it: `index-url` replaces the default index, `extra-index-url` adds
 * to it. An environment variable replaces the config files' value of the same option
 * (PIP_INDEX_URL over `index-url`, PIP_EXTRA_INDEX_URL over `extra-index-url`).
 */
export function loadPipIndexConfig(env: NodeJS.ProcessEnv = process.env): { index?: string; extra: string[] } {
  const file = readPipConfig(env);
  const index = env["PIP_INDEX_URL"] || file.index;
  const extra = env["PIP_EXTRA_INDEX_URL"] ? env["PIP_EXTRA_INDEX_URL"].split(/\s+/).filter(Boolean) : file.extra;
  return { ...(index ? { index: trimSlashes(index) } : {}), extra: [...new Set(extra.map(trimSlashes))] };
}

/** `[global]`/`[install]` index-url and extra-index-url of the first pip.conf found. */
function readPipConfig(env: NodeJS.ProcessEnv): { index?: string; extra: string[] } {
  const files = [
    env["PIP_CONFIG_FILE"],
    join(env["XDG_CONFIG_HOME"] || join(env["HOME"] ?? homedir(), ".config"), "pip", "pip.conf"),
    join(env["HOME"] ?? homedir(), ".pip", "pip.conf"),
    "/etc/pip.conf",
  ].filter((f): f is string => Boolean(f));
  const found: { index?: string; extra: string[] } = { extra: [] };
  for (const file of files) {
    if (!existsSync(file)) continue;
    let section = "";
    let lastKey = "";
    for (const raw of readFileSync(file, "utf8").split(/\r?\n/)) {
      const header = /^\s*\[([^\]]+)\]/.exec(raw);
      if (header) {
        section = header[1]!.trim();
        continue;
      }
      if (section !== "global" && section !== "install") continue;
      const kv = /^([\w-]+)\s*[=:]\s*((?:\S.*)?)$/.exec(raw);
      if (kv) lastKey = kv[1]!;
      const value = kv ? kv[2]! : /^\s+\S/.test(raw) ? raw.trim() : "";
      if (!value) continue;
      if (lastKey === "index-url") found.index = value.split(/\s+/)[0]!;
      else if (lastKey === "extra-index-url") found.extra.push(...value.split(/\s+/));
    }
    break; // pip reads the first config file found at each level; one is enough here
  }
  return found;
}
