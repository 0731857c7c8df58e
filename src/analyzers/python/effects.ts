// Where data meets a sink: sink facts, flows (with own-service hints), and the
// call-site half of function summaries (parameter taints replaced by arguments).
import type { FlowStep, SinkChannel } from "../facts.js";
import { hostOf, matchExfilService, matchKnownBad } from "../../rules/signatures.js";
import type { PyNode } from "./ast.js";
import type { SinkRecord } from "./collector.js";
import { location, stepAt, type Frame, type Summary } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { addTaint, allTaints, foldedText, hasTaintKey, isFetchedSource, mergeTaints, taintKey, type Cell, type FunctionInfo, type Taint, type Value } from "./model.js";
import { appendSteps, stepArray } from "./steps.js";

/** Keys that identify where a destination came from (taint ids and its literal host). */
export function destinationKeys(value: Value | undefined): string[] {
  if (!value) return [];
  const keys = allTaints(value).map((t) => (t.locator && t.source ? `s:${t.source.id}` : taintKey(t)));
  const text = foldedText(value);
  const host = text ? hostOf(text) : undefined;
  if (host && !host.includes("*")) keys.push(`host:${host}`);
  return keys;
}

/** The literal host of a destination; `*.x.evil.com` (data in the labels) still names evil.com. */
function literalHost(destination: string | undefined): string | undefined {
  const host = destination ? hostOf(destination) : undefined;
  if (!host || !host.includes("*")) return host;
  const suffix = host.slice(host.lastIndexOf("*") + 1).replace(/^[.-]+/, "");
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(suffix) && /\.[a-z]{2,}$/i.test(suffix) ? suffix : undefined;
}

/** The credential's own data (or lookup key) decided the destination: authentication, not theft. */
function destinationFromSource(taint: Taint, destination: string | undefined, destKeys: string[]): boolean {
  const host = literalHost(destination);
  // `site:` keys (a cookie jar read for one domain) also cover the hosts under that domain.
  if (host) return taint.keys?.some((k) => k === `host:${host}` || (k.startsWith("site:") && (host === k.slice(5) || host.endsWith(`.${k.slice(5)}`)))) ?? false;
  return destKeys.includes(taintKey(taint)) || (taint.keys?.some((k) => destKeys.includes(k)) ?? false);
}

export interface SinkUse {
  channel: SinkChannel;
  note: string;
  /** Destination value (URL, host, (host, port)); its taint is data too (query strings). */
  dest?: Value;
  /** Destination text when known another way (shell command parsing, client object). */
  destination?: string;
  data: Value[];
  extraTaints?: Taint[];
  /** Connect-only sink: reported only if nothing is later sent through this object. */
  until?: Cell;
  /** Values in the request's credential slot (auth=, an Authorization header, a login() password). */
  auth?: Value[];
  authTaints?: Taint[];
}

/** Report a sink at `node` and a flow for every credential its data carries. */
export function reportSink(ip: Interpreter, frame: Frame, node: PyNode, use: SinkUse): void {
  const destination = normalizeDestination(use.destination ?? (use.dest ? foldedText(use.dest) : undefined));
  const sink: SinkRecord = { channel: use.channel, location: location(frame, node), note: use.note };
  if (destination) sink.destination = destination;
  if (use.until) ip.emit(frame, { type: "sink", sink, until: use.until });
  else ip.emit(frame, { type: "sink", sink });
  let taints: Taint[] = use.extraTaints ?? [];
  for (const value of use.data) taints = mergeTaints(taints, allTaints(value));
  // The URL's credential in its issuer's path slot (common/url-slots.ts) authenticates; the rest of the URL is data.
  const slotted = new Set(use.dest?.slotKeys);
  const destTaints = use.dest ? allTaints(use.dest) : [];
  taints = mergeTaints(taints, destTaints.filter((t) => !slotted.has(taintKey(t))));
  // A credential only in the credential slot is used to authenticate; anywhere else it is data.
  const payload = new Set(taints.map(taintKey));
  let authOnly: Taint[] = mergeTaints(use.authTaints ?? [], destTaints.filter((t) => slotted.has(taintKey(t))));
  for (const value of use.auth ?? []) authOnly = mergeTaints(authOnly, allTaints(value));
  authOnly = authOnly.filter((t) => !payload.has(taintKey(t)));
  const authKeys = new Set(authOnly.map(taintKey));
  taints = mergeTaints(taints, authOnly);
  const destKeys = destinationKeys(use.dest);
  const sinkStep: FlowStep = { ...sink.location, note: use.note };
  for (const taint of taints) {
    if (taint.source) {
      emitFlow(ip, frame, taint, sink, destination, destKeys, sinkStep, authKeys.has(taintKey(taint)));
    } else if (taint.param && frame.symbolicFn && taint.param.fn === frame.symbolicFn.id) {
      const destParam =
        destination === undefined || destination.includes("*")
          ? use.dest && allTaints(use.dest).find((t) => t.param?.fn === frame.symbolicFn!.id)?.param?.index
          : undefined;
      frame.out.pending.push({
        sink,
        taint: { ...taint, steps: appendSteps(taint.steps, sinkStep) },
        destKeys,
        ...(destParam !== undefined ? { destParam } : {}),
        ...(use.until ? { until: use.until } : {}),
        ...(authKeys.has(taintKey(taint)) ? { auth: true } : {}),
      });
    }
  }
}

