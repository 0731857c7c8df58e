import { trimEndChars } from "../../core/trim.js";
// Cheap and precise indicator extraction from folded strings: URLs, whole-string
// hostnames with a public TLD, and IPv4 addresses.

const URL_PATTERN = /\b(?:https?|wss?|ftp|tcp|udp):\/\/[^\s'"<>\\`]+/gi;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/** Whole string is a hostname under one of `tlds` (signatures/indicators.yaml publicTlds; not a file name such as `setup.py`). */
export function isPublicHostname(text: string, tlds: ReadonlySet<string>): boolean {
  if (text.length > 253 || !/^(?=.{4,})([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/i.test(text)) return false;
  const tld = text.slice(text.lastIndexOf(".") + 1).toLowerCase();
  return tlds.has(tld);
}

/** Indicators contained in a string (at most a few, long strings only scanned for URLs); a bare hostname counts under one of `tlds`. */
export function extractIndicators(text: string, tlds: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const trimmed = text.trim();
  if (trimmed.length <= 260) {
    const hostPort = trimmed.replace(/:\d{1,5}$/, "");
    if (isIPv4(hostPort) && hostPort !== "127.0.0.1" && hostPort !== "0.0.0.0") found.add(trimmed);
    else if (isPublicHostname(hostPort, tlds)) found.add(trimmed.toLowerCase());
  }
  const sample = text.length > 200_000 ? text.slice(0, 200_000) : text;
  for (const match of sample.matchAll(URL_PATTERN)) {
    found.add(trimEndChars(match[0], ").,;:"));
    if (found.size >= 20) break;
  }
  return [...found];
}
