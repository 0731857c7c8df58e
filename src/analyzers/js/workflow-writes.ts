// fs writes of a GitHub Actions workflow whose steps send the repository's secrets
// (analyzers/common/workflow-file.ts): a source (the CI secrets), a sink (the URL the
// workflow sends to) and a flow, at the write.
import type { Call } from "./calls.js";
import { FactCollector } from "./collector.js";
import type { Interpreter } from "./interpreter.js";
import { workflowLeak } from "../common/workflow-file.js";
import { patternOf, stringOf, type Value } from "./values.js";

const WRITES = new Set(["writeFileSync", "writeFile", "appendFileSync", "appendFile", "outputFile", "outputFileSync"]);

export function workflowWrite(I: Interpreter, member: string, call: Call): void {
  if (!WRITES.has(member)) return;
  const [pathValue, content] = call.args;
  if (!pathValue || !content) return;
  const leak = workflowLeak(stringOf(pathValue) ?? patternOf(pathValue), textOf(content));
  if (!leak) return;
  const location = I.location(call.node, call.frame);
  const trigger = call.frame.trigger;
  const source = I.collector.addSource({ kind: leak.kind, location, note: leak.note, detail: leak.detail, trigger });
  const sink = I.collector.addSink({ channel: "http", location, note: "a GitHub Actions workflow it writes", trigger, ...(leak.destination ? { destination: leak.destination } : {}) });
  const taint = { key: FactCollector.sourceKey(source), source, steps: [{ ...location, note: `${leak.note}: ${leak.detail}` }] };
  I.collector.addFlow(taint, sink, trigger, { ...location, note: `writes the workflow${leak.destination ? `, which sends them to ${leak.destination}` : ""}` }, false);
}

function textOf(value: Value): string {
  if (value.bytes) return value.bytes.toString("utf8");
  return stringOf(value) ?? patternOf(value);
}
