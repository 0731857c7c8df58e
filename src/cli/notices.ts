// Notices that repeat on every run teach users to ignore stderr: an advice-only notice
// (no advisory store yet) is shown at most once a day, or on every run with --verbose.
// The day is remembered by a stamp file in $XDG_STATE_HOME/exfilscan/notices/.
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const DAY_MS = 24 * 60 * 60 * 1000;

/** True when the notice `key` should be shown now (and remembers that it was). */
export function noticeDue(key: string, verbose: boolean, env: NodeJS.ProcessEnv = process.env, now = Date.now()): boolean {
  if (verbose) return true;
  const dir = join(env["XDG_STATE_HOME"] || join(homedir(), ".local", "state"), "exfilscan", "notices");
  const stamp = join(dir, key.replace(/[^a-z0-9-]/gi, "_"));
  try {
    if (now - statSync(stamp).mtimeMs < DAY_MS) return false;
  } catch {
    // never shown yet
  }
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(stamp, new Date(now).toISOString());
  } catch {
    // a read-only state dir: show the notice every time rather than never
  }
  return true;
}
