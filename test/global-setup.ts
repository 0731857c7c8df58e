// The CLI tests run the built dist/cli.js as a user would: build it once per test run
// (tsc, the bundle, then the compiled signature set, as `npm run build` does).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";

export default function setup(): void {
  const root = join(import.meta.dirname, "..");
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json")], { cwd: root, stdio: "inherit" });
  // The rest of `npm run build`: the bundled command line (dist/bundle/, loaded by dist/cli.js) and the compiled signature set start-up loads.
  execFileSync(process.execPath, [join(root, "scripts", "bundle.mjs")], { cwd: root, stdio: "inherit" });
  execFileSync(process.execPath, [join(root, "scripts", "build-signatures.mjs")], { cwd: root, stdio: "inherit" });
}
