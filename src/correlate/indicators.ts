// What a finding says to look for on the network: domains, addresses and ports taken from
// its indicators (a URL gives its host and port; an e-mail gives its domain).
import { isIP } from "node:net";
import type { Finding } from "../core/types.js";

export interface Targets {
  domains: string[];
  ips: string[];
  /** Ports named by URL indicators (explicit, or the scheme's default). */
  ports: number[];
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443, "ws:": 80, "wss:": 443, "ftp:": 21 };

export function normaliseDomain(value: string): string {
  return value.trim().toLowerCase().replace(/\.$/, "");
}

function normaliseIp(value: string): string {
  return value.trim().replace(/^\[|\]$/g, "").toLowerCase();
}

function addHost(host: string, targets: Targets): void {
  const bare = normaliseIp(host);
  if (isIP(bare)) {
    if (!targets.ips.includes(bare)) targets.ips.push(bare);
    return;
  }
  const domain = normaliseDomain(host);
  if (domain && domain.includes(".") && !targets.domains.includes(domain)) targets.domains.push(domain);
}

export function targetsOf(findings: Finding[]): Targets {
  const targets: Targets = { domains: [], ips: [], ports: [] };
  for (const finding of findings) {
    for (const indicator of finding.indicators ?? []) {
      if (indicator.type === "domain" || indicator.type === "ip") addHost(indicator.value, targets);
      else if (indicator.type === "email") {
        const at = indicator.value.lastIndexOf("@");
        if (at >= 0) addHost(indicator.value.slice(at + 1), targets);
      } else if (indicator.type === "url") {
        let url: URL;
        try {
          url = new URL(indicator.value);
        } catch {
          continue;
        }
        if (!url.hostname) continue;
        addHost(url.hostname, targets);
        const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol];
        if (port !== undefined && !targets.ports.includes(port)) targets.ports.push(port);
      }
    }
  }
  targets.domains.sort();
  targets.ips.sort();
  targets.ports.sort((a, b) => a - b);
  return targets;
}

/** The indicator domain a queried or connected name belongs to (itself or a subdomain: DNS exfiltration encodes data there). */
export function matchDomain(name: string | undefined, domains: string[]): string | undefined {
  if (!name) return undefined;
  const n = normaliseDomain(name);
  return domains.find((d) => n === d || n.endsWith(`.${d}`));
}

export function sameIp(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = normaliseIp(a).replace(/^::ffff:/, "");
  return x === b.replace(/^::ffff:/, "");
}

/** True for addresses that never leave the host or the site (loopback, RFC 1918, link-local, ULA). */
export function isLocalAddress(ip: string): boolean {
  const v = normaliseIp(ip).replace(/^::ffff:/, "");
  if (isIP(v) === 4) {
    const [a, b] = v.split(".").map(Number) as [number, number];
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  return v === "::1" || v === "::" || v.startsWith("fe80:") || v.startsWith("fc") || v.startsWith("fd");
}
