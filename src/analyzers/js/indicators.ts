import { trimEndChars } from "../../core/trim.js";
// Which folded strings look like network indicators: a URL, a hostname with a dot and
// a public top-level domain, or an IPv4 address. Cheap and precise on purpose: dotted
// identifiers (`module.exports`, `index.js`) must not match.

const URL_IN_TEXT = /\b(?:https?|wss?|ftp):\/\/[^\s"'`<>\\]{3,300}/gi;
const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})\.?$/i;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?::\d{1,5})?$/;
const HOST_PORT = /^([^:/\s]+)(?::\d{1,5})?$/;

/** Words that are dotted property paths, not hosts, even with a TLD-like last label. */
const NOT_HOST_FIRST_LABELS = new Set(["window", "self", "document", "this", "parent", "module", "exports", "process", "console"]);

/** Whole text is a hostname under one of `tlds` (signatures/indicators.yaml publicTlds). */
export function isPublicHostname(text: string, tlds: ReadonlySet<string>): boolean {
  const match = HOSTNAME.exec(text);
  if (!match || text.length > 253 || !text.includes(".")) return false;
  const tld = match[1]!.toLowerCase();
  if (!tlds.has(tld)) return false;
  const first = text.split(".")[0]!.toLowerCase();
  return !NOT_HOST_FIRST_LABELS.has(first);
}

export function isIPv4(text: string): boolean {
  return IPV4.test(text) && !/^0\.0\.0\.0|^127\.|^255\./.test(text);
}

/** Indicators found in a folded string (at most a few; long strings are scanned for URLs only); a bare hostname counts under one of `tlds`. */
export function indicatorsIn(text: string, tlds: ReadonlySet<string>): string[] {
  if (text.length < 4) return [];
  const trimmed = text.trim();
  const out: string[] = [];
  if (trimmed.length <= 260 && !/\s/.test(trimmed)) {
    const hostPort = HOST_PORT.exec(trimmed);
    if (hostPort && (isIPv4(trimmed) || isPublicHostname(hostPort[1]!, tlds))) return [trimmed];
  }
  if (!text.includes("://")) return out;
  const scanned = text.length > 20_000 ? text.slice(0, 20_000) : text;
  for (const match of scanned.matchAll(URL_IN_TEXT)) {
    const url = trimEndChars(match[0], "),.;:]}");
    if (url.includes("*")) continue;
    out.push(url);
    if (out.length >= 8) break;
  }
  return out;
}
