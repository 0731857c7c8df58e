// Any write to authorized_keys / authorized_keys2 (creation, change, rename into place), by
// any process: a new key there is a way back in (T1098.004). Deletion is not a write.
import { evidenceOf, type Emit } from "../alerts.js";
import { actorOf, type HostEvent } from "../events.js";
import type { Detector } from "./types.js";

const WRITES = new Set(["creation", "change", "rename"]);

export class AuthorizedKeysModifiedDetector implements Detector {
  readonly ruleIds = ["authorized-keys-modified"] as const;
  readonly actions: ReadonlySet<string> = WRITES;
  constructor(private readonly emit: Emit) {}

  onEvent(event: HostEvent): void {
    if (!WRITES.has(event.action) || !event.filePath) return;
    const name = event.filePath.split("/").pop();
    if (name !== "authorized_keys" && name !== "authorized_keys2") return;
    const by = event.process?.executable ?? event.process?.name ?? "an unknown process";
    this.emit({
      ruleId: "authorized-keys-modified",
      timestamp: event.timestamp,
      message: `${event.filePath} ${event.action === "creation" ? "created" : event.oldFilePath ? `replaced by ${event.oldFilePath}` : "modified"} by ${by}${actorOf(event).name ? ` (user ${actorOf(event).name})` : ""}`,
      ...(event.host ? { host: event.host } : {}),
      ...(actorOf(event).name ? { user: actorOf(event).name! } : {}),
      evidence: [evidenceOf(event)],
      details: { path: event.filePath, ...(event.oldFilePath ? { renamedFrom: event.oldFilePath } : {}), action: event.action, process: event.process },
      key: `${event.host ?? ""}|${event.filePath}|${event.timestamp}|${event.process?.pid ?? ""}`,
    });
  }

  finish(): void {}
}
