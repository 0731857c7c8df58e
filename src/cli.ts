#!/usr/bin/env node
// Entry point: commander wiring only. Each command lives in src/cli/commands/.
import { Command, CommanderError } from "commander";
import { errorMessage, isKnownError } from "./core/errors.js";
import { TOOL_VERSION } from "./core/version.js";
import { EXIT_ERROR } from "./cli/output.js";
import { registerScan } from "./cli/commands/scan.js";
import { registerRules } from "./cli/commands/rules.js";
import { registerSignatures } from "./cli/commands/signatures.js";
import { registerAlerts, registerLogs } from "./cli/commands/logs.js";
import { registerDiff } from "./cli/commands/diff.js";
import { registerDeps } from "./cli/commands/deps.js";
import { registerRender } from "./cli/commands/render.js";
import { registerGuard } from "./cli/commands/guard.js";
import { registerHook } from "./cli/commands/hook.js";
import { registerCorrelate } from "./cli/commands/correlate.js";
import { registerDb } from "./cli/commands/db.js";

const program = new Command("exfilscan")
  .description("Find code that reads credentials and sends them away, in npm and Python packages; read host logs for its traces.")
  .version(TOOL_VERSION)
  .option("--debug", "print stack traces of internal errors")
  .option(
    "--signatures <dir>",
    "extra signature directory merged over the built-in set (repeatable)",
    (dir: string, dirs: string[]) => [...dirs, dir],
    [] as string[],
  )
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerScan(program);
registerRules(program);
registerSignatures(program);
registerLogs(program);
registerAlerts(program);
registerDiff(program);
registerDeps(program);
registerRender(program);
registerGuard(program);
registerHook(program);
registerCorrelate(program);
registerDb(program);

// A reader that stops early (`exfilscan logs --events | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  const code = await program.parseAsync(process.argv).then(() => process.exitCode ?? 0);
  process.exitCode = code;
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit 0; usage mistakes exit 2 (commander already printed why).
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_ERROR;
  } else {
    process.stderr.write(`exfilscan: ${errorMessage(error)}\n`);
    if (!isKnownError(error) && (program.opts()["debug"] || process.env["EXFILSCAN_DEBUG"])) {
      process.stderr.write(`${(error as Error).stack ?? ""}\n`);
    }
    process.exitCode = EXIT_ERROR;
  }
}
