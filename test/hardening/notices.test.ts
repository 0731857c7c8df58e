// Issue #16, output hygiene: an advice-only notice (no advisory store yet) is shown at most
// once a day across runs, or on every run with --verbose; a state folder that cannot be
// written shows it every time rather than never. The clock is passed in (no timing).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { noticeDue } from "../../src/cli/notices.js";

const root = mkdtempSync(join(tmpdir(), "exfilscan-notices-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const DAY = 24 * 60 * 60 * 1000;

describe("once-a-day notices", () => {
  it("first run: shown; the same day: not again; --verbose: always; a day later: shown again", () => {
    const env = { XDG_STATE_HOME: join(root, "state") };
    const t0 = Date.now();
    expect(noticeDue("no-advisory-store", false, env, t0)).toBe(true);
    expect(noticeDue("no-advisory-store", false, env, t0 + DAY / 2)).toBe(false);
    expect(noticeDue("no-advisory-store", true, env, t0 + DAY / 2)).toBe(true);
    expect(noticeDue("other-notice", false, env, t0 + DAY / 2)).toBe(true); // one stamp a notice
    expect(noticeDue("no-advisory-store", false, env, t0 + DAY + 1_000)).toBe(true);
  });

  it("a state folder that cannot be written: shown every time rather than never", () => {
    const blocked = join(root, "blocked");
    writeFileSync(blocked, "a file where the state folder should be");
    chmodSync(blocked, 0o400);
    const env = { XDG_STATE_HOME: blocked };
    expect(noticeDue("no-advisory-store", false, env)).toBe(true);
    expect(noticeDue("no-advisory-store", false, env)).toBe(true);
  });
});
