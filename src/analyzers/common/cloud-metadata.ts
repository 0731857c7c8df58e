// Cloud instance metadata services (signatures/sources.yaml `cloudMetadata`), one reading
// for both front-ends and the shell-command model: is a URL (or a host written alone) one
// of these services, and does the path asked for answer with a credential.
import type { Signatures } from "../../rules/signatures.js";

export type CloudMetadata = Signatures["cloudMetadata"];

/** The metadata host and path `url` names, when its host is a cloud metadata service. A bare word without a dot ("metadata") is not a host. */
export function metadataEndpoint(metadata: CloudMetadata, url: string): { host: string; path: string } | undefined {
  const text = url.trim();
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/:?#\s[]+|\[[^\]]+\])(?::[\d*]+)?(\/[^?#]*)?/i.exec(text);
  const host = match?.[1];
  if (!host || !metadata.hosts.some((h) => h.test(host))) return undefined;
  if (match[2] === undefined && !/:\/\//.test(text) && !/[.:]/.test(host)) return undefined;
  return { host: host.toLowerCase(), path: match[2] ?? "/" };
}

/** A path on a metadata service whose answer is a credential (role keys, tokens, identity documents). */
export function isMetadataCredentialPath(metadata: CloudMetadata, path: string): boolean {
  return metadata.credentialPaths.some((p) => p.test(path));
}
