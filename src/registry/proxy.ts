// Which proxy, if any, a registry request goes through: HTTPS_PROXY / HTTP_PROXY / NO_PROXY
// (either case) as curl and npm read them, and .npmrc `https-proxy` / `proxy` / `noproxy` for
// the npm registries it configures. The proxy only ever sees a CONNECT to host:port; the
// request, its Authorization header included, travels inside the tunnel to its own host.
import type { Agent } from "node:http";
import { ConfigurationError } from "../core/errors.js";

export interface ProxySettings {
  /** Proxy for http: URLs. */
  http?: string;
  /** Proxy for https: URLs (falls back to `http`, as npm does). */
  https?: string;
  /** NO_PROXY: comma- or space-separated hosts, `.domain` suffixes, host:port, `*`. */
  noProxy?: string;
}

export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v): v is string => typeof v === "string" && v.trim() !== "")?.trim();
  const settings: ProxySettings = {};
  const http = pick("http_proxy", "HTTP_PROXY");
  const https = pick("https_proxy", "HTTPS_PROXY");
  const noProxy = pick("no_proxy", "NO_PROXY");
  if (http) settings.http = http;
  if (https) settings.https = https;
  if (noProxy) settings.noProxy = noProxy;
  return settings;
}

/** NO_PROXY semantics shared by curl, npm and Python's urllib: exact host, domain suffix, optional port, `*`. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    let name = entry;
    let entryPort: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) [name, entryPort] = [bracketed[1]!, bracketed[2]];
    else if (entry.split(":").length === 2) [name, entryPort] = entry.split(":") as [string, string];
    if (entryPort && entryPort !== port) continue;
    const bare = name.replace(/^\*?\./, "");
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** The proxy URL for a request, or undefined for a direct connection. */
export function proxyFor(url: string, settings: ProxySettings | undefined): string | undefined {
  if (!settings) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const proxy = parsed.protocol === "https:" ? (settings.https ?? settings.http) : parsed.protocol === "http:" ? settings.http : undefined;
  if (!proxy || bypassesProxy(parsed, settings.noProxy)) return undefined;
  return proxy;
}

/** A proxy URL as it may be shown: without its user and password. */
export function redactProxy(proxy: string): string {
  try {
    const parsed = new URL(proxy);
    if (parsed.username || parsed.password) {
      parsed.username = "***";
      parsed.password = "";
    }
    return parsed.href;
  } catch {
    return "(unparseable proxy URL)";
  }
}

const agents = new Map<string, Agent>();

/** One tunnelling agent per proxy URL (kept alive between requests); loaded only when a proxy is in use. */
export async function proxyAgent(proxy: string): Promise<Agent> {
  const existing = agents.get(proxy);
  if (existing) return existing;
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`);
  } catch {
    throw new ConfigurationError(`proxy setting ${redactProxy(proxy)} is not a URL (HTTPS_PROXY / HTTP_PROXY / .npmrc proxy)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ConfigurationError(`proxy ${redactProxy(proxy)}: protocol ${parsed.protocol} is not supported (http: or https: only)`);
  const { HttpsProxyAgent } = await import("https-proxy-agent");
  const agent = new HttpsProxyAgent(parsed, { keepAlive: true }) as unknown as Agent;
  agents.set(proxy, agent);
  return agent;
}

/**
 * The settings for one request: the environment's, with .npmrc's proxy keys over them for
 * the npm registries the user configured (npm's own precedence), never for other hosts.
 */
export function proxySettingsFor(url: string, env: ProxySettings | undefined, npmrc: ProxySettings | undefined, npmRegistries: string[]): ProxySettings | undefined {
  if (!npmrc || !(npmrc.http || npmrc.https || npmrc.noProxy)) return env;
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return env;
  }
  const isNpm = npmRegistries.some((r) => {
    try {
      return new URL(r).host === host;
    } catch {
      return false;
    }
  });
  return isNpm ? { ...env, ...npmrc } : env;
}
