// `exfilscan scan DIR` on a project says its dependencies were not scanned and points to deps.
import { join } from "node:path";
import { expect, it } from "vitest";
import type { ScanReport } from "../../src/core/types.js";
import { ROOT, runCli } from "../helpers/cli.js";

it("scan of a project directory lists its lockfile and node_modules as not scanned", () => {
  const project = join(ROOT, "fixtures", "installed", "npm-project");
  const result = runCli(["scan", project, "--format", "json", "--advisory-store", "/nonexistent/store.json"]);
  const report = JSON.parse(result.stdout) as ScanReport;
  expect(report.errors).toContainEqual(expect.objectContaining({ input: project, file: "node_modules", message: expect.stringMatching(/dependencies not scanned \(node_modules\): run `exfilscan deps .*` --installed/) }));
});
