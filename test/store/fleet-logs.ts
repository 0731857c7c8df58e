// Generated sshd logs for the store tests: several hosts over the same hours (their lines
// interleave in time), each with a learning period, logins from new sources after it, and
// password guessing that raises brute-force and login-after-failures alerts.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function stamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export const FLEET_START = Date.UTC(2024, 7, 21, 8, 0, 0);
export const FLEET_REFERENCE = "2024-08-22T00:00:00Z";

/** One host's auth.log: `lines` lines over ~4 hours, deterministic per host index. */
export function hostLog(host: string, index: number, lines: number): string {
  const out: string[] = [];
  let pid = 1000 + index * 100_000;
  const step = Math.max(1, Math.floor((4 * 3_600_000) / lines));
  for (let i = 0; i < lines; i++) {
    const at = FLEET_START + index * 7_000 + i * step;
    const prefix = `${stamp(at)} ${host} sshd-session[${pid++}]:`;
    const phase = i % 40;
    const late = at > FLEET_START + 2 * 3_600_000; // after the learning window of the tests (1h) with margin
    if (phase === 0) out.push(`${prefix} Accepted publickey for alice from 192.0.2.${10 + index} port ${30000 + (i % 1000)} ssh2: ED25519 SHA256:x`);
    else if (phase === 1 && late) out.push(`${prefix} Accepted password for bob from 198.51.100.${(i / 40) % 50 | 0} port ${31000 + (i % 1000)} ssh2`);
    else if (phase < 14) out.push(`${prefix} Failed password for root from 203.0.113.${(index * 17 + ((i / 400) | 0)) % 250} port ${40000 + (i % 20000)} ssh2`);
    else if (phase === 14) out.push(`${prefix} Accepted password for root from 203.0.113.${(index * 17 + ((i / 400) | 0)) % 250} port ${45000 + (i % 1000)} ssh2`);
    else out.push(`${prefix} Disconnected from user alice 192.0.2.${10 + index} port ${30000 + (i % 1000)}`);
  }
  return `${out.join("\n")}\n`;
}

export function writeFleetLogs(dir: string, hosts: number, lines: number): string[] {
  return Array.from({ length: hosts }, (_, i) => {
    const file = join(dir, `host${i + 1}.auth.log`);
    writeFileSync(file, hostLog(`host${i + 1}`, i, lines));
    return file;
  });
}
