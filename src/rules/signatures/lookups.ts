// Lookups the analyzers and rules share over the compiled set: credential paths, secret
// names, exfil services, known-bad indicators, hosts, sites and issuers.
import type { IndicatorsData, SourceKind } from "../schema.js";
import type { Issuer, Signatures } from "./types.js";

/** Which credential a (folded) path names, if any. Home may be written "~", "$HOME" or "/home/x". */
export function classifyCredentialPath(
  signatures: Signatures,
  path: string,
): { kind: SourceKind; note: string } | undefined {
  const normalized = normalizeHomePath(path);
  for (const { regex, data } of signatures.credentialFiles) if (regex.test(normalized)) return data;
  return undefined;
}

/** Fold the ways of writing a home directory into "~" so one pattern matches them all. */
export function normalizeHomePath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/^(\$HOME|\$\{HOME\}|%USERPROFILE%|%HOMEPATH%|\/home\/[^/]+|([a-z*]:)?\/Users\/[^/]+|\/root|[a-z*]:\/Documents and Settings\/[^/]+)(?=\/|$)/i, "~");
}

export function isSecretEnvName(signatures: Signatures, name: string): boolean {
  if (signatures.envSecretExactNames.some((r) => r.test(name))) return true;
  return (
    signatures.envSecretNames.some((r) => r.test(name)) && !signatures.envNotSecretNames.some((r) => r.test(name))
  );
}

export function isSecretParameterName(signatures: Signatures, name: string): boolean {
  return signatures.secretParameterNames.some((r) => r.test(name));
}

/** The exfil service a URL or host names (discord webhook, webhook.site, …), if any. */
export function matchExfilService(
  signatures: Signatures,
  destination: string,
): { name: string; category: string } | undefined {
  return signatures.exfilServices.find((s) => s.regex.test(destination))?.data;
}

/** Known-bad indicator contained in a destination or string literal. */
export function matchKnownBad(signatures: Signatures, text: string): IndicatorsData["knownBad"][number] | undefined {
  const lower = text.toLowerCase();
  return signatures.knownBad.find((k) => {
    const value = k.value.toLowerCase();
    if (k.type !== "domain") return lower.includes(value);
    const host = hostOf(lower) ?? lower;
    return host === value || host.endsWith(`.${value}`);
  });
}

/** Host part of a URL or host[:port] string; undefined when it has none that is literal. */
export function hostOf(destination: string): string | undefined {
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(\[[0-9a-f:.]+\]|[^/:?#\s]+)/i.exec(destination.trim());
  const host = match?.[1]?.toLowerCase();
  return host && /[a-z0-9]/.test(host) ? host : undefined;
}

/** Second-level labels under a two-letter country code that are registries, not sites ("example.co.uk"). */
const COUNTRY_SECOND_LEVELS = new Set(["co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go"]);

/**
 * The site a host belongs to: its last two labels ("pub.orcid.org" → "orcid.org"), three under
 * a country registry ("api.example.co.uk" → "example.co.uk"); an IP address is its own site.
 */
export function siteOf(host: string): string {
  if (/^[\d.]+$/.test(host) || host.includes(":")) return host;
  const labels = host.split(".");
  const keep = labels.length > 2 && labels[labels.length - 1]!.length === 2 && COUNTRY_SECOND_LEVELS.has(labels[labels.length - 2]!) ? 3 : 2;
  return labels.slice(-keep).join(".");
}

/** The issuers of a credential (by kind and detail); empty when none is known. */
export function issuersOf(signatures: Signatures, kind: SourceKind, detail: string | undefined): Issuer[] {
  return signatures.issuers.filter((i) => i.kinds.includes(kind) && (!i.detail || (detail !== undefined && i.detail.test(detail))));
}

/** Whether a destination is one of an issuer's API hosts. */
export function isIssuerHost(issuer: Issuer, destination: string): boolean {
  const host = hostOf(destination)?.replace(/:\d+$/, "");
  return host !== undefined && issuer.hosts.some((h) => h.test(host));
}
