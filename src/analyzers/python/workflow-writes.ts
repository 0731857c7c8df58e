// File writes of a GitHub Actions workflow whose steps send the repository's secrets
// (analyzers/common/workflow-file.ts): a source (the CI secrets) reaching a sink (the
// URL the workflow sends to), reported at the write.
import type { PyNode } from "./ast.js";
import { reportSink } from "./effects.js";
import type { Frame } from "./frame.js";
import type { Interpreter } from "./interpreter.js";
import { foldedText, type Value } from "./model.js";
import { workflowLeak } from "../common/workflow-file.js";

export function workflowWrite(ip: Interpreter, frame: Frame, node: PyNode, path: string | undefined, content: Value | undefined): void {
  const text = content ? foldedText(content) : undefined;
  if (!path || text === undefined) return;
  const leak = workflowLeak(path, text);
  if (!leak) return;
  const taint = ip.source(frame, node, leak.kind, leak.note, leak.detail);
  reportSink(ip, frame, node, {
    channel: "http",
    note: "a GitHub Actions workflow it writes",
    ...(leak.destination ? { destination: leak.destination } : {}),
    data: [],
    extraTaints: [taint],
  });
}
