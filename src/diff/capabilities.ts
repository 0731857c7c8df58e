// What a package version is able to do, as a set of capabilities keyed by what they are
// (kind, credential, channel, host, trigger), never by line number or file: two versions
// are compared by these keys, so moving code between files or lines adds nothing.
import type { PackageFacts, Trigger } from "../analyzers/facts.js";
import type { Location, Severity } from "../core/types.js";
import type { LoadedPackage } from "../ingest/index.js";
import { knownHost } from "../rules/destination.js";
import { CHANNEL_ATTACK, CHANNEL_LABELS, SOURCE_ATTACK, SOURCE_LABELS } from "../rules/labels.js";
import { installHooks } from "./install-hooks.js";
import { binaryKind, isMinified } from "./file-kinds.js";

export type CapabilityKind =
  | "install-script"
  | "credential-source"
  | "credential-flow"
  | "network-sink"
  | "executed-code"
  | "unparsed-code"
  | "binary-file"
  | "minified-file";

export interface Capability {
  kind: CapabilityKind;
  /** Identity across versions: equal keys are the same capability. */
  key: string;
  /**
   * For sends whose host could not be folded: the key with any host. Such a send in the
   * new version is covered by a send of the same kind to any host in the old one, so an
   * analysis that loses the host after a refactor does not invent a new destination.
   */
  anyHostKey?: string;
  /** What it is, in words ("reads SSH private key (~/.ssh/id_rsa) when imported"). */
  label: string;
  /** First occurrence in this version (by file, then line). */
  location: Location;
  severity: Severity;
  attack: string[];
  trigger?: Trigger;
  source?: string;
  sink?: string;
  destination?: string;
}

const WHEN: Record<Trigger, string> = { install: "at install time", import: "when imported", call: "when called", manual: "when run by hand" };

/** All capabilities of one version, one per key (first occurrence kept). */
export function extractCapabilities(pkg: LoadedPackage, facts: PackageFacts | undefined): Capability[] {
  const found: Capability[] = [];
  for (const hook of installHooks(pkg)) {
    found.push({
      kind: "install-script",
      key: `install-script|${hook.key}`,
      label: `install hook ${hook.label}`,
      location: hook.location,
      severity: "medium",
      attack: ["T1195.002"],
      trigger: "install",
    });
  }
  if (facts) {
    for (const source of facts.sources) {
      found.push({
        kind: "credential-source",
        key: `credential-source|${source.kind}|${source.detail ?? ""}|${source.trigger}`,
        label: `reads ${SOURCE_LABELS[source.kind]}${source.detail ? ` (${source.detail})` : ""} ${WHEN[source.trigger]}`,
        location: source.location,
        severity: "high",
        attack: [SOURCE_ATTACK[source.kind]],
        trigger: source.trigger,
        source: source.kind,
      });
    }
    for (const flow of facts.flows) {
      const host = knownHost(flow.sink.destination) ?? "";
      found.push({
        kind: "credential-flow",
        key: `credential-flow|${flow.source.kind}|${flow.sink.channel}|${host}|${flow.sink.trigger}|${flow.use ?? "payload"}`,
        anyHostKey: `credential-flow|${flow.source.kind}|${flow.sink.channel}|*|${flow.sink.trigger}|${flow.use ?? "payload"}`,
        label: `sends ${SOURCE_LABELS[flow.source.kind]} by ${CHANNEL_LABELS[flow.sink.channel]}${host ? ` to ${host}` : ""}${flow.use === "auth" ? " as its login" : ""} ${WHEN[flow.sink.trigger]}`,
        location: flow.sink.location,
        severity: "high",
        attack: [SOURCE_ATTACK[flow.source.kind], CHANNEL_ATTACK[flow.sink.channel]],
        trigger: flow.sink.trigger,
        source: flow.source.kind,
        sink: flow.sink.channel,
        ...(host ? { destination: host } : {}),
      });
    }
    for (const sink of facts.sinks) {
      const host = knownHost(sink.destination) ?? "";
      found.push({
        kind: "network-sink",
        key: `network-sink|${sink.channel}|${host}|${sink.trigger}`,
        anyHostKey: `network-sink|${sink.channel}|*|${sink.trigger}`,
        label: `sends data by ${CHANNEL_LABELS[sink.channel]}${host ? ` to ${host}` : " to a destination not known before run time"} ${WHEN[sink.trigger]}`,
        location: sink.location,
        severity: sink.trigger === "install" ? "high" : "medium",
        attack: [CHANNEL_ATTACK[sink.channel]],
        trigger: sink.trigger,
        sink: sink.channel,
        ...(host ? { destination: host } : {}),
      });
    }
    for (const o of facts.obfuscations) {
      if (!o.executed && o.technique !== "eval-dynamic") continue;
      found.push({
        kind: "executed-code",
        key: `executed-code|${o.technique}|${o.trigger}`,
        label: `${o.technique === "eval-dynamic" ? "runs code it builds at run time (not decodable)" : "runs decoded code"} ${WHEN[o.trigger]}`,
        location: o.location,
        severity: "medium",
        attack: ["T1027"],
        trigger: o.trigger,
      });
    }
    for (const problem of facts.parseProblems) {
      found.push({
        kind: "unparsed-code",
        key: `unparsed-code|${problem.file}`,
        label: `code that could not be analysed (${problem.file}: ${problem.message})`,
        location: { file: problem.file, line: 1, column: 1 },
        severity: "medium",
        attack: ["T1027"],
      });
    }
  }
  for (const [path, data] of pkg.files) {
    const binary = binaryKind(path, data);
    if (binary) {
      found.push({ kind: "binary-file", key: `binary-file|${path}`, label: `${binary} ${path}`, location: { file: path, line: 1, column: 1 }, severity: "medium", attack: ["T1027.009"] });
    } else if (isMinified(path, data)) {
      found.push({ kind: "minified-file", key: `minified-file|${path}`, label: `minified code ${path}`, location: { file: path, line: 1, column: 1 }, severity: "medium", attack: ["T1027"] });
    }
  }
  return firstByKey(found);
}

function firstByKey(capabilities: Capability[]): Capability[] {
  const sorted = [...capabilities].sort(
    (a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.location.column - b.location.column,
  );
  const byKey = new Map<string, Capability>();
  for (const capability of sorted) if (!byKey.has(capability.key)) byKey.set(capability.key, capability);
  return [...byKey.values()];
}

/**
 * Capabilities of `next` that `previous` lacks. A plain send at the same place as an
 * added credential flow is left out: the flow already says it, with more.
 */
export function addedCapabilities(previous: Capability[], next: Capability[]): Capability[] {
  const had = new Set(previous.map((c) => c.key));
  const hadAnyHost = new Set(previous.flatMap((c) => (c.anyHostKey ? [c.anyHostKey] : [])));
  const added = next.filter((c) => !had.has(c.key) && !(c.destination === undefined && c.anyHostKey && hadAnyHost.has(c.anyHostKey)));
  const at = (c: Capability) => `${c.location.file}:${c.location.line}:${c.location.column}`;
  const flowSinks = new Set(added.filter((c) => c.kind === "credential-flow").map(at));
  return added.filter((c) => c.kind !== "network-sink" || !flowSinks.has(at(c)));
}
