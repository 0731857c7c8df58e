// Calls: dispatch to user functions and classes (run in user-functions.ts), methods,
// and the external calls that matter — sources, sinks, exec, imports.
import { DECODE_CAP_BYTES, OVER_DECODE_CAP } from "../budget.js";
import { workflowWrite } from "./workflow-writes.js";
import { field, namedChildren, textOf, type PyNode } from "./ast.js";
import { envDump, envRead } from "./environment.js";
import { attributeOf, boundMethod, evalExpr } from "./expressions.js";
import { copyFrame, location, stepAt, type Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { decoderCall, isPathBuilder, isSanitizer, modelFunction, PATH_TYPE, type CallArgs } from "./library.js";
import { decodeUtf8 } from "./decoders.js";
import { addToObject, allTaints, derived, external, foldedText, join, mergeTaints, unknown, type Taint, type Value } from "./model.js";
import { credentialPath } from "./paths.js";
import { classifySinkCall } from "./sinks.js";
import { urlSlots } from "../common/url-slots.js";
import { siteOf } from "../../rules/signatures.js";
import { apiSource, keypairBytesSource, isCredentialConsumerCall, isSigningCall, NON_READING_PATH_METHODS, PUBLIC_KEY_ATTRIBUTES, type ApiSource } from "./sources.js";
import { execBlock, storeAttribute } from "./statements.js";
import { importModule } from "./imports.js";
import { shellCall } from "./shell-calls.js";
import { sinkCall, sinkMethod, storeHeaders } from "./sink-calls.js";
import { familyClient, familyMember, familySend } from "./client-families.js";
import { modelMethod } from "./string-methods.js";
import { isRepoFactory, repoFactory, repoMethod } from "./git-repos.js";
import { mapUserFunction, runCallbacks, threadInitializer, THREAD_RUNNERS } from "./callbacks.js";
import { FILE_DUMPERS, stagingKey, writeTarget } from "./staging.js";
import { runFetchedCode, runFile, writeFetched } from "./downloads.js";
import { callUserFunction, instanceFields, instantiate, KEY_HOOKS, runKeyHook, SERIALISING_METHODS } from "./user-functions.js";

/** Calls that run or load the file named first. */
const RUNS_FILE = /^(os\.startfile|ctypes\.(CDLL|WinDLL|OleDLL|PyDLL|cdll\.LoadLibrary|windll\.LoadLibrary|LoadLibrary))$/;

/** Runners awaited for the callback's return value. */
const AWAITED_RUNNERS = /(^asyncio\.to_thread|\.run_in_executor)$/;

export interface EvaluatedArgs extends CallArgs {
  /** Syntax nodes of positional arguments (to tell a literal from a computed name). */
  nodes: PyNode[];
}

const MAX_ITEMS = 4096;
const MAX_EXEC_DEPTH = 5;
const MUTATORS = new Set(["append", "extend", "insert", "add", "update", "write", "writestr", "writelines", "setdefault", "put", "push", "read", "read_file", "read_string", "setopt", "attach", "set_payload", "add_header", "feed", "appendleft"]);
/** Setters of library objects (msg.set_content(x), req.add_data(x)): the object now holds x. */
const isMutator = (method: string): boolean => MUTATORS.has(method) || (/^(set|add)_[a-z_]+$/.test(method) && !OPTION_DECLARATIONS.test(method));
/** argparse/optparse declarations: a default path declares an option, it is not data the parser holds. */
const OPTION_DECLARATIONS = /^(add_(argument|option|parser|subparsers|argument_group|mutually_exclusive_group|option_group)|set_defaults)$/;
const FILE_READS = new Set(["read", "read_text", "read_bytes"]);
/** Executors and process/thread pools: `pool.map(f, xs)` runs f on each element, like map(). */
const POOL_MAPS = /^(concurrent\.futures\.(ThreadPoolExecutor|ProcessPoolExecutor)|multiprocessing(\.pool)?\.(Pool|ThreadPool)|multiprocessing\.dummy\.Pool)\(\)\.(map|imap|imap_unordered|map_async)$/;
/** Archive and stream objects that write into a file object they are given. */
const STREAM_WRAPPERS = /^(zipfile\.(ZipFile|PyZipFile)|tarfile\.(open|TarFile)|gzip\.(GzipFile|open)|bz2\.(BZ2File|open)|lzma\.(LZMAFile|open)|io\.(TextIOWrapper|BufferedWriter|BufferedRandom)|csv\.(writer|DictWriter))$/;

export function evalCall(ip: Interpreter, frame: Frame, node: PyNode): Value {
  const fnNode = field(node, "function")!;
  if (fnNode.type === "attribute") {
    const receiver = evalExpr(ip, frame, field(fnNode, "object")!);
    const args = evalArguments(ip, frame, field(node, "arguments"));
    const method = textOf(field(fnNode, "attribute")!);
    if (frame.symbolicFn && isMutator(method)) recordFieldMutation(ip, frame, field(fnNode, "object")!, args);
    return callMethod(ip, frame, node, receiver, method, args);
  }
  const callee = evalExpr(ip, frame, fnNode);
  return callValue(ip, frame, node, callee, evalArguments(ip, frame, field(node, "arguments")));
}

/**
 * `self.items.append(param)` in a summarised method: the field now holds what the caller passes,
 * like `self.items = param` (statements.ts). Only `name.field` receivers: re-reading them has no effect.
 */
function recordFieldMutation(ip: Interpreter, frame: Frame, receiverNode: PyNode, args: EvaluatedArgs): void {
  if (receiverNode.type !== "attribute") return;
  const ownerNode = field(receiverNode, "object")!;
  if (ownerNode.type !== "identifier") return;
  const owner = evalExpr(ip, frame, ownerNode);
  if (owner.ref?.kind !== "instance" && owner.ref?.kind !== "class") return;
  const params = allTaints(derived([...args.positional, ...args.keywords.values()])).filter((t) => t.param && t.param.fn === frame.symbolicFn?.id);
  if (params.length > 0) frame.out.fieldStores.push({ cls: owner.ref.cls, field: textOf(field(receiverNode, "attribute")!), taints: params });
}

function evalArguments(ip: Interpreter, frame: Frame, node: PyNode | undefined): EvaluatedArgs {
  const args: EvaluatedArgs = { positional: [], keywords: new Map(), nodes: [] };
  if (!node) return args;
  const children = node.type === "argument_list" ? namedChildren(node) : [node];
  for (const child of children) {
    if (child.type === "keyword_argument") {
      args.keywords.set(textOf(field(child, "name")!), evalExpr(ip, frame, field(child, "value")!));
    } else if (child.type === "list_splat") {
      const value = evalExpr(ip, frame, namedChildren(child)[0]!);
      if (value.items) args.positional.push(...value.items);
      else args.positional.push(derived([value]));
      if (value.ref?.kind === "env") args.positional.push({ taints: [envDump(ip, frame, child)] });
    } else if (child.type === "dictionary_splat") {
      const value = evalExpr(ip, frame, namedChildren(child)[0]!);
      if (value.ref?.kind === "env") args.keywords.set("**", { taints: [envDump(ip, frame, child)] });
      else if (value.dict) for (const [k, v] of value.dict) args.keywords.set(k, v);
      else args.keywords.set("**", value);
    } else {
      args.nodes.push(child);
      args.positional.push(evalExpr(ip, frame, child));
    }
  }
  return args;
}

export function callValue(ip: Interpreter, frame: Frame, node: PyNode, callee: Value, args: CallArgs): Value {
  const evaluated: EvaluatedArgs = "nodes" in args ? (args as EvaluatedArgs) : { ...args, nodes: [] };
  const ref = callee.ref;
  switch (ref?.kind) {
    case "function":
      return callUserFunction(ip, frame, ref.fn, evaluated, node);
    case "bound":
      return callUserFunction(ip, frame, ref.fn, { ...evaluated, positional: [ref.self, ...evaluated.positional] }, node);
    case "class":
      return instantiate(ip, frame, ref.cls, evaluated, node);
    case "instance": {
      // Calling an instance runs its class's __call__.
      const call = ip.findMethod(ref.cls, "__call__");
      if (call) return callUserFunction(ip, frame, call, { ...evaluated, positional: [callee, ...evaluated.positional] }, node);
      return derived([callee, ...evaluated.positional, ...evaluated.keywords.values()]);
    }
    case "external":
      return externalCall(ip, frame, node, ref.qname, evaluated, callee);
    case "partial": {
      const bound: EvaluatedArgs = { positional: [...ref.positional, ...evaluated.positional], keywords: new Map([...ref.keywords, ...evaluated.keywords]), nodes: [] };
      return ref.method !== undefined ? callMethod(ip, frame, node, ref.target, ref.method, bound) : callValue(ip, frame, node, ref.target, bound);
    }
    default:
      return derived([callee, ...evaluated.positional, ...evaluated.keywords.values()]);
  }
}

function callMethod(ip: Interpreter, frame: Frame, node: PyNode, receiver: Value, method: string, args: EvaluatedArgs): Value {
  const ref = receiver.ref;
  if (ref?.kind === "module" || ref?.kind === "class") return callValue(ip, frame, node, attributeOf(ip, frame, receiver, method, node), args);
  if (ref?.kind === "instance") {
    const attribute = ip.classAttribute(ref.cls, method);
    if (attribute?.ref?.kind === "function") {
      const fn = attribute.ref.fn;
      if (fn.binding === undefined) return callUserFunction(ip, frame, fn, { ...args, positional: [receiver, ...args.positional] }, node);
      return callValue(ip, frame, node, boundMethod(fn, attribute, receiver, ref.cls), args);
    }
    if (attribute) return callValue(ip, frame, node, attribute, args);
    // A record's own serialiser (a library base's `.json()` is that library's, below).
    if (SERIALISING_METHODS.has(method) && (ref.cls.recordFields !== undefined || !ref.cls.bases.some((b) => b.ref?.kind === "external"))) return instanceFields(ip, receiver)!;
    const run = method === "start" ? ip.findMethod(ref.cls, "run") : undefined;
    if (run) return callUserFunction(ip, frame, run, { ...args, positional: [receiver] }, node);
    const base = ref.cls.bases.find((b) => b.ref?.kind === "external");
    if (base?.ref?.kind === "external") return externalCall(ip, frame, node, `${base.ref.qname}().${method}`, args, { ...receiver, ref: { kind: "external", qname: `${base.ref.qname}()` } });
    return derived([receiver, ...args.positional]);
  }
  if (ref?.kind === "env") return externalCall(ip, frame, node, `os.environ.${method}`, args, receiver);
  if (ref?.kind === "external") {
    // The package's own file: its text is known (and is the package's code, not hidden code).
    const own = receiver.file !== undefined && FILE_READS.has(method) ? ip.packageSource(receiver.file, frame.file) : undefined;
    if (own) return { str: own.source, plain: true, taints: allTaints(receiver) };
    if (ref.qname === PATH_TYPE) {
      const modelled = pathMethod(ip, frame, node, receiver, method, args);
      if (modelled) return modelled;
    }
    if (receiver.cell?.repo) return repoMethod(ip, frame, node, receiver, method, args);
    // logger.addHandler(HTTPHandler(…)): what the logger logs from now on goes out through the handler.
    const handler = method === "addHandler" ? args.positional[0]?.cell : undefined;
    if (handler?.sink?.family && !receiver.cell?.sink) {
      handler.taints = mergeTaints(handler.taints, receiver.cell?.taints ?? []);
      receiver.cell = handler;
      return unknown();
    }
    // An API family's client (PyGithub, boto3, paramiko …): its sends, and clients of the family from its other methods.
    if (receiver.cell?.sink?.family) return familySend(ip, frame, node, receiver, method, args) ?? familyMember(receiver, method, args, externalCall(ip, frame, node, `${ref.qname}.${method}`, args, receiver));
    // w3.eth.send_raw_transaction(…): a send_* method of a namespace of the client sends through it too.
    if (receiver.cell?.sink && (ref.qname.endsWith("()") || (/\(\)(\.[A-Za-z_]\w*)+$/.test(ref.qname) && /^send_/.test(method)))) return sinkMethod(ip, frame, node, receiver, method, args);
    const read = credentialRead(ip, frame, node, receiver, method);
    // key.pubkey() / account.address(): public data derived from the key, not the key (as the attributes, expressions.ts).
    const result = externalCall(ip, frame, node, `${ref.qname}.${method}`, args, PUBLIC_KEY_ATTRIBUTES.test(method) ? { ...receiver, taints: [] } : receiver);
    // parser.read(path), buf.write(data), zf.write(path): the object now holds that data.
    // session.headers.update({"Authorization": …}): the client's credential, the other headers data.
    if (method === "update" && ref.qname.endsWith(".headers") && args.positional[0] && storeHeaders(receiver, args.positional[0])) return { ref: external(`${ref.qname}.update()`).ref!, taints: [] };
    if (isMutator(method)) {
      const written = allTaints(derived([...args.positional, ...args.keywords.values(), result]));
      addToObject(receiver, written);
      if (/^write/.test(method)) {
        writeFetched(ip, receiver.cell?.stagePath, written);
        ip.staged.write(receiver.cell?.stagePath, written);
        ip.staged.writeText(receiver.cell?.stagePath, args.positional[0]);
        workflowWrite(ip, frame, node, receiver.cell?.stagePath, args.positional[0]);
      }
    }
    if (ref.qname === PATH_TYPE && /^write_(text|bytes)$/.test(method)) {
      writeFetched(ip, stagingKey(receiver), allTaints(derived(args.positional)));
      ip.staged.write(stagingKey(receiver), allTaints(derived(args.positional)));
      ip.staged.writeText(stagingKey(receiver), args.positional[0]);
      workflowWrite(ip, frame, node, stagingKey(receiver), args.positional[0]);
    }
    const staged = (FILE_READS.has(method) || method === "open") && !ip.staged.empty ? ip.staged.read(stagingKey(receiver), stepAt(frame, node, "reads back a file written earlier")) : [];
    const taints = mergeTaints(read ? [read] : [], staged);
    return taints.length ? { ...result, taints: mergeTaints(taints, result.taints) } : result;
  }
  if (ref?.kind === "code") return derived([receiver]);
  return valueMethod(ip, frame, node, receiver, method, args);
}

/** Methods on plain values (strings, lists, dicts, unknown objects). */
function valueMethod(ip: Interpreter, frame: Frame, node: PyNode, receiver: Value, method: string, args: EvaluatedArgs): Value {
  const step = (note: string) => stepAt(frame, node, note);
  const modelled = modelMethod(receiver, method, args, step, urlSlots(ip.signatures));
  if (modelled) {
    if (modelled.str !== undefined && modelled.str !== receiver.str) ip.indicators(frame, node, modelled.str);
    return modelled;
  }
  const read = credentialRead(ip, frame, node, receiver, method);
  if (isMutator(method)) {
    const added = mergeTaints(allTaints(derived([...args.positional, ...args.keywords.values()])), read ? [read] : []);
    const room = receiver.items ? MAX_ITEMS - receiver.items.length : 0;
    if (method === "append" && receiver.items && args.positional[0] && room > 0) receiver.items.push(args.positional[0]);
    else if (method === "extend" && receiver.items && args.positional[0]?.items && room >= args.positional[0].items.length) receiver.items.push(...args.positional[0].items);
    else if (method === "extend" && receiver.items && args.positional[0]?.element && room > 0) receiver.items.push(args.positional[0].element);
    else if (method === "update" && receiver.dict && args.positional[0]?.dict) for (const [k, v] of args.positional[0].dict) receiver.dict.set(k, v);
    else addToObject(receiver, added);
    if ((receiver.items?.length ?? receiver.dict?.size ?? 0) > 0) addToObject(receiver, added);
    return unknown();
  }
  const getter = namedGetter(receiver, method, args);
  if (getter) return read ? { taints: mergeTaints(getter.taints, [read]) } : getter;
  return lookupResult(receiver, args, read);
}

/**
 * `obj.get_fullname()` on an object of unknown type that the package stored attributes on:
 * a getter named for one thing returns that attribute (and what the whole object carries),
 * never another attribute's data (a password stored as `obj.password` is not the name).
 */
function namedGetter(receiver: Value, method: string, args: CallArgs): Value | undefined {
  const attrs = receiver.cell?.attrs;
  if (!attrs?.size || receiver.ref || receiver.items || receiver.dict || receiver.str !== undefined) return undefined;
  if (args.positional.length > 0 || args.keywords.size > 0) return undefined;
  const named = /^(?:get|is|has)_([a-z0-9_]+)$/.exec(method)?.[1];
  if (!named) return undefined;
  const own = attrs.get(named) ?? attrs.get(`_${named}`);
  return { taints: mergeTaints(mergeTaints(receiver.taints, receiver.cell!.taints), own ? allTaints(own) : []) };
}

/** Fields of a credential file that say where it is used, not what the secret is (.pypirc `repository`). */
const LOCATOR_FIELD = /^(repository|url|registry|index[-_]url|index[-_]servers|realm|server|host|hostname|port|endpoint|region)$/i;

/** A method on credential data with arguments (config.get(host), netrc.authenticators(host)): keyed lookup. */
function lookupResult(receiver: Value, args: CallArgs, read: Taint | undefined): Value {
  const all = [...args.positional, ...args.keywords.values()];
  // parser.get(section, "repository"): the server the credential is for is not the credential.
  if (args.positional.length >= 2 && LOCATOR_FIELD.test(args.positional[1]!.str ?? "")) {
    const locators = allTaints(receiver).filter((t) => t.source).map((t) => ({ ...t, locator: true }));
    return { taints: mergeTaints(locators, derived(all).taints) };
  }
  const receiverTaints = mergeTaints(allTaints(receiver), read ? [read] : []);
  const keys = all.flatMap((a) => keysOf(a));
  const keyed = keys.length > 0 ? receiverTaints.map((t) => (t.source ? { ...t, keys: [...(t.keys ?? []), ...keys] } : t)) : receiverTaints;
  const result: Value = { taints: mergeTaints(keyed, derived(all).taints) };
  return result;
}

/**
 * Credentials read for one site only (a cookie jar filtered to a domain): keyed by that site, so a
 * request to it or a host under it is where they belong (effects.ts destinationFromSource).
 */
function siteKeyed(taint: Taint, api: ApiSource, args: CallArgs): Taint {
  const site = api.site;
  const value = site ? (args.keywords.get(site.keyword) ?? (site.position !== undefined ? args.positional[site.position] : undefined)) : undefined;
  if (!value) return taint;
  // A domain (".example.com") or a URL of the site (pycookiecheat's url).
  const raw = foldedText(value)?.toLowerCase();
  const text = raw?.replace(/^[a-z][a-z0-9+.-]*:\/\//, "").replace(/[/:?#].*$/, "").replace(/^\.+/, "");
  const keys = taintKeys(value);
  if (text && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(text) && (!site!.substring || substringFilterIsSite(raw!, text))) keys.push(`site:${text}`);
  return keys.length > 0 ? { ...taint, keys: [...(taint.keys ?? []), ...keys] } : taint;
}

/**
 * Whether a substring filter (browser_cookie3: host_key LIKE '%name%') reads only cookies of `domain`
 * and the hosts under it. Without a leading dot "ogle.com" also matches google.com; a public suffix
 * (".co.uk") matches every site under it; a two-letter last label (".github.co") is the start of
 * another (github.com). What remains after the dot is a domain whose hosts all end in it.
 */
function substringFilterIsSite(raw: string, domain: string): boolean {
  if (raw !== `.${domain}`) return false;
  const last = domain.slice(domain.lastIndexOf(".") + 1);
  return /^[a-z]{3,}$/.test(last) && siteOf(`x.${domain}`) === siteOf(domain);
}

/** The keys of what a value carries: each credential read (`s:`) and each parameter of a function analysed on its own (`p:`). */
function taintKeys(value: Value): string[] {
  return allTaints(value).map((t) => (t.source ? `s:${t.source.id}` : `p:${t.param!.fn}:${t.param!.index}`));
}

function keysOf(value: Value): string[] {
  const keys = taintKeys(value);
  const text = foldedText(value);
  if (text && !text.includes("*")) keys.push(`host:${text.toLowerCase().replace(/^[a-z]+:\/\//, "").replace(/[/:].*$/, "")}`);
  return keys;
}

/** Reading a file through a method of its path/handle (`Path(...).read_text()`, `cfg.read(path)`). */
function credentialRead(ip: Interpreter, frame: Frame, node: PyNode, receiver: Value, method: string): Taint | undefined {
  if (NON_READING_PATH_METHODS.has(method)) return undefined;
  const text = foldedText(receiver);
  const match = text ? credentialPath(ip.signatures, text) : undefined;
  return match ? ip.source(frame, node, match.kind, match.note, match.path) : undefined;
}

function pathMethod(ip: Interpreter, frame: Frame, node: PyNode, receiver: Value, method: string, args: EvaluatedArgs): Value | undefined {
  const base = receiver.str ?? receiver.partial;
  if (method === "expanduser" || method === "resolve" || method === "absolute") return receiver;
  if (FILE_READS.has(method) && receiver.str !== undefined) {
    const own = ip.packageSource(receiver.str, frame.file);
    if (own) return { str: own.source, plain: true, taints: [] };
  }
  if (method === "joinpath") return modelFunction(ip.signatures, "pathlib.Path", { positional: [receiver, ...args.positional], keywords: new Map() }, () => ({ ...location(frame, node), note: "" }));
  if ((method === "glob" || method === "rglob" || method === "iterdir") && base !== undefined) {
    const pattern = method === "iterdir" ? "*" : args.positional[0]?.str ?? "*";
    const match = credentialPath(ip.signatures, `${base}/${pattern}`) ?? credentialPath(ip.signatures, base);
    const taints = match ? [ip.source(frame, node, match.kind, match.note, match.path)] : [];
    return { taints: mergeTaints(taints, allTaints(receiver)), ref: external(PATH_TYPE).ref! };
  }
  return undefined;
}

// ---- exec / eval ------------------------------------------------------------------

/** Layers of exec-only code peeled at one depth (a self-reproducing layer stops here). */
const MAX_PEELED_LAYERS = 100;

/** The text of code held in a value (bytes read as UTF-8), when known. */
function codeText(value: Value): string | undefined {
  return value.str !== undefined ? (value.bytes ? decodeUtf8(value.str) : value.str) : undefined;
}

/** The argument of the last statement of `statements` when it is `exec(x)` or `eval(x)` and the others only import. */
function loneExecArgument(statements: readonly PyNode[]): PyNode | undefined {
  if (!statements.slice(0, -1).every((s) => s.type === "import_statement" || s.type === "import_from_statement")) return undefined;
  const statement = statements.at(-1);
  const call = statement?.type === "expression_statement" ? namedChildren(statement)[0] : undefined;
  if (call?.type !== "call" || !/^(exec|eval)$/.test(textOf(field(call, "function") ?? call))) return undefined;
  const args = field(call, "arguments");
  const only = args ? namedChildren(args) : [];
  return only.length === 1 && only[0]!.type !== "keyword_argument" ? only[0] : undefined;
}

export function execCode(ip: Interpreter, frame: Frame, node: PyNode, code: Value, mode: "exec" | "eval"): Value {
  const value = code.ref?.kind === "code" ? code.ref.code : code;
  const loc = location(frame, node);
  const text = codeText(value);
  const bomb = text?.includes(OVER_DECODE_CAP) ?? false;
  if (text !== undefined && (bomb || frame.execDepth >= MAX_EXEC_DEPTH) && !ip.problems.some((p) => p.file === loc.file && p.line === loc.line)) {
    const why = bomb ? `decompressed past ${DECODE_CAP_BYTES} bytes (a decompression bomb?)` : `nested more than ${MAX_EXEC_DEPTH} levels of exec/eval deep`;
    ip.problems.push({ file: loc.file, line: loc.line, trigger: frame.trigger, message: `code run by ${mode} not analysed: ${why}` });
  }
  if (text === undefined || bomb || frame.execDepth >= MAX_EXEC_DEPTH) {
    ip.emit(frame, { type: "obfuscation", obfuscation: { technique: "eval-dynamic", location: loc, note: `${mode} of a value that could not be decoded`, executed: true } });
    runFetchedCode(ip, frame, node, value, `${mode}()`);
    return derived([value]);
  }
  // Text written as-is (a literal, the package's own file) is analysed like any code, but hides nothing.
  if (!value.plain) ip.emit(frame, { type: "obfuscation", obfuscation: { technique: "eval-decoded", location: loc, note: `${mode} of decoded code (${text.length} chars)`, executed: true } });
  let root = ip.parseDecoded(text);
  if (!root) return unknown();
  const inner = copyFrame(frame);
  inner.locOverride = loc;
  inner.execDepth = frame.execDepth + 1;
  let statements = namedChildren(root);
  // A layer that only execs the next one (`exec(zlib.decompress(b64decode(…)))`, dozens deep) is
  // peeled here rather than nested: only layers holding other code count toward MAX_EXEC_DEPTH.
  for (let peeled = 0; peeled < MAX_PEELED_LAYERS; peeled++) {
    const next = loneExecArgument(statements);
    if (next && statements.length > 1) execBlock(ip, inner, statements.slice(0, -1));
    const layer = next ? evalExpr(ip, inner, next) : undefined;
    const layerText = layer ? codeText(layer) : undefined;
    if (layerText === undefined || layerText.includes(OVER_DECODE_CAP)) break;
    root = ip.parseDecoded(layerText);
    if (!root) return unknown();
    statements = namedChildren(root);
  }
  if (mode === "eval" && statements.length === 1 && statements[0]!.type === "expression_statement") {
    return evalExpr(ip, inner, statements[0]!);
  }
  execBlock(ip, inner, statements);
  return unknown();
}

// ---- external calls -----------------------------------------------------------------

/** ssl's wrappers of a socket: the module function and an SSLContext's method. */
const TLS_WRAPPERS = /^ssl\.(\w+\(\)\.)?wrap_socket$/;

function externalCall(ip: Interpreter, frame: Frame, node: PyNode, qname: string, args: EvaluatedArgs, callee: Value): Value {
  const first = args.positional[0];
  const all = [...args.positional, ...args.keywords.values()];
  const step = (note: string) => stepAt(frame, node, note);
  switch (qname) {
    case "builtins.exec":
    case "builtins.eval":
    case "builtins.execfile":
      return first ? execCode(ip, frame, node, first, qname === "builtins.eval" ? "eval" : "exec") : unknown();
    case "builtins.super": {
      // super(): the first base — a user class (its methods) or a library class (its qualified name).
      const base = frame.methodClass?.bases[0];
      if (base?.ref?.kind === "class") return { ref: { kind: "instance", cls: base.ref.cls }, taints: [] };
      if (base?.ref?.kind === "external") return external(`${base.ref.qname}()`);
      return unknown();
    }
    case "dataclasses.asdict":
    case "dataclasses.astuple":
    case "attr.asdict":
    case "attr.astuple":
    case "attrs.asdict":
    case "attrs.astuple":
    case "builtins.vars":
      if (first?.ref?.kind === "instance") return instanceFields(ip, first)!;
      break;
    case "functools.partial": {
      if (!first) return unknown();
      // partial(client.post, url): the method of the object, called like `client.post(url, …)`.
      const targetNode = args.nodes[0];
      const method = targetNode?.type === "attribute" ? textOf(field(targetNode, "attribute")!) : undefined;
      const target = method !== undefined ? evalExpr(ip, frame, field(targetNode!, "object")!) : first;
      return { ref: { kind: "partial", target, ...(method !== undefined ? { method } : {}), positional: args.positional.slice(1), keywords: new Map(args.keywords) }, taints: [] };
    }
    case "builtins.compile":
      return first ? { ref: { kind: "code", code: first }, taints: [] } : unknown();
    case "builtins.getattr": {
      const name = args.positional[1]?.str;
      if (first && name !== undefined) return attributeOf(ip, frame, first, name, node);
      return args.positional[2] ?? unknown();
    }
    case "builtins.setattr": {
      const name = args.positional[1]?.str;
      if (first && name !== undefined && args.positional[2]) storeAttribute(frame, first, name, args.positional[2], ip);
      return unknown();
    }
    case "builtins.__import__":
    case "importlib.import_module":
    case "importlib.__import__": {
      const name = first?.str;
      const literal = args.nodes[0]?.type === "string";
      if (!literal) {
        ip.emit(frame, { type: "obfuscation", obfuscation: { technique: "dynamic-import", location: location(frame, node), note: `imports a module by computed name${name ? ` (${name})` : ""}`, executed: false } });
      }
      return name ? importModule(ip, frame, name) : unknown();
    }
    case "os.getenv":
    case "os.getenvb":
    case "os.environ.get":
    case "os.environ.pop":
    case "os.environ.setdefault":
    case "os.environ.__getitem__":
    {
      // No default: the value is the variable's (a home or app-data folder folds to its path).
      const fallback = args.positional[1] ?? args.keywords.get("default");
      const read = envRead(ip, frame, node, first ?? args.keywords.get("key"));
      return fallback ? join(read, fallback) : read;
    }
    case "os.environ.copy":
    case "os.environ.items":
    case "os.environ.values":
    case "os.environ.keys":
    case "os.environ.__repr__":
      return { taints: [envDump(ip, frame, node)] };
    default:
      break;
  }
  if (qname.startsWith("os.environ.")) return unknown();
  // os.startfile / ctypes of a file written from the network: a download run (downloads.ts).
  if (RUNS_FILE.test(qname)) runFile(ip, frame, node, first, `${qname}()`);
  if (qname === "os.startfile" || qname === "runpy.run_path") {
    const staged = ip.staged.text(stagingKey(first));
    if (staged) return execCode(ip, frame, node, { str: staged.text, taints: [], ...(staged.plain ? { plain: true } : {}) }, "exec");
  }
  if (UNPICKLERS.test(qname)) unpickle(ip, frame, node, qname, first);

  const prompt = first?.str ?? args.keywords.get("prompt")?.str;
  const api = apiSource(ip.signatures, qname, prompt, all.length > 0) ?? keypairBytesSource(qname, first?.ref?.kind === "external" ? first.ref.qname : undefined);
  if (api) return { taints: mergeTaints([siteKeyed(ip.source(frame, node, api.kind, api.note, api.detail), api, args)], allTaints(derived(all))), ref: external(`${qname}()`).ref! };

  // The whole environment handed to anything (dict(os.environ), json.dumps(os.environ) …).
  let extra: Taint[] = [];
  if (passesEnviron(args) && !ip.signatures.commands.runners.python.has(qname)) extra = [envDump(ip, frame, node)];

  if (isCredentialConsumerCall(ip.signatures, qname)) {
    for (const taint of allTaints(derived(all))) if (taint.source?.candidate) ip.collector.confirmCandidate(taint.source.candidate);
  }
  // ssl.wrap_socket(sock) / ctx.wrap_socket(sock, server_hostname=…): the same connection, now encrypted.
  const wrapped = TLS_WRAPPERS.test(qname) ? (first ?? args.keywords.get("sock")) : undefined;
  if (wrapped?.cell?.sink) return wrapped;
  if (ip.signatures.commands.runners.python.has(qname)) return shellCall(ip, frame, node, qname, args);
  if (THREAD_RUNNERS.test(qname)) {
    const result = runCallbacks(ip, frame, node, qname, args);
    // `await asyncio.to_thread(f, …)`, `await loop.run_in_executor(None, f, …)`: what f returned.
    if (result && AWAITED_RUNNERS.test(qname)) return result;
  } else if (threadInitializer(ip, frame, node, qname, args)) return unknown();
  if (KEY_HOOKS.test(qname)) runKeyHook(ip, frame, node, args);
  if (qname === "builtins.map" || qname === "builtins.filter" || POOL_MAPS.test(qname)) {
    const mapped = mapUserFunction(ip, frame, node, qname, args);
    if (mapped) return mapped;
  }
  if (/(^|\.)(setuptools|distutils\.core)\.setup$|^setuptools\.setup$/.test(qname)) runCmdclass(ip, frame, args);

  if (isRepoFactory(qname)) return repoFactory(qname, args);
  const sink = classifySinkCall(ip.signatures, qname);
  if (sink) return sink.family ? familyClient(ip, frame, node, qname, sink, args, extra) : sinkCall(ip, frame, node, qname, sink, args, extra);

  // A credential file named in the arguments of anything that is not just path building.
  // Calls that open or copy a file: signatures/sources.yaml fileApis.python.
  const { opens, copies } = ip.signatures.fileApis.python;
  const writeMode = opens.has(qname) ? /[wax]/.test(args.positional[1]?.str ?? args.keywords.get("mode")?.str ?? "") && !/\+/.test(args.positional[1]?.str ?? "") : false;
  const stagePath = writeTarget(qname, args.positional, args.keywords);
  if (!isPathBuilder(ip.signatures, qname) && !isSanitizer(ip.signatures, qname) && !writeMode) {
    for (const value of stagePath ? [] : all) {
      const text = foldedText(value);
      const match = text ? credentialPath(ip.signatures, text) : undefined;
      if (match) extra = mergeTaints(extra, [ip.source(frame, node, match.kind, match.note, match.path)]);
      // A file this package wrote earlier (a copied key, a temp archive) carries what was written.
      if (!ip.staged.empty) extra = mergeTaints(extra, ip.staged.read(stagingKey(value), step("reads back a file written earlier")));
    }
  }
  if (copies.has(qname)) ip.staged.write(stagingKey(args.positional[1] ?? args.keywords.get("dst")), mergeTaints(extra, allTaints(first ?? unknown())));
  // json.dump(data, fh): the file fh was opened for now holds data.
  if (FILE_DUMPERS.test(qname)) ip.staged.write((args.positional[1] ?? args.keywords.get("fp"))?.cell?.stagePath, allTaints(first ?? unknown()));
  // make_archive(base, "zip", folder): base.zip holds what was staged in the folder.
  if (qname === "shutil.make_archive" && first && args.positional[1]?.str) {
    ip.staged.write(stagingKey({ ...first, ...(first.str !== undefined ? { str: `${first.str}.${args.positional[1].str}` } : first.partial !== undefined ? { partial: `${first.partial}.${args.positional[1].str}` } : {}) }), extra);
  }
  if (opens.has(qname) && !writeMode && first) {
    const own = first.str !== undefined ? ip.packageSource(first.str, frame.file) : undefined;
    if (own) return { ref: external(`${qname}()`).ref!, taints: extra, file: own.file };
  }
  // Decoding calls are signatures/decoders.yaml, encoders and sanitizers transforms.yaml; the other library models are code.
  const modelled = decoderCall(ip.signatures, qname, args) ?? modelFunction(ip.signatures, qname, args, step);
  if (modelled) {
    if (modelled.str !== undefined) ip.indicators(frame, node, modelled.str);
    return extra.length ? { ...modelled, taints: mergeTaints(modelled.taints, extra) } : modelled;
  }
  // A signature carries the signed message, not the key that made it (a wallet sends only the signed tx).
  if (isSigningCall(qname)) return { ref: external(`${qname}()`).ref!, taints: first ? allTaints(first) : [] };
  // Unknown library call: its result carries whatever credential data went in (receiver included).
  const receiverTaints = callee.ref?.kind === "external" ? allTaints(callee) : [];
  const keyed = receiverTaints.length && all.length ? lookupResult(callee, args, undefined).taints : receiverTaints;
  const result: Value = { ref: external(`${qname}()`).ref!, taints: mergeTaints(mergeTaints(extra, keyed), allTaints(derived(all))) };
  if (stagePath) result.cell = { taints: [], stagePath };
  else {
    // zipfile.ZipFile(buf, "w"), tarfile.open(fileobj=buf), gzip.GzipFile(fileobj=buf): what the
    // archive or stream writes lands in the buffer (or file) it wraps — one object, one cell.
    const inner = STREAM_WRAPPERS.test(qname) ? (args.keywords.get("fileobj") ?? first) : undefined;
    if (inner?.ref?.kind === "external" && inner.str === undefined && inner.partial === undefined) result.cell = inner.cell ??= { taints: [] };
  }
  const opened = opens.has(qname) && first ? foldedText(first) : undefined;
  if (opened !== undefined && !writeMode) result.openedPath = opened;
  return result;
}

/** os.environ itself among the arguments (a child process's `env=` keyword aside): checked without building arrays, on every library call. */
function passesEnviron(args: CallArgs): boolean {
  for (const value of args.positional) if (value.ref?.kind === "env") return true;
  for (const [keyword, value] of args.keywords) if (keyword !== "env" && value.ref?.kind === "env") return true;
  return false;
}

/** Loaders that run code while deserialising (pickle's __reduce__): code shipped as data. */
const UNPICKLERS = /^(pickle|cPickle|_pickle|dill|cloudpickle)\.(load|loads|Unpickler)$/;

/**
 * Unpickling data the package ships or decodes runs whatever the pickle says: a finding by
 * itself. Data the caller hands in (a parameter, a user path) is the caller's business.
 */
function unpickle(ip: Interpreter, frame: Frame, node: PyNode, qname: string, data: Value | undefined): void {
  if (!data) return;
  const blob = data.str !== undefined && !data.plain;
  // A relative path or one built from __file__ names the package's own data; home, temp and unknown paths do not.
  const shipped = data.file !== undefined || (data.openedPath !== undefined && !/^(~|\*|\/(home|tmp|Users|var|proc|dev)\b|[a-z]:)/i.test(data.openedPath));
  if (!blob && !shipped) return;
  const what = blob ? "decoded bytes" : `a file of the package (${data.openedPath ?? data.file ?? "?"})`;
  ip.emit(frame, { type: "obfuscation", obfuscation: { technique: "eval-dynamic", location: location(frame, node), note: `${qname}() of ${what}: unpickling runs the code the data names`, executed: true } });
}

/** setup(cmdclass={"install": PostInstall}): each command's run() executes at install. */
function runCmdclass(ip: Interpreter, frame: Frame, args: EvaluatedArgs): void {
  const cmdclass = args.keywords.get("cmdclass");
  for (const value of cmdclass?.dict?.values() ?? []) {
    if (value.ref?.kind === "class") ip.runCommand(frame, value.ref.cls);
  }
}

