// IP address helpers: parsing to bytes, masking to a prefix (PerSourceNetBlockSize),
// CIDR and wildcard matching (PerSourcePenaltyExemptList), RFC 5952 text form.
import { isIPv4, isIPv6 } from "node:net";
import { wildcardMatches } from "../core/glob.js";

export type Family = "ipv4" | "ipv6";

export function familyOf(address: string): Family | undefined {
  if (isCanonicalIpv4(address) || isIPv4(address)) return "ipv4";
  if (isIPv6(address)) return "ipv6";
  return undefined;
}

/** 4 or 16 bytes; undefined if not an IP literal. */
export function toBytes(address: string): number[] | undefined {
  if (isIPv4(address)) return address.split(".").map(Number);
  if (!isIPv6(address)) return undefined;
  let text = address.split("%")[0]!;
  let tail: number[] = [];
  const v4 = /(?<!\d)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail = v4[1]!.split(".").map(Number);
    text = `${text.slice(0, -v4[1]!.length)}0:0`;
  }
  const [head = "", rest] = text.split("::") as [string, string | undefined];
  const groups = (s: string): number[] => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const middle = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  const words = [...left, ...middle, ...right];
  const bytes = words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** RFC 5952: lowercase, longest run (≥2) of zero groups as "::"; IPv4-mapped kept dotted. */
export function formatIpv6(bytes: number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${bytes.slice(12, 16).join(".")}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** ::ffff:1.2.3.4 → 1.2.3.4 (the kernel reports v4 peers of dual-stack sockets this way). */
export function unmapIpv4(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}

/**
 * The canonical text of an IP literal, or undefined when `text` is not one (a hostname):
 * IPv4 with leading zeros read as decimal ("192.030.0.6" → "192.30.0.6", as the address a
 * person wrote), IPv4-mapped IPv6 unmapped, IPv6 in RFC 5952 form without its zone id,
 * brackets stripped.
 */
export const CANONICAL_V4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** What CANONICAL_V4 matches (four decimal octets ≤ 255, no leading zero), read by hand: it runs on every address. */
export function isCanonicalIpv4(text: string): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let i = 0;
  while (i < n) {
    const start = i;
    let value = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return false;
    parts++;
    if (i === n) break;
    if (text.charCodeAt(i) !== 46 || parts === 4) return false;
    i++;
    if (i === n) return false;
  }
  return parts === 4;
}

export function normaliseIp(text: string): string | undefined {
  if (isCanonicalIpv4(text)) return text; // the common case, already canonical
  let value = text.trim();
  if (value.startsWith("[") && value.endsWith("]")) value = value.slice(1, -1);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((n) => n <= 255) ? parts.join(".") : undefined;
  }
  const zoneless = value.split("%")[0]!;
  if (!isIPv6(zoneless)) return undefined;
  return unmapIpv4(formatIpv6(toBytes(zoneless)!));
}

export function fromBytes(bytes: number[]): string {
  return bytes.length === 4 ? bytes.join(".") : formatIpv6(bytes);
}

/** The network part of an address at `bits` (the key PerSourcePenalties counts under). */
export function maskAddress(address: string, bits: number): string | undefined {
  if (bits === 32 && isCanonicalIpv4(address)) return address;
  const bytes = toBytes(address);
  if (!bytes) return undefined;
  const masked = bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return fromBytes(masked);
}

export function inCidr(address: string, cidr: string): boolean {
  const [network, lengthText] = cidr.split("/");
  const netBytes = network ? toBytes(network) : undefined;
  const bytes = toBytes(address);
  if (!netBytes || !bytes || netBytes.length !== bytes.length) return false;
  const bits = lengthText === undefined ? bytes.length * 8 : Number(lengthText);
  if (!Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8) return false;
  return maskAddress(address, bits) === maskAddress(network!, bits);
}

/**
 * OpenSSH addr_match_list: comma-separated CIDRs or wildcard patterns, "!" negates.
 * A matching negation means "not in the list" and wins.
 */
export function matchAddressList(address: string, list: string): boolean {
  let matched = false;
  for (const raw of list.split(",").map((s) => s.trim()).filter(Boolean)) {
    const negated = raw.startsWith("!");
    const pattern = negated ? raw.slice(1) : raw;
    const hit = /[*?]/.test(pattern) ? globMatch(address, pattern) : inCidr(address, pattern);
    if (hit && negated) return false;
    if (hit) matched = true;
  }
  return matched;
}

function globMatch(text: string, pattern: string): boolean {
  return wildcardMatches(pattern, text, { ignoreCase: true });
}
