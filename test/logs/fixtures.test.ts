// Every fixture under fixtures/logs/ with a sidecar <name>.expect.json must produce exactly
// the events and alerts listed there: each in order, nothing more, nothing less.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alertView, eventView, run, type FixtureOptions } from "./helpers.js";

const ROOT = join(import.meta.dirname, "..", "..", "fixtures", "logs");

interface Expectation {
  description?: string;
  options?: FixtureOptions;
  format: string;
  counts?: { lines?: number; recognised?: number; skipped?: number; unparseable?: number };
  events: Record<string, unknown>[];
  alerts: (Record<string, unknown> & { details?: Record<string, unknown>; message?: string })[];
}

function fixtures(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return fixtures(full);
    return name.endsWith(".expect.json") ? [] : [full];
  });
}

const all = fixtures(ROOT);

describe("fixtures/logs", () => {
  it("every fixture has an expect file", () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
    for (const file of all) expect(existsSync(`${file}.expect.json`), `${file}.expect.json`).toBe(true);
  });

  for (const file of all) {
    const name = file.slice(ROOT.length + 1);
    it(name, async () => {
      const expectation = JSON.parse(readFileSync(`${file}.expect.json`, "utf8")) as Expectation;
      const { result, events } = await run([file], expectation.options);
      const input = result.inputs[0]!;
      expect(input.format).toBe(expectation.format);
      if (expectation.counts) expect(input).toMatchObject(expectation.counts);
      expect(events.map(eventView)).toEqual(expectation.events);
      const { alerts } = result;
      expect(alerts.map(alertView)).toEqual(expectation.alerts.map(({ details: _d, message: _m, ...rest }) => rest));
      expectation.alerts.forEach((expected, i) => {
        if (expected.message) expect(alerts[i]!.message).toBe(expected.message);
        if (expected.details) expect(alerts[i]!.details).toMatchObject(expected.details);
      });
    });
  }
});
