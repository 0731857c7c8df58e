// Facts → findings. The only place where severity is decided (DESIGN.md "Deciding severity").
import { createHash } from "node:crypto";
import type { FlowFact, FlowStep, PackageFacts, SinkFact, Trigger } from "../analyzers/facts.js";
import type { Finding, Indicator, Location, PackageRef, Severity } from "../core/types.js";
import { indicatorsFor, knownHost } from "./destination.js";
import { CHANNEL_ATTACK, CHANNEL_LABELS, SOURCE_ATTACK, SOURCE_LABELS, joinWords } from "./labels.js";
import { authenticationReason } from "./authentication.js";
import { isIssuerHost, issuersOf, matchExfilService, matchKnownBad, type Signatures } from "./signatures.js";

/** A finding before rule metadata and fingerprint are added (finalize). */
export interface Draft {
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location;
  trigger?: Trigger;
  source?: string;
  sink?: string;
  flow: FlowStep[];
  indicators: Indicator[];
  attack: string[];
  /** Parts of the fingerprint besides rule, package and file: what the finding is about. */
  identity: string;
}

const locationKey = (l: Location): string => `${l.file}:${l.line}:${l.column}`;

export function evaluateFacts(facts: PackageFacts, pkg: PackageRef, signatures: Signatures): Finding[] {
  const drafts: Draft[] = [];
  const flowSinks = new Set<string>();

  for (const group of groupFlowsBySink(facts.flows)) {
    const draft = flowFinding(group, signatures);
    if (draft) {
      drafts.push(draft);
      flowSinks.add(locationKey(group[0]!.sink.location));
    }
  }
  const flowIndicators = new Set(drafts.flatMap((d) => d.indicators.map((i) => i.value)));

  for (const sink of facts.sinks) {
    if (flowSinks.has(locationKey(sink.location))) continue;
    const draft = sinkFinding(sink, signatures);
    if (draft) drafts.push(draft);
  }

  drafts.push(...unresolvedLinkFindings(facts, signatures));

  for (const obfuscation of facts.obfuscations) {
    drafts.push({
      ruleId: "obfuscated-code-execution",
      severity: obfuscation.executed ? "medium" : "low",
      message: obfuscation.executed ? `Executes decoded code: ${obfuscation.note}` : `Obfuscated code: ${obfuscation.note}`,
      location: obfuscation.location,
      trigger: obfuscation.trigger,
      flow: [],
      indicators: [],
      attack: ["T1027"],
      identity: obfuscation.technique,
    });
  }

  const indicatorCandidates = [
    ...facts.indicators,
    ...facts.sinks.flatMap((s) => (s.destination ? [{ value: s.destination, location: s.location }] : [])),
  ];
  for (const candidate of indicatorCandidates) {
    const bad = matchKnownBad(signatures, candidate.value);
    if (!bad || flowIndicators.has(bad.value) || flowIndicators.has(knownHost(candidate.value) ?? "")) continue;
    drafts.push({
      ruleId: "known-bad-indicator",
      severity: "high",
      message: `Names known-malicious ${bad.type} ${bad.value}${bad.note ? ` (${bad.note})` : ""}`,
      location: candidate.location,
      flow: [],
      indicators: [{ type: bad.type, value: bad.value }],
      attack: ["T1195.002"],
      identity: bad.value,
    });
  }

  return finalize(dedupe(drafts), pkg, signatures);
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

/** One finding per sink, naming every credential that reaches it. */
function flowFinding(group: FlowFact[], signatures: Signatures): Draft | undefined {
  const sink = group[0]!.sink;
  const host = knownHost(sink.destination);
  // A credential used to authenticate to its issuer is not exfiltration; its value copied is.
  const relevant = group.filter((f) => authenticationReason(f, signatures) === undefined);
  if (relevant.length === 0) return undefined;

  const kinds = [...new Set(relevant.map((f) => f.source.kind))].sort();
  const what = joinWords(kinds.map((k) => SOURCE_LABELS[k]));
  const where = host ? ` to ${host}` : " to a destination computed at run time";
  const when = sink.trigger === "install" ? " at install time" : sink.trigger === "import" ? " when the package is imported" : sink.trigger === "manual" ? " from a file nothing in the package loads" : "";
  const resolved = host !== undefined || sink.trigger === "install" || sink.trigger === "import";
  const severity: Severity = resolved ? "critical" : kinds.includes("env-dump") ? "high" : "medium";
  return {
    ruleId: resolved ? "credential-exfiltration" : "credential-to-dynamic-destination",
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

/** A sink with no credential flow: exfil services and install-time network. */
function sinkFinding(sink: SinkFact, signatures: Signatures): Draft | undefined {
  const service = sink.destination ? matchExfilService(signatures, sink.destination) : undefined;
  const host = knownHost(sink.destination);
  const base = {
    location: sink.location,
    trigger: sink.trigger,
    sink: sink.channel,
    flow: [{ ...sink.location, note: sink.note }],
    indicators: indicatorsFor(sink.destination),
  };
  if (service) {
    return {
      ...base,
      ruleId: "exfil-service-destination",
      severity: sink.trigger === "install" ? "high" : "medium",
      message: `Sends data by ${CHANNEL_LABELS[sink.channel]} to ${service.name} (${host ?? sink.destination})${sink.trigger === "install" ? " at install time" : ""}`,
      attack: ["T1567", CHANNEL_ATTACK[sink.channel]],
      identity: `${service.name}|${host ?? ""}`,
    };
  }
  if (sink.trigger === "install") {
    return {
      ...base,
      ruleId: "install-time-network",
      severity: "medium",
      message: `Install script uses the network (${sink.note})${host ? ` to ${host}` : ""}`,
      attack: ["T1105"],
      identity: `${sink.channel}|${host ?? ""}`,
    };
  }
  return undefined;
}

/**
 * A credential read and an outbound send under one trigger, joined only through code
 * executed from a string that could not be decoded: the link cannot be followed, so it is
 * high, not critical.
 * Call-time code counts only within one file: a whole library is "call" time.
 */
function unresolvedLinkFindings(facts: PackageFacts, signatures: Signatures): Draft[] {
  const inFlow = new Set(facts.flows.flatMap((f) => [locationKey(f.source.location), locationKey(f.sink.location)]));
  const looseSources = facts.sources.filter((s) => !inFlow.has(locationKey(s.location)));
  const looseSinks = facts.sinks.filter(
    (s) =>
      !inFlow.has(locationKey(s.location)) &&
      !(s.destination && looseSources.every((src) => issuersOf(signatures, src.kind, src.detail).some((i) => isIssuerHost(i, s.destination!)))),
  );
  const drafts: Draft[] = [];
  // Decoded code that was analysed has no hidden link: its own flows are reported directly.
  for (const exec of facts.obfuscations.filter((o) => o.executed && o.technique === "eval-dynamic")) {
    const sameScope = (l: Location, t: Trigger) => t === exec.trigger && ((t !== "call" && t !== "manual") || l.file === exec.location.file);
    const sources = looseSources.filter((s) => sameScope(s.location, s.trigger));
    const sinks = looseSinks.filter((s) => sameScope(s.location, s.trigger));
    if (!sources.length || !sinks.length) continue;
    const kinds = [...new Set(sources.map((s) => s.kind))].sort();
    drafts.push({
      ruleId: "credential-access-with-network",
      severity: "high",
      message: `Reads ${joinWords(kinds.map((k) => SOURCE_LABELS[k]))} and sends data by ${joinWords(sinks.map((s) => CHANNEL_LABELS[s.channel]))}, linked only through executed decoded code`,
      location: exec.location,
      trigger: exec.trigger,
      source: kinds.join(","),
      sink: sinks[0]!.channel,
      flow: [...sources.map((s) => ({ ...s.location, note: s.note })), { ...exec.location, note: exec.note }, ...sinks.map((s) => ({ ...s.location, note: s.note }))],
      indicators: sinks.flatMap((s) => indicatorsFor(s.destination)),
      attack: [...kinds.map((k) => SOURCE_ATTACK[k]), "T1027", "T1041"],
      identity: kinds.join(","),
    });
  }
  return drafts;
}

function dedupe(drafts: Draft[]): Draft[] {
  const seen = new Map<string, Draft>();
  for (const draft of drafts) {
    const key = `${draft.ruleId}|${locationKey(draft.location)}|${draft.identity}`;
    if (!seen.has(key)) seen.set(key, draft);
  }
  return [...seen.values()];
}

/** Drafts → findings: category and ATT&CK from the rule's metadata, and the fingerprint. Shared with other checks (advisories). */
export function finalize(drafts: Draft[], pkg: PackageRef, signatures: Signatures): Finding[] {
  const occurrences = new Map<string, number>();
  return drafts.map((draft) => {
    const rule = signatures.rules.get(draft.ruleId);
    // Line numbers are left out so a fingerprint survives edits elsewhere in the file.
    const base = [draft.ruleId, pkg.ecosystem, pkg.name, draft.location.file, draft.identity].join("|");
    const nth = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, nth);
    const finding: Finding = {
      ruleId: draft.ruleId,
      severity: draft.severity,
      category: rule?.category ?? draft.ruleId,
      message: draft.message,
      package: pkg,
      location: draft.location,
      flow: draft.flow,
      indicators: uniqueIndicators(draft.indicators),
      attack: [...new Set([...(rule?.attack ?? []), ...draft.attack])].sort(),
      fingerprint: createHash("sha256").update(`${base}|${nth}`).digest("hex").slice(0, 32),
    };
    if (draft.trigger) finding.trigger = draft.trigger;
    if (draft.source) finding.source = draft.source;
    if (draft.sink) finding.sink = draft.sink;
    return finding;
  });
}

function uniqueIndicators(indicators: Indicator[]): Indicator[] {
  const seen = new Set<string>();
  return indicators.filter((i) => !seen.has(`${i.type}|${i.value}`) && seen.add(`${i.type}|${i.value}`));
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
