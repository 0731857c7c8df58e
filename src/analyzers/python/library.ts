// Models of standard-library calls on constant data: decoders, encoders, path building,
// string methods. A model returns the folded value and keeps (or cuts) the taint.
import type { FlowStep } from "../facts.js";
import {
  ascii85Decode,
  base32Decode,
  base64Decode,
  base64Encode,
  base85Decode,
  decodeUtf8,
  decodeWithCodec,
  encodeUtf8,
  hexDecode,
  hexEncode,
  rot13,
  zlibDecompress,
} from "./decoders.js";
import { derived, external, str, unknown, withStep, allTaints, num, type Value } from "./model.js";
import { joinPath } from "./paths.js";

export interface CallArgs {
  positional: Value[];
  keywords: Map<string, Value>;
}

export type StepAt = (note: string) => FlowStep;

const MAX_ITEMS = 10_000;

function arg(args: CallArgs, index: number, keyword?: string): Value | undefined {
  return args.positional[index] ?? (keyword ? args.keywords.get(keyword) : undefined);
}

function allArgs(args: CallArgs): Value[] {
  return [...args.positional, ...args.keywords.values()];
}

/** Decode a constant with `decode`; taint follows the input. */
function fold(input: Value | undefined, decode: (s: string) => string | undefined, bytes: boolean): Value {
  if (!input) return unknown();
  const out = input.str !== undefined ? decode(input.str) : undefined;
  const result: Value = { taints: allTaints(input) };
  if (out !== undefined) {
    result.str = out;
    if (bytes) result.bytes = true;
  }
  return result;
}

/** Encode: fold when constant, and add a flow step when the input is credential data. */
function encode(input: Value | undefined, how: string, step: StepAt, transform?: (s: string) => string): Value {
  if (!input) return unknown();
  const result: Value = { taints: withStep(allTaints(input), step(how)) };
  if (transform && input.str !== undefined) result.str = transform(input.str);
  return result;
}

const DECODERS: Record<string, (s: string) => string | undefined> = {
  "base64.b64decode": (s) => base64Decode(s),
  "base64.standard_b64decode": (s) => base64Decode(s),
  "base64.decodestring": (s) => base64Decode(s),
  "base64.decodebytes": (s) => base64Decode(s),
  "base64.urlsafe_b64decode": (s) => base64Decode(s, true),
  "base64.b32decode": base32Decode,
  "base64.b16decode": hexDecode,
  "base64.b85decode": base85Decode,
  "base64.a85decode": ascii85Decode,
  "binascii.unhexlify": hexDecode,
  "binascii.a2b_hex": hexDecode,
  "binascii.a2b_base64": (s) => base64Decode(s),
  "bytes.fromhex": hexDecode,
  "bytearray.fromhex": hexDecode,
  "zlib.decompress": zlibDecompress,
  "gzip.decompress": zlibDecompress,
};

const ENCODERS: Record<string, [string, ((s: string) => string)?]> = {
  "base64.b64encode": ["base64-encoded", base64Encode],
  "base64.standard_b64encode": ["base64-encoded", base64Encode],
  "base64.urlsafe_b64encode": ["base64-encoded"],
  "base64.encodestring": ["base64-encoded", base64Encode],
  "base64.encodebytes": ["base64-encoded", base64Encode],
  "base64.b32encode": ["base32-encoded"],
  "base64.b16encode": ["hex-encoded"],
  "base64.b85encode": ["base85-encoded"],
  "base64.a85encode": ["ascii85-encoded"],
  "binascii.hexlify": ["hex-encoded", hexEncode],
  "binascii.b2a_hex": ["hex-encoded", hexEncode],
  "binascii.b2a_base64": ["base64-encoded"],
  "zlib.compress": ["zlib-compressed"],
  "gzip.compress": ["gzip-compressed"],
  "bz2.compress": ["bz2-compressed"],
  "lzma.compress": ["lzma-compressed"],
  "json.dumps": ["JSON-encoded"],
  "simplejson.dumps": ["JSON-encoded"],
  "pickle.dumps": ["pickled"],
  "marshal.dumps": ["marshalled"],
  "urllib.parse.urlencode": ["URL-encoded"],
  "urllib.urlencode": ["URL-encoded"],
  "urllib.parse.quote": ["URL-encoded"],
  "urllib.parse.quote_plus": ["URL-encoded"],
  "urllib.quote": ["URL-encoded"],
  "urllib.quote_plus": ["URL-encoded"],
  "builtins.repr": ["converted to text"],
  "builtins.bytes": ["converted to bytes"],
  "builtins.bytearray": ["converted to bytes"],
};

