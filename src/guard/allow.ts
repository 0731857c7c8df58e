// One-time overrides: `--allow <pkg>@<version> --reason "…"` lets that exact version through
// despite its findings, and every use is recorded (who, when, why, which findings) in the
// state directory, so the decision can be audited later.
import { appendFileSync, mkdirSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import { UsageError } from "../core/errors.js";

export interface Allowance {
  name: string;
  version: string;
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env["XDG_STATE_HOME"] || join(env["HOME"] || homedir(), ".local", "state"), "exfilscan");
}

export function parseAllow(value: string): Allowance {
  const match = /^(?:(?:npm|pypi):)?(@[^/@\s]+\/[^@\s]+|[^@=\s]+)(?:@|==)([^@\s]+)$/.exec(value.trim());
  if (!match) throw new UsageError(`--allow takes <package>@<version> (got "${value}")`);
  return { name: match[1]!, version: match[2]! };
}

const normalize = (ecosystem: string, name: string) => (ecosystem === "pypi" ? name.toLowerCase().replace(/[-_.]+/g, "-") : name);

export function isAllowed(allowances: Allowance[], ecosystem: string, name: string, version: string | undefined): boolean {
  return allowances.some((a) => normalize(ecosystem, a.name) === normalize(ecosystem, name) && a.version === version);
}

export interface AllowRecord {
  at: string;
  user: string;
  package: string;
  reason: string;
  command: string[];
  findings: string[];
}

/** Appends one JSON line per allowed package to <state>/guard-allowed.jsonl; returns the file. */
export function recordAllowed(records: Omit<AllowRecord, "at" | "user">[], env: NodeJS.ProcessEnv = process.env): string {
  const dir = stateDir(env);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "guard-allowed.jsonl");
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  const at = new Date().toISOString();
  for (const record of records) appendFileSync(file, `${JSON.stringify({ at, user, ...record })}\n`);
  return file;
}
