// The command line: commander wiring only (src/cli.ts is the entry). Each command lives in src/cli/commands/.
import { Command, CommanderError } from "commander";
import { TOOL_VERSION } from "../core/version.js";
import { EXIT_ERROR, reportCommandError } from "./command-error.js";

type Register = (program: Command) => void;
/**
 * Each command's module is loaded only when that command runs: `--version` loads none and
 * `scan` loads only what scanning uses. `--help`, no command or an unknown word loads all
 * (the help lists every command; commander suggests the nearest name).
 */
const COMMANDS: Record<string, () => Promise<Register[]>> = {
  scan: async () => [(await import("./commands/scan.js")).registerScan],
  rules: async () => [(await import("./commands/rules.js")).registerRules],
  signatures: async () => [(await import("./commands/signatures.js")).registerSignatures],
  logs: async () => [(await import("./commands/logs.js")).registerLogs],
  baseline: async () => [(await import("./commands/logs.js")).registerLogs],
  alerts: async () => [(await import("./commands/logs.js")).registerAlerts],
  diff: async () => [(await import("./commands/diff.js")).registerDiff],
  deps: async () => [(await import("./commands/deps.js")).registerDeps],
  render: async () => [(await import("./commands/render.js")).registerRender],
  guard: async () => [(await import("./commands/guard.js")).registerGuard],
  hook: async () => [(await import("./commands/hook.js")).registerHook],
  correlate: async () => [(await import("./commands/correlate.js")).registerCorrelate],
  db: async () => [(await import("./commands/db.js")).registerDb],
};
/** Registration order of the full set (the order `--help` lists them). */
const ORDER = ["scan", "rules", "signatures", "logs", "alerts", "diff", "deps", "render", "guard", "hook", "correlate", "db"];

/** The command word of argv (the first word that is not an option or a global option's value); undefined when none. */
function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return undefined;
    if (arg === "--signatures") i += 1;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}

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

const args = process.argv.slice(2);
const word = commandWord(args);
const onlyVersion = word === undefined && args.some((a) => a === "-V" || a === "--version") && !args.some((a) => a === "-h" || a === "--help");
const registers = word !== undefined && COMMANDS[word] ? await COMMANDS[word]!() : onlyVersion ? [] : (await Promise.all(ORDER.map((name) => COMMANDS[name]!()))).flat();
for (const register of registers) register(program);

// A reader that stops early (`exfilscan logs --events | head`) is not an error. process.stdout
// is made when first used (on a pipe that loads net and the streams, a start-up cost for runs
// that write only a file): the handler goes on it then.
onFirstUse("stdout", (stdout) =>
  stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  }),
);

/** Call `hook` with process[name] when something first reads it (at once if that cannot be told). */
function onFirstUse(name: "stdout", hook: (stream: NodeJS.WriteStream) => void): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  if (!own?.get || !own.configurable) return void hook(process[name]);
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable ?? true,
    get() {
      Object.defineProperty(process, name, own);
      const stream = process[name];
      hook(stream);
      return stream;
    },
  });
}

try {
  // An exit code left unset stays unset: npm, running in this process for the guard, sets its own.
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit 0; usage mistakes exit 2 (commander already printed why).
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_ERROR;
  } else {
    reportCommandError(error, Boolean(program.opts()["debug"] || process.env["EXFILSCAN_DEBUG"]));
  }
}
