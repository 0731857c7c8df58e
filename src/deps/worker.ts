// Worker thread: analyse one archive at a time. Loaded only from the built dist/.
import { parentPort, workerData } from "node:worker_threads";
import { errorMessage } from "../core/errors.js";
import { loadArchive } from "../ingest/index.js";
import { loadSignatures } from "../rules/signatures.js";
import { scanLoadedPackage } from "../scan.js";
import type { AnalyzeJob, AnalyzeReply } from "./workers.js";

const signatures = loadSignatures((workerData as { signatureDirs: string[] }).signatureDirs);

parentPort!.on("message", (job: AnalyzeJob) => {
  const reply = (message: AnalyzeReply) => parentPort!.postMessage(message);
  loadArchive(job.input, job.fileName, Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength), job.limits)
    .then((pkg) => scanLoadedPackage(pkg, signatures))
    .then((result) => reply({ id: job.id, result }))
    .catch((error: unknown) => reply({ id: job.id, error: errorMessage(error) }));
});
