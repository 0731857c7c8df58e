import { describe, expect, it } from "vitest";
import { readOsvArchive } from "../../src/advisories/osv-archive.js";
import { readOsvRecord } from "../../src/advisories/osv-record.js";
import { zipRecords } from "./osv-server.js";

describe("reading OSV records", () => {
  it("keeps this ecosystem's entries, drops GIT ranges and limit events, fills a missing summary", () => {
    const result = readOsvRecord(
      {
        id: "MAL-2099-4001",
        affected: [
          { package: { ecosystem: "PyPI", name: "other" }, versions: ["1"] },
          {
            package: { ecosystem: "npm", name: "x" },
            ranges: [
              { type: "GIT", repo: "https://example.invalid/x.git", events: [{ introduced: "abc" }] },
              { type: "SEMVER", events: [{ introduced: "0" }, { limit: "*" }] },
            ],
          },
        ],
      },
      "npm",
    );
    expect(result).toEqual({
      kind: "advisory",
      advisory: { id: "MAL-2099-4001", summary: "Malicious code in x (npm)", affected: [{ name: "x", versions: [], ranges: [{ type: "SEMVER", events: [{ introduced: "0" }] }] }] },
    });
  });

  it("skips non-MAL, withdrawn and other-ecosystem records, and reports malformed ones", () => {
    const npm = { package: { ecosystem: "npm", name: "x" }, versions: ["1.0.0"] };
    expect(readOsvRecord({ id: "GHSA-1", affected: [npm] }, "npm")).toEqual({ kind: "skipped", reason: "not-malicious" });
    expect(readOsvRecord({ id: "MAL-1", withdrawn: "2099-01-01T00:00:00Z", affected: [npm] }, "npm")).toEqual({ kind: "skipped", reason: "withdrawn" });
    expect(readOsvRecord({ id: "MAL-1", affected: [npm] }, "PyPI")).toEqual({ kind: "skipped", reason: "other-ecosystem" });
    expect(readOsvRecord({ id: "MAL-1", affected: [{ package: { ecosystem: "npm", name: "x" }, versions: "1.0.0" }] }, "npm")).toMatchObject({
      kind: "malformed",
      message: expect.stringContaining("affected.0.versions"),
    });
  });

  it("an archive with one odd record still imports the rest and names the odd one", () => {
    const good = JSON.stringify({ id: "MAL-2099-4002", summary: "s", affected: [{ package: { ecosystem: "npm", name: "y" }, versions: ["1.0.0"] }] });
    const odd = JSON.stringify({ id: 42 });
    const contents = readOsvArchive(zipRecords({ "MAL-2099-4002.json": good, "MAL-2099-4003.json": odd, "GHSA-x.json": "not even json" }), "npm");
    expect(contents.advisories.map((a) => a.id)).toEqual(["MAL-2099-4002"]);
    expect(contents.entries).toBe(3);
    expect(contents.malformed).toEqual([expect.stringMatching(/^MAL-2099-4003\.json: id: /)]);
  });
});
