// Cloud SDK credential calls: the credentials an SDK's provider chain resolves (environment,
// shared files, SSO, instance metadata) as a source. Handed to the SDK's own clients they
// only sign; their raw values copied into a request to another host are stolen. Issuers
// (signatures/indicators.yaml) match the detail, which names the SDK module.
// - AWS v3: `fromNodeProviderChain()()`, `fromIni()`, `fromEnv()`, … and `defaultProvider()`:
//   a provider function whose call resolves to the credentials.
// - AWS v2: `AWS.config.credentials`, `AWS.config.getCredentials(cb)`, `new AWS.*Credentials()`.
// - google-auth-library: `new GoogleAuth()` → `getAccessToken/getCredentials/getRequestHeaders`,
//   `getClient()` → the same methods on the client.
// - @azure/identity: `new DefaultAzureCredential()` (any `*Credential`) → `getToken(scope)`.
// Secret stores (signatures/sources.yaml secretStores.js): a secret's value read through the store's SDK is a credential
// too - AWS Secrets Manager and SSM SecureStrings (v3 `client.send(new GetSecretValueCommand(…))`,
// aggregated clients and v2 `new AWS.SecretsManager().getSecretValue(…)`), GCP Secret Manager
// `accessSecretVersion`, Azure Key Vault `getSecret`.
import type { Call } from "./calls.js";
import type { Interpreter } from "./interpreter.js";
import { sourceTaint } from "./sources.js";
import type { Node } from "./ast.js";
import type { Frame } from "./frame.js";
import type { Ref, Value } from "./values.js";

const AWS_PROVIDER_MODULES = /^@aws-sdk\/(credential-providers|credential-provider-[a-z-]+)$/;
const AWS_PROVIDER_FACTORY = /^(from[A-Z]\w*|defaultProvider)$/;
const GOOGLE_SECRET_METHODS = new Set(["getAccessToken", "getCredentials", "getRequestHeaders", "getIdTokenClient"]);
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

/** A call into a cloud SDK module: a credential source or an object of the SDK; undefined when not modelled. */
export function cloudSdkCall(I: Interpreter, module: string, path: string[], call: Call): Value | undefined {
  const ref: Ref = { module, path };
  const last = path.at(-1) ?? "";
  const secret = secretStoreCall(I, module, path, call);
  if (secret) return secret;
  if (AWS_PROVIDER_MODULES.test(module)) {
    if (path.length === 1 && AWS_PROVIDER_FACTORY.test(last)) return called(ref);
    if (path.length === 2 && path[1] === CALLED) {
      const creds = credentials(I, `${module} ${path[0]}()`, "resolves AWS credentials through the SDK's provider chain", call.node, call.frame);
      return { resolved: creds, taint: creds.taint };
    }
    return undefined;
  }
  if (module === "aws-sdk") {
    if (last === "getCredentials" || last === "getPromise" || last === "get" || last === "refreshPromise") {
      const creds = credentials(I, `aws-sdk ${path.join(".")}`, "reads AWS credentials through the SDK", call.node, call.frame);
      const callback = call.args.find((a) => a.fn);
      if (callback) I.invokeCallback(callback, [{}, creds], call.node, call.frame);
      return { resolved: creds, taint: creds.taint };
    }
    if (call.isNew && /Credentials$/.test(last)) return credentials(I, `aws-sdk new ${path.join(".")}()`, "loads AWS credentials through the SDK", call.node, call.frame);
    return undefined;
  }
  if (module === "google-auth-library") {
    if (call.isNew && path.length === 1) return called(ref);
    if (path.includes(CALLED) && last === "getClient") return { resolved: called(ref) };
    if (path.includes(CALLED) && GOOGLE_SECRET_METHODS.has(last)) {
      const creds = credentials(I, `google-auth-library ${last}()`, "gets Google Cloud credentials through the SDK", call.node, call.frame);
      return { resolved: creds, taint: creds.taint };
    }
    return undefined;
  }
  if (module === "@azure/identity") {
    if (call.isNew && /Credential$/.test(last)) return called(ref);
    if (path.includes(CALLED) && last === "getToken") {
      const creds = credentials(I, `@azure/identity ${path[0]}.getToken()`, "gets an Azure access token through the SDK", call.node, call.frame);
      return { resolved: creds, taint: creds.taint };
    }
  }
  return undefined;
}

/** `AWS.config.credentials` (aws-sdk v2) read as a value: the resolved credentials. */
export function cloudSdkMember(I: Interpreter, ref: Ref, key: string, node: Node, frame: Frame): Value | undefined {
  if (ref.module !== "aws-sdk" || key !== "credentials") return undefined;
  if (!(ref.path.length === 1 && ref.path[0] === "config") && ref.path.at(-1) !== CALLED) return undefined;
  const creds = credentials(I, `aws-sdk ${[...ref.path, key].join(".")}`, "reads AWS credentials through the SDK", node, frame);
  // Its methods (`.get(cb)`, `.getPromise()`) hand the same object to their callbacks.
  return creds;
}
