import { trimEndChars } from "../../core/trim.js";
// Network indicators in a folded string, one implementation for both front-ends: URLs
// anywhere in the text, and a whole string that is a hostname under a public top-level
// domain or an IPv4 address (either with an optional :port). Cheap and precise on purpose:
// dotted identifiers (`module.exports`, `setup.py`) must not match.
//
// Values are normalised the way the network reads them: a hostname is case-insensitive, so
// the host (and a URL's scheme) is lower-cased; a URL's user part, path, query and fragment
// are case-sensitive and kept as written.

const URL_IN_TEXT = /\b(?:https?|wss?|ftp|tcp|udp):\/\/[^\s"'`<>\\]{3,2048}/gi;
const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63})\.?$/i;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const HOST_PORT = /^([^:/\s]+)(?::\d{1,5})?$/;
const URL_PARTS = /^([a-z]+:\/\/)([^@/?#]*@)?([^/?#:]*)(.*)$/is;

/** Text at most this long is checked as a whole hostname / address; longer text only for URLs. */
const WHOLE_STRING_MAX = 260;
/** Only this much of a long text is scanned for URLs. */
const SCANNED_CHARS = 200_000;
/** At most this many distinct indicators from one string. */
const MAX_INDICATORS = 20;

export interface IndicatorOptions {
  /** signatures/indicators.yaml publicTlds (lower case). */
  tlds: ReadonlySet<string>;
  /**
   * First labels that make a dotted word an identifier path of the language, not a host
   * (`window.top`, `self.app`): the one thing the languages differ in, since each has its
   * own well-known object names. Lower case.
   */
  identifierRoots: ReadonlySet<string>;
}

/** Whole text is a hostname under one of `tlds` whose first label is no identifier root. */
export function isPublicHostname(text: string, options: IndicatorOptions): boolean {
  if (text.length < 4 || text.length > 253) return false;
  const match = HOSTNAME.exec(text);
  if (!match || !options.tlds.has(match[1]!.toLowerCase())) return false;
  return !options.identifierRoots.has(text.slice(0, text.indexOf(".")).toLowerCase());
}

/** A dotted-quad IPv4 address other than 0.0.0.0, loopback (127/8) or 255.x. */
export function isIPv4(text: string): boolean {
  return IPV4.test(text) && !/^0\.0\.0\.0$|^127\.|^255\./.test(text);
}

/** A URL with its scheme and host lower-cased; user part, path, query and fragment as written. */
export function normaliseUrl(url: string): string {
  const parts = URL_PARTS.exec(url);
  if (!parts) return url;
  return `${parts[1]!.toLowerCase()}${parts[2] ?? ""}${parts[3]!.toLowerCase()}${parts[4]}`;
}

/** Indicators found in a folded string (distinct, at most a few; long strings are scanned for URLs only). */
export function indicatorsIn(text: string, options: IndicatorOptions): string[] {
  if (text.length < 4) return [];
  const trimmed = text.trim();
  if (trimmed.length <= WHOLE_STRING_MAX) {
    const hostPort = HOST_PORT.exec(trimmed);
    if (hostPort && (isIPv4(hostPort[1]!) || isPublicHostname(hostPort[1]!, options))) return [trimmed.toLowerCase()];
  }
  if (!text.includes("://")) return [];
  const found = new Set<string>();
  const scanned = text.length > SCANNED_CHARS ? text.slice(0, SCANNED_CHARS) : text;
  for (const match of scanned.matchAll(URL_IN_TEXT)) {
    const url = trimEndChars(match[0], "),.;:]}");
    if (url.includes("*")) continue; // a pattern (`https://*.example.com`), not a destination
    found.add(normaliseUrl(url));
    if (found.size >= MAX_INDICATORS) break;
  }
  return [...found];
}
