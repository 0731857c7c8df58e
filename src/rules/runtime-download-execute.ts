// runtime-download-execute: the staged loader of install-time-download-execute, run when the
// package is imported or one of its files is started by hand (`node server/config.js`, the
// Contagious Interview projects of 2024-2025) instead of at install: code fetched from the
// network and evaluated (eval, Function, vm, exec), piped into a shell, or written to a file
// and run. Same severity reading as the install rule; code that only runs when a function is
// called is not reported (a loader library's job is to load code).
import type { PackageRule } from "./package-rule.js";
import { downloadExecutionDrafts } from "./install-time-download-execute.js";

export const runtimeDownloadExecute = {
  id: "runtime-download-execute",
  evaluate: (context) => downloadExecutionDrafts("runtime-download-execute", ["import", "manual"], context),
} satisfies PackageRule<"runtime-download-execute">;
