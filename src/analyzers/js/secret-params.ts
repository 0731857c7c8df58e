// Secret-named parameters of library functions (the ssh-decorate shape with any token): a
// candidate credential that becomes real only once the package itself uses it as one —
// in the credential slot of a request to a fixed host — or sends it to a data-collection
// service. Unconfirmed candidates leave no fact (collector.finish drops them).
import { hostOf, matchExfilService, matchKnownBad } from "../../rules/signatures.js";
import type { SourceKind } from "../facts.js";
import type { Node } from "./ast.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { sourceTaint } from "./sources.js";
import type { Taint } from "./values.js";

/**
 * A key of a key pair or a seed (a wallet's private key): by name, or a secret key in a file
 * that builds key pairs (not an API's "secret key", which its own service is given).
 * No service is given a private key: wallets sign where they are.
 */
function isPrivateKey(name: string, frame: Frame): boolean {
  if (/mnemonic|seed|phrase|priv(ate)?_?key/i.test(name)) return true;
  return /secret_?key/i.test(name) && /\b(key_?pair|ed25519|secp256k1|nacl)\b/i.test(frame.unit.text ?? "");
}

/** The taint a secret-named parameter carries when its function is analysed on its own. */
export function candidateParameterTaint(I: Interpreter, name: string, node: Node, frame: Frame): Taint[] {
  const kind: SourceKind = isPrivateKey(name, frame) ? "keychain" : "password-prompt";
  const taint = sourceTaint(I, kind, `receives a secret argument (${name}) that the package also uses as a credential`, name, node, frame);
  for (const t of taint) I.collector.markCandidate(t.key);
  return taint;
}

/**
 * A send: credentials in its credential slot to a fixed host, or anything sent to a collection
 * service, confirm candidates; so does a private key sent as data to a fixed host (the
 * @solana/web3.js backdoor): the one service that could take it would be its thief.
 */
export function confirmCandidates(I: Interpreter, destination: string | undefined, auth: Taint[], payload: Taint[]): void {
  if (!destination || destination.includes("*")) return;
  const host = hostOf(destination);
  if (host) for (const t of auth) I.collector.confirmCandidate(t.key, host);
  const collector = matchExfilService(I.signatures, destination) || matchKnownBad(I.signatures, destination);
  for (const t of payload) if (collector || (host && t.source.kind === "keychain")) I.collector.confirmCandidate(t.key);
}
