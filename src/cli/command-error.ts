// How an error ends a run, for the full command line (src/cli/main.ts) and the guard's own entry
// (src/guard/entry.ts): its message on stderr, the stack of an unexpected error when asked, exit 2.
// Light on purpose: src/cli/output.ts (which re-exports EXIT_ERROR) loads every reporter.
import { errorMessage, isKnownError } from "../core/errors.js";
import { terminalSafe } from "../report/terminal.js";

/** Exit code of a usage or run-time error. */
export const EXIT_ERROR = 2;

export function reportCommandError(error: unknown, debug: boolean): void {
  process.stderr.write(`exfilscan: ${terminalSafe(errorMessage(error))}\n`);
  if (!isKnownError(error) && debug) process.stderr.write(`${(error as Error).stack ?? ""}\n`);
  process.exitCode = EXIT_ERROR;
}
