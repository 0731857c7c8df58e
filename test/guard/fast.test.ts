// The guard's warm fast path: which invocations may take it, and a key that changes with every
// input that decides what gets installed and how it is judged (and only with those).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fastInvocation, fastKey, readFastEntry, writeFastEntry, type FastInvocation } from "../../src/guard/fast.js";

let root: string;
let project: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "exfilscan-guard-fast-"));
  project = join(root, "project");
  mkdirSync(join(root, "home"), { recursive: true });
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), '{"name":"app","dependencies":{"a":"^1.0.0"}}\n');
  writeFileSync(join(project, "package-lock.json"), '{"lockfileVersion":3,"packages":{}}\n');
  env = { HOME: join(root, "home"), PATH: "/usr/bin:/bin", XDG_CACHE_HOME: join(root, "cache"), TERM: "xterm" };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const invocation = (args: string[], e: NodeJS.ProcessEnv = env): FastInvocation => {
  const found = fastInvocation(args, e);
  if (!found) throw new Error(`no fast invocation for ${args.join(" ")}`);
  return found;
};

describe("which invocations may take the fast path", () => {
  it("npm with options that only change the key, however they are written", () => {
    const inv = invocation(["guard", "--fail-on=critical", "--cache-dir", "/c", "--offline", "--timeout", "100", "--no-color", "--check-only", "--", "npm", "install"]);
    expect(inv).toMatchObject({ cacheDir: "/c", command: ["npm", "install"], checkOnly: true });
    expect(invocation(["guard", "--", "npm", "ci"]).cacheDir).toBe(join(root, "cache", "exfilscan"));
    expect(invocation(["guard", "--", "npm", "ci"], { ...env, EXFILSCAN_CACHE_DIR: "/x" }).cacheDir).toBe("/x");
    expect(invocation(["guard", "--", "npm", "ci"], { ...env, EXFILSCAN_ADVISORY_STORE: "/s.json" }).advisoryStore).toBe("/s.json");
    // A flag's value is taken as commander takes it, even when it looks like an option.
    expect(invocation(["guard", "--cache-dir", "--check-only", "--", "npm", "ci"])).toMatchObject({ cacheDir: join(process.cwd(), "--check-only"), checkOnly: false });
  });

  it("anything with a side effect or another meaning takes the full path", () => {
    for (const args of [
      ["guard", "--allow", "x@1.0.0", "--reason", "r", "--", "npm", "install"], // recorded on every run
      ["guard", "--fail-open", "--", "npm", "install"],
      ["guard", "--db", "/d.db", "--", "npm", "install"],
      ["guard", "--help", "--", "npm", "install"],
      ["guard", "-h"],
      ["guard", "npm", "install"], // no --
      ["guard", "--cache-dir"], // value missing
      ["--signatures", "/s", "guard", "--", "npm", "install"], // a global option: other rules
      ["--debug", "guard", "--", "npm", "install"],
      ["scan", "x"],
      ["guard", "--", "pnpm", "install"],
      ["guard", "--", "pip", "install", "x"],
      ["guard", "--"],
    ]) {
      expect(fastInvocation(args, env), args.join(" ")).toBeUndefined();
    }
    expect(fastInvocation(["guard", "--", "npm", "install"], { ...env, EXFILSCAN_DB: "/d.db" })).toBeUndefined();
    expect(fastInvocation(["guard", "--", "npm", "install"], { ...env, EXFILSCAN_GUARD_FAST: "0" })).toBeUndefined();
  });
});

