// Models of JavaScript and Node built-ins reached through a module or global reference:
// folding (Buffer, atob, String.fromCharCode, path, JSON…), encodings that keep taint,
// sanitizers (crypto hashes), and the hand-off to sources, sinks and dynamic code.
import { argumentsTaint, dispatchCall, invokeCallback, type Call } from "./calls.js";
import { evalCode, makeDynamicFunction } from "./dynamic-code.js";
import type { Interpreter } from "./interpreter.js";
import { commandRunner, isCommandModule, runCommand, sinkChannelFor, sinkCall } from "./sinks.js";
import { cryptoCall, osCall, pathCall, pipeline, zlibCall } from "./node-apis.js";
import { envMember, fsCall, isFsModule, isPromptModule, PACKAGE_DIR, processEnv, promptCall } from "./sources.js";
import { extensionCookies } from "./page-code.js";
import { storageCall, storageDump } from "./web-storage.js";
import { cloudSdkCall } from "./cloud-sdks.js";
import { archiveCall, isArchiveModule } from "./archives.js";
import { runNodeFile } from "./shell-calls.js";
import { bufferFromText, decodeBase64 } from "./strings.js";
import { isPlaceholder } from "../../core/placeholders.js";
import {
  UNKNOWN,
  constant,
  deepTaint,
  isNumber,
  isString,
  mergeTaints,
  newArray,
  newObject,
  skeletonOf,
  stringOf,
  unknownWith,
  withStep,
  type Ref,
  type Value,
} from "./values.js";

/**
 * `new Worker(code, { eval: true, workerData })` / `new Worker(file, { workerData })`: the
 * worker's code runs now, and `require('worker_threads').workerData` there is what it was given.
 */
function worker(I: Interpreter, call: Call): void {
  const [script, options] = call.args;
  if (!script) return;
  const props = options?.object?.props;
  const data = props?.get("workerData") ?? UNKNOWN;
  const text = isString(script) ? script.constant : undefined;
  I.workerData.push(data);
  try {
    // Only code whose text is known: a worker built from code the analysis cannot see (vite runs
    // a function's source this way) is not reported as hidden code here.
    if (props?.get("eval")?.constant === true) {
      if (text !== undefined) evalCode(I, script, call, "global");
    }
    else if (text !== undefined && /\.[cm]?js$/.test(text)) {
      const staged = I.written.text(text);
      if (staged !== undefined) runNodeFile(I, text, call);
      else I.loader.runWorker(call.frame.unit, text.startsWith(PACKAGE_DIR + "/") ? text.slice(PACKAGE_DIR.length + 1) : text, call.frame);
    }
  } finally {
    I.workerData.pop();
  }
}

/** setInterval callbacks kept for the run after the standalone pass (interpreter.ts recurring). */
const MAX_RECURRING = 32;

