// An SSH server running inside a container (Docker host hardening, T1021.004): sshd lines from a
// container's log stream or journald container fields, or an sshd process started in a container.
import { evidenceOf, type Emit } from "../alerts.js";
import { isSshdProgram, type HostEvent } from "../events.js";
import type { Detector } from "./types.js";

export class SshdInContainerDetector implements Detector {
  readonly ruleIds = ["sshd-in-container"] as const;
  private readonly seen = new Set<string>();
  constructor(private readonly emit: Emit) {}

  onEvent(event: HostEvent): void {
    if (!event.container) return;
    const sshdLine = isSshdProgram(event.program) && event.action !== "process_start";
    const sshdProcess = event.action === "process_start" && /^sshd(?:-session)?$/.test(event.process?.executable?.split("/").pop() ?? event.process?.name ?? "");
    if (!sshdLine && !sshdProcess) return;
    const container = event.container.name ?? event.container.id ?? "unknown";
    const key = `${event.host ?? ""}|${container}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.emit({
      ruleId: "sshd-in-container",
      timestamp: event.timestamp,
      message: `sshd runs inside container ${container}${event.host ? ` on ${event.host}` : ""}`,
      ...(event.host ? { host: event.host } : {}),
      evidence: [evidenceOf(event)],
      details: { container: event.container },
      key,
    });
  }

  finish(): void {}

  exportState(): unknown {
    return [...this.seen];
  }

  importState(state: unknown): void {
    if (Array.isArray(state)) for (const key of state) this.seen.add(String(key));
  }
}
