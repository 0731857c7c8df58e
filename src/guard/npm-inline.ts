// npm in this process, for the warm fast path: `npm` is a Node program, and starting a second
// Node for it is most of what a recorded clean verdict would add to the install. It runs here
// only when that is what spawning it would run: the `npm` that PATH finds is npm's own
// npm-cli.js with a `#!/usr/bin/env node` line, the `node` that PATH finds is this Node, the
// guard runs with no Node options of its own and in the process's own environment and
// directory. Anything else (a shell wrapper, a version manager's shim, another Node, no PATH)
// spawns npm as before. Node built-ins only.
import { accessSync, closeSync, constants, openSync, readSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, isAbsolute, resolve } from "node:path";

/** The file `name` names for execvp/`env`: a path as given, else the first executable file of that name on PATH. */
export function findOnPath(name: string, cwd: string, path: string | undefined): string | undefined {
  if (name.includes("/")) return resolve(cwd, name);
  if (!path) return undefined;
  for (const dir of path.split(delimiter)) {
    const file = resolve(cwd, dir || ".", name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not there or not executable: execvp looks further
    }
  }
  return undefined;
}

function firstLine(file: string): string {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(64);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString("latin1").split("\n")[0]!.trimEnd();
  } finally {
    closeSync(fd);
  }
}

/**
 * npm's CLI file when spawning `program` with `env` in `cwd` would run npm-cli.js under this
 * very Node with no other options; undefined otherwise. `execArgv` and `execPath` are this
 * process's (parameters for the tests).
 */
export function inlineNpmCli(program: string, cwd: string, env: NodeJS.ProcessEnv, execPath = process.execPath, execArgv = process.execArgv): string | undefined {
  if (execArgv.length > 0 || !isAbsolute(cwd)) return undefined;
  try {
    const found = findOnPath(program, cwd, env["PATH"]);
    if (!found) return undefined;
    const cli = realpathSync(found);
    if (!cli.endsWith("/npm/bin/npm-cli.js") || firstLine(cli) !== "#!/usr/bin/env node") return undefined;
    const node = findOnPath("node", cwd, env["PATH"]);
    if (!node || realpathSync(node) !== realpathSync(execPath)) return undefined;
    return cli;
  } catch {
    return undefined;
  }
}

/**
 * Hand this process to npm, as `npm <args>` would start: npm reads process.argv and ends the
 * process itself with its exit code (its own exit handler). Returns once npm is loaded and has
 * started; nothing may run after it but npm.
 */
export function runNpmInline(cli: string, args: string[]): void {
  process.argv = [process.execPath, cli, ...args];
  createRequire(cli)(cli);
}
