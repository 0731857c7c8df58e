// Credential sources: process.env (whole or secret-named variables), files read with
// fs whose folded path names a credential, password prompts, and the secret-named
// parameters of SSH wrappers (the ssh-decorate shape).
import { workflowWrite } from "./workflow-writes.js";
import type { SourceFact, SourceKind } from "../facts.js";
import { classifyCredentialPath, isSecretEnvName, isSecretParameterName, type Signatures } from "../../rules/signatures.js";
import type { Node } from "./ast.js";
import type { Call } from "./calls.js";
import { FactCollector } from "./collector.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { UNKNOWN, constant, deepTaint, markTaintLive, mergeTaints, patternOf, stringOf, unknownWith, type Taint, type Value } from "./values.js";

/** Folded stand-in for __dirname: paths inside the package are never the user's credentials. */
export const PACKAGE_DIR = "<package>";

/** Register a source read here and return the taint its data carries. */
export function sourceTaint(I: Interpreter, kind: SourceKind, note: string, detail: string | undefined, node: Node, frame: Frame, origin?: SourceFact["origin"]): Taint[] {
  const location = I.location(node, frame);
  markTaintLive();
  const fact = I.collector.addSource({ kind, location, note, detail, trigger: frame.trigger, ...(origin ? { origin } : {}) });
  return [{ key: FactCollector.sourceKey(fact), source: fact, steps: [{ ...location, note: detail ? `${note}: ${detail}` : note }] }];
}

/** `process.env` as a value: a latent whole-environment source until serialised or sent. */
export function processEnv(I: Interpreter, node: Node, frame: Frame, name = "process.env"): Value {
  const location = I.location(node, frame);
  markTaintLive();
  const source = { kind: "env-dump" as const, location, note: `reads the whole environment (${name})`, trigger: frame.trigger };
  return { special: "env", taint: [{ key: FactCollector.sourceKey(source), source, steps: [{ ...location, note: source.note }], latent: true }] };
}

export function envMember(I: Interpreter, key: string | undefined, node: Node, frame: Frame): Value {
  if (key === undefined) {
    // process.env[name] with a computed name: the whole environment when iterated.
    return unknownWith(processEnv(I, node, frame).taint);
  }
  // signatures/sources.yaml homeVariables and homeFolders.js. A folder is a partial string,
  // not a constant: `if (process.env.APPDATA)` stays an open branch.
  if (I.signatures.homeVariables.has(key)) return constant("~");
  const homeRelative = I.signatures.homeFolders.js[key.toUpperCase()];
  if (homeRelative) return { pattern: homeRelative };
  if (isSecretEnvName(I.signatures, key)) {
    return unknownWith(sourceTaint(I, "env-secret", "reads secret environment variable", key, node, frame));
  }
  return UNKNOWN;
}

export function secretParamMember(I: Interpreter, key: string, node: Node, frame: Frame): Value | undefined {
  if (!isSecretParameterName(I.signatures, key)) return undefined;
  return unknownWith(secretParameterTaint(I, key, node, frame));
}

export function secretParameterTaint(I: Interpreter, name: string, node: Node, frame: Frame): Taint[] {
  // In a file using a wallet library (sources.yaml credentialConsumers.js.wallet) key-named parameters are wallet keys, not SSH keys.
  if (/mnemonic|seed|phrase|wallet|signer/i.test(name) || I.signatures.credentialConsumers.js.walletImported.test(frame.unit.text ?? "")) {
    return sourceTaint(I, "keychain", "receives a wallet private key or seed phrase argument", name, node, frame);
  }
  const keyLike = /key|pkey|identity/i.test(name);
  return sourceTaint(
    I,
    keyLike ? "ssh-key" : "password-prompt",
    keyLike ? "receives an SSH private key argument" : "receives a password argument meant for an SSH connection",
    name,
    node,
    frame,
  );
}

// ---- files ------------------------------------------------------------------------

/** A file-system module (signatures/sources.yaml `fileApis.js`). */
export function isFsModule(signatures: Signatures, module: string): boolean {
  return signatures.fileApis.js.modules.has(module);
}

