// Data reaching a sink becomes flow facts: one per credential source in it. Shared by
// the sinks model and the shell-command model (moved out of sinks.ts so neither imports the other).
import { hostOf } from "../../rules/signatures.js";
import { metadataEndpoint } from "../common/cloud-metadata.js";
import type { Call } from "./calls.js";
import type { Interpreter } from "./interpreter.js";
import { deepTaint, type SinkHandle, type Value } from "./values.js";

/** Data reaching a sink: one flow per credential source in it; `auth` values only authenticate the request. */
export function emitFlows(I: Interpreter, handle: SinkHandle, data: Value[], call: Call, auth: Value[] = []): void {
  const sink = handle.sink;
  const destinationKeys = new Set((handle.destination ? deepTaint(handle.destination) : undefined)?.map((t) => t.key));
  const host = sink.destination ? hostOf(sink.destination) : undefined;
  // Only a wholly unknown host counts as "computed from the credential" (a registry URL read from .npmrc);
  // `${data}.q.example.invalid` still names a known receiver.
  const hostUnknown = host === undefined || /^\*(:[\d*]+)?$/.test(host);
  const step = I.step(call.node, call.frame, `sent by ${sink.note}${sink.destination ? ` to ${sink.destination}` : ""}`);
  const payloadKeys = new Set<string>();
  for (const value of data) {
    const taint = value.special === "env" ? I.realizeTaint(value, call.node, call.frame, "sends process.env") : I.realizeTaint(value, call.node, call.frame, "sends the environment");
    for (const t of taint ?? []) {
      payloadKeys.add(t.key);
      // Asking the metadata service again (the role name read from it) sends nothing out.
      if (t.source.kind === "cloud-credentials" && sink.destination && metadataEndpoint(I.signatures.cloudMetadata, sink.destination)) continue;
      I.collector.addFlow(t, sink, call.frame.trigger, step, destinationKeys.has(t.key) && hostUnknown);
    }
  }
  for (const value of auth) {
    for (const t of I.realizeTaint(value, call.node, call.frame, "sends the environment") ?? []) {
      if (payloadKeys.has(t.key)) continue;
      I.collector.addFlow(t, sink, call.frame.trigger, step, destinationKeys.has(t.key) && hostUnknown, "auth");
    }
  }
}
