// The JavaScript files both sides of the JavaScript benchmark read (what js-x-ray analyses):
// every .js/.cjs/.mjs file under a package directory, node_modules and .git left out, in name order.
import { readdirSync } from "node:fs";
import { join } from "node:path";

export const JS_FILE = /\.(c|m)?js$/;
const SKIPPED = new Set(["node_modules", ".git"]);

export function* jsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() && !SKIPPED.has(entry.name)) yield* jsFiles(full);
    else if (entry.isFile() && JS_FILE.test(entry.name)) yield full;
  }
}
