// Many targets are scanned in worker threads: the report must be the one a single thread
// gives (same targets, findings and errors, in input order), whatever the worker count.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "dist", "cli.js");

function scan(targets: string[], workers: number): unknown {
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [cli, "scan", ...targets, "--offline", "-f", "json", "--workers", String(workers)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, EXFILSCAN_ADVISORY_STORE: join(root, "no-such-store.json") },
    });
  } catch (error) {
    stdout = (error as { stdout: string }).stdout;
  }
  return JSON.parse(stdout);
}

describe("scan workers", () => {
  const fixtures = (dir: string) => readdirSync(join(root, dir)).sort().slice(0, 6).map((name) => join(root, dir, name));
  // npm and Python, malicious and benign, plus a missing target (an error entry kept in place).
  const targets = [...fixtures("fixtures/npm/malicious"), join(root, "no-such-target"), ...fixtures("fixtures/pypi/malicious"), ...fixtures("fixtures/npm/benign")];

  it("gives the single-thread report with 2 and 3 workers", () => {
    const single = scan(targets, 1) as { targets: unknown[]; findings: unknown[]; errors: { input: string }[] };
    expect(single.targets.length).toBe(targets.length - 1);
    expect(single.findings.length).toBeGreaterThan(0);
    expect(single.errors.some((e) => e.input.endsWith("no-such-target"))).toBe(true);
    expect(scan(targets, 2)).toEqual(single);
    expect(scan(targets, 3)).toEqual(single);
  });

  it("refuses a worker count that is not a positive whole number", () => {
    expect(() => execFileSync(process.execPath, [cli, "scan", targets[0]!, "--workers", "0"], { stdio: "pipe" })).toThrow(/--workers must be a positive whole number/);
  });
});

describe("scan workers under a heap limit", () => {
  it("scans again, alone and unlimited, a target whose worker ran out of memory", async () => {
    const { scanInWorkers } = (await import(join(root, "dist", "scan-workers.js"))) as typeof import("../../src/scan-workers.js");
    const targets = readdirSync(join(root, "fixtures/npm/malicious")).sort().slice(0, 3).map((name) => join(root, "fixtures/npm/malicious", name));
    const run = async (limits?: { maxOldGenerationSizeMb: number }) => {
      const parts: unknown[] = new Array(targets.length);
      let calls = 0;
      await scanInWorkers(targets, 2, { signatureDirs: [] }, (index, part) => ((parts[index] = part), calls++), limits);
      return { parts, calls };
    };
    const normal = await run();
    // A heap far too small to load the analyzer: every first attempt dies out of memory.
    const starved = await run({ maxOldGenerationSizeMb: 1 });
    expect(normal.calls).toBe(targets.length);
    expect(normal.parts.every((part) => part && !("error" in (part as object)))).toBe(true);
    expect(starved).toEqual(normal);
  });
});
