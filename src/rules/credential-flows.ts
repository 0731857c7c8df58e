// Credential flows grouped by the sink they reach, with the flows that merely authenticate
// to their issuer left out: shared by credential-exfiltration and
// credential-to-dynamic-destination, and by the rules that skip what those already report.
import type { FlowFact, FlowStep, PackageFacts, SinkFact } from "../analyzers/facts.js";
import type { Severity } from "../core/types.js";
import type { SourceKind } from "./schema.js";
import { authenticationReason } from "./authentication.js";
import { indicatorsFor, knownHost } from "./destination.js";
import { placeholderDestination } from "../core/placeholders.js";
import { CHANNEL_ATTACK, CHANNEL_LABELS, SOURCE_ATTACK, SOURCE_LABELS, joinWords } from "./labels.js";
import { locationKey, type Draft } from "./package-rule.js";
import type { Signatures } from "./signatures.js";

/** The credentials that reach one sink (only groups with at least one such flow). */
export interface SinkFlows {
  sink: SinkFact;
  /** Flows that are not a credential authenticating to its issuer. */
  relevant: FlowFact[];
  host: string | undefined;
  /** The destination is literal, or the send happens at install or import: reported as exfiltration. */
  resolved: boolean;
  kinds: SourceKind[];
}

export interface CredentialFlows {
  bySink: SinkFlows[];
  /** Sinks (location keys) a credential-flow finding is reported at. */
  sinks: Set<string>;
  /** Indicator values of those findings. */
  indicators: Set<string>;
}

export function analyzeCredentialFlows(facts: PackageFacts, signatures: Signatures): CredentialFlows {
  const bySink: SinkFlows[] = [];
  for (const group of groupFlowsBySink(facts.flows)) {
    // A credential used to authenticate to its issuer is not exfiltration; its value copied is.
    const relevant = group.filter((f) => authenticationReason(f, signatures) === undefined);
    if (relevant.length === 0) continue;
    const sink = representativeSink(relevant);
    // Sent to this machine's loopback interface (127.0.0.1, ::1, localhost): it does not leave the machine.
    if (isLoopback(knownHost(sink.destination))) continue;
    // Its flows first, so the finding's last step names the destination it reports.
    relevant.sort((a, b) => Number(b.sink === sink) - Number(a.sink === sink));
    const host = knownHost(sink.destination);
    const kinds = [...new Set(relevant.map((f) => f.source.kind))].sort();
    // A placeholder ("%WEBHOOK%") is a destination fixed in the package, only redacted.
    const fixed = host !== undefined || placeholderDestination(sink.destination) !== undefined;
    bySink.push({ sink, relevant, host, resolved: fixed || sink.trigger === "install" || sink.trigger === "import", kinds });
  }
  return {
    bySink,
    sinks: new Set(bySink.map((g) => locationKey(g.sink.location))),
    indicators: new Set(bySink.flatMap((g) => indicatorsFor(g.sink.destination).map((i) => i.value))),
  };
}

/**
 * The sink a group is reported with: one code location (a request helper, say) is called
 * with several destinations, each flow keeping the one it reached. The destination of a
 * relevant flow is reported, a fixed one (literal host, then placeholder) before a computed
 * one — never that of a flow left out as authentication.
 */
function representativeSink(relevant: FlowFact[]): SinkFact {
  const sinks = relevant.map((f) => f.sink);
  return (
    sinks.find((s) => knownHost(s.destination) !== undefined) ??
    sinks.find((s) => placeholderDestination(s.destination) !== undefined) ??
    sinks[0]!
  );
}

function isLoopback(host: string | undefined): boolean {
  return host !== undefined && (/^127(\.\d{1,3}){3}$/.test(host) || host === "::1" || host === "[::1]" || host === "localhost" || host.endsWith(".localhost"));
}

function groupFlowsBySink(flows: FlowFact[]): FlowFact[][] {
  const groups = new Map<string, FlowFact[]>();
  for (const flow of flows) {
    const key = locationKey(flow.sink.location);
    const group = groups.get(key);
    if (group) group.push(flow);
    else groups.set(key, [flow]);
  }
  return [...groups.values()];
}

function mergeSteps(flows: FlowFact[]): FlowStep[] {
  const seen = new Set<string>();
  const steps: FlowStep[] = [];
  const sinkSteps: FlowStep[] = [];
  for (const flow of flows) {
    flow.steps.forEach((step, index) => {
      const key = `${locationKey(step)}|${step.note}`;
      if (seen.has(key)) return;
      seen.add(key);
      (index === flow.steps.length - 1 ? sinkSteps : steps).push(step);
    });
  }
  return [...steps, ...sinkSteps.slice(0, 1)];
}

/** One finding per sink, naming every credential that reaches it. */
export function sinkFlowsDraft(group: SinkFlows, ruleId: string, severity: Severity): Draft {
  const { sink, relevant, host, kinds } = group;
  const what = joinWords(kinds.map((k) => SOURCE_LABELS[k]));
  const placeholder = placeholderDestination(sink.destination);
  const where = host ? ` to ${host}` : placeholder ? ` to a destination left as a placeholder (${placeholder})` : " to a destination computed at run time";
  const when = sink.trigger === "install" ? " at install time" : sink.trigger === "import" ? " when the package is imported" : sink.trigger === "manual" ? " from a file nothing in the package loads" : "";
  return {
    ruleId,
    severity,
    message: `${capitalize(what)} sent by ${CHANNEL_LABELS[sink.channel]}${where}${when}`,
    location: sink.location,
    trigger: sink.trigger,
    source: kinds.join(","),
    sink: sink.channel,
    flow: mergeSteps(relevant),
    indicators: indicatorsFor(sink.destination),
    attack: [...kinds.map((k) => SOURCE_ATTACK[k]), CHANNEL_ATTACK[sink.channel]],
    identity: `${kinds.join(",")}|${sink.channel}|${host ?? ""}`,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
