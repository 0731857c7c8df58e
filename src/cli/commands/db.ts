// `exfilscan db migrate`: bring the state database (SQLite file or PostgreSQL) to the schema
// this exfilscan needs. Commander wiring and output only; the migrations are in src/store/.
import type { Command } from "commander";
import { isPostgresUrl, resolveDbSpec } from "../../store/open.js";
import { PostgresStore } from "../../store/postgres.js";
import { SqliteStore } from "../../store/sqlite.js";
import { LATEST_SCHEMA } from "../../store/migrations.js";
import { emit } from "../output.js";

export function registerDb(program: Command): void {
  const db = program.command("db").description("manage the state database shared by `logs`, `baseline`, `alerts` and `correlate`");
  db.command("migrate")
    .description("apply the missing schema migrations (run once per database before fleet hosts write to it)")
    .option("--db <file|url>", "a SQLite file or postgres://user@host/db (default: $EXFILSCAN_DB, else $XDG_STATE_HOME/exfilscan/state.db)")
    .action(async (raw: Record<string, unknown>) => {
      const spec = resolveDbSpec(raw["db"]);
      let applied: number[];
      let location: string;
      if (isPostgresUrl(spec)) {
        const store = await PostgresStore.open(spec, { migrate: false, check: false });
        try {
          applied = await store.migrate();
          location = store.location;
        } finally {
          await store.close();
        }
      } else {
        const store = new SqliteStore(spec, { migrateOnOpen: false });
        try {
          applied = store.migrate();
          location = store.location;
        } finally {
          await store.close();
        }
      }
      const output = { failOn: "high" as const, offline: true, color: false };
      emit(applied.length ? `${location}: applied migration(s) ${applied.join(", ")}; schema is at version ${LATEST_SCHEMA}` : `${location}: schema already at version ${LATEST_SCHEMA}, nothing to do`, output);
    });
}
