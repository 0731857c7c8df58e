// Collects facts while the interpreter runs. The same code is often analysed more than
// once (inlined at a call from top level, then on its own as a function), so facts are
// deduplicated by location and keep the strongest trigger seen (install > import > call).
import { hostOf, siteOf } from "../../rules/signatures.js";
import type { Location } from "../../core/types.js";
import type {
  DownloadExecutionFact,
  FlowFact,
  FlowStep,
  IndicatorFact,
  ObfuscationFact,
  PackageFacts,
  ParseProblem,
  SinkFact,
  SourceFact,
  Trigger,
} from "../facts.js";
import { isFetched, type Taint } from "./values.js";

const TRIGGER_RANK: Record<Trigger, number> = { manual: -1, call: 0, import: 1, install: 2 };

export function strongerTrigger(a: Trigger, b: Trigger): Trigger {
  return TRIGGER_RANK[a] >= TRIGGER_RANK[b] ? a : b;
}

const locationKey = (l: Location): string => `${l.file}:${l.line}:${l.column}`;

interface FlowRecord {
  sourceKey: string;
  sinkKey: string;
  source: SourceFact;
  sink: SinkFact;
  steps: FlowStep[];
  trigger: Trigger;
  destinationFromSource: boolean;
  use: "auth" | "payload";
}

export class FactCollector {
  private readonly sources = new Map<string, SourceFact>();
  private readonly sinks = new Map<string, SinkFact>();
  private readonly flows = new Map<string, FlowRecord>();
  private readonly obfuscations = new Map<string, ObfuscationFact>();
  private readonly indicators = new Map<string, IndicatorFact>();
  /** Download-executions by fetch and run location; the fetches whose bytes were checked against a digest. */
  private readonly executions = new Map<string, { fetchKey: string; fact: DownloadExecutionFact }>();
  private readonly verifiedFetches = new Set<string>();
  readonly parseProblems: ParseProblem[] = [];
  filesAnalyzed = 0;
  /** Sources that stay out of the facts unless confirmed (secret-params.ts). */
  private readonly candidates = new Set<string>();
  /** Confirmed candidates → the sites they authenticate to (their issuers, as far as the package shows). */
  private readonly confirmed = new Map<string, Set<string>>();

  markCandidate(sourceKey: string): void {
    this.candidates.add(sourceKey);
  }

  /** `host`: where the candidate was used as a credential; undefined when confirmed by where it was sent. */
  confirmCandidate(sourceKey: string, host?: string): void {
    if (!this.candidates.has(sourceKey)) return;
    let hosts = this.confirmed.get(sourceKey);
    if (!hosts) this.confirmed.set(sourceKey, (hosts = new Set()));
    if (host) hosts.add(siteOf(host));
  }

  private kept(sourceKey: string): boolean {
    return !this.candidates.has(sourceKey) || this.confirmed.has(sourceKey);
  }

  /**
   * A confirmed candidate copied to a site it authenticates to (another host of it too: the
   * issuer is only inferred for a parameter) is still used with its issuer, not sent away; sent
   * to a host chosen at run time it may be going to its own (configured) issuer.
   */
  private keptFlow(record: FlowRecord): boolean {
    if (!this.candidates.has(record.sourceKey)) return true;
    const hosts = this.confirmed.get(record.sourceKey);
    if (!hosts) return false;
    const host = record.sink.destination ? hostOf(record.sink.destination) : undefined;
    return host !== undefined && !host.includes("*") && !hosts.has(siteOf(host));
  }

  static sourceKey(fact: Omit<SourceFact, "trigger">): string {
    return `${fact.kind}|${locationKey(fact.location)}|${fact.detail ?? ""}`;
  }

  static sinkKey(location: Location, channel: string): string {
    return `${channel}|${locationKey(location)}`;
  }

  /** Registers a source (or upgrades its trigger) and returns the canonical fact. */
  addSource(fact: SourceFact): SourceFact {
    const key = FactCollector.sourceKey(fact);
    const existing = this.sources.get(key);
    if (existing) {
      existing.trigger = strongerTrigger(existing.trigger, fact.trigger);
      return existing;
    }
    this.sources.set(key, fact);
    return fact;
  }

  /** Registers a sink at a location; one fact per location and destination. */
  addSink(fact: SinkFact): SinkFact {
    const key = `${FactCollector.sinkKey(fact.location, fact.channel)}|${fact.destination ?? ""}`;
    const existing = this.sinks.get(key);
    if (existing) {
      existing.trigger = strongerTrigger(existing.trigger, fact.trigger);
      return existing;
    }
    this.sinks.set(key, fact);
    return fact;
  }

