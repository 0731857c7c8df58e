// `exfilscan guard [options] -- <package-manager command>`: check, then install exactly what was checked.
// The options are read here; what they do is src/guard/guard-command.ts (src/guard/entry.ts reads
// the common shape of the same arguments without commander).
import type { Command } from "commander";
import { SEVERITIES } from "../../core/types.js";
import { runGuardCommand, type GuardFlags } from "../../guard/guard-command.js";

export function registerGuard(program: Command): void {
  const command = program
    .command("guard")
    .description("check what an npm/npx/pnpm/yarn/pip/uv command would install, then run it only if nothing reaches --fail-on")
    .usage("[options] -- <npm|npx|pnpm|yarn|pip|pip3|python -m pip|uv> <args...>")
    .argument("<command...>", "the package-manager command, after --")
    .option("--fail-on <severity>", `refuse when a finding is at or above: ${SEVERITIES.join("|")}`, "high")
    .option("--fail-open", "if the check cannot complete (registry down, unreadable archive), run the command anyway with a warning", false)
    .option("--allow <pkg@version>", "install this exact version despite its findings (repeatable; needs --reason; recorded)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("--reason <text>", "why the --allow is safe (recorded in the state directory)")
    .option("--check-only", "check and print the verdict, never run the command", false)
    .option("--cache-dir <dir>", "archive and verdict cache (default: $XDG_CACHE_HOME/exfilscan)")
    .option("--db <file|url>", "verdict cache shared by every runner: a postgres:// URL or a SQLite file (env EXFILSCAN_DB; docs/fleet.md)")
    .option("--db-key-file <file>", "the fleet's key signing shared verdicts (env EXFILSCAN_DB_KEY_FILE, or the key itself in EXFILSCAN_DB_KEY)")
    .option("--offline", "use only the cache (fails closed when it lacks something)", false)
    .option("--timeout <ms>", "per-request timeout", "30000")
    .option("--advisory-store <file>", "known-malicious package store (env EXFILSCAN_ADVISORY_STORE); used when present")
    .option("--no-color", "no colours");
  command.action(async (argv: string[], raw: Record<string, unknown>) => {
    await runGuardCommand(argv, raw as unknown as GuardFlags, (program.opts()["signatures"] as string[] | undefined) ?? []);
  });
}
