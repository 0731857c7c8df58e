// `npm install` with no package named, on a lockfile in sync with package.json: the guard
// checks that lockfile as it is and runs no resolution (npm is not even on PATH here).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/guard/command.js";
import { parseLockfile } from "../../src/deps/lockfiles/index.js";
import { key, lockKeys, lockMatchesManifest, planNpm, readLockJson, ResolutionError, resolvesPinned } from "../../src/guard/npm.js";

const integrity = `sha512-${Buffer.alloc(64, 1).toString("base64")}`;
function project(manifestDeps: Record<string, string>, lockDeps: Record<string, string>, entry: Record<string, unknown> = { version: "1.0.0", resolved: "https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz", integrity }) {
  const dir = mkdtempSync(join(tmpdir(), "exfilscan-npm-plan-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", dependencies: manifestDeps }));
  writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ name: "app", lockfileVersion: 3, packages: { "": { name: "app", version: "1.0.0", dependencies: lockDeps }, "node_modules/left-pad": entry } }));
  return dir;
}
const noNpm = { PATH: "/nonexistent" };

describe("npm install on a lockfile in sync", () => {
  it("checks the current lockfile without running npm", () => {
    const dir = project({ "left-pad": "^1.0.0" }, { "left-pad": "^1.0.0" });
    expect(lockMatchesManifest(dir, "package-lock.json")).toBe(true);
    const plan = planNpm(parseCommand(["npm", "install"]), dir, noNpm);
    try {
      expect(plan.lockfile.packages.map((p) => `${p.name}@${p.version}`)).toEqual(["left-pad@1.0.0"]);
      expect(plan.added).toEqual([]);
      expect(plan.install).toEqual(["npm", "install", "--no-audit", "--no-fund"]);
    } finally {
      plan.cleanup();
    }
  });

  it("resolves (runs npm) when package.json changed, a package is named, or an entry lacks its integrity", () => {
    const changed = project({ "left-pad": "^1.0.0", other: "1" }, { "left-pad": "^1.0.0" });
    expect(lockMatchesManifest(changed, "package-lock.json")).toBe(false);
    expect(() => planNpm(parseCommand(["npm", "install"]), changed, noNpm)).toThrow(ResolutionError);
    const synced = project({ "left-pad": "^1.0.0" }, { "left-pad": "^1.0.0" });
    expect(() => planNpm(parseCommand(["npm", "install", "left-pad"]), synced, noNpm)).toThrow(ResolutionError);
    const unpinned = project({ "left-pad": "^1.0.0" }, { "left-pad": "^1.0.0" }, { version: "1.0.0" });
    expect(lockMatchesManifest(unpinned, "package-lock.json")).toBe(false);
  });
});

describe("what is new in a resolved lockfile", () => {
  it("lockKeys reads the keys parseLockfile gives, from the JSON alone (nested copies, aliases, links)", () => {
    const bench = join(import.meta.dirname, "..", "..", "bench", "guard-project", "package-lock.json");
    const keys = lockKeys(bench);
    expect(keys.size).toBeGreaterThan(300);
    expect(keys).toEqual(new Set(parseLockfile(bench).packages.map(key)));
    const dir = mkdtempSync(join(tmpdir(), "exfilscan-npm-keys-"));
    const file = join(dir, "package-lock.json");
    writeFileSync(file, JSON.stringify({ name: "app", lockfileVersion: 3, packages: {
      "": { name: "app", dependencies: { pad: "npm:left-pad@1.0.0", local: "file:local" } },
      "node_modules/pad": { name: "left-pad", version: "1.0.0", resolved: "https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz", integrity },
      "node_modules/local": { resolved: "local", link: true },
      local: { name: "local", version: "2.0.0" },
      "node_modules/a/node_modules/b": { version: "3.0.0", integrity: `${integrity} sha1-${Buffer.alloc(20, 2).toString("base64")}` },
    } }));
    expect(lockKeys(file)).toEqual(new Set(parseLockfile(file).packages.map(key)));
    expect(lockKeys(file).size).toBe(3);
    // The JSON read once (the guard reads the current lockfile once for both questions) gives the same keys.
    expect(lockKeys(file, readLockJson(file))).toEqual(lockKeys(file));
  });
});

describe("a lockfile npm can resolve from inside the guard", () => {
  it("pins every package by version and integrity, from the file or from its JSON read once", () => {
    const pinned = project({ "left-pad": "^1.0.0" }, { "left-pad": "^1.0.0" });
    const unpinned = project({ "left-pad": "^1.0.0" }, { "left-pad": "^1.0.0" }, { version: "1.0.0" });
    for (const [dir, expected] of [[pinned, true], [unpinned, false]] as const) {
      expect(resolvesPinned(dir, "package-lock.json")).toBe(expected);
      expect(resolvesPinned(dir, "package-lock.json", readLockJson(join(dir, "package-lock.json")))).toBe(expected);
    }
  });

  it("is not pinned when the lockfile is not JSON, is JSON null, or has an entry that is not an object", () => {
    for (const text of ["{ not json", "null", JSON.stringify({ lockfileVersion: 3, packages: { "": {}, "node_modules/x": null } })]) {
      const dir = project({}, {});
      writeFileSync(join(dir, "package-lock.json"), text);
      expect(resolvesPinned(dir, "package-lock.json")).toBe(false);
      expect(resolvesPinned(dir, "package-lock.json", readLockJson(join(dir, "package-lock.json")))).toBe(false);
    }
  });
});
