import { afterEach, describe, expect, it, vi } from "vitest";

// The step trace (EXFILSCAN_GUARD_TRACE=1) is read once, when src/guard/trace.ts loads.
async function loadTrace(value: string | undefined) {
  vi.resetModules();
  if (value === undefined) vi.stubEnv("EXFILSCAN_GUARD_TRACE", undefined as unknown as string);
  else vi.stubEnv("EXFILSCAN_GUARD_TRACE", value);
  return (await import("../../src/guard/trace.js")).trace;
}

describe("guard step trace", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("prints one line per step, with CPU and wall time, when EXFILSCAN_GUARD_TRACE=1", async () => {
    const trace = await loadTrace("1");
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    trace("current lockfile read");
    trace("stored report read");
    const lines = write.mock.calls.map(([text]) => String(text));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^exfilscan trace: current lockfile read: \d+\.\d ms cpu, \d+\.\d ms wall \(cpu so far \d+ ms\)\n$/);
    expect(lines[1]).toMatch(/^exfilscan trace: stored report read: /);
  });

  it("prints nothing otherwise", async () => {
    for (const value of [undefined, "0", "true"]) {
      const trace = await loadTrace(value);
      const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      trace("npm resolved the tree");
      expect(write).not.toHaveBeenCalled();
      write.mockRestore();
    }
  });
});