/** Calls whose result says nothing about the secret's content: digests, sizes, checks. */
const SANITIZER_PREFIXES = ["hashlib.", "hmac.", "_hashlib.", "Crypto.Hash.", "cryptography.hazmat.primitives.hashes."];
const SANITIZERS = new Set(
  (
    "builtins.len builtins.bool builtins.isinstance builtins.issubclass builtins.hasattr builtins.id builtins.hash " +
    "builtins.type builtins.callable builtins.int builtins.float builtins.print os.path.exists os.path.isfile " +
    "os.path.isdir os.path.islink os.path.lexists os.path.getsize os.path.getmtime os.access os.stat os.lstat " +
    "os.chmod os.makedirs os.mkdir os.remove os.unlink os.rmdir secrets.compare_digest"
  ).split(" "),
);

export function isSanitizer(qname: string): boolean {
  return SANITIZERS.has(qname) || SANITIZER_PREFIXES.some((p) => qname.startsWith(p));
}

/** Functions that build a path from their arguments (results are paths, not file contents). */
export const PATH_BUILDERS = new Set([
  "os.path.join",
  "posixpath.join",
  "ntpath.join",
  "os.path.expanduser",
  "os.path.expandvars",
  "os.path.abspath",
  "os.path.realpath",
  "os.path.normpath",
  "os.path.dirname",
  "os.path.basename",
  "os.fspath",
  "builtins.str",
  "pathlib.Path",
  "pathlib.PurePath",
  "pathlib.PosixPath",
  "pathlib.WindowsPath",
  "pathlib.Path.home",
]);

export const PATH_TYPE = "pathlib.Path()";

function pathValue(path: string, inputs: Value[]): Value {
  return { ...derived(inputs), str: path, ref: { kind: "external", qname: PATH_TYPE } };
}

