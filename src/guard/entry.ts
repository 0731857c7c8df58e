// `exfilscan guard [options] -- <command>` without the command line: src/cli.ts comes here
// when the warm fast path (src/guard/fast.ts) has no record, so a guard run loads neither
// commander nor the other commands. Only the common shape is read here: the guard's own
// options as commander would read them, then `--` and the command. Anything else (--help,
// --db, a global option, an unknown or malformed option, no `--`) returns false and the full
// command line (src/cli/main.ts) reads the arguments and says what is wrong.
import { reportCommandError } from "../cli/command-error.js";
import { runGuardCommand, type GuardFlags } from "./guard-command.js";

// Maps, not object literals: `constructor`, `__proto__` … are not options (an object literal has them).
const VALUES = new Map<string, keyof GuardFlags>(Object.entries({ "--fail-on": "failOn", "--allow": "allow", "--reason": "reason", "--cache-dir": "cacheDir", "--timeout": "timeout", "--advisory-store": "advisoryStore" }));
const FLAGS = new Map<string, (flags: GuardFlags) => void>(Object.entries({
  "--fail-open": (f: GuardFlags) => (f.failOpen = true),
  "--check-only": (f: GuardFlags) => (f.checkOnly = true),
  "--offline": (f: GuardFlags) => (f.offline = true),
  "--no-color": (f: GuardFlags) => (f.color = false),
}));

/** The flags of `guard … -- <command>` and the command, as commander reads them; undefined for anything else. */
export function readGuardArgs(args: string[]): { flags: GuardFlags; command: string[] } | undefined {
  if (args[0] !== "guard") return undefined;
  const flags: GuardFlags = { failOn: "high", failOpen: false, allow: [], checkOnly: false, offline: false, timeout: "30000", color: true };
  let i = 1;
  for (; i < args.length && args[i] !== "--"; i++) {
    const arg = args[i]!;
    const set = FLAGS.get(arg);
    if (set) {
      set(flags);
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const field = VALUES.get(eq > 0 ? arg.slice(0, eq) : arg);
    if (!field) return undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    // A value that looks like an option (or none): commander's reading is the reference.
    if (value === undefined || (eq < 0 && value.startsWith("-"))) return undefined;
    if (field === "allow") flags.allow = [...flags.allow, value];
    else (flags as unknown as Record<string, string>)[field] = value;
  }
  const command = args.slice(i + 1);
  return i < args.length && command.length ? { flags, command } : undefined;
}

/** Runs the guard when `args` has the common shape (true), else does nothing (false). */
export async function guardEntry(args: string[]): Promise<boolean> {
  const read = readGuardArgs(args);
  if (!read) return false;
  try {
    await runGuardCommand(read.command, read.flags, []);
  } catch (error) {
    reportCommandError(error, Boolean(process.env["EXFILSCAN_DEBUG"]));
  }
  return true;
}
