// Which store a command uses: `--db postgres://…` (or EXFILSCAN_DB) selects PostgreSQL, any
// other value is a SQLite file; the default is $XDG_STATE_HOME/exfilscan/state.db.
import { homedir } from "node:os";
import { join } from "node:path";
import { PostgresStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";
import type { LogStore } from "./types.js";

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const stateHome = env["XDG_STATE_HOME"] || join(homedir(), ".local", "state");
  return join(stateHome, "exfilscan", "state.db");
}

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** --db, else EXFILSCAN_DB, else the default SQLite file. */
export function resolveDbSpec(flag: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof flag === "string" && flag !== "") return flag;
  return env["EXFILSCAN_DB"] || defaultDbPath(env);
}

export async function openLogStore(spec: string, options: { mustExist?: boolean; migrate?: boolean } = {}): Promise<LogStore> {
  if (isPostgresUrl(spec)) return PostgresStore.open(spec, { ...(options.migrate ? { migrate: true } : {}) });
  return new SqliteStore(spec, { ...(options.mustExist ? { mustExist: true } : {}) });
}
