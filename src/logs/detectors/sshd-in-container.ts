// An SSH server running inside a container (Docker host hardening, T1021.004): sshd lines from a
// container's log stream or journald container fields, or an sshd process started in a container;
// Dropbear's lines and processes alike, the alert naming the server seen.
import { evidenceOf, type Emit } from "../alerts.js";
import { isSshdProgram, type HostEvent } from "../events.js";
import type { Detector } from "./types.js";

/** The SSH server a program name is: Dropbear, or OpenSSH's sshd (sshd-session, sshd-auth are sshd's). */
function serverOf(program: string): string {
  return program === "dropbear" ? "dropbear" : "sshd";
}

/** The SSH server a started process is, if it is one. */
function serverProcess(event: HostEvent): string | undefined {
  const name = event.process?.executable?.split("/").pop() ?? event.process?.name ?? "";
  return /^(?:sshd(?:-session)?|dropbear)$/.test(name) ? serverOf(name) : undefined;
}

export class SshdInContainerDetector implements Detector {
  readonly ruleIds = ["sshd-in-container"] as const;
  private readonly seen = new Set<string>();
  constructor(private readonly emit: Emit) {}

  onEvent(event: HostEvent): void {
    if (!event.container) return;
    const server = event.action === "process_start" ? serverProcess(event) : isSshdProgram(event.program) ? serverOf(event.program!) : undefined;
    if (!server) return;
    const container = event.container.name ?? event.container.id ?? "unknown";
    const key = `${event.host ?? ""}|${container}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.emit({
      ruleId: "sshd-in-container",
      timestamp: event.timestamp,
      message: `${server} runs inside container ${container}${event.host ? ` on ${event.host}` : ""}`,
      ...(event.host ? { host: event.host } : {}),
      evidence: [evidenceOf(event)],
      details: { container: event.container, server },
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