function emitFlow(ip: Interpreter, frame: Frame, taint: Taint, sink: SinkRecord, destination: string | undefined, destKeys: string[], sinkStep: FlowStep | undefined, auth = false): void {
  // Fetched data (downloads.ts) is not a credential: no flow record (records of a summary are capped).
  if (taint.locator || isFetchedSource(taint.source)) return;
  const flowSink: SinkRecord = { ...sink };
  if (destination) flowSink.destination = destination;
  if (destinationFromSource(taint, destination, destKeys)) flowSink.destinationFromSource = true;
  const steps = sinkStep ? appendSteps(taint.steps, sinkStep) : taint.steps;
  let source = taint.source!;
  // A secret-named parameter that authenticates a request to a fixed host is a real credential
  // (the ssh-decorate shape with a token): wherever else its value goes is a flow.
  if (auth && source.candidate !== undefined && destination !== undefined && !destination.includes("*")) {
    const host = hostOf(destination);
    if (host !== undefined) ip.collector.confirmCandidate(source.candidate, host);
  }
  // A secret-named parameter sent to a chat bot, request bin or known-bad host needs no other proof.
  if (source.candidate !== undefined && destination !== undefined && (matchExfilService(ip.signatures, destination) || matchKnownBad(ip.signatures, destination))) {
    const { candidate: _candidate, ...confirmed } = source;
    source = { ...confirmed, note: `secret parameter "${source.detail ?? ""}" is sent to a data-collection service` };
  }
  ip.emit(frame, { type: "flow", source, sink: flowSink, steps: stepArray(steps), ...(auth ? { use: "auth" as const } : {}) });
}

function normalizeDestination(text: string | undefined): string | undefined {
  if (!text || text === "*" || !/[a-z0-9]/i.test(text)) return undefined;
  return text.length > 512 ? text.slice(0, 512) : text;
}

/** Replace parameter taints of `fn` by the taints of the call's arguments. */
export function substitute(fn: FunctionInfo, params: Value[], taints: Taint[]): Taint[] {
  // Taint arrays are never changed in place (mergeTaints copies): an empty one can be shared.
  if (taints.length === 0) return taints;
  // Built in place, one taint at a time: the same as merging each into the result (mergeTaints),
  // without a copy of the result per taint; a replaced taint is made only when its key is new.
  const result: Taint[] = [];
  for (const taint of taints) {
    if (taint.param?.fn === fn.id) {
      const arg = params[taint.param.index];
      if (!arg) continue;
      for (const a of allTaints(arg)) if (!hasTaintKey(result, a)) addTaint(result, { ...a, steps: appendSteps(a.steps, taint.steps) });
    } else if (taint.keys?.some((k) => k.startsWith(`p:${fn.id}:`))) {
      const keys = taint.keys.flatMap((k) => {
        const match = /^p:(\d+):(\d+)$/.exec(k);
        return match && Number(match[1]) === fn.id ? destinationKeys(params[Number(match[2])]) : [k];
      });
      addTaint(result, { ...taint, keys });
    } else addTaint(result, taint);
  }
  return result;
}

/** Apply a callee's summary at a call site: lift its facts, resolve its parameter sinks, return its value. */
export function applySummary(ip: Interpreter, frame: Frame, fn: FunctionInfo, summary: Summary, params: Value[], callNode: PyNode): Value {
  ip.liftRecords(frame, summary.out);
  let callStep: FlowStep | undefined;
  for (const pending of summary.out.pending) {
    if (pending.taint.param?.fn !== fn.id) continue;
    const arg = params[pending.taint.param.index];
    if (!arg) continue;
    const destArg = pending.destParam !== undefined ? params[pending.destParam] : undefined;
    const destination = pending.sink.destination ?? normalizeDestination(destArg ? foldedText(destArg) : undefined);
    const destKeys = destArg ? destinationKeys(destArg) : pending.destKeys;
    const sink: SinkRecord = { ...pending.sink };
    if (destination) sink.destination = destination;
    for (const taint of allTaints(arg)) {
      callStep ??= stepAt(frame, callNode, `passed to ${fn.name}()`);
      const steps = appendSteps(appendSteps(taint.steps, callStep), pending.taint.steps);
      if (taint.source) {
        emitFlow(ip, frame, { ...taint, steps }, sink, destination, destKeys, undefined, pending.auth);
      } else if (taint.param && frame.symbolicFn && taint.param.fn === frame.symbolicFn.id) {
        // As in reportSink: a destination with unknown parts may still come from a caller's argument.
        const destParam =
          destination === undefined || destination.includes("*") ? destArg && allTaints(destArg).find((t) => t.param?.fn === frame.symbolicFn!.id)?.param?.index : undefined;
        frame.out.pending.push({ sink, taint: { ...taint, steps }, destKeys, ...(destParam !== undefined ? { destParam } : {}), ...(pending.auth ? { auth: true } : {}) });
      }
    }
  }
  // Stores pile up along call chains (thousands in a big class's summary): split in one loop, arrays only when needed.
  const callerId = frame.symbolicFn?.id;
  for (const store of summary.out.fieldStores) {
    const taints = substitute(fn, params, store.taints);
    let sources: Taint[] | undefined;
    let callerParams: Taint[] | undefined;
    for (const taint of taints) {
      if (taint.source) (sources ??= []).push(taint);
      if (taint.param && taint.param.fn === callerId) (callerParams ??= []).push(taint);
    }
    if (sources !== undefined) {
      ip.storeField(store.cls, store.field, { taints: sources });
    }
    if (callerParams !== undefined) frame.out.fieldStores.push({ cls: store.cls, field: store.field, taints: callerParams });
  }
  const ret = summary.ret;
  const result: Value = { ...ret, taints: substitute(fn, params, ret.taints) };
  if (ret.items) result.items = ret.items.map((item) => ({ ...item, taints: substitute(fn, params, item.taints) }));
  if (ret.dict) result.dict = new Map([...ret.dict].map(([k, v]) => [k, { ...v, taints: substitute(fn, params, v.taints) }]));
  return result;
}
