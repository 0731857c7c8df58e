import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLockfile, parseLockfileText, parseRequirements } from "../../src/deps/lockfiles/index.js";
import type { ResolvedPackage } from "../../src/deps/types.js";
import { FAKE, LOCKFILES, materialize } from "./helpers.js";

const sha512hex = (id: string) => createHash("sha512").update(id).digest("hex");
const byName = (packages: ResolvedPackage[], name: string) => packages.find((p) => p.name === name)!;

const NPM_CASES: [string, string, string, number][] = [
  ["npm-v1", "package-lock.json", "1", 7],
  ["npm-v2", "package-lock.json", "2", 31],
  ["npm-v3", "package-lock.json", "3", 17],
  ["npm-shrinkwrap", "npm-shrinkwrap.json", "3", 17],
  ["yarn-v1", "yarn.lock", "1", 5],
  ["yarn-berry", "yarn.lock", "8", 17],
  ["pnpm-v6", "pnpm-lock.yaml", "6.0", 19],
  ["pnpm-v9", "pnpm-lock.yaml", "9.0", 21],
];

describe("npm lockfiles: one dependency graph for every format", () => {
  it.each(NPM_CASES)("%s", (dir, file, version, maliciousLine) => {
    const lock = parseLockfile(join(materialize(dir), file));
    expect(lock.problems).toEqual([]);
    expect(lock.formatVersion).toBe(version);
    expect(lock.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(["lodahs-utils@4.17.22", "tidy-format@2.0.0", "webkit-helpers@1.0.0"]);
    const deep = byName(lock.packages, "lodahs-utils");
    expect(deep).toMatchObject({ ecosystem: "npm", line: maliciousLine, direct: false, dev: false, source: "registry" });
    expect(deep.paths).toEqual([["webkit-helpers@1.0.0", "lodahs-utils@4.17.22"]]);
    expect(byName(lock.packages, "tidy-format")).toMatchObject({ direct: true, dev: true });
    expect(byName(lock.packages, "webkit-helpers")).toMatchObject({ direct: true, dev: false });
    // Berry's checksum is of Yarn's own zip, not of the registry tarball: no integrity from it.
    if (dir === "yarn-berry") expect(deep.integrity).toEqual([]);
    else expect(deep.integrity).toContainEqual({ algorithm: "sha512", value: sha512hex("lodahs-utils@4.17.22") });
  });

  it("handles npm aliases, git, file and link dependencies explicitly", () => {
    const text = JSON.stringify(
      {
        lockfileVersion: 3,
        packages: {
          "": { dependencies: { short: "npm:long-name@^1.0.0", fromgit: "github:o/r", local: "file:../local" } },
          "node_modules/short": { name: "long-name", version: "1.0.0", resolved: "https://r.example/long-name/-/long-name-1.0.0.tgz", integrity: FAKE.sri("x") },
          "node_modules/fromgit": { version: "0.1.0", resolved: "git+ssh://git@github.com/o/r.git#0123456789abcdef" },
          "node_modules/local": { resolved: "../local", link: true },
        },
      },
      null,
      2,
    );
    const lock = parseLockfileText("/p/package-lock.json", text);
    expect(byName(lock.packages, "long-name")).toMatchObject({ alias: "short", version: "1.0.0", paths: [["short(long-name)@1.0.0"]] });
    expect(byName(lock.packages, "fromgit")).toMatchObject({ source: "git", unscannable: expect.stringMatching(/git dependency/) });
    expect(byName(lock.packages, "local")).toMatchObject({ source: "link", localPath: "/local" });
  });

  it("pnpm v9 aliases and peer suffixes resolve to the right snapshot", () => {
    const text = [
      "lockfileVersion: '9.0'",
      "importers:",
      "  .:",
      "    dependencies:",
      "      short:",
      "        specifier: npm:long-name@^1",
      "        version: long-name@1.0.0",
      "packages:",
      "  long-name@1.0.0:",
      "    resolution: {integrity: sha512-AAAA}",
      "  peer-thing@2.0.0:",
      "    resolution: {integrity: sha512-BBBB}",
      "snapshots:",
      "  long-name@1.0.0:",
      "    dependencies:",
      "      peer-thing: 2.0.0(react@18.0.0)",
      "  peer-thing@2.0.0(react@18.0.0): {}",
      "",
    ].join("\n");
    const lock = parseLockfileText("/p/pnpm-lock.yaml", text);
    expect(lock.problems).toEqual([]);
    expect(byName(lock.packages, "peer-thing")).toMatchObject({ version: "2.0.0", line: 11, paths: [["long-name@1.0.0", "peer-thing@2.0.0"]] });
  });
});

const PYPI_CASES: [string, string, string | undefined, number][] = [
  ["poetry", "poetry.lock", "2.0", 3],
  ["uv", "uv.lock", "1", 17],
  ["pdm", "pdm.lock", "4.4.1", 10],
];

describe("Python lockfiles", () => {
  it.each(PYPI_CASES)("%s", (dir, file, version, maliciousLine) => {
    const lock = parseLockfile(join(materialize(dir), file));
    expect(lock.problems).toEqual([]);
    expect(lock.formatVersion).toBe(version);
    expect(lock.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(["fastjsonx@0.9.3", "jsonkit-pro@1.2.0", "pytest-tidy@0.1.0"]);
    const deep = byName(lock.packages, "fastjsonx");
    expect(deep).toMatchObject({ ecosystem: "pypi", line: maliciousLine, direct: false, dev: false, paths: [["jsonkit-pro@1.2.0", "fastjsonx@0.9.3"]] });
    expect(deep.integrity).toEqual([{ algorithm: "sha256", value: FAKE.sha256("fastjsonx@0.9.3") }]);
    expect(byName(lock.packages, "pytest-tidy")).toMatchObject({ direct: true, dev: true });
  });

  it("Pipfile.lock: default and develop sections, hashes, lines", () => {
    const lock = parseLockfile(join(materialize("pipfile"), "Pipfile.lock"));
    expect(lock.problems).toEqual([]);
    expect(byName(lock.packages, "fastjsonx")).toMatchObject({ version: "0.9.3", line: 19, dev: false, integrity: [{ algorithm: "sha256", value: FAKE.sha256("fastjsonx@0.9.3") }] });
    expect(byName(lock.packages, "pytest-tidy")).toMatchObject({ dev: true, line: 34 });
    expect(lock.indexUrls).toEqual([`${FAKE.pypi}/simple`]);
  });

  it("requirements.txt: pins, hashes, markers, includes, constraints; VCS/URL/unpinned kept as unscannable", () => {
    const dir = materialize("requirements");
    const lock = parseLockfile(join(dir, "requirements.txt"));
    expect(lock.problems).toEqual([]);
    expect(lock.indexUrls).toEqual([`${FAKE.pypi}/simple`]);
    expect(byName(lock.packages, "fastjsonx")).toMatchObject({ version: "0.9.3", line: 9, integrity: [{ algorithm: "sha256", value: FAKE.sha256("fastjsonx@0.9.3") }] });
    expect(byName(lock.packages, "six")).toMatchObject({ version: "1.16.0", line: 2, lockfile: join(dir, "base.txt") });
    expect(byName(lock.packages, "pytest-tidy")).toMatchObject({ version: "0.1.0", line: 11 });
    expect(byName(lock.packages, "pytest-tidy").unscannable).toBeUndefined();
    expect(byName(lock.packages, "team-tool")).toMatchObject({ source: "git", line: 12, unscannable: expect.stringMatching(/VCS/) });
    expect(byName(lock.packages, "requests")).toMatchObject({ line: 13, unscannable: expect.stringMatching(/not pinned.*>=2\.0/) });
    expect(lock.packages.find((p) => p.source === "url")).toMatchObject({ line: 14, unscannable: expect.stringMatching(/URL requirement/) });
    expect(lock.packages).toHaveLength(7);
  });

  it("requirements.txt: a bad hash is a problem on its line, an include cycle is read once", () => {
    const files: Record<string, string> = { "/r/a.txt": "-r b.txt\nfoo==1.0 --hash=sha256:zz\n", "/r/b.txt": "-r a.txt\nbar==2.0\n" };
    const lock = parseRequirements("/r/a.txt", files["/r/a.txt"]!, (path) => files[path]!);
    expect(lock.problems).toEqual([{ file: "/r/a.txt", line: 2, message: 'cannot read hash "sha256:zz"' }]);
    expect(lock.packages.map((p) => p.name).sort()).toEqual(["bar", "foo"]);
  });
});

describe("malformed and unknown lockfiles are errors naming file and line", () => {
  it("invalid JSON", () => {
    const lock = parseLockfile(join(LOCKFILES, "broken", "package-lock.json"));
    expect(lock.problems).toEqual([expect.objectContaining({ line: 5, message: expect.stringMatching(/invalid JSON/) })]);
  });
  it("unknown lockfileVersion", () => {
    const lock = parseLockfile(join(LOCKFILES, "broken", "npm-shrinkwrap.json"));
    expect(lock.problems).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/unknown lockfileVersion 7/) })]);
  });
  it("unknown pnpm, poetry, uv versions and broken TOML", () => {
    expect(parseLockfileText("/p/pnpm-lock.yaml", "lockfileVersion: '42.0'\n").problems[0]).toMatchObject({ line: 1, message: expect.stringMatching(/unknown pnpm lockfileVersion/) });
    expect(parseLockfileText("/p/poetry.lock", '[metadata]\nlock-version = "9.0"\n').problems[0]).toMatchObject({ line: 2 });
    expect(parseLockfileText("/p/uv.lock", "version = 3\n").problems[0]).toMatchObject({ line: 1, message: expect.stringMatching(/unknown uv.lock version/) });
    expect(parseLockfileText("/p/pdm.lock", "[metadata]\n\nlock_version = = 4\n").problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/invalid TOML/) });
  });
  it("a file named like an object's own property is not a known lockfile", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(() => parseLockfileText(`/p/${name}`, "{}"), name).toThrow(/not a known lockfile name/);
      expect(parseLockfile(`/nonexistent/${name}`).problems[0]?.message, name).toMatch(/^cannot read/);
    }
  });
});
