// Running the package manager: captured (resolution, never any package code) or with the
// user's terminal (the real install: arguments, exit code, stdin/TTY and colours unchanged).
import { spawn, spawnSync } from "node:child_process";

export interface Captured {
  status: number;
  stdout: string;
  stderr: string;
}

export function runCaptured(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Captured {
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) return { status: 127, stdout: "", stderr: `${argv[0]}: ${result.error.message}` };
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** The real command, attached to the user's terminal; resolves to its exit code. */
export function runInherited(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("error", (error) => {
      process.stderr.write(`exfilscan: could not run ${argv[0]}: ${error.message}\n`);
      resolve(127);
    });
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 } as Record<string, number>)[signal]! || 1 : 1));
    });
  });
}

/** The last lines of a tool's error output, for a one-paragraph reason. */
export function tail(text: string, lines = 6): string {
  return text.trim().split(/\r?\n/).filter((l) => l.trim()).slice(-lines).join("\n");
}
