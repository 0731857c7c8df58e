// Python literal syntax: string prefixes and escape sequences, numbers.
import { lookupTable } from "../../core/tables.js";

export interface StringPrefix {
  raw: boolean;
  bytes: boolean;
  format: boolean;
}

const prefixes = new Map<string, Readonly<StringPrefix>>();

/** The prefix letters of a string_start token such as `rb"""` or `f'` (one shared, read-only answer per token). */
export function parseStringPrefix(start: string): Readonly<StringPrefix> {
  let prefix = prefixes.get(start);
  if (prefix === undefined) {
    const letters = start.replace(/["']/g, "").toLowerCase();
    prefix = Object.freeze({ raw: letters.includes("r"), bytes: letters.includes("b"), format: letters.includes("f") });
    if (prefixes.size < 256) prefixes.set(start, prefix);
  }
  return prefix;
}

const SIMPLE_ESCAPES: Record<string, string> = lookupTable({
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\n": "",
});

/**
 * Decode the escapes of a literal body. Bytes literals come out as one JS char per
 * byte (latin1), which is how bytes are represented throughout the analyzer.
 */
export function decodeEscapes(body: string, prefix: Readonly<StringPrefix>): string {
  if (prefix.raw || !body.includes("\\")) return body;
  let out = "";
  /** Start of the text not yet copied to out: plain runs are copied whole, not a char at a time. */
  let run = 0;
  for (let i = 0; i < body.length; i++) {
    if (body.charCodeAt(i) !== 92 || i + 1 >= body.length) continue; // not a backslash, or the last char
    out += body.slice(run, i);
    const next = body[i + 1]!;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
    } else if (next === "x" && /^[0-9a-f]{2}$/i.test(body.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(digits, 8) & (prefix.bytes ? 0xff : 0x1ff));
      i += digits.length;
    } else if (!prefix.bytes && next === "u" && /^[0-9a-f]{4}$/i.test(body.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (!prefix.bytes && next === "U" && /^[0-9a-f]{8}$/i.test(body.slice(i + 2, i + 10))) {
      const code = parseInt(body.slice(i + 2, i + 10), 16);
      out += code <= 0x10ffff ? String.fromCodePoint(code) : "";
      i += 9;
    } else {
      out += "\\"; // unknown escape: Python keeps the backslash
    }
    run = i + 1;
  }
  return out + body.slice(run);
}

/** Integer literal value (decimal, hex, octal incl. Python 2 `0777`, binary, underscores, `L` suffix). */
export function parseIntegerLiteral(text: string): number | undefined {
  if (isPlainDecimal(text)) return parseInt(text, 10);
  const clean = text.replace(/_/g, "").replace(/[lL]$/, "").toLowerCase();
  let value: number;
  if (/^0x[0-9a-f]+$/.test(clean)) value = parseInt(clean.slice(2), 16);
  else if (/^0o[0-7]+$/.test(clean)) value = parseInt(clean.slice(2), 8);
  else if (/^0b[01]+$/.test(clean)) value = parseInt(clean.slice(2), 2);
  else if (/^0[0-7]+$/.test(clean)) value = parseInt(clean.slice(1), 8);
  else if (/^\d+$/.test(clean)) value = parseInt(clean, 10);
  else return undefined;
  return Number.isSafeInteger(value) ? value : undefined;
}

/** 1–15 digits, no leading zero (but "0"): what the general path reads as decimal, always a safe integer. */
function isPlainDecimal(text: string): boolean {
  const length = text.length;
  if (length === 0 || length > 15 || (length > 1 && text.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}
