// Elastic "SSH Key Generated via ssh-keygen" (persistence_ssh_key_generation.toml): ssh-keygen
// creating a file under /home/*/.ssh/, /root/.ssh/ or /etc/ssh/, except known_hosts* (written
// by ssh-keygen -R/-H). Any ssh-keygen binary counts, not only /usr/bin/ssh-keygen.
import { evidenceOf, type Emit } from "../alerts.js";
import { actorOf, type HostEvent } from "../events.js";
import type { Detector } from "./types.js";

const KEY_DIRECTORIES = /^(?:\/home\/[^/]+\/\.ssh\/|\/root\/\.ssh\/|\/etc\/ssh\/)/;

export function isSshKeygen(event: HostEvent): boolean {
  const exe = event.process?.executable?.split("/").pop();
  return exe === "ssh-keygen" || (exe === undefined && event.process?.name === "ssh-keygen");
}

export class SshKeyGeneratedDetector implements Detector {
  readonly ruleIds = ["ssh-key-generated"] as const;
  readonly actions: ReadonlySet<string> = new Set(["creation"]);
  constructor(private readonly emit: Emit) {}

  onEvent(event: HostEvent): void {
    if (event.action !== "creation" || !event.filePath || !isSshKeygen(event)) return;
    const path = event.filePath;
    const name = path.split("/").pop() ?? "";
    if (!KEY_DIRECTORIES.test(path) || name.startsWith("known_hosts")) return;
    this.emit({
      ruleId: "ssh-key-generated",
      timestamp: event.timestamp,
      message: `ssh-keygen created ${path}${actorOf(event).name ? ` (user ${actorOf(event).name})` : ""}`,
      ...(event.host ? { host: event.host } : {}),
      ...(actorOf(event).name ? { user: actorOf(event).name! } : {}),
      evidence: [evidenceOf(event)],
      details: { path, process: event.process },
      key: `${event.host ?? ""}|${path}|${event.timestamp}`,
    });
  }

  finish(): void {}
}
