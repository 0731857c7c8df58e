// A pattern of a well-known token format run over data the package read at run time
// (`text.match(/ghp_[A-Za-z0-9]{36}/g)`, `text.matchAll(re)`, `re.exec(text)`): what it takes
// out is that credential, whichever file the data came from (a sweep of the home folder).
// The formats are signatures/sources.yaml `tokenSamples`: the package's pattern is tried on
// each made-up token. A pattern anchored at the start (`^…$`) checks a value, it takes
// nothing out; `test()` answers yes or no and is not modelled here.
import type { Call } from "./calls.js";
import type { Interpreter } from "./interpreter.js";
import { sourceTaint } from "./sources.js";
import { hazardOf } from "../../core/regex-safety.js";
import { isString, mergeTaints, regexesOf, type Value } from "./values.js";
import type { SourceKind } from "../facts.js";

const kinds = new WeakMap<RegExp, { kind: SourceKind; note: string } | null>();

/** The token format `regex` takes out of text, when it finds one of the samples at its start. */
function tokenFormat(I: Interpreter, regex: RegExp): { kind: SourceKind; note: string } | undefined {
  const known = kinds.get(regex);
  if (known !== undefined) return known ?? undefined;
  let found: { kind: SourceKind; note: string } | null = null;
  if (!regex.source.startsWith("^") && hazardOf(regex)?.kind !== "exponential") {
    const startsAt = (text: string): boolean => new RegExp(regex.source, regex.flags.replace(/[gy]/g, "")).exec(text)?.index === 0;
    const sample = I.signatures.tokenSamples.find((s) => startsAt(s.sample) && !(s.unlike !== undefined && startsAt(s.unlike)));
    if (sample) found = { kind: sample.kind, note: sample.note };
  }
  kinds.set(regex, found);
  return found ?? undefined;
}

/** `data.match(re)` / `data.matchAll(re)` / `re.exec(data)` over run-time data: the tokens it takes out, as a source. */
export function tokenExtraction(I: Interpreter, receiver: Value, key: string, call: Call): Value | undefined {
  const [patterns, data] = key === "match" || key === "matchAll" ? [call.args[0], receiver] : key === "exec" ? [receiver, call.args[0]] : [];
  if (!patterns || !data || isString(data) || data.known) return undefined;
  let taint = data.taint;
  let found = false;
  for (const pattern of regexesOf(patterns, [])) {
    const format = tokenFormat(I, pattern);
    if (!format) continue;
    found = true;
    taint = mergeTaints(taint, sourceTaint(I, format.kind, format.note, `/${pattern.source}/`, call.node, call.frame));
  }
  return found ? { taint, object: { props: new Map(), elements: [], taint, open: true } } : undefined;
}
