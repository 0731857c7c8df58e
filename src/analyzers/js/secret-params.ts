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

function parameterKind(name: string): SourceKind {
  if (/mnemonic|seed|phrase|priv(ate)?_?key/i.test(name)) return "keychain";
  return "password-prompt";
}

/** The taint a secret-named parameter carries when its function is analysed on its own. */
export function candidateParameterTaint(I: Interpreter, name: string, node: Node, frame: Frame): Taint[] {
  const taint = sourceTaint(I, parameterKind(name), `receives a secret argument (${name}) that the package also uses as a credential`, name, node, frame);
  for (const t of taint) I.collector.markCandidate(t.key);
  return taint;
}

/** A send: credentials in its credential slot to a fixed host, or anything sent to a collection service, confirm candidates. */
export function confirmCandidates(I: Interpreter, destination: string | undefined, auth: Taint[], payload: Taint[]): void {
  if (!destination || destination.includes("*")) return;
  const host = hostOf(destination);
  if (host) for (const t of auth) I.collector.confirmCandidate(t.key, host);
  if (matchExfilService(I.signatures, destination) || matchKnownBad(I.signatures, destination)) for (const t of payload) I.collector.confirmCandidate(t.key);
}
