// Which request headers carry the request's own credential, shared by both front-ends.
// A value in such a header authenticates the request to its server (FlowFact.use "auth");
// every other header is data. Whether that authentication is benign is decided by the rules
// (src/rules/authentication.ts): only for a credential of that server's issuer, or one bound to
// the server it is used with, and never at install time.

const FIXED = new Set(["authorization", "proxy-authorization", "x-amz-security-token"]);
/**
 * Last words of header names that services define for their API credential: X-Api-Key, X-Auth-Token, PRIVATE-TOKEN, X-Figma-Token …
 * A header named for a secret (`secret`, X-Client-Secret: Azure App Service's managed-identity endpoint takes its
 * MSI_SECRET so) carries the request's credential too.
 */
const KEY_WORDS = new Set(["api", "access", "secret", "auth", "private"]);

export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  if (FIXED.has(lower)) return true;
  const words = lower.split(/[-_]/);
  const last = words[words.length - 1];
  const before = words[words.length - 2];
  if (last === "apikey" || last === "secret" || (last === "token" && before !== "csrf" && before !== "xsrf")) return true;
  return last === "key" && before !== undefined && KEY_WORDS.has(before);
}
