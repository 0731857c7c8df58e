// A small worker_threads pool for analysing archives on every core. Results do not depend
// on the number of workers: each job is independent and the report is sorted afterwards.
// When the worker script is not built JavaScript (tests running the TypeScript sources),
// or one worker is asked for, jobs run in this thread.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { IngestError } from "../core/errors.js";
import { loadArchive, type IngestLimits } from "../ingest/index.js";
import type { Signatures } from "../rules/signatures.js";
import { scanLoadedPackage, type PackageScan } from "../scan.js";

export interface AnalyzeJob {
  id: number;
  input: string;
  fileName: string;
  data: Uint8Array;
  limits: IngestLimits;
}

export type AnalyzeReply = { id: number; result: PackageScan } | { id: number; error: string };

export interface Analyzer {
  analyze(input: string, fileName: string, data: Buffer, limits: IngestLimits): Promise<PackageScan>;
  close(): Promise<void>;
  readonly threads: number;
}

export function createAnalyzer(workers: number, signatures: Signatures, signatureDirs: string[]): Analyzer {
  const script = fileURLToPath(new URL("./worker.js", import.meta.url));
  if (workers <= 1 || !existsSync(script)) return inThread(signatures);
  return new Pool(script, workers, signatureDirs);
}

function inThread(signatures: Signatures): Analyzer {
  return {
    threads: 1,
    analyze: async (input, fileName, data, limits) => scanLoadedPackage(await loadArchive(input, fileName, data, limits), signatures),
    close: async () => {},
  };
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

class Pool implements Analyzer {
  private readonly slots: Slot[] = [];
  private readonly waiting: { job: AnalyzeJob; resolve: (r: PackageScan) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (r: PackageScan) => void; reject: (e: Error) => void; slot: Slot }>();
  private nextId = 0;
  readonly threads: number;

  constructor(
    private readonly script: string,
    size: number,
    private readonly signatureDirs: string[],
  ) {
    this.threads = size;
  }

  /** Threads start on the first job: a fully cached run starts none. */
  private start(): void {
    const { script, signatureDirs } = this;
    for (let i = 0; i < this.threads; i++) {
      const worker = new Worker(script, { workerData: { signatureDirs } });
      const slot: Slot = { worker, busy: false };
      worker.on("message", (reply: AnalyzeReply) => this.settle(slot, reply));
      worker.on("error", (error) => {
        for (const [id, p] of this.pending) if (p.slot === slot) {
          this.pending.delete(id);
          p.reject(new IngestError(`analysis worker failed: ${error.message}`));
        }
      });
      this.slots.push(slot);
    }
  }

  analyze(input: string, fileName: string, data: Buffer, limits: IngestLimits): Promise<PackageScan> {
    if (this.slots.length === 0) this.start();
    return new Promise((resolve, reject) => {
      this.waiting.push({ job: { id: this.nextId++, input, fileName, data: new Uint8Array(data), limits }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.waiting.shift();
      if (!next) return;
      slot.busy = true;
      this.pending.set(next.job.id, { resolve: next.resolve, reject: next.reject, slot });
      slot.worker.postMessage(next.job);
    }
  }

  private settle(slot: Slot, reply: AnalyzeReply): void {
    const pending = this.pending.get(reply.id);
    slot.busy = false;
    if (pending) {
      this.pending.delete(reply.id);
      if ("error" in reply) pending.reject(new IngestError(reply.error));
      else pending.resolve(reply.result);
    }
    this.dispatch();
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