/** A model for a module-level function, or undefined when the call is not modelled. */
export function modelFunction(name: string, args: CallArgs, step: StepAt): Value | undefined {
  const qname = name.replace(/^builtins\.(bytes|bytearray|str)\./, "$1.");
  const first = arg(args, 0);
  const decoder = DECODERS[qname];
  if (decoder) return fold(first, decoder, true);
  const encoder = ENCODERS[qname];
  if (encoder) return encode(first, encoder[0], step, encoder[1]);
  if (isSanitizer(qname)) return unknown();
  switch (qname) {
    case "codecs.decode":
    case "codecs.encode": {
      const codec = arg(args, 1, "encoding")?.str ?? "utf-8";
      if (qname === "codecs.encode" && !/rot|hex|base64/i.test(codec)) return encode(first, "encoded", step, encodeUtf8);
      return fold(first, (s) => decodeWithCodec(s, codec), /hex|base64|zlib/i.test(codec));
    }
    case "builtins.chr":
    case "builtins.unichr":
      return first?.num !== undefined && first.num >= 0 && first.num <= 0x10ffff
        ? str(String.fromCodePoint(first.num))
        : derived(allArgs(args));
    case "builtins.ord":
      return first?.str?.length === 1 ? num(first.str.codePointAt(0)!) : derived(allArgs(args));
    case "builtins.reversed":
      return reverse(first);
    case "builtins.list":
    case "builtins.tuple":
    case "builtins.set":
    case "builtins.frozenset":
    case "builtins.sorted":
      return toList(first, qname === "builtins.sorted");
    case "builtins.map":
      return mapCall(args);
    case "os.path.expanduser":
    case "os.path.abspath":
    case "os.path.realpath":
    case "os.path.normpath":
    case "os.fspath":
      return first?.str !== undefined ? pathValue(first.str, [first]) : first ? passThrough(first) : unknown();
    case "os.path.expandvars":
      return first?.str !== undefined
        ? pathValue(first.str.replace(/^(\$HOME|\$\{HOME\}|%USERPROFILE%)/i, "~"), [first])
        : passThrough(first);
    case "os.path.join":
    case "posixpath.join":
    case "ntpath.join":
    case "pathlib.Path":
    case "pathlib.PurePath":
    case "pathlib.PosixPath":
    case "pathlib.WindowsPath":
      return joinValues(args.positional, qname.startsWith("pathlib"));
    case "pathlib.Path.home":
    case "pathlib.Path.home()":
      return pathValue("~", []);
    case "os.path.dirname":
      return first?.str !== undefined ? str(first.str.includes("/") ? first.str.replace(/\/[^/]*$/, "") : "") : derived(allArgs(args));
    case "os.path.basename":
      return first?.str !== undefined ? str(first.str.replace(/^.*\//, "")) : derived(allArgs(args));
    case "builtins.str":
    case "builtins.unicode":
      if (!first) return str("");
      if (first.str !== undefined) return { ...first, bytes: false, ref: undefined } as Value;
      if (first.num !== undefined) return { str: String(first.num), taints: [] };
      return { ...derived([first]), ...(first.partial ? { partial: first.partial } : {}) };
    default:
      return undefined;
  }
}

function passThrough(value: Value | undefined): Value {
  return value ? { ...derived([value]), ...(value.partial ? { partial: value.partial } : {}) } : unknown();
}

function joinValues(parts: Value[], asPath: boolean): Value {
  if (parts.length > 0 && parts.every((p) => p.str !== undefined)) {
    return pathValue(joinPath(parts.map((p) => p.str!)), parts);
  }
  const partial = parts.length > 0 ? joinPath(parts.map((p) => p.str ?? p.partial ?? "*")) : undefined;
  const result = derived(parts);
  if (partial && partial !== "*") result.partial = partial;
  if (asPath) result.ref = external(PATH_TYPE).ref!;
  return result;
}

function reverse(value: Value | undefined): Value {
  if (!value) return unknown();
  if (value.str !== undefined) return { str: [...value.str].reverse().join(""), taints: allTaints(value) };
  if (value.items) return { items: [...value.items].reverse(), taints: value.taints };
  return derived([value]);
}

function toList(value: Value | undefined, sort: boolean): Value {
  if (!value) return { items: [], taints: [] };
  if (value.str !== undefined && value.str.length <= MAX_ITEMS) {
    const chars = [...value.str].map((c) => (value.bytes ? num(c.charCodeAt(0)) : str(c)));
    return { items: sort ? chars : chars, taints: allTaints(value) };
  }
  if (value.items) {
    const items = sort && value.items.every((i) => i.str !== undefined)
      ? [...value.items].sort((a, b) => (a.str! < b.str! ? -1 : 1))
      : value.items;
    return { items, taints: allTaints(value) };
  }
  if (value.dict) return { items: [...value.dict.keys()].map((k) => str(k)), taints: allTaints(value) };
  return { ...derived([value]), ...(value.ref?.kind === "env" ? { ref: value.ref } : {}) };
}

function mapCall(args: CallArgs): Value {
  const fn = args.positional[0];
  const iterable = args.positional[1];
  if (!iterable) return unknown();
  const name = fn?.ref?.kind === "external" ? fn.ref.qname : undefined;
  const items = iterable.items ?? (iterable.str !== undefined ? [...iterable.str].map((c) => str(c)) : undefined);
  if (items && (name === "builtins.chr" || name === "builtins.str" || name === "builtins.ord" || name === "builtins.int")) {
    const mapped = items.map((item) => modelFunction(name, { positional: [item], keywords: new Map() }, () => ({ file: "", line: 0, column: 0, note: "" })) ?? unknown());
    return { items: mapped, taints: allTaints(iterable) };
  }
  return derived([iterable]);
}

/** Methods of str/bytes/list values. */
export function modelMethod(receiver: Value, method: string, args: CallArgs, step: StepAt): Value | undefined {
  const first = arg(args, 0);
  const s = receiver.str;
  switch (method) {
    case "join": {
      if (!first) return undefined;
      const items = first.items ?? (first.str !== undefined ? [...first.str].map((c) => str(c)) : undefined);
      const taints = allTaints(first);
      if (s !== undefined && items && items.every((i) => i.str !== undefined)) {
        const result: Value = { str: items.map((i) => i.str).join(s), taints };
        if (receiver.bytes) result.bytes = true;
        return result;
      }
      const result = derived([first]);
      if (s !== undefined && items) result.partial = items.map((i) => i.str ?? i.partial ?? "*").join(s);
      return result;
    }
    case "decode": {
      const codec = arg(args, 0, "encoding")?.str ?? "utf-8";
      const out = s !== undefined ? decodeWithCodec(s, codec) : undefined;
      const result: Value = { taints: allTaints(receiver) };
      if (out !== undefined) result.str = out;
      else if (receiver.partial) result.partial = receiver.partial;
      if (/hex|base64|zlib/i.test(codec)) result.bytes = true;
      else if (receiver.plain && out !== undefined) result.plain = true; // a text codec hides nothing
      return result;
    }
    case "encode": {
      const codec = arg(args, 0, "encoding")?.str ?? "utf-8";
      if (/rot/i.test(codec)) return fold(receiver, rot13, false);
      if (/hex/i.test(codec)) return encode(receiver, "hex-encoded", step, hexEncode);
      if (/base64/i.test(codec)) return encode(receiver, "base64-encoded", step, base64Encode);
      const result: Value = { taints: allTaints(receiver), bytes: true };
      if (s !== undefined) result.str = receiver.bytes ? s : encodeUtf8(s);
      else if (receiver.partial) result.partial = receiver.partial;
      if (receiver.plain && s !== undefined) result.plain = true;
      return result;
    }
    case "hex":
      return encode(receiver, "hex-encoded", step, hexEncode);
    case "replace": {
      const from = arg(args, 0)?.str;
      const to = arg(args, 1)?.str;
      if (s !== undefined && from !== undefined && to !== undefined && from !== "") {
        return { ...derived([receiver, ...allArgs(args)]), str: s.split(from).join(to) };
      }
      return derived([receiver, ...allArgs(args)]);
    }
    case "strip":
    case "lstrip":
    case "rstrip": {
      if (s === undefined) return passThrough(receiver);
      const chars = first?.str;
      const set = chars === undefined ? " \t\n\r\x0b\x0c" : chars;
      let start = 0;
      let end = s.length;
      if (method !== "rstrip") while (start < end && set.includes(s[start]!)) start++;
      if (method !== "lstrip") while (end > start && set.includes(s[end - 1]!)) end--;
      return { str: s.slice(start, end), taints: allTaints(receiver) };
    }
    case "lower":
    case "upper":
    case "title":
    case "capitalize":
    case "swapcase": {
      if (s === undefined) return passThrough(receiver);
      const out =
        method === "lower" ? s.toLowerCase()
        : method === "upper" ? s.toUpperCase()
        : method === "capitalize" ? s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()
        : method === "swapcase" ? [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("")
        : s.replace(/\b\w/g, (c) => c.toUpperCase());
      return { str: out, taints: allTaints(receiver) };
    }
    case "split":
    case "rsplit":
    case "splitlines": {
      if (s === undefined) return passThrough(receiver);
      const sep = method === "splitlines" ? /\r?\n/ : first?.str;
      const parts = sep === undefined ? s.trim().split(/\s+/) : s.split(sep);
      return { items: parts.slice(0, MAX_ITEMS).map((p) => ({ str: p, taints: allTaints(receiver) })), taints: allTaints(receiver) };
    }
    case "format":
      return formatMethod(receiver, args);
    case "values":
    case "keys":
    case "items":
    case "copy":
    case "get": {
      const dict = receiver.dict;
      if (!dict) return undefined;
      const extra = receiver.cell?.taints ?? [];
      if (method === "values") return { items: [...dict.values()], taints: extra };
      if (method === "keys") return { items: [...dict.keys()].map((k) => str(k)), taints: extra };
      if (method === "items") return { items: [...dict].map(([k, v]) => ({ items: [str(k), v], taints: [] })), taints: extra };
      if (method === "copy") return { dict: new Map(dict), taints: allTaints(receiver) };
      const key = first?.str;
      if (key !== undefined && dict.has(key)) return dict.get(key)!;
      return derived([receiver, ...(args.positional[1] ? [args.positional[1]] : [])]);
    }
    case "startswith":
    case "endswith":
    case "find":
    case "rfind":
    case "index":
    case "count":
    case "isdigit":
    case "isalpha":
    case "isalnum":
    case "isspace":
    case "isupper":
    case "islower":
      return unknown();
    case "zfill":
    case "ljust":
    case "rjust":
    case "center":
    case "casefold":
    case "expandtabs":
      return s !== undefined && method === "casefold" ? { str: s.toLowerCase(), taints: allTaints(receiver) } : passThrough(receiver);
    default:
      return undefined;
  }
}

/** "{}{name}".format(...): positional and named fields, no format specs. */
export function formatMethod(template: Value, args: CallArgs): Value {
  const inputs = [template, ...allArgs(args)];
  const s = template.str;
  if (s === undefined) return derived(inputs);
  let auto = 0;
  let complete = true;
  const out = s.replace(/\{\{|\}\}|\{([^{}!:]*)(![rsa])?(:[^{}]*)?\}/g, (match, name: string | undefined) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    const key = name ?? "";
    const value = key === "" ? args.positional[auto++] : /^\d+$/.test(key) ? args.positional[Number(key)] : args.keywords.get(key.split(/[.[]/)[0]!);
    if (!value || (value.str === undefined && value.num === undefined)) {
      complete = false;
      return value?.partial ?? "*";
    }
    return value.str ?? String(value.num);
  });
  const result = derived(inputs);
  if (complete) result.str = out;
  else result.partial = out;
  return result;
}

/** "%s:%d" % (a, b) and "%(name)s" % {...}. */
export function percentFormat(template: Value, operand: Value): Value {
  const s = template.str;
  const inputs = [template, operand];
  if (s === undefined) return derived(inputs);
  const positional = operand.items ?? [operand];
  let index = 0;
  let complete = true;
  const out = s.replace(/%(\(([^)]*)\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxXoceEgGa%]/g, (match, _named, name: string | undefined) => {
    if (match === "%%") return "%";
    const value = name !== undefined ? operand.dict?.get(name) : positional[index++];
    if (!value || (value.str === undefined && value.num === undefined)) {
      complete = false;
      return value?.partial ?? "*";
    }
    if (value.num !== undefined && /x$/.test(match)) return value.num.toString(16);
    return value.str ?? String(value.num);
  });
  const result = derived(inputs);
  if (complete) result.str = out;
  else result.partial = out;
  return result;
}

export { decodeUtf8 };
