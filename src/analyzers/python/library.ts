// Models of standard-library calls on constant data: decoders, encoders, path building
// (string methods are in string-methods.ts). A model returns the folded value and keeps (or cuts) the taint.
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
  zlibDecompress,
} from "./decoders.js";
import { derived, external, str, unknown, withStep, allTaints, num, type Value } from "./model.js";
import { joinPath } from "./paths.js";
import type { DecoderAlgorithm, EncoderAlgorithm } from "../../rules/schema.js";
import type { Signatures } from "../../rules/signatures.js";

export interface CallArgs {
  positional: Value[];
  keywords: Map<string, Value>;
}

export type StepAt = (note: string) => FlowStep;

export const MAX_ITEMS = 10_000;

export function arg(args: CallArgs, index: number, keyword?: string): Value | undefined {
  return args.positional[index] ?? (keyword ? args.keywords.get(keyword) : undefined);
}

export function allArgs(args: CallArgs): Value[] {
  return [...args.positional, ...args.keywords.values()];
}

/** Decode a constant with `decode`; taint follows the input. */
export function fold(input: Value | undefined, decode: (s: string) => string | undefined, bytes: boolean): Value {
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
export function encode(input: Value | undefined, how: string, step: StepAt, transform?: (s: string) => string): Value {
  if (!input) return unknown();
  const result: Value = { taints: withStep(allTaints(input), step(how)) };
  if (transform && input.str !== undefined) result.str = transform(input.str);
  return result;
}

/** The decoding algorithms signatures/decoders.yaml names (which calls decode is data). */
const DECODE: Record<DecoderAlgorithm, (s: string) => string | undefined> = {
  base64: (s) => base64Decode(s),
  "base64-urlsafe": (s) => base64Decode(s, true),
  base32: base32Decode,
  hex: hexDecode,
  base85: base85Decode,
  ascii85: ascii85Decode,
  zlib: zlibDecompress,
};

/** A decoding call (signatures/decoders.yaml) folded on its constant input, or undefined when `name` is no decoder. */
export function decoderCall(signatures: Signatures, name: string, args: CallArgs): Value | undefined {
  const algorithm = signatures.decoders.python[modelName(name)];
  return algorithm ? fold(arg(args, 0), DECODE[algorithm]!, true) : undefined;
}

/** `builtins.bytes.fromhex` is modelled as `bytes.fromhex`. */
function modelName(name: string): string {
  return name.replace(/^builtins\.(bytes|bytearray|str)\./, "$1.");
}

/** The encodings signatures/transforms.yaml `encoders` can fold a constant input with. */
const ENCODE: Record<EncoderAlgorithm, (s: string) => string> = { base64: base64Encode, hex: hexEncode };

/** Calls whose result says nothing about the secret's content: digests, sizes, checks (signatures/transforms.yaml `sanitizers`). */
export function isSanitizer(signatures: Signatures, qname: string): boolean {
  const { calls, prefixes } = signatures.sanitizers.python;
  return calls.has(qname) || prefixes.some((p) => qname.startsWith(p));
}

/** Functions that build a path from their arguments: results are paths, not file contents (signatures/transforms.yaml `pathBuilders`). */
export function isPathBuilder(signatures: Signatures, qname: string): boolean {
  return signatures.pathBuilders.python.has(qname);
}

export const PATH_TYPE = "pathlib.Path()";

function pathValue(path: string, inputs: Value[]): Value {
  return { ...derived(inputs), str: path, ref: { kind: "external", qname: PATH_TYPE } };
}

/** A model for a module-level function, or undefined when the call is not modelled. */
export function modelFunction(signatures: Signatures, name: string, args: CallArgs, step: StepAt): Value | undefined {
  const qname = modelName(name);
  const first = arg(args, 0);
  const encoder = signatures.encoders.python[qname];
  if (encoder) return encode(first, encoder.note, step, encoder.fold && ENCODE[encoder.fold]);
  if (isSanitizer(signatures, qname)) return unknown();
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
    case "builtins.range":
    case "builtins.xrange": {
      // range(N) with N known: a decode loop `for _ in range(N): s = decompress(b64decode(s))` runs N times.
      const nums = args.positional.map((a) => a.num);
      if (nums.length === 0 || nums.some((n) => n === undefined || !Number.isInteger(n))) return undefined;
      const [start, stop, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
      if (step === 0) return undefined;
      const count = Math.ceil((stop - start) / step);
      if (count > 512) return undefined;
      const items: Value[] = [];
      for (let i = 0; i < count; i++) items.push(num(start + i * step));
      return { items, taints: [] };
    }
    case "builtins.reversed":
      return reverse(first);
    case "builtins.list":
    case "builtins.tuple":
    case "builtins.set":
    case "builtins.frozenset":
    case "builtins.sorted":
      return toList(first, qname === "builtins.sorted");
    case "builtins.map":
      return mapCall(signatures, args);
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
    // glob.glob(pattern): each match is a path of that pattern ("*" = the unknown part).
    case "glob.glob":
    case "glob.iglob": {
      const pattern = first?.str ?? first?.partial;
      return pattern !== undefined ? { ...derived(allArgs(args)), partial: pattern.replace(/\*\*?/g, "*"), ref: external(`${qname}()`).ref! } : undefined;
    }
    // Temporary folders fold to a path pattern, so files staged in one are found again under it.
    case "tempfile.gettempdir":
      return { partial: "/tmp", taints: [] };
    case "tempfile.mkdtemp": {
      const text = (v: Value | undefined, fallback: string) => v?.str ?? v?.partial ?? fallback;
      return { partial: `${text(arg(args, 2, "dir"), "/tmp")}/${text(arg(args, 1, "prefix"), "tmp")}*${text(arg(args, 0, "suffix"), "")}`, taints: [] };
    }
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

export function passThrough(value: Value | undefined): Value {
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

function mapCall(signatures: Signatures, args: CallArgs): Value {
  const fn = args.positional[0];
  const iterable = args.positional[1];
  if (!iterable) return unknown();
  const name = fn?.ref?.kind === "external" ? fn.ref.qname : undefined;
  const items = iterable.items ?? (iterable.str !== undefined ? [...iterable.str].map((c) => str(c)) : undefined);
  if (items && (name === "builtins.chr" || name === "builtins.str" || name === "builtins.ord" || name === "builtins.int")) {
    const mapped = items.map((item) => modelFunction(signatures, name, { positional: [item], keywords: new Map() }, () => ({ file: "", line: 0, column: 0, note: "" })) ?? unknown());
    return { items: mapped, taints: allTaints(iterable) };
  }
  return derived([iterable]);
}

export { decodeUtf8 };
