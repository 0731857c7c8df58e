// Credential reads that are API calls rather than file paths (paths: paths.ts).
import type { SourceKind } from "../facts.js";
import type { Signatures } from "../../rules/signatures.js";
import { isMetadataCredentialPath, metadataEndpoint, type CloudMetadata } from "../common/cloud-metadata.js";

export interface ApiSource {
  kind: SourceKind;
  note: string;
  detail?: string;
  /** The argument that limits the read to one site's credentials (signatures/sources.yaml `apiSources[].site`). */
  site?: { keyword: string; position?: number; substring?: boolean };
}

// The calls and call shapes are signatures/sources.yaml `apiSources.python`.

/** The keypair object itself (a constructor's result), not what its methods return. */
const SOLANA_KEYPAIR_OBJECT = /^(solders\.keypair|solana\.keypair|solders)\.Keypair(\.(from_[a-z0-9_]+|generate|new))?\(\)$/;

/** `bytes(keypair)` is its 64-byte secret key. */
export function keypairBytesSource(qname: string, argQname: string | undefined): ApiSource | undefined {
  if (qname !== "builtins.bytes" || !argQname || !SOLANA_KEYPAIR_OBJECT.test(argQname)) return undefined;
  return { kind: "keychain", note: "reads a wallet's private key (Solana Keypair)", detail: "bytes(Keypair)" };
}

/**
 * A credential read by API. `args` are the folded first argument (prompt text) and
 * whether any argument was given (netrc.netrc() without a path reads ~/.netrc).
 */
export function apiSource(signatures: Signatures, qname: string, prompt: string | undefined, hasArgs: boolean): ApiSource | undefined {
  if (qname === "netrc.netrc" && hasArgs) return undefined; // a path: classified as a file read
  const known = signatures.apiSources.python.calls[qname];
  if (known) return known;
  // The SDK call is the detail: it names the credential's issuer (signatures/indicators.yaml).
  const data = patternSource(signatures, qname);
  if (data) return { ...data, detail: qname };
  if ((qname === "builtins.input" || qname === "builtins.raw_input") && prompt && /pass(word|phrase)?|token|secret/i.test(prompt)) {
    return { kind: "password-prompt", note: "prompts for a password", detail: prompt.trim() };
  }
  return undefined;
}

/**
 * A call on a library that consumes a secret for what it is (signatures/sources.yaml
 * `credentialConsumers.python`: SSH clients, databases, mail, wallets, signing keys, cloud
 * SDKs): a secret-named parameter handed to one of them is a real credential.
 */
export function isCredentialConsumerCall(signatures: Signatures, qname: string): boolean {
  return cached(consumerCache, signatures, qname, () => signatures.credentialConsumers.python.some((m) => qname === m || qname.startsWith(`${m}.`)));
}

// Both lookups depend on the call name and the signatures only, and the same library calls
// come back thousands of times in a package: one answer a name (bounded like sinks.ts's).
const consumerCache = new WeakMap<Signatures, Map<string, boolean>>();
const patternCache = new WeakMap<Signatures, Map<string, ApiSource | null>>();

function cached<T>(caches: WeakMap<Signatures, Map<string, T>>, signatures: Signatures, qname: string, compute: () => T): T {
  let cache = caches.get(signatures);
  if (!cache) caches.set(signatures, (cache = new Map()));
  const known = cache.get(qname);
  if (known !== undefined) return known;
  const result = compute();
  if (cache.size < 50_000) cache.set(qname, result);
  return result;
}

/** The data of the first apiSources.python pattern that matches the call name. */
function patternSource(signatures: Signatures, qname: string): ApiSource | undefined {
  return (
    cached(patternCache, signatures, qname, () => {
      for (const { regex, data } of signatures.apiSources.python.patterns) if (regex.test(qname)) return data;
      return null;
    }) ?? undefined
  );
}

/** Signing calls: the signature reveals the message (first argument), never the key. */
export function isSigningCall(qname: string): boolean {
  // A JWT signed with a key carries its claims, not the key.
  if (/^(jwt|jose\.jwt|jose\.jws|authlib\.jose\.jwt)\.(encode|sign)$/.test(qname)) return true;
  const last = qname.slice(qname.lastIndexOf(".") + 1);
  return /^(sign|sign_[a-z_]+|signHash|signTransaction|sign_transaction|sign_message|sign_typed_data)$/.test(last);
}

/** Attributes that are derived public data of a key object (an address, a public key). */
export const PUBLIC_KEY_ATTRIBUTES = /^(address|public_key|pubkey|public_key_hex|checksum_address|verify_key|public_bytes)$/;

/** Kind of source a secret-named parameter stands for. */
export function parameterSourceKind(name: string): SourceKind {
  if (/seed|mnemonic|wif|priv(ate)?_?key_?(hex|bytes|wif)|secret_?phrase/i.test(name)) return "keychain";
  return /key|pkey|identity/i.test(name) && !/api_?key|access_?key|secret_?key/i.test(name) ? "ssh-key" : "password-prompt";
}

/** Methods that read what an object holds (a file, a config parser, a path). */
export const NON_READING_PATH_METHODS = new Set([
  "exists", "is_file", "is_dir", "is_symlink", "stat", "lstat", "chmod", "mkdir", "touch", "unlink", "rmdir",
  "write_text", "write_bytes", "expanduser", "resolve", "absolute", "joinpath", "with_name", "with_suffix",
  "relative_to", "as_posix", "samefile", "match", "startswith", "endswith", "replace", "format", "split",
  "strip", "lower", "upper", "encode", "decode", "rstrip", "lstrip", "join",
]);

/** A request to a cloud metadata endpoint that returns credentials (instance role keys, tokens): signatures/sources.yaml `cloudMetadata`. */
export function metadataSource(metadata: CloudMetadata, url: string | undefined): { host: string; source: ApiSource } | undefined {
  if (!url) return undefined;
  const endpoint = metadataEndpoint(metadata, url);
  if (!endpoint) return undefined;
  const { host, path } = endpoint;
  if (!isMetadataCredentialPath(metadata, path) && !path.includes("*")) return undefined;
  return { host, source: { kind: "cloud-credentials", note: `reads cloud instance credentials from the metadata endpoint ${host}`, detail: url.slice(0, 200) } };
}
