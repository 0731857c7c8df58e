// The state of `exfilscan logs` now lives behind the LogStore interface (src/store/):
// SQLite by default, PostgreSQL for a fleet. This module keeps the old import path.
export type { BaselineRow, LogStore, OffsetRow, ResumeDecision, StoredAlert } from "../store/types.js";
export { defaultDbPath, openLogStore, resolveDbSpec } from "../store/open.js";
export { SqliteStore, SqliteStore as StateStore } from "../store/sqlite.js";
