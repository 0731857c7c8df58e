// Worker thread of `scanTargets` (src/scan-workers.ts): loads and scans one target at a
// time and posts back its part of the report. Loaded only from the built dist/.
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { loadAdvisoryStore } from "./advisories/index.js";
import { errorMessage } from "./core/errors.js";
import { DEFAULT_LIMITS, loadTarget } from "./ingest/index.js";
import { loadSignatures } from "./rules/signatures.js";
import { scanLoadedPackage } from "./scan.js";
import type { ScanJob, ScanReply, ScanWorkerData } from "./scan-workers.js";

const data = workerData as ScanWorkerData;
const signatures = loadSignatures(data.signatureDirs);
const advisories = data.advisoryFile ? loadAdvisoryStore(data.advisoryFile) : undefined;

parentPort!.on("message", (job: ScanJob) => {
  const reply = (message: ScanReply) => parentPort!.postMessage(message);
  loadTarget(job.input, data.limits ?? DEFAULT_LIMITS, data.registry)
    .then((pkg) => scanLoadedPackage(pkg, signatures, advisories, data.budget))
    .then(({ target, findings, errors }) => reply({ id: job.id, target, findings, errors, heapMB: getHeapStatistics().total_heap_size / 2 ** 20 }))
    .catch((error: unknown) => reply({ id: job.id, error: errorMessage(error) }));
});
