// Many targets on every core: a pool of worker threads, each loading and scanning one
// target at a time. The report does not depend on the number of workers (parts are put
// back in input order). A worker is replaced when its heap has grown past a bound after a
// target, so garbage left by big packages does not pile up (bounded peak RSS on long runs),
// and otherwise lives long: each new worker is a new V8 isolate that compiles and warms up
// the analyzer again (with a replacement every 40 targets, 150 npm packages took 21.1 CPU s
// on 2 workers against 14.4 CPU s with one replacement-free worker a core).
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import type * as WorkerThreads from "node:worker_threads";
import type { Finding, ScanErrorEntry, TargetInfo } from "./core/types.js";
import type { IngestLimits } from "./ingest/index.js";
import type { RegistryOptions } from "./registry/http.js";
import type { AnalysisBudget } from "./analyzers/budget.js";

export interface ScanWorkerData {
  signatureDirs: string[];
  advisoryFile?: string;
  limits?: IngestLimits;
  registry?: RegistryOptions;
  budget?: Partial<AnalysisBudget>;
}

export interface ScanJob {
  id: number;
  input: string;
}

export interface ScanPart {
  target: TargetInfo;
  findings: Finding[];
  errors: ScanErrorEntry[];
}

/** heapMB: the worker's heap after the target (garbage included), to replace a bloated worker. */
export type ScanReply = ({ id: number; heapMB?: number } & ScanPart) | { id: number; error: string };

/** Targets a worker scans before it is replaced by a fresh one (a safety net; the heap bound below is what usually replaces one). */
const TARGETS_PER_WORKER = 1000;
/** A worker whose heap has grown past this after a target is replaced before the next. */
const HEAP_MB_PER_WORKER = 384;
/**
 * Each worker's V8 heap limit: V8 collects garbage harder as it nears the limit instead of
 * letting it pile up (two workers' peaks add up in one process). A target that really needs
 * more is scanned again alone without a limit (see scanInWorkers). A smaller young generation
 * lowers the peak (the 20 Debian trees of the bench, one run each: 575 MB with 32 MB, 548 MB
 * with 16 MB, 508 MB with 8 MB, 482 MB with 6 MB) but costs ≈ 8 % CPU (more scavenges), so it
 * stays at 16 MB: docs/benchmarks.md "Python: smaller trees, a smaller nursery".
 */
const HEAP_LIMITS: WorkerThreads.ResourceLimits = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };
/** Fewer targets than this are scanned in the calling thread (a worker's start-up costs more). */
export const MIN_TARGETS_FOR_WORKERS = 4;

/** Worker count for `targets` targets: 1 (no pool) when the worker script is not built or one core is all there is. */
export function workerCount(targets: number, requested?: number): number {
  if (!existsSync(workerScript())) return 1;
  if (requested !== undefined) return Math.max(1, Math.min(requested, targets));
  if (targets < MIN_TARGETS_FOR_WORKERS) return 1;
  return Math.max(1, Math.min(availableParallelism(), targets, 8));
}

/** node:worker_threads, loaded only when a pool starts (a one-package scan never does). */
function workerThreads(): typeof WorkerThreads {
  return createRequire(import.meta.url)("node:worker_threads") as typeof WorkerThreads;
}

function workerScript(): string {
  return fileURLToPath(new URL("./scan-worker.js", import.meta.url));
}

/** Scan every input in `size` workers; `onPart` is called as each finishes (any order). */
export async function scanInWorkers(
  inputs: string[],
  size: number,
  data: ScanWorkerData,
  onPart: (index: number, part: ScanPart | { error: string }) => void,
  limits: WorkerThreads.ResourceLimits = HEAP_LIMITS,
): Promise<void> {
  const all = inputs.map((_, index) => index);
  const outOfMemory = await runPool(inputs, all, size, data, limits, onPart);
  // A target whose worker hit the heap limit is scanned again, alone and without a limit:
  // the limit bounds the garbage, never what a target needs (it is never lost).
  const failed = await runPool(inputs, outOfMemory, 1, data, undefined, onPart);
  for (const index of failed) onPart(index, { error: "analysis worker failed: out of memory" });
}

/** Scans `indices` in `size` workers; returns those whose worker ran out of memory (not reported). */
async function runPool(
  inputs: string[],
  indices: number[],
  size: number,
  data: ScanWorkerData,
  resourceLimits: WorkerThreads.ResourceLimits | undefined,
  onPart: (index: number, part: ScanPart | { error: string }) => void,
): Promise<number[]> {
  const outOfMemory: number[] = [];
  let next = 0;
  const runWorker = async (): Promise<void> => {
    while (next < indices.length) {
      const worker = new (workerThreads()).Worker(workerScript(), { workerData: data, ...(resourceLimits ? { resourceLimits } : {}) });
      let crashed: Error | undefined;
      let bloated = false;
      let inFlight: { index: number; resolve: () => void } | undefined;
      const fail = (error: Error) => {
        crashed ??= error;
        if (!inFlight) return;
        const { index, resolve } = inFlight;
        inFlight = undefined;
        if ((crashed as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY") outOfMemory.push(index);
        else onPart(index, { error: `analysis worker failed: ${crashed.message}` });
        resolve();
      };
      worker.on("message", (reply: ScanReply) => {
        if (!inFlight) return;
        if ("heapMB" in reply && (reply.heapMB ?? 0) > HEAP_MB_PER_WORKER) bloated = true;
        const { heapMB: _heap, ...part } = reply as ScanReply & { heapMB?: number };
        onPart(inFlight.index, "error" in part ? { error: part.error } : part);
        const done = inFlight;
        inFlight = undefined;
        done.resolve();
      });
      worker.on("error", fail);
      worker.on("exit", () => fail(new Error("analysis worker exited")));
      for (let handled = 0; handled < TARGETS_PER_WORKER && next < indices.length && !crashed && !bloated; handled++) {
        const index = indices[next++]!;
        await new Promise<void>((resolve) => {
          inFlight = { index, resolve };
          worker.postMessage({ id: index, input: inputs[index]! } satisfies ScanJob);
        });
      }
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, indices.length) }, runWorker));
  return outOfMemory;
}
