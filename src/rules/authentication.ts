// Whether a credential flow is the credential being used, not copied (DESIGN.md "Deciding
// severity"): only a credential in a request's credential slot (FlowFact.use "auth") that
// goes to its issuer can be benign. Issuers are data (signatures/indicators.yaml).
import type { FlowFact } from "../analyzers/facts.js";
import type { SourceKind } from "./schema.js";
import { knownHost, isPageOwnDestination } from "./destination.js";
import { isIssuerHost, issuersOf, type Signatures } from "./signatures.js";

/**
 * Credentials bound to the server they are used with when no issuer is known for them: a
 * password typed at a prompt, a secret variable such as SMTP_PASSWORD or SERVICE_API_KEY, a
 * value of the project's .env file (the same variables, kept in a file). Used as the
 * credential of a request, they authenticate to that request's server.
 */
const SERVER_BOUND: ReadonlySet<SourceKind> = new Set(["password-prompt", "env-secret", "env-file"]);

/** Why a flow is authentication, or undefined when it is (or may be) exfiltration. */
export function authenticationReason(flow: FlowFact, signatures: Signatures): string | undefined {
  const { source, sink } = flow;
  const install = sink.trigger === "install";
  // The credential's own data chose the host (a registry URL from the same .npmrc, a netrc
  // entry looked up by the request's host).
  if (sink.destinationFromSource && (flow.use === "auth" || !install)) return "destination read from the credential's own configuration";
  // A web page's own cookie or stored token sent back to the page's own server.
  if (source.origin === "page" && isPageOwnDestination(sink.destination)) return "sent to the web page's own server";
  if (flow.use !== "auth") return undefined;
  const issuers = issuersOf(signatures, source.kind, source.detail);
  const host = knownHost(sink.destination);
  if (host !== undefined) {
    const issuer = issuers.find((i) => isIssuerHost(i, host));
    if (issuer) return `authenticates to ${issuer.name}`;
    if (issuers.length > 0) return undefined;
    return (SERVER_BOUND.has(source.kind) || source.origin === "page") && !install ? "authenticates to the server it is used with" : undefined;
  }
  // A server chosen at run time (the caller's, a configured Enterprise host): a library
  // authenticating where it is told to. At install time nobody chose it.
  if (install) return undefined;
  return issuers.length > 0 || SERVER_BOUND.has(source.kind) || source.origin === "page" ? "authenticates to a server chosen at run time" : undefined;
}
