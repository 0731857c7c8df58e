// Build in-memory Python packages from inline sources and run the front-end on them.
import { analyzePythonPackage } from "../../../src/analyzers/python/index.js";
import type { FlowFact, PackageFacts } from "../../../src/analyzers/facts.js";
import { loadSignatures, type Signatures } from "../../../src/rules/signatures.js";

let signatures: Signatures | undefined;

export function sigs(): Signatures {
  signatures ??= loadSignatures();
  return signatures;
}

/** Analyze a package given as { path: source }. Leading indentation common to all lines is removed. */
export async function analyze(files: Record<string, string>): Promise<PackageFacts> {
  const map = new Map<string, Buffer>();
  for (const [path, text] of Object.entries(files)) map.set(path, Buffer.from(dedent(text), "utf8"));
  return analyzePythonPackage({ input: "test", files: map, bytes: 0, errors: [] }, sigs());
}

export function dedent(text: string): string {
  const lines = text.replace(/^\n/, "").split("\n");
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join("\n");
}

/** Compact view of flows: "kind@file:line -> channel@file:line dest [trigger]". */
export function flowsOf(facts: PackageFacts): string[] {
  return facts.flows.map(describeFlow).sort();
}

export function describeFlow(f: FlowFact): string {
  const dfs = f.sink.destinationFromSource ? " own" : "";
  return `${f.source.kind}@${f.source.location.file}:${f.source.location.line} -> ${f.sink.channel}@${f.sink.location.file}:${f.sink.location.line} ${f.sink.destination ?? "?"}${dfs} [${f.sink.trigger}]`;
}

export function indicatorValues(facts: PackageFacts): string[] {
  return facts.indicators.map((i) => i.value);
}

export function sinkDestinations(facts: PackageFacts): string[] {
  return facts.sinks.map((s) => s.destination ?? "?");
}
