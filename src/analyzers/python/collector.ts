// Collects facts found during analysis. Facts are recorded without a trigger and
// emitted with the trigger of the frame that reaches them; the same fact reached
// from several triggers keeps the strongest (install > import > call).
import type {
  DownloadExecutionFact,
  FlowFact,
  FlowStep,
  IndicatorFact,
  ObfuscationFact,
  PackageFacts,
  SinkFact,
  SourceFact,
  Trigger,
} from "../facts.js";
import type { Location } from "../../core/types.js";
import { hostOf, siteOf } from "../../rules/signatures.js";
import { isFetchedSource, type Cell, type SourceRecord } from "./model.js";

export type SinkRecord = Omit<SinkFact, "trigger">;
export type ObfuscationRecord = Omit<ObfuscationFact, "trigger">;

export type FactRecord =
  | { type: "source"; source: SourceRecord }
  /** `until`: a connect-only sink, dropped when data is later sent through the same object. */
  | { type: "sink"; sink: SinkRecord; until?: Cell }
  | { type: "flow"; source: SourceRecord; sink: SinkRecord; steps: FlowStep[]; use?: "auth" }
  | { type: "obfuscation"; obfuscation: ObfuscationRecord }
  /** Fetched data written to a file that is then run (downloads.ts). */
  | ({ type: "download" } & Omit<DownloadExecutionFact, "trigger">);

const TRIGGER_RANK: Record<Trigger, number> = { manual: -1, call: 0, import: 1, install: 2 };

export function strongerTrigger(a: Trigger, b: Trigger): Trigger {
  return TRIGGER_RANK[a] >= TRIGGER_RANK[b] ? a : b;
}

const locKey = (l: Location): string => `${l.file}:${l.line}:${l.column}`;

const keyCache = new WeakMap<FactRecord, string>();

/** Identity of a fact (records are lifted into many frames: the key is computed once). */
export function recordKey(record: FactRecord): string {
  let key = keyCache.get(record);
  if (key === undefined) {
    key = computeKey(record);
    keyCache.set(record, key);
  }
  return key;
}

function computeKey(record: FactRecord): string {
  switch (record.type) {
    case "source":
      return `src|${record.source.id}`;
    case "sink":
      return `snk|${sinkKey(record.sink)}`;
    case "flow":
      return `flw|${record.source.id}|${sinkKey(record.sink)}${record.use === "auth" ? "|auth" : ""}`;
    case "obfuscation":
      return `obf|${record.obfuscation.technique}|${locKey(record.obfuscation.location)}`;
    case "download":
      return `dl|${locKey(record.fetch.location)}|${record.fetch.destination ?? ""}|${locKey(record.location)}`;
  }
}

function sinkKey(sink: SinkRecord): string {
  return `${sink.channel}|${locKey(sink.location)}|${sink.destination ?? ""}|${sink.destinationFromSource ? 1 : 0}`;
}

interface Emitted {
  record: FactRecord;
  trigger: Trigger;
}

export class FactCollector {
  private readonly emitted = new Map<string, Emitted>();
  private readonly indicators = new Map<string, IndicatorFact>();
  private readonly confirmed = new Set<string>();
  /** Candidates confirmed by a credential-slot use → the sites they authenticate to (their issuers, as far as the package shows). */
  private readonly authHosts = new Map<string, Set<string>>();

  /** Whether any credential read was seen (a second pass can only add flows if so). */
  get hasSources(): boolean {
    for (const { record } of this.emitted.values()) if (record.type === "source") return true;
    return false;
  }

  emit(record: FactRecord, trigger: Trigger): void {
    const key = recordKey(record);
    const previous = this.emitted.get(key);
    if (!previous) this.emitted.set(key, { record, trigger });
    else previous.trigger = strongerTrigger(previous.trigger, trigger);
  }

  indicator(value: string, location: Location): void {
    const key = `${value}|${locKey(location)}`;
    if (!this.indicators.has(key) && this.indicators.size < 5000) this.indicators.set(key, { value, location });
  }

  /** A secret-named parameter was handed to an SSH client: its flows become real. */
  confirmCandidate(id: string, authHost?: string): void {
    this.confirmed.add(id);
    if (authHost === undefined) return;
    let hosts = this.authHosts.get(id);
    if (!hosts) this.authHosts.set(id, (hosts = new Set()));
    hosts.add(siteOf(authHost));
  }

  /**
   * A candidate copied to a site it authenticates to (another host of it too: the issuer is only
   * inferred for a parameter) is still used with its issuer, not sent away; sent to a host
   * chosen at run time it may be going to its own (configured) issuer.
   */
  private sentToOwnHost(source: SourceRecord, destination: string | undefined): boolean {
    if (source.candidate === undefined) return false;
    const host = destination === undefined ? undefined : hostOf(destination);
    if (host === undefined || host.includes("*")) return true;
    return this.authHosts.get(source.candidate)?.has(siteOf(host)) ?? false;
  }

  isConfirmed(source: SourceRecord): boolean {
    return source.candidate === undefined || this.confirmed.has(source.candidate);
  }

  finish(into: PackageFacts): void {
    for (const { record, trigger } of this.emitted.values()) {
      switch (record.type) {
        case "source":
          if (this.isConfirmed(record.source)) into.sources.push(toSourceFact(record.source, trigger));
          break;
        case "sink":
          if (!record.until?.sink?.sent) into.sinks.push({ ...record.sink, trigger });
          break;
        case "flow":
          if (isFetchedSource(record.source)) break; // fetched data, not a credential
          if (this.isConfirmed(record.source) && !this.sentToOwnHost(record.source, record.sink.destination)) into.flows.push(toFlowFact(record, trigger));
          break;
        case "download": {
          const { type: _type, ...fact } = record;
          (into.downloadExecutions ??= []).push({ ...fact, trigger });
          break;
        }
        case "obfuscation":
          into.obfuscations.push({ ...record.obfuscation, trigger });
          break;
      }
    }
    into.indicators.push(...this.indicators.values());
  }
}

function toSourceFact(source: SourceRecord, trigger: Trigger): SourceFact {
  const fact: SourceFact = { kind: source.kind, location: source.location, note: source.note, trigger };
  if (source.detail !== undefined) fact.detail = source.detail;
  return fact;
}

function toFlowFact(record: Extract<FactRecord, { type: "flow" }>, trigger: Trigger): FlowFact {
  const flow: FlowFact = { source: toSourceFact(record.source, trigger), sink: { ...record.sink, trigger }, steps: record.steps };
  flow.use = record.use ?? "payload";
  return flow;
}
