// Issue #16: the OSV bulk export is read with the package zip reader (src/ingest/zip.ts):
// declared sizes are never trusted, each record's inflation is bounded, the total is capped,
// and any sign of a broken or crafted download is an ArchiveError (the old data is kept).
import { describe, expect, it } from "vitest";
import { makeZipBytes } from "../../scripts/gen-hostile.mjs";
import { ArchiveError, MAX_OSV_RECORD_BYTES, readOsvArchive } from "../../src/advisories/osv-archive.js";

const record = (id: string) =>
  JSON.stringify({ id, modified: "2099-01-01T00:00:00Z", summary: "malicious", affected: [{ package: { ecosystem: "npm", name: `pkg-${id}` }, versions: ["1.0.0"] }] });

describe("OSV bulk export through the bounded zip reader", () => {
  it("reads the MAL- records of a well-formed export", () => {
    const zip = makeZipBytes([
      { name: "MAL-2099-1.json", content: record("MAL-2099-1") },
      { name: "GHSA-xxxx.json", content: "not read" },
    ]);
    const contents = readOsvArchive(zip, "npm");
    expect(contents.entries).toBe(2);
    expect(contents.advisories.map((a) => a.id)).toEqual(["MAL-2099-1"]);
  });

  it("refuses a record whose declared size lies", () => {
    const zip = makeZipBytes([{ name: "MAL-2099-2.json", content: record("MAL-2099-2"), declaredSize: 10 }]);
    expect(() => readOsvArchive(zip, "npm")).toThrow(ArchiveError);
    expect(() => readOsvArchive(zip, "npm")).toThrow(/does not match/);
  });

  it("stops inflating a record bomb at the per-record cap (a declared size of 10 bytes is not believed)", () => {
    const zip = makeZipBytes([{ name: "MAL-2099-3.json", content: Buffer.alloc(MAX_OSV_RECORD_BYTES + 1024, 0x20), declaredSize: 10 }]);
    expect(zip.length).toBeLessThan(64 * 1024);
    expect(() => readOsvArchive(zip, "npm")).toThrow(/per-file cap/);
  });

  it("caps the MAL- records inflated together", () => {
    const zip = makeZipBytes([
      { name: "MAL-2099-4.json", content: record("MAL-2099-4") },
      { name: "MAL-2099-5.json", content: record("MAL-2099-5") },
    ]);
    expect(() => readOsvArchive(zip, "npm", 300)).toThrow(/inflate past 300 bytes/);
  });

  it("refuses a truncated download", () => {
    const zip = makeZipBytes([{ name: "MAL-2099-6.json", content: record("MAL-2099-6") }]);
    expect(() => readOsvArchive(zip.subarray(0, zip.length - 30), "npm")).toThrow(ArchiveError);
    expect(() => readOsvArchive(Buffer.from("not a zip at all, just text"), "npm")).toThrow(ArchiveError);
  });
});