export function callBuiltin(I: Interpreter, ref: Ref, call: Call): Value | undefined {
  if (ref.global) {
    const [runtime, ...members] = ref.path;
    // Deno.readTextFile(path), Bun.file(path): the runtime's own file APIs (sources.yaml fileApis.js.globals).
    const file = runtime && I.signatures.fileApis.js.globals.has(runtime) && members.length > 0 ? fsCall(I, runtime, members, call) : undefined;
    return file ?? callGlobal(I, ref.path.join("."), call);
  }
  const module = ref.module!;
  const path = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
  const member = path.join(".");
  if (isFsModule(I.signatures, module)) return fsCall(I, module, path, call);
  if (isCommandModule(I.signatures, module)) return commandRunner(I, module, member, call);
  if (isPromptModule(I.signatures, module)) return promptCall(I, module, member, call);
  switch (module) {
    case "os":
      return osCall(member);
    case "path":
    case "path/posix":
    case "path/win32":
    case "upath":
      return pathCall(I, member.replace(/^(posix|win32)\./, ""), call);
    case "crypto":
      return cryptoCall(I, member, call);
    case "zlib":
      return zlibCall(I, member, call);
    case "querystring":
    case "qs":
      if (member === "stringify" || member === "encode") return encoded(I, call, "query-string encoded");
      return undefined;
    case "util":
      if (member === "promisify" || member === "callbackify") return call.args[0] ?? UNKNOWN;
      if (member === "format" || member === "inspect") return encoded(I, call, "formatted");
      return undefined;
    case "vm":
      if (["runInNewContext", "runInThisContext", "runInContext", "Script", "compileFunction", "SourceTextModule"].includes(member)) {
        return evalCode(I, call.args[0] ?? UNKNOWN, call, "global");
      }
      return undefined;
    case "readline":
    case "readline/promises":
      // Lines read from a credential file keep its taint (`rl.on('line')`, `for await (const l of rl)`).
      if (member === "createInterface") return { special: "readline", taint: readlineInputTaint(call.args[0]) };
      return undefined;
    case "url":
      if (member === "URL") return urlValue(call);
      if (member === "format") return encoded(I, call, "URL built");
      return undefined;
    case "module":
      // require("module") is the Module class (so is module.constructor, index.ts): its
      // createRequire(…) returns a require, its internal _load(name) is one.
      if (member === "createRequire" || member === "Module.createRequire") return { ref: { global: true, path: ["require"] } };
      if (member === "_load" || member === "Module._load") return requireCall(I, call.args[0] ?? UNKNOWN, call);
      return undefined;
    case "worker_threads":
      if (member === "Worker") worker(I, call);
      return undefined;
    case "stream":
    case "stream/promises":
      if (member === "pipeline") return pipeline(I, call);
      return undefined;
    case "buffer":
      return member.startsWith("Buffer") ? callGlobal(I, member, call) : undefined;
    default: {
      if (isArchiveModule(module)) return archiveCall(I, module, path, call);
      const sdk = cloudSdkCall(I, module, path, call);
      if (sdk) return sdk;
      if (["create", "extend", "defaults"].includes(member) && sinkChannelFor(I.signatures, module, [])) {
        // axios.create({ baseURL }) / got.extend(…): an instance of the same client.
        return { ref: { module, path: [], base: call.args[0] } };
      }
      const channel = sinkChannelFor(I.signatures, module, path);
      if (channel) return sinkCall(I, channel, `${module}${member ? "." + member : ""}`, call, ref);
      // `new Connection(url)`, `new Wallet(key, provider)`, `new TelegramBot(token)` of a module whose
      // sending members are methods of its objects: the instance keeps its class's path, so
      // `connection.sendTransaction(tx)` is looked up as that member. Constructor arguments (a
      // signing key) stay on the instance, not in what its methods send.
      const table = I.signatures.sinks.js.modules[module];
      if (call.isNew && table && !table["*"]) {
        const base = endpointOf(call.args) ?? defaultEndpoint(I, module);
        return { ref: { module, path, ...(base ? { base } : {}) }, taint: argumentsTaint(I, call.args, call) };
      }
      return undefined;
    }
  }
}

