// Models of Node's own modules used by stealers: os (home directory), path (folding
// paths to credentials), crypto (hashes cut taint, ciphers keep it), zlib (decoding
// layers, compressing stolen data) and stream.pipeline (piping a file into a request).
import { createRequire } from "node:module";
import { DECODE_CAP_BYTES, OVER_DECODE_CAP } from "../budget.js";
import type * as Zlib from "node:zlib";
import type { Call } from "./calls.js";
import type { Interpreter } from "./interpreter.js";
import { handleMethod } from "./sinks.js";
import { writeToFile } from "./downloads.js";
import { joinPath, resolvePath } from "./strings.js";
import { HOLE, UNKNOWN, constant, deepTaint, mergeTaints, newObject, patternOf, unknownWith, withStep, type Value } from "./values.js";
import { lookupTable } from "../../core/tables.js";

export function osCall(member: string): Value | undefined {
  switch (member) {
    case "homedir":
      return constant("~");
    case "userInfo":
      return newObject(new Map([["homedir", constant("~")]]));
    case "tmpdir":
      return constant("/tmp");
    default:
      return UNKNOWN;
  }
}

export function pathCall(I: Interpreter, member: string, call: Call): Value | undefined {
  const { args } = call;
  const taint = args.reduce<Value["taint"]>((t, a) => mergeTaints(t, a.taint), undefined);
  const parts = args.map(patternOf);
  switch (member) {
    case "join":
    case "normalize":
      return folded(joinPath(parts), taint);
    case "resolve":
      return folded(resolvePath(parts), taint);
    case "basename":
    case "dirname":
    case "extname": {
      const text = parts[0] ?? "*";
      const segments = text.split("/");
      if (member === "basename") return folded(segments[segments.length - 1] ?? "*", taint);
      if (member === "dirname") return folded(segments.slice(0, -1).join("/") || ".", taint);
      return unknownWith(taint);
    }
    default:
      return unknownWith(taint);
  }
  void I;
}

function folded(text: string, taint: Value["taint"]): Value {
  return text.includes("*") ? { pattern: text.replaceAll("*", HOLE), taint } : { known: true, constant: text, built: true, taint };
}

export function cryptoCall(I: Interpreter, member: string, call: Call): Value | undefined {
  if (member === "createHash" || member === "createHmac") return { special: "hash", digestOf: new Set() };
  if (member === "createCipheriv" || member === "createCipher") return { special: "cipher", object: { props: new Map() } };
  if (member === "publicEncrypt" || member === "privateEncrypt") {
    return unknownWith(withStep(deepTaint(call.args[1] ?? UNKNOWN), I.step(call.node, call.frame, "encrypted")));
  }
  // Derived keys, signatures, random bytes: none of them is the secret itself.
  return UNKNOWN;
}

type Decompressor = "gunzipSync" | "inflateSync" | "inflateRawSync" | "brotliDecompressSync";
const DECOMPRESSORS: Record<string, Decompressor> = lookupTable<Decompressor>({
  gunzipSync: "gunzipSync",
  inflateSync: "inflateSync",
  inflateRawSync: "inflateRawSync",
  unzipSync: "gunzipSync",
  brotliDecompressSync: "brotliDecompressSync",
});
/** node:zlib, loaded on the first compressed literal (a scan without one does not pay for loading it at start-up). */
let zlib: typeof Zlib | undefined;

export function zlibCall(I: Interpreter, member: string, call: Call): Value | undefined {
  const first = call.args[0] ?? UNKNOWN;
  const decompress = DECOMPRESSORS[member];
  if (decompress && first.bytes) {
    try {
      zlib ??= createRequire(import.meta.url)("node:zlib") as typeof Zlib;
      return { bytes: zlib[decompress](first.bytes, { maxOutputLength: DECODE_CAP_BYTES }), decoded: true };
    } catch (error) {
      // A bomb: code that runs the result is reported as not analysed (dynamic-code.ts).
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return { bytes: Buffer.from(OVER_DECODE_CAP, "utf8"), decoded: true };
      return UNKNOWN;
    }
  }
  if (/^(gzip|deflate|deflateRaw|brotliCompress)(Sync)?$/.test(member) || member.startsWith("create")) {
    return unknownWith(withStep(deepTaint(first), I.step(call.node, call.frame, "compressed")));
  }
  return unknownWith(deepTaint(first));
}

export function pipeline(I: Interpreter, call: Call): Value {
  const streams = call.args.filter((a) => !a.fn);
  const last = streams[streams.length - 1];
  let taint: Value["taint"];
  for (const stream of streams.slice(0, -1)) taint = mergeTaints(taint, deepTaint(stream));
  if (last?.handle && taint) handleMethod(I, last, "write", { ...call, receiver: last, args: [unknownWith(taint)] });
  if (last?.writesTo !== undefined && taint) writeToFile(I, last, unknownWith(taint), call);
  return UNKNOWN;
}
