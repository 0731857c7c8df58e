// Models of str/bytes/dict methods and %/format() templates, kept apart from library.ts's module-level call models.
import { base64Encode, decodeWithCodec, encodeUtf8, hexEncode, rot13 } from "./decoders.js";
import { allArgs, arg, encode, fold, MAX_ITEMS, passThrough, type CallArgs, type StepAt } from "./library.js";
import { derived, str, unknown, allTaints, mergeTaints, taintKey, textForConcat, type Value } from "./model.js";
import { SlotTracker } from "../common/url-slots.js";

/** Methods of str/bytes/list values. */
export function modelMethod(receiver: Value, method: string, args: CallArgs, step: StepAt, slots?: readonly RegExp[]): Value | undefined {
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
      return formatMethod(receiver, args, slots);
    case "format_map": {
      // s.format_map(d) is s.format(**d); a mapping of unknown keys still lends its taint.
      const mapping = args.positional[0];
      if (!mapping) return undefined;
      const formatted = formatMethod(receiver, { positional: [], keywords: new Map(mapping.dict ?? []) }, slots);
      return mapping.dict ? formatted : { ...formatted, taints: mergeTaints(formatted.taints, allTaints(mapping)) };
    }
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
export function formatMethod(template: Value, args: CallArgs, slots?: readonly RegExp[]): Value {
  const inputs = [template, ...allArgs(args)];
  const s = template.str;
  if (s === undefined) return derived(inputs);
  let auto = 0;
  let complete = true;
  const fields = new FieldSlots(template, slots);
  const out = s.replace(/\{\{|\}\}|\{([^{}!:]*)(![rsa])?(:[^{}]*)?\}/g, (match, name: string | undefined, _c, _s, offset: number) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    const key = name ?? "";
    const value = key === "" ? args.positional[auto++] : /^\d+$/.test(key) ? args.positional[Number(key)] : args.keywords.get(key.split(/[.[]/)[0]!);
    fields.field(s, offset, match.length, value);
    if (!value || (value.str === undefined && value.num === undefined)) {
      complete = false;
      return value?.partial ?? "*";
    }
    return value.str ?? String(value.num);
  });
  const result = derived(inputs);
  if (complete) result.str = out;
  else result.partial = out;
  fields.finish(allArgs(args), result);
  return result;
}

/**
 * Where a template's fields sit against the URL credential slots (common/url-slots.ts): the
 * template's text before a field, then the field's value. The literal text between fields is
 * that of the template (escaped braces differ by one character, never inside a URL prefix).
 */
class FieldSlots {
  private readonly tracker?: SlotTracker;
  private end = 0;

  constructor(template: Value, slots: readonly RegExp[] | undefined) {
    if (slots?.length) {
      this.tracker = new SlotTracker(slots);
      this.tracker.add("", allTaints(template).map(taintKey), undefined);
    }
  }

  private readonly used = new Set<Value>();

  field(s: string, offset: number, length: number, value: Value | undefined): void {
    if (!this.tracker) return;
    if (value) this.used.add(value);
    this.tracker.add(s.slice(this.end, offset), [], undefined);
    this.tracker.add(value ? textForConcat(value) : "*", value ? allTaints(value).map(taintKey) : [], undefined);
    this.end = offset + length;
  }

  finish(args: Value[], result: Value): void {
    if (!this.tracker) return;
    // Arguments no field used still reach the result's taint: they are data, never in a slot.
    for (const value of args) if (!this.used.has(value)) this.tracker.add("", allTaints(value).map(taintKey), undefined);
    const slotted = this.tracker.slotted();
    if (slotted) result.slotKeys = slotted;
  }
}

/** "%s:%d" % (a, b) and "%(name)s" % {...}. */
export function percentFormat(template: Value, operand: Value, slots?: readonly RegExp[]): Value {
  const s = template.str;
  const inputs = [template, operand];
  if (s === undefined) return derived(inputs);
  const positional = operand.items ?? [operand];
  let index = 0;
  let complete = true;
  const fields = new FieldSlots(template, slots);
  const out = s.replace(/%(\(([^)]*)\))?[-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?[sdrifxXoceEgGa%]/g, (match, _named, name: string | undefined, offset: number) => {
    if (match === "%%") return "%";
    const value = name !== undefined ? operand.dict?.get(name) : positional[index++];
    fields.field(s, offset, match.length, value);
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
  fields.finish(operand.items ?? (operand.dict ? [...operand.dict.values()] : [operand]), result);
  return result;
}
