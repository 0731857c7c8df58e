// The known-malicious-package check on its own: name normalization, version matching,
// message, and where the finding points in each kind of manifest.
import { describe, expect, it } from "vitest";
import { loadAdvisoryStore } from "../../src/advisories/index.js";
import { matchKnownMalicious } from "../../src/advisories/known-malicious.js";
import { jsonTopLevelKeyLine, manifestVersionLocation } from "../../src/advisories/manifest-location.js";
import { readOsvArchive } from "../../src/advisories/osv-archive.js";
import { writeSampleStore } from "./sample-store.js";
import { osvRecords, zipRecords } from "./osv-server.js";

const store = loadAdvisoryStore(writeSampleStore())!;

describe("matchKnownMalicious", () => {
  it("names the advisory id and summary for a listed version", () => {
    expect(matchKnownMalicious(store, { ecosystem: "npm", name: "colorz-util", version: "2.4.2" })).toMatchObject({
      ruleId: "known-malicious-package",
      severity: "critical",
      message: 'colorz-util@2.4.2 is a known-malicious package: MAL-2099-1002 "Malicious code in colorz-util (npm)"',
      attack: ["T1195.002"],
    });
  });

  it("stays quiet for versions outside the advisory and for unlisted packages", () => {
    expect(matchKnownMalicious(store, { ecosystem: "npm", name: "colorz-util", version: "2.4.3" })).toBeUndefined();
    expect(matchKnownMalicious(store, { ecosystem: "npm", name: "colorz-util" })).toBeUndefined();
    expect(matchKnownMalicious(store, { ecosystem: "npm", name: "left-padder", version: "1.0.0" })).toBeUndefined(); // withdrawn
    expect(matchKnownMalicious(store, { ecosystem: "pypi", name: "colorz-util", version: "2.4.2" })).toBeUndefined(); // other ecosystem
  });

  it("matches a whole-package advisory with or without a version", () => {
    expect(matchKnownMalicious(store, { ecosystem: "npm", name: "evil-logger", version: "0.0.1" })?.message).toContain("MAL-2099-1001");
    expect(matchKnownMalicious(store, { ecosystem: "npm", name: "evil-logger" })?.message).toContain("MAL-2099-1001");
  });

  it("normalizes PyPI names (PEP 503) but not npm names", () => {
    expect(matchKnownMalicious(store, { ecosystem: "pypi", name: "SSH.Decorator", version: "0.29" })?.message).toContain("MAL-2099-2001");
    expect(matchKnownMalicious(store, { ecosystem: "pypi", name: "requests_toolbelt_ext", version: "1.1rc2" })?.message).toContain("MAL-2099-2002");
    expect(matchKnownMalicious(store, { ecosystem: "npm", name: "Evil-Logger", version: "1.0.0" })).toBeUndefined();
  });

  it("lists every advisory when several name the package", () => {
    const records = osvRecords("npm");
    const twin = records["MAL-2099-1001.json"]!.replaceAll("MAL-2099-1001", "MAL-2099-0999").replace("Malicious code in evil-logger", "Credential stealer evil-logger");
    const contents = readOsvArchive(zipRecords({ ...records, "MAL-2099-0999.json": twin }), "npm");
    const twinStore = { file: "", updatedAt: "", counts: {}, byPackage: new Map([["npm:evil-logger", contents.advisories.filter((a) => a.affected[0]!.name === "evil-logger").map((advisory) => ({ advisory, affected: advisory.affected[0]! }))]]) };
    expect(matchKnownMalicious(twinStore, { ecosystem: "npm", name: "evil-logger", version: "1.0.0" })?.message).toBe(
      'evil-logger@1.0.0 is a known-malicious package: MAL-2099-0999 "Credential stealer evil-logger (npm)" (also MAL-2099-1001)',
    );
  });
});

describe("manifest location", () => {
  const files = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));

  it("points at the top-level version key of package.json, not a nested one", () => {
    const json = '{\n  "name": "x",\n  "engines": { "version": "1" },\n  "config": {\n    "version": "2"\n  },\n  "version": "1.0.0"\n}\n';
    expect(jsonTopLevelKeyLine(json, "version")).toBe(7);
    expect(manifestVersionLocation("npm", files({ "package.json": json }))).toEqual({ file: "package.json", line: 7, column: 1 });
    expect(manifestVersionLocation("npm", files({ "package.json": '{ "name": "no-version" }' }))).toEqual({ file: "package.json", line: 1, column: 1 });
  });

  it("points at the Version header of PKG-INFO or a wheel's METADATA, not the description", () => {
    const meta = "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n\nVersion: 9 in the description\n";
    expect(manifestVersionLocation("pypi", files({ "x-1.0.dist-info/METADATA": meta, "x/__init__.py": "" }))).toEqual({ file: "x-1.0.dist-info/METADATA", line: 3, column: 1 });
    expect(manifestVersionLocation("pypi", files({ "PKG-INFO": "Name: x\n\nVersion: 2\n", "setup.py": "setup(\n    name='x',\n    version='2',\n)\n" }))).toEqual({
      file: "setup.py",
      line: 3,
      column: 1,
    });
  });
});
