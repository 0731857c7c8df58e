// Cloud SDK credential calls: the credentials an SDK's provider chain resolves (environment,
// shared files, SSO, instance metadata) as a source. Handed to the SDK's own clients they
// only sign; their raw values copied into a request to another host are stolen. Which calls
// of which modules do what is data: signatures/sources.yaml credentialChains.js (AWS v3
// providers, aws-sdk v2, google-auth-library, @azure/identity) and secretStores.js (a
// secret's value read through a secret store's SDK: AWS Secrets Manager and SSM, GCP Secret
// Manager, Azure Key Vault). Issuers (signatures/indicators.yaml) match the detail, which
// names the SDK module.
import type { Call } from "./calls.js";
import type { Interpreter } from "./interpreter.js";
import { sourceTaint } from "./sources.js";
import type { Node } from "./ast.js";
import type { Frame } from "./frame.js";
import type { CredentialChain } from "../../rules/signatures.js";
import type { Ref, Value } from "./values.js";

/** The marker a model puts after a call in a ref path: `fromIni()` is ["fromIni", CALLED]. */
const CALLED = "()";

function credentials(I: Interpreter, detail: string, note: string, node: Node, frame: Frame): Value {
  const taint = sourceTaint(I, "cloud-credentials", note, detail, node, frame);
  const creds: Value = { object: { props: new Map(), taint, open: true }, taint };
  return creds;
}

function called(ref: Ref, taint?: Value["taint"]): Value {
  return { ref: { module: ref.module, path: [...ref.path, CALLED] }, ...(taint ? { taint } : {}) };
}

/** A secret store's client, command or read; undefined when the call is none of these. */
function secretStoreCall(I: Interpreter, module: string, path: string[], call: Call): Value | undefined {
  const stores = I.signatures.secretStores.js;
  const v2 = module === "aws-sdk" ? stores.awsV2Classes[path[0] ?? ""] : undefined;
  const table = stores.modules[v2 ?? module];
  if (!table) return undefined;
  // `new SecretsManagerClient()`, `new GetSecretValueCommand(input)`: keep the input for WithDecryption.
  if (call.isNew && path.length === 1) return { ref: { module, path: [...path, CALLED], ...(call.args[0] ? { base: call.args[0] } : {}) } };
  if (path.length !== 3 || path[1] !== CALLED) return undefined;
  const operation = path[2]!;
  const command = call.args[0]?.ref;
  const read = operation === "send" && command?.module === module && command.path[1] === CALLED ? command.path[0]! : operation;
  if (!table.reads.test(read)) return undefined;
  const input = operation === "send" ? command?.base : call.args[0];
  if (table.decrypt && input?.object?.props.get("WithDecryption")?.constant !== true) return undefined;
  const secret = credentials(I, `${module} ${read}`, `reads a secret from ${table.store}`, call.node, call.frame);
  const callback = call.args.find((a) => a.fn);
  if (callback) I.invokeCallback(callback, [{}, secret], call.node, call.frame);
  // aws-sdk v2 requests resolve through `.promise()`: the secret answers any member.
  return v2 ? secret : { resolved: secret, taint: secret.taint };
}

/** A ref path as the chains' patterns read it: `["GoogleAuth", "()", "getClient"]` is `GoogleAuth().getClient`. */
function pathText(path: string[]): string {
  let text = "";
  for (const part of path) text += part === CALLED ? CALLED : text ? `.${part}` : part;
  return text;
}

/** The chains of each module name looked up, per signature set (every call into a module asks). */
const chainsByModule = new WeakMap<CredentialChain[], Map<string, CredentialChain[]>>();

function chainsOf(I: Interpreter, module: string): CredentialChain[] {
  const all = I.signatures.credentialChains.js;
  let byModule = chainsByModule.get(all);
  if (!byModule) chainsByModule.set(all, (byModule = new Map()));
  let chains = byModule.get(module);
  if (!chains) {
    if (byModule.size >= 10_000) byModule.clear();
    byModule.set(module, (chains = all.filter((c) => c.module.test(module))));
  }
  return chains;
}

/** A call into a cloud SDK module: a credential source or an object of the SDK; undefined when not modelled. */
export function cloudSdkCall(I: Interpreter, module: string, path: string[], call: Call): Value | undefined {
  const secret = secretStoreCall(I, module, path, call);
  if (secret) return secret;
  const chains = chainsOf(I, module);
  if (chains.length === 0) return undefined;
  const callee = pathText(path);
  for (const chain of chains) {
    if (chain.reads?.test(callee)) {
      const creds = credentials(I, `${module} ${callee}`, chain.note, call.node, call.frame);
      const callback = call.args.find((a) => a.fn);
      if (callback) I.invokeCallback(callback, [{}, creds], call.node, call.frame);
      return { resolved: creds, taint: creds.taint };
    }
    if (call.isNew && chain.credentialClasses?.test(callee)) return credentials(I, `${module} new ${callee}()`, chain.note, call.node, call.frame);
    if ((call.isNew && chain.classes?.test(callee)) || chain.factories?.test(callee)) return called({ module, path });
    if (chain.asyncFactories?.test(callee)) return { resolved: called({ module, path }) };
  }
  return undefined;
}

/** A member read that is the credentials (aws-sdk v2 `AWS.config.credentials`). */
export function cloudSdkMember(I: Interpreter, ref: Ref, key: string, node: Node, frame: Frame): Value | undefined {
  if (ref.module === undefined) return undefined;
  const chains = chainsOf(I, ref.module).filter((c) => c.members);
  if (chains.length === 0) return undefined;
  const member = pathText([...ref.path, key]);
  const chain = chains.find((c) => c.members!.test(member));
  // Its methods (`.get(cb)`, `.getPromise()`) hand the same object to their callbacks.
  return chain ? credentials(I, `${ref.module} ${member}`, chain.note, node, frame) : undefined;
}
