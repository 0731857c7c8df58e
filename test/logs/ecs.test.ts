import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toEcs } from "../../src/logs/ecs.js";
import { EVENT_ACTIONS, type HostEvent } from "../../src/logs/events.js";
import { run } from "./helpers.js";

const base: HostEvent = { action: "ssh_login", outcome: "failure", timestamp: Date.parse("2024-08-21T10:11:04Z"), file: "/var/log/auth.log", line: 14, format: "syslog" };

describe("ECS output", () => {
  it("maps a failed login to authentication/failure with ECS names, file and line", () => {
    const doc = toEcs({ ...base, host: "web1", user: "admin", sourceIp: "198.51.100.20", sourcePort: 40001, method: "password", program: "sshd-session", pid: 1004, invalidUser: true });
    expect(doc).toEqual({
      "@timestamp": "2024-08-21T10:11:04.000Z",
      event: { kind: "event", category: ["authentication"], type: ["info"], action: "ssh_login", outcome: "failure", module: "exfilscan", dataset: "exfilscan.syslog" },
      host: { name: "web1" },
      user: { name: "admin" },
      source: { ip: "198.51.100.20", port: 40001 },
      process: { pid: 1004, name: "sshd-session" },
      related: { ip: ["198.51.100.20"], user: ["admin"] },
      system: { auth: { ssh: { method: "password" } } },
      exfilscan: { line: 14, invalid_user: true },
      log: { file: { path: "/var/log/auth.log" } },
    });
  });

  it("maps process, network and file events", () => {
    expect(toEcs({ ...base, action: "connection_attempted", outcome: "unknown", destinationIp: "169.254.169.254", destinationPort: 80, process: { pid: 5, name: "node", args: ["node", "x.js"] } })).toMatchObject({
      event: { category: ["network"], type: ["connection", "start"] }, destination: { ip: "169.254.169.254", port: 80 },
      process: { pid: 5, name: "node", args: ["node", "x.js"], args_count: 2, command_line: "node x.js" },
    });
    expect(toEcs({ ...base, action: "creation", outcome: "success", filePath: "/root/.ssh/id_rsa" })).toMatchObject({
      event: { category: ["file"], type: ["creation"] }, file: { path: "/root/.ssh/id_rsa", name: "id_rsa", directory: "/root/.ssh" },
    });
  });

  it("gives every action a category; every fixture event keeps its file and line, failed logins are authentication/failure", async () => {
    for (const action of EVENT_ACTIONS) expect(toEcs({ ...base, action }).event).toHaveProperty("category");
    const root = join(import.meta.dirname, "..", "..", "fixtures", "logs");
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith(".expect.json") ? [] : [join(d, n)]));
    const { events } = await run(walk(root), { referenceTime: "2025-01-03T00:00:00Z" });
    expect(events.length).toBeGreaterThan(100);
    for (const event of events) {
      const doc = toEcs(event) as { event: { category: string[]; outcome: string }; log: { file: { path: string } }; exfilscan: { line: number } };
      expect(doc.log.file).toEqual({ path: event.file });
      expect(doc.exfilscan.line).toBe(event.line);
      if (event.outcome === "failure" && event.action.startsWith("ssh_") && ["ssh_login", "ssh_invalid_user", "ssh_pam_auth_failure", "ssh_max_auth_attempts", "ssh_not_allowed"].includes(event.action)) {
        expect(doc.event.category).toEqual(["authentication"]);
        expect(doc.event.outcome).toBe("failure");
      }
    }
  });
});
