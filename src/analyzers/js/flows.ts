// Data reaching a sink becomes flow facts: one per credential source in it. Shared by
// the sinks model and the shell-command model (moved out of sinks.ts so neither imports the other).
import { knownHost } from "../../rules/destination.js";
import { classifyCredentialPath, hostOf } from "../../rules/signatures.js";
import { metadataEndpoint } from "../common/cloud-metadata.js";
import type { Call } from "./calls.js";
import type { Interpreter } from "./interpreter.js";
import { PACKAGE_DIR, sourceTaint } from "./sources.js";
import { confirmCandidates } from "./secret-params.js";
import { deepTaint, mergeTaints, patternOf, unknownWith, type SinkHandle, type Taint, type Value } from "./values.js";

/**
 * Data reaching a sink: one flow per credential source in it; `auth` values only authenticate
 * the request. Credential paths in the data are files the client uploads (`namedFilesUploaded`),
 * except on command lines, whose words the shell model reads itself.
 */
export function emitFlows(I: Interpreter, handle: SinkHandle, data: Value[], call: Call, auth: Value[] = [], namedFilesUploaded = true): void {
  const sink = handle.sink;
  const destinationKeys = new Set((handle.destination ? deepTaint(handle.destination) : undefined)?.map((t) => t.key));
  const host = sink.destination ? hostOf(sink.destination) : undefined;
  // Only a wholly unknown host counts as "computed from the credential" (a registry URL read from .npmrc);
  // `${data}.q.example.invalid` still names a known receiver. A destination that starts unknown and
  // names no host after it (`${registry}pkg`: the registry URL's own slash is inside the unknown part)
  // has a wholly unknown host too.
  const hostUnknown = host === undefined || /^\*(:[\d*]+)?$/.test(host) || (sink.destination!.startsWith("*") && knownHost(sink.destination) === undefined);
  const step = I.step(call.node, call.frame, `sent by ${sink.note}${sink.destination ? ` to ${sink.destination}` : ""}`);
  const payloadKeys = new Set<string>();
  const files = namedFilesUploaded ? namedFiles(I, data, call) : undefined;
  const payload: Taint[] = [];
  const authTaints: Taint[] = [];
  // The request's URL with a credential in its issuer's path slot (common/url-slots.ts): there it authenticates.
  const inSlot: Taint[] = [];
  for (const value of files ? [...data, unknownWith(files)] : data) {
    const taint = value.special === "env" ? I.realizeTaint(value, call.node, call.frame, "sends process.env") : I.realizeTaint(value, call.node, call.frame, "sends the environment");
    const slotted = value.slotKeys && sink.destination !== undefined && patternOf(value) === sink.destination && hostFromUrlAlone(call, value) ? new Set(value.slotKeys) : undefined;
    for (const t of taint ?? []) {
      if (slotted?.has(t.key)) {
        inSlot.push(t);
        continue;
      }
      payload.push(t);
      payloadKeys.add(t.key);
      // Asking the metadata service again (the role name read from it) sends nothing out.
      if (t.source.kind === "cloud-credentials" && sink.destination && metadataEndpoint(I.signatures.cloudMetadata, sink.destination)) continue;
      I.collector.addFlow(t, sink, call.frame.trigger, step, destinationKeys.has(t.key) && hostUnknown);
    }
  }
  for (const value of [...auth, unknownWith(inSlot)]) {
    for (const t of I.realizeTaint(value, call.node, call.frame, "sends the environment") ?? []) {
      if (payloadKeys.has(t.key)) continue;
      authTaints.push(t);
      I.collector.addFlow(t, sink, call.frame.trigger, step, destinationKeys.has(t.key) && hostUnknown, "auth");
    }
  }
  confirmCandidates(I, sink.destination, authTaints, payload);
}

/** Options that send a request somewhere other than its URL's host, or through a proxy that reads the URL. */
const ROUTING_OPTIONS = ["host", "hostname", "port", "socketPath", "lookup", "agent", "httpAgent", "httpsAgent", "proxy", "dispatcher", "createConnection", "baseURL"];

/**
 * Whether the request goes to the host its URL names, over TLS to it: every other argument is a
 * known constant, a function (a callback) or an object literal with no routing option. An opaque
 * options value may carry a proxy or another host, so a URL slot is trusted only without one.
 */
function hostFromUrlAlone(call: Call, url: Value): boolean {
  return call.args.every((a) => a === url || a.known || a.fn !== undefined || (a.object !== undefined && !a.object.elements && !a.object.taint && !ROUTING_OPTIONS.some((k) => a.object!.props.has(k))));
}

/**
 * A credential file named in what a call sends (`files: [path]`, `attachments: [{ path }]`,
 * `bot.sendDocument(chat, path)`): the client library reads the file and uploads it.
 */
function namedFiles(I: Interpreter, data: Value[], call: Call): Taint[] | undefined {
  let out: Taint[] | undefined;
  const seen = new Set<Value>();
  const visit = (value: Value, depth: number): void => {
    if (depth > 3 || seen.has(value) || seen.size > 200) return;
    seen.add(value);
    if (typeof value.constant === "string" || value.pattern !== undefined) {
      const text = patternOf(value);
      // A path, not text that mentions one (a JSON body, "no key at ~/.ssh/id_rsa"): no blank before its first separator.
      // A URL names where data goes, not a file.
      if (text.length > 1024 || text.startsWith(PACKAGE_DIR) || !/^[^\s/\\]*[/\\]/.test(text) || /[\r\n"'{}<>|]/.test(text) || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return;
      const credential = classifyCredentialPath(I.signatures, text);
      if (credential) out = mergeTaints(out, sourceTaint(I, credential.kind, `${credential.note} (named in what is sent: the library uploads the file)`, text.replace(/\\/g, "/"), call.node, call.frame));
      return;
    }
    if (!value.object) return;
    for (const element of value.object.elements ?? []) visit(element, depth + 1);
    for (const [name, prop] of value.object.props) if (name !== "headers") visit(prop, depth + 1);
  };
  for (const value of data) visit(value, 0);
  return out;
}
