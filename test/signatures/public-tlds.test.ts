// signatures/indicators.yaml publicTlds: the one list both front-ends read to tell a bare
// hostname (an indicator) from a dotted word; an added TLD takes effect in both.
import { describe, expect, it } from "vitest";
import { loadSignatures } from "../../src/rules/signatures.js";
import { base, extraDir, jsFindings, loadError, pyFindings } from "./models-helpers.js";

const indicators = (more: string) =>
  `exfilServices: []\nknownBad:\n  - { type: domain, value: c2.zorblat.qzx }\n  - { type: domain, value: drop.zorblat.sh }\n${more}`;
const withBad = (more = "") => loadSignatures([extraDir({ "indicators.yaml": indicators(more) })]);

describe("indicators.yaml publicTlds", () => {
  const js = 'module.exports = { host: "c2.zorblat.qzx" };\n';
  const py = 'HOST = "c2.zorblat.qzx"\n';

  it("a bare hostname under an added TLD is an indicator in both front-ends (a known-bad one is then found)", async () => {
    expect(await jsFindings(js, withBad())).toEqual([]);
    expect(await pyFindings(py, withBad())).toEqual([]);
    expect(await jsFindings(js, withBad("publicTlds: [qzx]\n"))).toEqual(["known-bad-indicator high 1"]);
    expect(await pyFindings(py, withBad("publicTlds: [qzx]\n"))).toEqual(["known-bad-indicator high 1"]);
  });

  it("both front-ends read the same list: a file-extension TLD left out of it (sh) names no host in either", async () => {
    expect(base.publicTlds.has("sh")).toBe(false);
    expect(base.publicTlds.has("com")).toBe(true);
    expect(await jsFindings('module.exports = "drop.zorblat.sh";\n', withBad())).toEqual([]);
    expect(await pyFindings('HOST = "drop.zorblat.sh"\n', withBad())).toEqual([]);
    // Written as a URL it is an indicator whatever its TLD.
    expect(await pyFindings('HOST = "https://drop.zorblat.sh/x"\n', withBad())).toEqual(["known-bad-indicator high 1"]);
  });

  it("an entry that is not a lower-case TLD is a load error naming file and line", () => {
    const error = loadError({ "indicators.yaml": indicators("publicTlds: [com, .evil]\n") });
    expect(error.message).toMatch(/indicators\.yaml:5.*publicTlds\.1: a top-level domain in lower case/);
  });
});