/** The endpoint a client object is made for: a URL argument or `baseUrl` option, or the endpoint of a provider object it is given. */
function endpointOf(args: Value[]): Value | undefined {
  for (const arg of args) {
    const option = arg.object && !arg.object.elements ? (arg.object.props.get("baseUrl") ?? arg.object.props.get("baseURL") ?? arg.object.props.get("url")) : undefined;
    if (option) return option;
    const text = stringOf(arg) ?? (arg.pattern !== undefined ? arg.pattern : undefined);
    if (text !== undefined && /^(https?|wss?):\/\//i.test(text)) return arg;
    if (arg.ref?.module && arg.ref.base) return arg.ref.base;
  }
  return undefined;
}

/** The API a module's clients talk to when the constructor names none (signatures/sinks.yaml `js.endpoints`). */
function defaultEndpoint(I: Interpreter, module: string): Value | undefined {
  const url = I.signatures.sinks.js.endpoints[module];
  return url === undefined ? undefined : { known: true, constant: url };
}

function callGlobal(I: Interpreter, name: string, call: Call): Value | undefined {
  const { args } = call;
  const first = args[0] ?? UNKNOWN;
  switch (name) {
    case "require":
    case "process.mainModule.require":
    case "module.require":
    case "require.main.require":
    case "module.constructor._load":
    case "process.mainModule.constructor._load":
    case "require.main.constructor._load":
      return requireCall(I, first, call);
    case "process.getBuiltinModule":
      // Node 22's process.getBuiltinModule("fs"): the built-in module, like require("fs"); never a file.
      return /^[./]/.test(stringOf(first) ?? ".") ? UNKNOWN : requireCall(I, first, call);
    case "eval":
      return evalCode(I, first, call, "eval");
    case "Deno.env.get":
      // Deno's process.env: get(NAME) is process.env[NAME], toObject() the whole environment.
      return envMember(I, stringOf(first), call.node, call.frame);
    case "Deno.env.toObject":
      return processEnv(I, call.node, call.frame, "Deno.env");
    case "Function":
      return makeDynamicFunction(I, call);
    // Bun's shell (a command line) and process API: spawn(["gh", "auth", "token"]) or spawn({ cmd: [...] }).
    case "Bun.$":
      return runCommand(I, "shell", call);
    case "Bun.spawn":
    case "Bun.spawnSync": {
      const argv = first.object?.elements ? first : first.object?.props.get("cmd");
      const [program = UNKNOWN, ...rest] = argv?.object?.elements ?? [];
      return argv ? runCommand(I, "argv", { ...call, args: [program, newArray(rest)] }) : UNKNOWN;
    }
    case "setTimeout":
    case "setInterval":
    case "setImmediate":
    case "queueMicrotask":
    case "process.nextTick": {
      // The callback's arguments follow the delay for setTimeout/setInterval, the callback itself for
      // setImmediate/nextTick; queueMicrotask passes none.
      const passed = name === "queueMicrotask" ? [] : args.slice(name === "setImmediate" || name === "process.nextTick" ? 1 : 2);
      if (first.fn) invokeCallback(I, first, passed, call.node, call.frame, name === "process.nextTick" || name === "setImmediate");
      if (first.fn && name === "setInterval" && !call.frame.standalone && I.recurring.length < MAX_RECURRING) I.recurring.push({ callback: first, args: passed, node: call.node, unit: call.frame.unit });
      else if (isString(first) && name !== "queueMicrotask" && name !== "process.nextTick") evalCode(I, first, call, "global");
      return UNKNOWN;
    }
    case "String.fromCharCode":
    case "String.fromCodePoint":
      return fromCharCodes(I, name, call);
    case "String":
      return isString(first) ? first : first.known ? constant(String(first.constant)) : unknownWith(deepTaint(first));
    case "Buffer.from":
    case "Buffer":
      return bufferFrom(I, call);
    case "Buffer.concat": {
      const parts = first.object?.elements ?? [];
      if (parts.length > 0 && parts.every((p) => p.bytes)) return { bytes: Buffer.concat(parts.map((p) => p.bytes!)) };
      return unknownWith(deepTaint(first));
    }
    case "atob": {
      const text = stringOf(first);
      // A kit's setting left as a placeholder (`atob('%WEBHOOK_BASE64%')`): decoded, it is still that setting.
      if (text !== undefined && isPlaceholder(text)) return first;
      const bytes = text !== undefined ? decodeBase64(text) : undefined;
      if (bytes) return { known: true, constant: bytes.toString("latin1"), built: true, decoded: true };
      return unknownWith(first.taint);
    }
    case "btoa":
      return transformed(I, first, call, (t) => Buffer.from(t, "latin1").toString("base64"), "base64-encoded");
    case "encodeURIComponent":
    case "encodeURI":
    case "escape":
      return transformed(I, first, call, name === "escape" ? escape : name === "encodeURI" ? encodeURI : encodeURIComponent, "URL-encoded");
    case "decodeURIComponent":
    case "decodeURI":
    case "unescape":
      return transformed(I, first, call, name === "unescape" ? unescape : name === "decodeURI" ? decodeURI : decodeURIComponent, undefined);
    case "parseInt":
    case "parseFloat":
    case "Number": {
      const text = stringOf(first);
      if (text === undefined) return unknownWith(first.taint);
      if (name === "Number") return constant(Number(text));
      if (name === "parseFloat") return constant(parseFloat(text));
      const radix = args[1] && isNumber(args[1]) ? args[1].constant : undefined;
      return constant(parseInt(text, radix));
    }
    case "JSON.stringify": {
      const dump = storageDump(I, first, "JSON.stringify(%s)", call.node, call.frame);
      return dump ? unknownWith(dump) : encoded(I, call, "JSON-serialised", true);
    }
    case "JSON.parse":
      return jsonParse(first);
    case "Object.keys":
    case "Object.values":
    case "Object.entries":
    case "Object.getOwnPropertyNames": {
      const dump = name === "Object.values" || name === "Object.entries" ? storageDump(I, first, `${name}(%s)`, call.node, call.frame) : undefined;
      const taint = dump ?? I.realizeTaint(first, call.node, call.frame, `${name}(process.env)`);
      const data = first.object;
      if (data && name !== "Object.getOwnPropertyNames" && first.special !== "env") {
        const entries: [string, Value][] = data.elements ? data.elements.map((e, i) => [String(i), e]) : [...data.props];
        const items = entries.map(([k, v]) => (name === "Object.keys" ? constant(k) : name === "Object.values" ? v : newArray([constant(k), v])));
        const result = newArray(items);
        if (name !== "Object.keys") result.object!.taint = mergeTaints(taint, data.taint);
        // Writes under unknown keys: more entries than those listed.
        if (data.open || data.taint) result.object!.open = true;
        return { ...result, taint };
      }
      return { object: { props: new Map(), elements: [], taint, open: true }, taint };
    }
    case "Object.assign": {
      const target = first.object ? first : newObject();
      for (const source of args.slice(1)) {
        const dump = storageDump(I, source, "Object.assign({}, %s)", call.node, call.frame);
        if (dump) target.object!.taint = mergeTaints(target.object!.taint, dump);
        else if (source.special === "env") target.object!.taint = mergeTaints(target.object!.taint, deepTaint(source));
        else if (source.object) {
          for (const [key, value] of source.object.props) target.object!.props.set(key, value);
          target.object!.taint = mergeTaints(target.object!.taint, source.object.taint);
        } else target.object!.taint = mergeTaints(target.object!.taint, deepTaint(source));
      }
      return target;
    }
    case "Proxy":
      // The proxy is its target, except that reading a property runs the handler's get trap.
      return args[1]?.object?.props.get("get")?.fn ? { ...first, proxy: { target: first, handler: args[1] } } : first;
    case "Object.freeze":
    case "Object.seal":
    case "structuredClone":
    case "Array.from":
      return first;
    case "Object.fromEntries":
    case "Object.create":
      return { object: { props: new Map(), taint: deepTaint(first) } };
    case "Object.defineProperty":
      if (args[2]?.object) {
        const key = args[1] ? stringOf(args[1]) : undefined;
        const descriptor = args[2].object.props;
        const get = descriptor.get("get");
        I.setMember(first, key, descriptor.get("value") ?? (get?.fn ? { getter: get } : get) ?? UNKNOWN, call.frame);
      }
      return first;
    case "Array.of":
      return newArray(args);
    case "Promise.resolve":
      return { resolved: first, taint: first.taint };
    case "Promise.all":
    case "Promise.allSettled":
    case "Promise.race":
    case "Promise.any": {
      const elements = (first.object?.elements ?? []).map((e) => e.resolved ?? e);
      return { resolved: newArray(elements), taint: deepTaint(first) };
    }
    case "Promise":
      return newPromise(I, call);
    case "URL":
      return urlValue(call);
    case "URLSearchParams":
      return encoded(I, call, "query-string encoded");
    case "Reflect.get":
      return I.getMember(first, args[1] ? stringOf(args[1]) : undefined, call.node, call.frame);
    case "Reflect.apply":
      // Reflect.apply(https.request, https, [url]): the same call as https.request(url).
      if (first.fn || first.ref) return dispatchCall(I, { ...call, receiver: undefined, key: undefined, target: first, args: args[2]?.object?.elements ?? [] });
      return undefined;
    default:
      // Math.random is not folded: a value that differs per run would make the finding's
      // message and fingerprint differ per run. It is an unknown number ("*" in a destination).
      if (name === "Math.random") return UNKNOWN;
      if (name.startsWith("Math.") && args.every((a) => isNumber(a))) {
        const fn = (Math as unknown as Record<string, unknown>)[name.slice(5)];
        if (typeof fn === "function") return constant((fn as (...n: number[]) => number)(...args.map((a) => a.constant as number)));
      }
      if (name.startsWith("console.")) return UNKNOWN;
      {
        const cookies = extensionCookies(I, name, call) ?? storageCall(I, name, call);
        if (cookies) return cookies;
      }
      {
        const channel = I.signatures.sinks.js.globals[name];
        if (channel) return sinkCall(I, channel, name, call, undefined);
      }
      return undefined;
  }
}

function readlineInputTaint(options: Value | undefined): Value["taint"] {
  const input = options?.object?.props.get("input") ?? options;
  return input ? deepTaint(input)?.filter((t) => !t.latent) : undefined;
}

function requireCall(I: Interpreter, specifier: Value, call: Call): Value {
  const name = stringOf(specifier);
  if (name === undefined) {
    return UNKNOWN;
  }
  if (specifier.built) {
    I.collector.addObfuscation({
      technique: "dynamic-import",
      location: I.location(call.node, call.frame),
      note: `require() of a computed module name: ${name}`,
      trigger: call.frame.trigger,
      executed: false,
    });
  }
  return I.loader.require(call.frame.unit, name, call.frame);
}

/** A value encoded/serialised: same taint (whole-env realised), one more step; folded when constant. */
function encoded(I: Interpreter, call: Call, note: string, json = false): Value {
  const first = call.args[0] ?? UNKNOWN;
  const taint = I.realizeTaint(first, call.node, call.frame, json ? "JSON.stringify(process.env)" : note);
  if (json && first.known && !first.object) {
    try {
      return { known: true, constant: JSON.stringify(first.constant), built: true };
    } catch {
      return UNKNOWN;
    }
  }
  return unknownWith(withStep(taint, I.step(call.node, call.frame, note)));
}

function transformed(I: Interpreter, value: Value, call: Call, fn: (text: string) => string, note: string | undefined): Value {
  const text = stringOf(value);
  const taint = note ? withStep(deepTaint(value), I.step(call.node, call.frame, note)) : deepTaint(value);
  if (text !== undefined) {
    try {
      return { known: true, constant: fn(text), built: true, decoded: note === undefined, taint };
    } catch {
      return unknownWith(taint);
    }
  }
  return unknownWith(taint);
}

function fromCharCodes(I: Interpreter, name: string, call: Call): Value {
  const codes = call.args.length === 1 && call.args[0]!.object?.elements ? call.args[0]!.object.elements : call.args;
  if (codes.length > 0 && codes.every((c) => isNumber(c))) {
    try {
      const fn = name === "String.fromCodePoint" ? String.fromCodePoint : String.fromCharCode;
      const text = fn(...codes.map((c) => c.constant as number));
      if (text.length >= 8) {
        I.collector.addObfuscation({ technique: "char-codes", location: I.location(call.node, call.frame), note: "string built from character codes", trigger: call.frame.trigger, executed: false });
      }
      I.noteString(text, call.node, call.frame);
      return { known: true, constant: text, built: true, decoded: true };
    } catch {
      return UNKNOWN;
    }
  }
  return unknownWith(argumentsTaint(I, codes, call));
}

function bufferFrom(I: Interpreter, call: Call): Value {
  const [data = UNKNOWN, encodingValue] = call.args;
  const encoding = encodingValue ? (stringOf(encodingValue) ?? "") : "utf8";
  const text = stringOf(data);
  if (text !== undefined && !data.bytes) {
    const bytes = bufferFromText(text, encoding);
    if (bytes) return { bytes, decoded: encoding !== "utf8" && encoding !== "utf-8", taint: data.taint };
  }
  if (data.bytes) return data;
  if (data.object?.elements && data.object.elements.every((e) => isNumber(e))) {
    return { bytes: Buffer.from(data.object.elements.map((e) => e.constant as number)), decoded: true };
  }
  return unknownWith(I.realizeTaint(data, call.node, call.frame, "Buffer.from(process.env)"));
}

function jsonParse(value: Value): Value {
  const text = stringOf(value);
  if (text !== undefined && text.length < 200_000) {
    try {
      return jsonToValue(JSON.parse(text), 0);
    } catch {
      return UNKNOWN;
    }
  }
  return unknownWith(deepTaint(value));
}

export function jsonToValue(data: unknown, depth: number): Value {
  if (data === null || typeof data !== "object") return constant(data as string | number | boolean | null);
  if (depth > 8) return UNKNOWN;
  if (Array.isArray(data)) return newArray(data.slice(0, 10_000).map((d) => jsonToValue(d, depth + 1)));
  const props = new Map<string, Value>();
  for (const [key, item] of Object.entries(data as Record<string, unknown>).slice(0, 10_000)) props.set(key, jsonToValue(item, depth + 1));
  return newObject(props);
}

function urlValue(call: Call): Value {
  const [input = UNKNOWN, base] = call.args;
  const text = stringOf(input);
  const baseText = base ? stringOf(base) : undefined;
  const taint = mergeTaints(deepTaint(input), base ? deepTaint(base) : undefined);
  if (text !== undefined) {
    if (isPlaceholder(text)) return withSearchParams({ known: true, constant: text, taint });
    try {
      return withSearchParams({ known: true, constant: new URL(text, baseText).href, built: true, taint });
    } catch {
      // fall through
    }
  }
  if (base && baseText === undefined && base.pattern) return withSearchParams({ pattern: base.pattern + skeletonOf(input), taint });
  return withSearchParams({ pattern: skeletonOf(input), taint });
}

/**
 * A URL is its string plus a `searchParams` view of the same storage: what
 * `url.searchParams.set(k, secret)` adds is carried by the URL itself.
 */
function withSearchParams(url: Value): Value {
  const data: Value["object"] = { props: new Map() };
  data.props.set("searchParams", { object: data });
  return { ...url, object: data };
}

function newPromise(I: Interpreter, call: Call): Value {
  const executor = call.args[0];
  const promise: Value = { resolved: UNKNOWN };
  if (executor?.fn) {
    const resolver: Value = { special: "resolver", target: promise };
    invokeCallback(I, executor, [resolver, { special: "resolver" }], call.node, call.frame, true);
  }
  return promise;
}

/** resolve(value) inside new Promise(executor): the promise resolves to that value. */
export function resolvePromise(resolver: Value, value: Value): void {
  const target = resolver.target;
  if (!target) return;
  target.resolved = target.resolved && target.resolved !== UNKNOWN ? { ...target.resolved, taint: mergeTaints(target.resolved.taint, deepTaint(value)) } : value;
  target.taint = mergeTaints(target.taint, deepTaint(value));
}