export function fsCall(I: Interpreter, module: string, path: string[], call: Call): Value | undefined {
  const member = path[path.length - 1] ?? "";
  const promises = module === "fs/promises" || path[0] === "promises";
  workflowWrite(I, member, call);
  const { reads, lists, copies, writes } = I.signatures.fileApis.js;
  if (member === "createWriteStream") {
    // A stream into a file: what is piped or written into it lands there (downloads.ts writeToFile).
    const target = call.args[0] ?? UNKNOWN;
    return { object: { props: new Map() }, writesTo: stringOf(target) ?? patternOf(target) };
  }
  if (writes.has(member)) {
    recordWrite(I, call);
    return undefined;
  }
  if (!reads.has(member) && !lists.has(member) && !copies.has(member)) return undefined;
  const pathValue = call.args[0] ?? UNKNOWN;
  const text = stringOf(pathValue) ?? patternOf(pathValue);
  let taint = pathValue.taint;
  const credential = text.startsWith(PACKAGE_DIR) ? undefined : classifyCredentialPath(I.signatures, text);
  if (credential) {
    taint = mergeTaints(taint, sourceTaint(I, credential.kind, credential.note, text.replace(/\\/g, "/"), call.node, call.frame));
  }
  // A file the package wrote credential data to earlier (a staged copy) is read back.
  taint = mergeTaints(taint, I.written.taint(text, I.step(call.node, call.frame, `reads back ${text}, a file written earlier`)));
  if (copies.has(member)) {
    // The copy holds what the original held.
    const target = call.args[1];
    if (target) I.written.write(stringOf(target) ?? patternOf(target), undefined, taint);
    return UNKNOWN;
  }
  const data = unknownWith(taint);
  const callback = [...call.args].reverse().find((a) => a.fn);
  if (callback && !promises) {
    I.invokeCallback(callback, [UNKNOWN, data], call.node, call.frame);
    return UNKNOWN;
  }
  // What the file's data reaches does not depend on how it comes back (the data, a stream such as
  // createReadStream's, a handle such as Bun.file(path) whose text() is the data, or a promise of
  // it): a read hands its taint to every shape, and only callbacks need running.
  if (member.endsWith("Sync")) return data;
  if (promises || module === "fs-extra" || !callback) return { resolved: data, taint };
  return UNKNOWN;
}

/** writeFileSync(path, data) and the like: the file now holds the data (see written-files.ts). */
function recordWrite(I: Interpreter, call: Call): void {
  const [pathValue, content] = call.args;
  if (pathValue && content) I.written.write(stringOf(pathValue) ?? patternOf(pathValue), stringOf(content), deepTaint(content));
}

// ---- prompts ----------------------------------------------------------------------------

const PASSWORD_PROMPT = /pass(word|phrase|wd)?\b|passphrase|secret|token|\bpin\b|api.?key|private.?key/i;

/** readline's rl.question(prompt, cb): a password prompt makes the answer a credential. */
export function readlineQuestion(I: Interpreter, call: Call): Value {
  const prompt = stringOf(call.args[0] ?? UNKNOWN) ?? "";
  const taint = PASSWORD_PROMPT.test(prompt) ? sourceTaint(I, "password-prompt", "prompts for a password", prompt.trim(), call.node, call.frame) : undefined;
  const answer = unknownWith(taint);
  const callback = call.args.find((a) => a.fn);
  if (callback) I.invokeCallback(callback, [answer], call.node, call.frame);
  return { resolved: answer, taint };
}

/** A prompt library (signatures/sources.yaml `promptModules.js`). */
export function isPromptModule(signatures: Signatures, module: string): boolean {
  return signatures.promptModules.js.has(module);
}

/** Prompt libraries: asking with type "password" (or hidden echo) returns a credential. */
export function promptCall(I: Interpreter, module: string, member: string, call: Call): Value | undefined {
  const asksPassword =
    module === "password-prompt" ||
    member === "password" ||
    member === "questionNewPassword" ||
    call.args.some((a) => mentionsPassword(a, 0)) ||
    (module === "read" && call.args.some((a) => a.object?.props.get("silent")?.constant === true));
  if (!asksPassword) return undefined;
  const taint = sourceTaint(I, "password-prompt", "prompts for a password", `${module}${member ? "." + member : ""}`, call.node, call.frame);
  const answer = unknownWith(taint);
  const callback = call.args.find((a) => a.fn);
  if (callback) I.invokeCallback(callback, [UNKNOWN, answer], call.node, call.frame);
  if (module === "readline-sync" || module === "prompt-sync") return answer;
  return { resolved: answer, taint };
}

function mentionsPassword(value: Value, depth: number): boolean {
  if (depth > 3) return false;
  if (value.object) {
    const props = value.object.props;
    if (props.get("type")?.constant === "password" || props.get("hideEchoBack")?.constant === true) return true;
    for (const child of [...(value.object.elements ?? []), ...props.values()]) if (mentionsPassword(child, depth + 1)) return true;
  }
  return false;
}
