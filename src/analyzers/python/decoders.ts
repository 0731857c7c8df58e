// The decoding functions obfuscated packages use, done on constant data only.
// Strings are JS strings; bytes are JS strings with one char (0-255) per byte.
import { inflateSync, inflateRawSync, gunzipSync } from "node:zlib";
import { trimEndChars } from "../../core/trim.js";
import { DECODE_CAP_BYTES, OVER_DECODE_CAP } from "../budget.js";

const MAX_OUTPUT = DECODE_CAP_BYTES;

export function bytesToLatin1(buffer: Uint8Array): string {
  return Buffer.from(buffer).toString("latin1");
}

function latin1ToBuffer(bytes: string): Buffer {
  return Buffer.from(bytes, "latin1");
}

/** str.encode('utf-8'): text → bytes. */
export function encodeUtf8(text: string): string {
  return bytesToLatin1(Buffer.from(text, "utf8"));
}

/** bytes.decode('utf-8'): bytes → text (chars above 0xff mean it already was text). */
export function decodeUtf8(bytes: string): string {
  if (/[^\x00-\xff]/.test(bytes)) return bytes;
  return latin1ToBuffer(bytes).toString("utf8");
}

export function base64Decode(input: string, urlSafe = false): string | undefined {
  let clean = input.replace(/\s+/g, "");
  if (urlSafe) clean = clean.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  return bytesToLatin1(Buffer.from(clean, "base64"));
}

export function base64Encode(bytes: string): string {
  return latin1ToBuffer(bytes).toString("base64");
}

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Decode(input: string): string | undefined {
  const clean = trimEndChars(input, "=").toUpperCase();
  let bits = 0;
  let value = 0;
  let out = "";
  for (const ch of clean) {
    const index = BASE32_ALPHABET.indexOf(ch);
    if (index < 0) return undefined;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out += String.fromCharCode((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

export function hexDecode(input: string): string | undefined {
  const clean = input.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) return undefined;
  return bytesToLatin1(Buffer.from(clean, "hex"));
}

export function hexEncode(bytes: string): string {
  return latin1ToBuffer(bytes).toString("hex");
}

const B85_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

/** base64.b85decode (the RFC 1924 alphabet Python uses). */
export function base85Decode(input: string): string | undefined {
  const clean = input.replace(/\s+/g, "");
  const padding = (5 - (clean.length % 5)) % 5;
  const padded = clean + "~".repeat(padding);
  let out = "";
  for (let i = 0; i < padded.length; i += 5) {
    let value = 0;
    for (const ch of padded.slice(i, i + 5)) {
      const index = B85_ALPHABET.indexOf(ch);
      if (index < 0) return undefined;
      value = value * 85 + index;
    }
    if (value > 0xffffffff) return undefined;
    out += String.fromCharCode((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }
  return padding ? out.slice(0, out.length - padding) : out;
}

/** base64.a85decode (Adobe ASCII85, with the `z` shorthand and optional <~ ~> frame). */
export function ascii85Decode(input: string): string | undefined {
  let clean = input.replace(/\s+/g, "");
  if (clean.startsWith("<~")) clean = clean.slice(2);
  if (clean.endsWith("~>")) clean = clean.slice(0, -2);
  clean = clean.replace(/z/g, "!!!!!");
  const padding = (5 - (clean.length % 5)) % 5;
  const padded = clean + "u".repeat(padding);
  let out = "";
  for (let i = 0; i < padded.length; i += 5) {
    let value = 0;
    for (const ch of padded.slice(i, i + 5)) {
      const code = ch.charCodeAt(0) - 33;
      if (code < 0 || code > 84) return undefined;
      value = value * 85 + code;
    }
    if (value > 0xffffffff) return undefined;
    out += String.fromCharCode((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }
  return padding ? out.slice(0, out.length - padding) : out;
}

export function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (c) => {
    const base = c <= "Z" ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** zlib.decompress / gzip.decompress: zlib header, gzip header, or raw deflate. */
export function zlibDecompress(bytes: string): string | undefined {
  const input = latin1ToBuffer(bytes);
  for (const inflate of [inflateSync, gunzipSync, inflateRawSync]) {
    try {
      const out = inflate(input, { maxOutputLength: MAX_OUTPUT });
      return bytesToLatin1(out);
    } catch (error) {
      // The right framing, past the cap: a bomb (say so), not a wrong guess (try the next framing).
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return OVER_DECODE_CAP;
    }
  }
  return undefined;
}

/** codecs.decode(x, name) / x.decode(name) for the codecs that hide data. */
export function decodeWithCodec(value: string, codec: string): string | undefined {
  const name = codec.toLowerCase().replace(/-/g, "_");
  if (name === "rot13" || name === "rot_13") return rot13(value);
  if (name === "hex" || name === "hex_codec") return hexDecode(value);
  if (name === "base64" || name === "base_64" || name === "base64_codec") return base64Decode(value);
  if (name === "zlib" || name === "zip" || name === "zlib_codec") return zlibDecompress(value);
  if (name === "utf8" || name === "utf_8" || name === "ascii" || name === "latin1" || name === "latin_1") {
    return decodeUtf8(value);
  }
  return undefined;
}
