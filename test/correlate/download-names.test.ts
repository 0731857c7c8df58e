// The npm/pip download-line readers (src/correlate/download-names.ts) give what the regexes
// they replaced gave (those regexes are the oracle here), and read one long hostile line in
// one pass: inputs below would take the regexes minutes (they retried every position of a run).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { npmTarball, pipDownload } from "../../src/correlate/download-names.js";

const TARBALL = /https?:\/\/\S+?\/((?:@[^/\s]+\/)?[^/\s]+)\/-\/[^/\s]+?-(\d+\.\d+\.\d+[^/\s]*?)\.tgz/;
const DOWNLOAD = /^(?:Downloading|Using cached|Processing) \S*?([A-Za-z0-9][A-Za-z0-9._]*)-(\d[^-\s]*?)(?:\.tar\.gz|\.zip|-py\S*\.whl)\b/;
const oracle = (re: RegExp, text: string): [string, string] | undefined => {
  const m = re.exec(text);
  return m ? [m[1]!, m[2]!] : undefined;
};
const runs = { numRuns: 3000, seed: 16 };
/** Lines made of the pieces the patterns look for, so partial and repeated matches are frequent. */
const pieces = (parts: string[]) => fc.array(fc.constantFrom(...parts), { maxLength: 14 }).map((a) => a.join(""));

describe("npm tarball URL", () => {
  it("reads the registry URLs of npm logs", () => {
    expect(npmTarball("http fetch GET 200 https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz 52ms (cache miss)")).toEqual(["lodash", "4.17.21"]);
    expect(npmTarball("GET https://r.example/@scope/pkg/-/pkg-1.0.0-beta.1.tgz")).toEqual(["@scope/pkg", "1.0.0-beta.1"]);
    expect(npmTarball("https://r.example/a/-/a.tgz")).toBeUndefined();
  });

  it("gives what the regex gave, on random lines", () => {
    const line = pieces(["http", "https", "://", "/", "-/", "@", "a", "b-", "-1", ".2", ".3", ".tgz", " ", "x"]);
    fc.assert(fc.property(line, (text) => void expect(npmTarball(text)).toEqual(oracle(TARBALL, text))), runs);
    for (const text of ["http://h/@s/n/-/n-1.2.3.tgz", "http://h/@s/-/x-1.2.3.tgz", "https://h//n/-/-1.2.3.tgz", "http://http://h/n/-/n-1.2.3x.tgz.tgz", "http://h/n/-/n-1.2.3/x.tgz", "http://h/a/-/b-1.2.x-1.2.3.tgz"]) {
      expect(npmTarball(text), text).toEqual(oracle(TARBALL, text));
    }
  });

  it("a hostile line of 350 000 characters is read in one pass (the regex took over 8 s of CPU)", () => {
    // Each "http://" restarted the regex, and each "-1.1.1" restarted its version search to the end of the run.
    expect(npmTarball("http://".repeat(50_000))).toBeUndefined();
    expect(npmTarball(`http://h/n/-/n${"-1.1.1".repeat(60_000)}`)).toBeUndefined();
    expect(npmTarball(`${"http://a/b/-/".repeat(15_000)}c-1.2.3.tgz`)).toEqual(["b", "1.2.3"]);
  });
});

describe("pip download line", () => {
  it("reads the archive names of pip logs", () => {
    expect(pipDownload("Downloading https://files.pythonhosted.org/packages/x/requests-2.31.0-py3-none-any.whl (62 kB)")).toEqual(["requests", "2.31.0"]);
    expect(pipDownload("Using cached evil_pkg-0.1.0.tar.gz (1.2 kB)")).toEqual(["evil_pkg", "0.1.0"]);
    expect(pipDownload("Processing ./dist/pkg-1.0.zip")).toEqual(["pkg", "1.0"]);
    expect(pipDownload("Downloading pkg-1.0.tar.gzip")).toBeUndefined();
  });

  it("gives what the regex gave, on random lines", () => {
    const line = pieces(["Downloading ", "Processing ", "a", "_", ".", "-", "1", "-py", "3", ".whl", ".tar.gz", ".zip", " ", "/", "x"]);
    fc.assert(fc.property(line, (text) => void expect(pipDownload(text)).toEqual(oracle(DOWNLOAD, text))), runs);
    for (const text of ["Downloading ._a-1.zip", "Downloading a.b-1-py3.whl", "Downloading a-1-py.whlx.whl", "Downloading a-1-py.whl_", "Downloading x/a-1x-2.tar.gz"]) {
      expect(pipDownload(text), text).toEqual(oracle(DOWNLOAD, text));
    }
  });

  it("a hostile line of 350 000 characters is read in one pass (the regex took over 8 s of CPU)", () => {
    // Every position of a long name was retried, and every "-1-py" scanned the rest of the line for ".whl".
    expect(pipDownload(`Downloading ${"a".repeat(400_000)}-1`)).toBeUndefined();
    expect(pipDownload(`Downloading ${"a-1-py".repeat(60_000)}`)).toBeUndefined();
    expect(pipDownload(`Downloading ${"a.".repeat(100_000)}-1.0.zip`)).toEqual(["a.".repeat(100_000), "1.0"]);
  });
});