  /** A sink whose destination became known later (socket.connect, xhr.open). */
  rekeySink(fact: SinkFact, oldDestination: string | undefined): void {
    const oldKey = `${FactCollector.sinkKey(fact.location, fact.channel)}|${oldDestination ?? ""}`;
    if (this.sinks.get(oldKey) === fact) this.sinks.delete(oldKey);
    const key = `${FactCollector.sinkKey(fact.location, fact.channel)}|${fact.destination ?? ""}`;
    if (!this.sinks.has(key)) this.sinks.set(key, fact);
  }

  addFlow(taint: Taint, sink: SinkFact, trigger: Trigger, sinkStep: FlowStep, destinationFromSource: boolean, use: "auth" | "payload" = "payload"): void {
    if (isFetched(taint)) return; // fetched data, not a credential (downloads.ts)
    // The source itself becomes a fact once its data reaches a sink (whole-env taint is latent until then).
    const source = this.addSource({ ...taint.source });
    const sinkKey = `${FactCollector.sinkKey(sink.location, sink.channel)}`;
    const key = `${taint.key}->${sinkKey}|${sink.destination ?? ""}|${use}`;
    const steps = [...taint.steps, sinkStep];
    const existing = this.flows.get(key);
    if (existing) {
      existing.trigger = strongerTrigger(existing.trigger, trigger);
      existing.destinationFromSource ||= destinationFromSource;
      if (steps.length < existing.steps.length) existing.steps = steps;
      return;
    }
    this.flows.set(key, { sourceKey: taint.key, sinkKey, source, sink, steps, trigger, destinationFromSource, use });
  }

  /** Fetched data (`fetchKey`) run at a location (downloads.ts); one fact per fetch and run. */
  addDownloadExecution(fetchKey: string, fact: DownloadExecutionFact): void {
    const key = `${fetchKey}->${locationKey(fact.location)}`;
    const existing = this.executions.get(key);
    if (existing) {
      existing.fact.trigger = strongerTrigger(existing.fact.trigger, fact.trigger);
      if (fact.steps.length < existing.fact.steps.length) existing.fact.steps = fact.steps;
      return;
    }
    this.executions.set(key, { fetchKey, fact });
  }

  verifyDownload(fetchKey: string): void {
    this.verifiedFetches.add(fetchKey);
  }

  addObfuscation(fact: ObfuscationFact): ObfuscationFact {
    const key = `${fact.technique}|${locationKey(fact.location)}`;
    const existing = this.obfuscations.get(key);
    if (existing) {
      existing.trigger = strongerTrigger(existing.trigger, fact.trigger);
      existing.executed ||= fact.executed;
      // Sealed only while every analysis of it found it sealed.
      if (existing.sealed && !fact.sealed) delete existing.sealed;
      return existing;
    }
    this.obfuscations.set(key, fact);
    return fact;
  }

  /** A problem reported once per file (or virtual location such as `a.js#eval@3`). */
  addParseProblem(problem: ParseProblem): void {
    if (this.parseProblems.some((p) => p.file === problem.file)) return;
    this.parseProblems.push(problem);
  }

  addIndicator(fact: IndicatorFact): void {
    const key = `${fact.value}|${fact.location.file}:${fact.location.line}`;
    if (!this.indicators.has(key)) this.indicators.set(key, fact);
  }

  hasSourceAt(location: Location): boolean {
    const key = locationKey(location);
    for (const fact of this.sources.values()) if (locationKey(fact.location) === key) return true;
    return false;
  }

  finish(): PackageFacts {
    const flows: FlowFact[] = [...this.flows.values()].filter((record) => this.keptFlow(record)).map((record) => ({
      source: { ...record.source, trigger: record.trigger },
      sink: {
        ...record.sink,
        trigger: record.trigger,
        ...(record.destinationFromSource ? { destinationFromSource: true } : {}),
      },
      steps: record.steps,
      use: record.use,
    }));
    const downloadExecutions = [...this.executions.values()].map(({ fetchKey, fact }) => (this.verifiedFetches.has(fetchKey) ? { ...fact, verified: true } : fact));
    return {
      ecosystem: "npm",
      sources: [...this.sources].filter(([key]) => this.kept(key)).map(([, fact]) => fact),
      sinks: [...this.sinks.values()],
      flows,
      obfuscations: [...this.obfuscations.values()],
      indicators: [...this.indicators.values()],
      parseProblems: this.parseProblems,
      filesAnalyzed: this.filesAnalyzed,
      ...(downloadExecutions.length ? { downloadExecutions } : {}),
    };
  }
}
