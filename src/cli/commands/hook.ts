// `exfilscan hook install|uninstall|status [--shell bash|zsh|fish]`.
import { homedir } from "node:os";
import { basename } from "node:path";
import { realpathSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { hookStatus, installHook, SHELLS, uninstallHook, type Shell } from "../../guard/hook.js";

function shellOf(raw: Record<string, unknown>): Shell {
  const shell = String(raw["shell"] ?? basename(process.env["SHELL"] ?? "bash"));
  if (!(SHELLS as string[]).includes(shell)) throw new UsageError(`--shell must be one of ${SHELLS.join(", ")} (got "${shell}")`);
  return shell as Shell;
}

const home = () => process.env["HOME"] || homedir();

export function registerHook(program: Command): void {
  const hook = program.command("hook").description("route npm/npx/pnpm/yarn/pip/uv installs through `exfilscan guard` with shell functions");
  hook
    .command("install")
    .description("add (or refresh) the marked block of shell functions in the shell's start-up file")
    .option("--shell <shell>", `${SHELLS.join("|")} (default: from $SHELL)`)
    .action((raw: Record<string, unknown>) => {
      const shell = shellOf(raw);
      const guard = [process.execPath, realpathSync(process.argv[1]!)];
      const { file, changed } = installHook(shell, home(), guard);
      process.stdout.write(`${changed ? "installed" : "already installed"}: ${shell} hook in ${file}\nopen a new shell (or: source ${file}) to use it; EXFILSCAN_GUARD_OFF=1 bypasses it for one command.\n`);
    });
  hook
    .command("uninstall")
    .description("remove exactly the marked block")
    .option("--shell <shell>", `${SHELLS.join("|")} (default: from $SHELL)`)
    .action((raw: Record<string, unknown>) => {
      const shell = shellOf(raw);
      const { file, changed } = uninstallHook(shell, home());
      process.stdout.write(`${changed ? "removed" : "not installed"}: ${shell} hook in ${file}\n`);
    });
  hook
    .command("status")
    .description("show which shells have the hook and what it runs")
    .action(() => {
      for (const s of hookStatus(home())) process.stdout.write(`${s.shell}: ${s.installed ? `active in ${s.file}${s.runs ? ` (runs ${s.runs} guard)` : ""}` : `not installed (${s.file})`}\n`);
      const ignore = process.env["npm_config_ignore_scripts"];
      if (ignore) process.stdout.write(`npm: ignore-scripts=${ignore} in the environment\n`);
    });
}