describe("the fast path's key", () => {
  const args = ["guard", "--", "npm", "install"];
  const key = (a = args, e = env, dir = project) => fastKey(invocation(a, e), dir, e);

  it("is the same for the same inputs, whatever else is in the environment", () => {
    const base = key();
    expect(key()).toBe(base);
    expect(key(args, { ...env, TERM: "dumb", LANG: "C" })).toBe(base);
  });

  it("changes with every input that decides what is installed or how it is judged", () => {
    const base = key();
    const changed = (what: string, k: string) => expect(k, what).not.toBe(base);
    changed("arguments", key(["guard", "--fail-on", "critical", "--", "npm", "install"]));
    changed("the command", key(["guard", "--", "npm", "ci"]));
    changed("npm configuration in the environment", key(args, { ...env, npm_config_registry: "http://127.0.0.1:1/" }));
    changed("exfilscan configuration in the environment", key(args, { ...env, EXFILSCAN_PYPI_URL: "http://127.0.0.1:1" }));
    changed("PATH (which npm runs)", key(args, { ...env, PATH: "/opt/bin:/usr/bin" }));
    const other = join(root, "other");
    mkdirSync(other);
    for (const name of ["package.json", "package-lock.json"]) writeFileSync(join(other, name), readFileSync(join(project, name)));
    changed("the working directory", key(args, env, other));
    const edits: [string, () => void][] = [
      ["package.json", () => writeFileSync(join(project, "package.json"), '{"name":"app","dependencies":{"a":"^1.0.1"}}\n')],
      ["the lockfile", () => writeFileSync(join(project, "package-lock.json"), '{"lockfileVersion":3,"packages":{"":{}}}\n')],
      ["a shrinkwrap appearing", () => writeFileSync(join(project, "npm-shrinkwrap.json"), "{}")],
      ["the project .npmrc", () => writeFileSync(join(project, ".npmrc"), "registry=http://127.0.0.1:1/\n")],
      ["the user's .npmrc", () => writeFileSync(join(root, "home", ".npmrc"), "ignore-scripts=false\n")],
      ["the known-malicious store", () => (mkdirSync(join(root, "cache", "exfilscan"), { recursive: true }), writeFileSync(join(root, "cache", "exfilscan", "advisories.json"), "{}"))],
    ];
    const seen = new Set([base]);
    for (const [what, edit] of edits) {
      edit();
      const k = key();
      expect(seen.has(k), what).toBe(false);
      seen.add(k);
    }
  });

  it("an unreadable project file is doubt, not an input", () => {
    mkdirSync(join(project, ".npmrc"));
    expect(() => key()).toThrow();
  });
});

describe("recorded entries", () => {
  const args = ["guard", "--", "npm", "install"];

  it("are read back only under their key, intact, and for the same program", () => {
    const inv = invocation(args);
    const k = fastKey(inv, project, env);
    expect(writeFastEntry(inv, k, project, env, { say: "checked\n", install: ["npm", "install", "--no-audit"] })).toBe(true);
    expect(readFastEntry(inv, k)).toEqual({ say: "checked\n", install: ["npm", "install", "--no-audit"] });
    expect(readFastEntry(inv, "0".repeat(64))).toBeUndefined();
    const dir = join(root, "cache", "exfilscan", "guard-fast");
    const [file] = readdirSync(dir);
    const stored = JSON.parse(readFileSync(join(dir, file!), "utf8"));
    stored.entry.install = ["sh", "-c", "evil"];
    writeFileSync(join(dir, file!), JSON.stringify(stored));
    expect(readFastEntry(inv, k)).toBeUndefined(); // the checksum no longer matches
    writeFileSync(join(dir, file!), "{ torn");
    expect(readFastEntry(inv, k)).toBeUndefined();
    expect(writeFastEntry(inv, k, project, env, { say: "", install: ["pnpm", "install"] })).toBe(true);
    expect(readFastEntry(inv, k)).toBeUndefined(); // not the program the user typed
  });

  it("are not written when an input changed after the key was taken", () => {
    const inv = invocation(args);
    const k = fastKey(inv, project, env);
    writeFileSync(join(project, "package-lock.json"), '{"lockfileVersion":3,"packages":{"":{"x":1}}}\n');
    expect(writeFastEntry(inv, k, project, env, { say: "", install: ["npm", "install"] })).toBe(false);
    expect(readFastEntry(inv, k)).toBeUndefined();
  });
});
