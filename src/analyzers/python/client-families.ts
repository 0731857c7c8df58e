// API client families (signatures/sinks.yaml entries with `endpoint` or `sends`): PyGithub,
// boto3, dropbox, paramiko … A client of a family stays one through whatever its methods
// and attributes give back (`Github(t).get_user().get_repo(n)`, `boto3.resource("s3").Bucket(b)`,
// `SFTPClient.from_transport(t)`), so the method that finally sends is recognised as the
// family's send, with the destination and credential of the client it came from.
import type { PyNode } from "./ast.js";
import type { EvaluatedArgs } from "./calls.js";
import { reportSink } from "./effects.js";
import { location, type Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { allTaints, external, foldedText, mergeTaints, str, taintKey, type SinkState, type Taint, type Value } from "./model.js";
import { credentialPath } from "./paths.js";
import { addCredential, addressValue, requestParts, sinkCall } from "./sink-calls.js";
import type { SinkCall } from "./sinks.js";
import { stagingKey } from "./staging.js";

/** Arguments that name where a client talks instead of its endpoint. */
const DESTINATION_KEYWORDS = ["base_url", "endpoint_url", "api_url", "url", "host", "hostname", "server"];
/** Arguments of a family's methods and constructors that authenticate the client (keys, tokens, passwords, an auth object). */
const CREDENTIAL_KEYWORD = /(^|_)(key|keys|secret|token|password|passwd|passphrase|credentials?|auth|pkey|login|username|user)(_|$)/i;
/** Methods that open the client's connection: their host argument is the peer, their login the client's credential. */
const CONNECTS = /^(connect|login|auth_password)$/;
/** Keywords of a send that name the local file it uploads (`upload_file(Filename=…)`, `put(localpath=…)`). */
const FILE_KEYWORDS = ["Filename", "filename", "localpath", "local_path", "local"];

const destinationArgument = (args: EvaluatedArgs): Value | undefined => DESTINATION_KEYWORDS.map((k) => args.keywords.get(k)).find((v) => v !== undefined);

/** A client family member called: the client object, its destination and credential. */
export function familyClient(ip: Interpreter, frame: Frame, node: PyNode, qname: string, sink: SinkCall, args: EvaluatedArgs, extra: Taint[]): Value {
  const family = sink.family!;
  if (family.endpoint === undefined || family.endpoint.includes("{token}")) {
    // The peer is in the arguments (Transport((host, 22))) or the token is in the URL (bots): as any client.
    const instance = sinkCall(ip, frame, node, qname, sink, args, extra);
    const state = instance.cell?.sink;
    if (!state || !family.sends) return instance;
    state.family = family;
    // SFTPClient.from_transport(t): a client built on another client talks through it, with its login.
    const base = args.positional.find((a) => a.cell?.sink?.family)?.cell?.sink;
    if (base) {
      state.parent = base;
      state.authTaints = mergeTaints(state.authTaints ?? [], base.authTaints ?? []);
    }
    return instance;
  }
  // Github(token) / boto3.client("s3", aws_access_key_id=…) / dropbox.Dropbox(token): the API the
  // family talks to, unless an argument names another; every other argument authenticates it.
  const destArg = destinationArgument(args);
  const dest = destArg ? (destArg.cell?.sink?.dest ?? destArg) : str(family.endpoint);
  const state: SinkState = { channel: sink.channel, sent: false, dest, family };
  const instance: Value = { ref: external(`${qname}()`).ref!, taints: [], cell: { taints: extra, sink: state } };
  addCredential(instance.cell, [...args.positional, ...[...args.keywords].filter(([, v]) => v !== destArg).map(([, v]) => v)]);
  return instance;
}

/** `client.<method>(…)` on a family client that is one of its sends: data to the client's destination. */
export function familySend(ip: Interpreter, frame: Frame, node: PyNode, receiver: Value, method: string, args: EvaluatedArgs): Value | undefined {
  const state = receiver.cell!.sink!;
  const sends = state.family?.sends;
  // Own keys only (a method named `constructor` is not Object's); "*": an RPC proxy, whose every method is a remote call.
  const role = sends ? (Object.hasOwn(sends, method) ? sends[method] : Object.hasOwn(sends, "*") && !method.startsWith("_") ? sends["*"] : undefined) : undefined;
  if (!role) return undefined;
  for (let s: SinkState | undefined = state; s; s = s.parent) s.sent = true;
  const qname = (receiver.ref?.kind === "external" ? receiver.ref.qname : "client").replace(/\(\)$/, "");
  const parts = requestParts(args.keywords);
  let data = [...args.positional, ...parts.data];
  let fileTaints: Taint[] = [];
  if (role === "file") {
    const local = args.positional[0] ?? FILE_KEYWORDS.map((k) => args.keywords.get(k)).find((v) => v !== undefined);
    data = data.filter((v) => v !== local);
    fileTaints = uploadedFile(ip, frame, node, local);
  }
  reportSink(ip, frame, node, {
    channel: state.channel,
    note: `sent by ${qname}.${method}()`,
    ...(state.dest ? { dest: state.dest } : {}),
    data,
    extraTaints: mergeTaints(receiver.cell!.taints, fileTaints),
    auth: parts.auth,
    authTaints: state.authTaints ?? [],
  });
  return { ref: external(`${qname}.${method}()`).ref!, taints: [] };
}

/** The local file a send uploads: a credential file it names, or a file the package wrote earlier (a staged archive). */
function uploadedFile(ip: Interpreter, frame: Frame, node: PyNode, local: Value | undefined): Taint[] {
  const text = local ? foldedText(local) : undefined;
  const found = text !== undefined && /[/\\]/.test(text) ? credentialPath(ip.signatures, text) : undefined;
  const named = found ? [ip.source(frame, node, found.kind, `${found.note} (the file the client uploads)`, found.path)] : [];
  return mergeTaints(named, ip.staged.read(stagingKey(local), { ...location(frame, node), note: "uploads a file written earlier" }));
}

/**
 * Any other method of a family client: `result` is what the library call gives back (a
 * credential read such as get_credentials() stays a source), and it is a client of the same
 * family. connect()/login() set the peer and the login; credential-named arguments
 * (`session.client("s3", aws_secret_access_key=…)`) authenticate the new client; the others
 * (a bucket, a repository name) are data its sends carry.
 */
export function familyMember(receiver: Value, method: string, args: EvaluatedArgs, result: Value): Value {
  const state = receiver.cell!.sink!;
  const auth: Value[] = [];
  const data: Value[] = [];
  const connects = CONNECTS.test(method);
  const host = connects ? (args.keywords.get("hostname") ?? args.keywords.get("host") ?? (method === "connect" ? args.positional[0] : undefined)) : destinationArgument(args);
  const known = host ? addressValue(host) : undefined;
  const peer = known && foldedText(known) !== undefined ? known : undefined;
  if (connects && peer) state.dest = peer;
  // connect(host, port, username, password …) / login(user, password): all but the host log in.
  for (const value of args.positional) if (value !== host) (connects ? auth : data).push(value);
  for (const [name, value] of args.keywords) if (value !== host) (connects || CREDENTIAL_KEYWORD.test(name) ? auth : data).push(value);
  // Key material handed to connect() signs the login; it does not travel.
  const login = connects ? auth.filter((v) => ![...args.keywords].some(([k, kv]) => kv === v && /^(pkey|key_filename|passphrase|key)$/.test(k))) : auth;
  if (connects) addCredential(receiver.cell, login);
  const authKeys = new Set(login.flatMap((v) => allTaints(v).map(taintKey)));
  const child: SinkState = { channel: state.channel, sent: false, parent: state, ...(state.family ? { family: state.family } : {}) };
  const dest = !connects && peer ? peer : state.dest;
  if (dest) child.dest = dest;
  child.authTaints = mergeTaints(state.authTaints ?? [], connects ? [] : allTaints({ taints: [], items: auth }));
  const carried = mergeTaints(receiver.cell!.taints, allTaints({ taints: [], items: data }));
  return { ...result, taints: result.taints.filter((t) => !authKeys.has(taintKey(t))), cell: { taints: carried, sink: child } };
}
