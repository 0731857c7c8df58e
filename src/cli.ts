#!/usr/bin/env node
// Entry point. A guard run whose clean verdict is recorded for exactly its inputs runs the
// package manager after loading only src/guard/fast.ts and Node built-ins (npm itself in this
// process when it can: src/guard/npm-inline.ts); any other guard run of the common shape goes
// to src/guard/entry.ts (no commander); everything else loads the command line (src/cli/main.ts).
const args = process.argv.slice(2);
const fast = args[0] === "guard" ? await (await import("./guard/fast.js")).runFastGuard(args, process.cwd(), process.env, (text) => process.stderr.write(text)) : undefined;
if (typeof fast === "number") process.exitCode = fast;
else if (fast === undefined) {
  if (args[0] === "guard" && process.env["EXFILSCAN_GUARD_TRACE"] === "1") (await import("./guard/trace.js")).trace("fast path not taken");
  if (!(args[0] === "guard" && (await (await import("./guard/entry.js")).guardEntry(args)))) await import("./cli/main.js");
}
